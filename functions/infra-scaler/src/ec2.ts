import { setTimeout as sleepFor } from 'node:timers/promises';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  type EC2Client,
  type Instance,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { SCALED_DOWN_KEY } from '@nightshift/conventions';
import { asError, failureReason, type TimeBudget } from '@nightshift/runtime';
import { type ChunkOutcome, inChunks } from './chunks.ts';

/** EC2 takes up to 1000 ids per call; smaller chunks keep one failure's blast radius small. */
const CHUNK = 50;
/** DescribeInstances by id, this many ids per call. */
const DESCRIBE_CHUNK = 200;

/** What became of the instances scale_down asked to stop. */
export interface StopOutcome {
  /** Stopped, with their mark; `error` when StopInstances failed yet the instance is stopping. */
  stopped: { id: string; error?: Error; state?: string }[];
  /** Not stopped; `markKept` when the mark may still be on (the instance may have stopped). */
  failed: { id: string; error: Error; markKept: boolean }[];
}

/** States in which a stop has taken effect: the instance must keep its mark. */
const STOPPING = ['stopping', 'stopped'];
/** States in which an instance surely did not stop: its mark may come off. */
const NOT_STOPPED = ['pending', 'running'];

/**
 * Marks instances as stopped by scale_down (tag first: an instance stopped without its
 * mark would never be started again), then stops the marked ones. A stop that fails may
 * still have taken effect (its answer lost, the retries refused), so the instances whose
 * stop failed are read again: one that is stopping or stopped counts as stopped and keeps
 * its mark; only one seen running (or pending) has its mark taken back; one that cannot
 * be read keeps its mark, which a later scale_up takes off if it runs.
 *
 * @example
 * await stopAndMark(ec2, ['i-1', 'i-2'], new Date());
 */
export const stopAndMark = async (
  ec2: EC2Client,
  ids: string[],
  now: Date,
): Promise<StopOutcome> => {
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
  const outcome: StopOutcome = {
    stopped: stopped.succeeded.map((id) => ({ id })),
    failed: marked.failed.map(({ id, error }) => ({ id, error, markKept: false })),
  };
  const seen = await describeByIds(
    ec2,
    stopped.failed.map(({ id }) => id),
  ).catch(() => new Map<string, Instance>());
  const notStopped: string[] = [];
  for (const { id, error } of stopped.failed) {
    const state = seen.get(id)?.State?.Name ?? 'unknown';
    if (STOPPING.includes(state)) outcome.stopped.push({ id, error, state });
    else if (NOT_STOPPED.includes(state)) notStopped.push(id);
    else outcome.failed.push({ id, error, markKept: true });
  }
  const unmarked = await unmark(ec2, notStopped);
  const unmarkFailed = new Set(unmarked.failed.map(({ id }) => id));
  for (const { id, error } of stopped.failed) {
    if (notStopped.includes(id)) outcome.failed.push({ id, error, markKept: unmarkFailed.has(id) });
  }
  return outcome;
};

/**
 * The instances with these ids, read by id, 200 ids per call (never a call without ids,
 * which would list them all). An id that EC2 does not return is missing; a failed call
 * rejects.
 *
 * @example
 * const seen = await describeByIds(ec2, ['i-1', 'i-2']); // Map of id → Instance
 */
export const describeByIds = async (
  ec2: EC2Client,
  ids: readonly string[],
): Promise<Map<string, Instance>> => {
  const seen = new Map<string, Instance>();
  for (let start = 0; start < ids.length; start += DESCRIBE_CHUNK) {
    const page = await ec2.send(
      new DescribeInstancesCommand({ InstanceIds: ids.slice(start, start + DESCRIBE_CHUNK) }),
    );
    for (const reservation of page.Reservations ?? []) {
      for (const instance of reservation.Instances ?? [])
        if (instance.InstanceId) seen.set(instance.InstanceId, instance);
    }
  }
  return seen;
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
    let seen: Map<string, Instance>;
    try {
      seen = await describeByIds(ec2, watch.pending);
    } catch (error) {
      // What could not be watched stays pending: it keeps its mark for a later scale_up.
      watch.error = failureReason(asError(error));
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
