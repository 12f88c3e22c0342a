import { setTimeout as sleepFor } from 'node:timers/promises';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  type EC2Client,
  type Instance,
  paginateDescribeInstances,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { failureReason, type TimeBudget } from '@nightshift/middleware';
import { type ChunkOutcome, inChunks } from './chunks.ts';
import { SCALED_DOWN_KEY } from './marks.ts';

/** EC2 takes up to 1000 ids per call; smaller chunks keep one failure's blast radius small. */
const CHUNK = 50;

/**
 * Every instance matching the tag filters (`{ Environment: 'staging' }`; a `null` value
 * matches any value of the key) in one of `states`, all pages.
 *
 * @example
 * await listInstances(ec2, { Environment: 'staging', AutoScale: 'true' }, ['running']);
 */
export const listInstances = async (
  ec2: EC2Client,
  tags: Record<string, string | null>,
  states: string[],
): Promise<Instance[]> => {
  const instances: Instance[] = [];
  const filters = [
    ...Object.entries(tags).map(([key, value]) =>
      value === null ? { Name: 'tag-key', Values: [key] } : { Name: `tag:${key}`, Values: [value] },
    ),
    { Name: 'instance-state-name', Values: states },
  ];
  for await (const page of paginateDescribeInstances(
    { client: ec2, pageSize: 1000 },
    { Filters: filters },
  )) {
    for (const reservation of page.Reservations ?? [])
      instances.push(...(reservation.Instances ?? []));
  }
  return instances;
};

/**
 * Marks instances as stopped by scale_down (tag first: an instance stopped without its
 * mark would never be started again), then stops the marked ones; a failed stop has its
 * mark taken back. Returns which ids were stopped and which failed, and why.
 *
 * @example
 * await stopAndMark(ec2, ['i-1', 'i-2'], new Date());
 */
export const stopAndMark = async (
  ec2: EC2Client,
  ids: string[],
  now: Date,
): Promise<ChunkOutcome> => {
  const marked = await inChunks(ids, CHUNK, (chunk) =>
    ec2.send(
      new CreateTagsCommand({
        Resources: chunk,
        Tags: [{ Key: SCALED_DOWN_KEY, Value: now.toISOString() }],
      }),
    ),
  );
  const stopped = await inChunks(marked.succeeded, CHUNK, (chunk) =>
    ec2.send(new StopInstancesCommand({ InstanceIds: chunk })),
  );
  if (stopped.failed.length > 0) {
    await unmark(
      ec2,
      stopped.failed.map(({ id }) => id),
    ).catch(() => undefined);
  }
  return { succeeded: stopped.succeeded, failed: [...marked.failed, ...stopped.failed] };
};

/**
 * Starts instances, in chunks (a failing id fails alone).
 *
 * @example
 * await startInstances(ec2, ['i-1']);
 */
export const startInstances = (ec2: EC2Client, ids: string[]): Promise<ChunkOutcome> =>
  inChunks(ids, CHUNK, (chunk) => ec2.send(new StartInstancesCommand({ InstanceIds: chunk })));

/**
 * Takes scale_down's mark off instances.
 *
 * @example
 * await unmark(ec2, ['i-1']);
 */
export const unmark = (ec2: EC2Client, ids: string[]): Promise<ChunkOutcome> =>
  inChunks(ids, CHUNK, (chunk) =>
    ec2.send(new DeleteTagsCommand({ Resources: chunk, Tags: [{ Key: SCALED_DOWN_KEY }] })),
  );

/** How long scale_up watches started instances: most run within a minute. */
export const START_POLL_MS = 5_000;
export const START_WAIT_MS = 180_000;
/** DescribeInstances by id, this many ids per call. */
const DESCRIBE_CHUNK = 200;

/** Where started instances ended up. */
export interface StartWatch {
  running: string[];
  /** Went back to stopped (or further) after starting, with EC2's reason. */
  fellBack: { id: string; state: string; reason: string }[];
  /** Still pending when the wait ended. */
  pending: string[];
  /** Why the watch ended early: DescribeInstances failed even after the SDK's retries. */
  error?: string;
}

/**
 * Watches started instances until none is pending, `waitMs` has passed or the budget is
 * spent. A start that EC2 accepts can still fail: an instance whose encrypted volume's KMS
 * key the caller may not use goes from pending back to stopped
 * (`Client.InternalError`); only one that runs has really started.
 *
 * @example
 * const { running, fellBack, pending } = await watchStart(ec2, ['i-1'], { budget });
 */
export const watchStart = async (
  ec2: EC2Client,
  ids: readonly string[],
  {
    budget,
    pollMs = START_POLL_MS,
    waitMs = START_WAIT_MS,
    sleep = (ms: number) => sleepFor(ms).then(() => undefined),
  }: {
    budget: TimeBudget;
    pollMs?: number;
    waitMs?: number;
    sleep?: (ms: number) => Promise<void>;
  },
): Promise<StartWatch> => {
  const watch: StartWatch = { running: [], fellBack: [], pending: [...ids] };
  for (let polls = Math.ceil(waitMs / pollMs); watch.pending.length > 0; polls -= 1) {
    const seen = new Map<string, Instance>();
    try {
      for (let start = 0; start < watch.pending.length; start += DESCRIBE_CHUNK) {
        const page = await ec2.send(
          new DescribeInstancesCommand({
            InstanceIds: watch.pending.slice(start, start + DESCRIBE_CHUNK),
          }),
        );
        for (const reservation of page.Reservations ?? []) {
          for (const instance of reservation.Instances ?? [])
            seen.set(instance.InstanceId ?? '', instance);
        }
      }
    } catch (error) {
      // What could not be watched stays pending: it keeps its mark for a later scale_up.
      watch.error = failureReason(error as Error);
      break;
    }
    const stillPending: string[] = [];
    for (const id of watch.pending) {
      const instance = seen.get(id);
      const state = instance?.State?.Name ?? 'pending';
      if (state === 'running') watch.running.push(id);
      else if (state === 'pending') stillPending.push(id);
      else
        watch.fellBack.push({
          id,
          state,
          reason: instance?.StateReason?.Message ?? 'EC2 gave no reason',
        });
    }
    watch.pending = stillPending;
    if (watch.pending.length === 0 || polls <= 1 || budget.remainingMs() < pollMs) break;
    await sleep(pollMs);
  }
  return watch;
};
