import { asError } from '@nightshift/runtime';

/** What became of each id of a batched call. */
export interface ChunkOutcome {
  succeeded: string[];
  failed: { id: string; error: Error }[];
}

/**
 * Calls `call` with the ids in chunks of `size`; when a chunk fails, retries its ids one
 * by one, so that one bad id fails alone and the others go through.
 *
 * @example
 * await inChunks(ids, 50, (chunk) => ec2.send(new StopInstancesCommand({ InstanceIds: chunk })));
 */
export const inChunks = async (
  ids: readonly string[],
  size: number,
  call: (chunk: string[]) => Promise<unknown>,
): Promise<ChunkOutcome> => {
  const outcome: ChunkOutcome = { succeeded: [], failed: [] };
  for (let start = 0; start < ids.length; start += size) {
    const chunk = ids.slice(start, start + size);
    try {
      await call(chunk);
      outcome.succeeded.push(...chunk);
    } catch (error) {
      if (chunk.length === 1) {
        outcome.failed.push(...chunk.map((id) => ({ id, error: asError(error) })));
        continue;
      }
      for (const id of chunk) {
        try {
          await call([id]);
          outcome.succeeded.push(id);
        } catch (single) {
          outcome.failed.push({ id, error: asError(single) });
        }
      }
    }
  }
  return outcome;
};
