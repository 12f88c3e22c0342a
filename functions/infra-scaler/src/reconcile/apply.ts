import { setTimeout as sleepFor } from 'node:timers/promises';
import {
  type AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand as DeleteGroupTagsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  type EC2Client,
  type Instance,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  AddTagsToResourceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  type RDSClient,
  RemoveTagsFromResourceCommand,
  StartDBClusterCommand,
  StartDBInstanceCommand,
  StopDBClusterCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { LAST_ACTION_KEY, LAST_ERROR_KEY, SNOOZE_UNTIL_KEY } from '@nightshift/conventions';
import { FACT } from '@nightshift/history';
import type { Outcomes } from '@nightshift/job';
import {
  asError,
  failureReason,
  mapSettled,
  OUT_OF_TIME,
  type TimeBudget,
} from '@nightshift/runtime';
import { restoreSize, saveAndEmpty } from '../autoScaling.ts';
import { inChunks } from '../chunks.ts';
import {
  describeByIds,
  START_WAIT_MS,
  type StartWatch,
  startInstances,
  watchStart,
} from '../ec2.ts';
import { encodeSize } from '../marks.ts';
import { ReconcileAction, type ReconcileChange, type Scheduled } from './types.ts';

/** What carrying out a reconcile plan needs: the clients, the run's time, its budget and pace. */
export interface ReconcileContext {
  ec2: EC2Client;
  autoscaling: AutoScalingClient;
  rds: RDSClient;
  /** The run's time: what `nightshift:last-action` records. */
  now: Date;
  budget: TimeBudget;
  /** Groups or databases changed (or read) at once. */
  concurrency: number;
  /** Waits between polls (tests pass one that returns at once). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  /** How long the resources of one wave may take to reach their state before the next wave. */
  waitMs?: number | undefined;
}

/** The metrics of a reconcile run: what it changed. */
export interface ReconcileCounts {
  InstancesStopped: number;
  InstancesStarted: number;
  GroupsScaled: number;
  DatabasesStopped: number;
  DatabasesStarted: number;
}

/** How often a wave's resources are read while the next wave waits for them. */
export const POLL_MS = 5_000;
/** How long the next wave waits, at most, for the resources of the previous one. */
export const WAVE_WAIT_MS = 240_000;
/** Ids per CreateTags / DeleteTags / StopInstances call (one failure's blast radius stays small). */
const CHUNK = 50;
/** Ids a "waits for order" reason names before it only counts the rest. */
const NAMED_IDS = 5;
/** RDS allows only these characters in tag values; the same rule serves every kind. */
const NOT_TAG_SAFE = /[^A-Za-z0-9 _.:/=+\-@]/g;
/** The longest tag value EC2, Auto Scaling and RDS accept. */
const TAG_VALUE_MAX = 256;

type Target = 'running' | 'stopped';

/**
 * What became of one change, before its tags are written and its outcome recorded:
 * `done` writes last-action (and takes last-error and the snooze off as the change says),
 * `failed` writes last-error, `pending` (started, not yet seen running) and `skipped`
 * write nothing.
 */
interface Settled {
  change: ReconcileChange;
  outcome: 'done' | 'failed' | 'pending' | 'skipped';
  reason: string;
  /** A started instance that went back to stopped: its failed entry says so (`fellBack`). */
  fellBack?: boolean;
}

/** One wave: the stops (or starts) of one order. */
interface Wave {
  target: Target;
  order: number;
  changes: ReconcileChange[];
}

/** A tag write on one resource: at most one tag set, any number of keys removed. */
interface TagWrite {
  resource: Scheduled;
  set?: { Key: string; Value: string };
  remove: string[];
}

const resourceKey = ({ kind, id }: Scheduled): string => `${kind}:${id}`;

/**
 * The text `nightshift:last-error` can hold: characters RDS refuses in tag values become
 * spaces, and it is cut at 256 characters.
 *
 * @example
 * lastErrorValue('KMS key "k" is disabled'); // 'KMS key  k  is disabled'
 */
export const lastErrorValue = (reason: string): string =>
  reason.replace(NOT_TAG_SAFE, ' ').slice(0, TAG_VALUE_MAX);

/** The transition a change brings its resource to, as `nightshift:last-action` records it. */
const lastActionValue = (change: ReconcileChange, now: Date): string =>
  `${change.due === 'running' ? 'start' : 'stop'}@${now.toISOString()}`;

/** The tags a settled change writes, if any. */
const tagWriteOf = ({ change, outcome, reason }: Settled, now: Date): TagWrite | undefined => {
  if (outcome === 'failed') {
    return {
      resource: change.resource,
      set: { Key: LAST_ERROR_KEY, Value: lastErrorValue(reason) },
      remove: [],
    };
  }
  if (outcome !== 'done') return undefined;
  const remove = [
    ...(change.hadError ? [LAST_ERROR_KEY] : []),
    ...(change.clearSnooze ? [SNOOZE_UNTIL_KEY] : []),
  ];
  if (change.action === ReconcileAction.ClearSnooze) return { resource: change.resource, remove };
  return {
    resource: change.resource,
    set: { Key: LAST_ACTION_KEY, Value: lastActionValue(change, now) },
    remove,
  };
};

/** Items grouped by a key, in first-seen order. */
const groupBy = <T>(items: readonly T[], keyOf: (item: T) => string): T[][] => {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.values()];
};

/**
 * Writes tags on instances or groups, batched: one call per chunk of resources that get
 * the same tag, one per chunk of resources that lose the same keys (never a delete
 * without keys, which on EC2 would remove every tag). Returns the errors by resource.
 */
const writeBatched = async (
  writes: readonly TagWrite[],
  create: (ids: string[], tag: { Key: string; Value: string }) => Promise<unknown>,
  remove: (ids: string[], keys: string[]) => Promise<unknown>,
): Promise<{ id: string; error: Error }[]> => {
  const failed: { id: string; error: Error }[] = [];
  const ids = (group: readonly TagWrite[]) => group.map((write) => write.resource.id);
  const setting = writes.filter((write) => write.set !== undefined);
  for (const group of groupBy(setting, (write) => JSON.stringify(write.set))) {
    const tag = group[0]?.set as { Key: string; Value: string };
    failed.push(...(await inChunks(ids(group), CHUNK, (chunk) => create(chunk, tag))).failed);
  }
  const removing = writes.filter((write) => write.remove.length > 0);
  for (const group of groupBy(removing, (write) => JSON.stringify(write.remove))) {
    const keys = group[0]?.remove as string[];
    failed.push(...(await inChunks(ids(group), CHUNK, (chunk) => remove(chunk, keys))).failed);
  }
  return failed;
};

/**
 * Writes the tags of settled changes: EC2 and Auto Scaling in batches, RDS one database
 * at a time by ARN. Never throws: returns why the writes of each resource failed.
 */
const writeTags = async (
  writes: readonly TagWrite[],
  { ec2, autoscaling, rds, concurrency }: ReconcileContext,
): Promise<Map<string, string>> => {
  const ofKind = (kinds: readonly string[]) =>
    writes.filter((write) => kinds.includes(write.resource.kind));
  const instanceFailures = await writeBatched(
    ofKind(['instance']),
    (ids, tag) => ec2.send(new CreateTagsCommand({ Resources: ids, Tags: [tag] })),
    (ids, keys) =>
      ec2.send(new DeleteTagsCommand({ Resources: ids, Tags: keys.map((Key) => ({ Key })) })),
  );
  const asgTag = (id: string, Key: string) => ({
    ResourceId: id,
    ResourceType: 'auto-scaling-group',
    Key,
  });
  const groupFailures = await writeBatched(
    ofKind(['group']),
    (ids, { Key, Value }) =>
      autoscaling.send(
        new CreateOrUpdateTagsCommand({
          Tags: ids.map((id) => ({ ...asgTag(id, Key), Value, PropagateAtLaunch: false })),
        }),
      ),
    (ids, keys) =>
      autoscaling.send(
        new DeleteGroupTagsCommand({
          Tags: ids.flatMap((id) => keys.map((Key) => asgTag(id, Key))),
        }),
      ),
  );
  const databases = await mapSettled(
    ofKind(['db-instance', 'db-cluster']),
    async ({ resource, set, remove }) => {
      const arn = resource.arn;
      if (!arn) throw new Error('its ARN is not known, so its tags cannot be written');
      if (set) await rds.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: [set] }));
      if (remove.length > 0) {
        await rds.send(new RemoveTagsFromResourceCommand({ ResourceName: arn, TagKeys: remove }));
      }
    },
    { concurrency },
  );
  const errors = new Map<string, string>();
  const note = (key: string, error: Error) => {
    const before = errors.get(key);
    const reason = failureReason(error);
    errors.set(key, before ? `${before}; ${reason}` : reason);
  };
  for (const { id, error } of instanceFailures) note(`instance:${id}`, error);
  for (const { id, error } of groupFailures) note(`group:${id}`, error);
  for (const { item, error } of databases.failed) note(resourceKey(item.resource), error);
  return errors;
};

/** Which metric a change that went through counts in. */
const counterOf = (change: ReconcileChange): keyof ReconcileCounts | undefined => {
  const starting = change.action === ReconcileAction.Start;
  if (!starting && change.action !== ReconcileAction.Stop) return undefined;
  switch (change.resource.kind) {
    case 'instance':
      return starting ? 'InstancesStarted' : 'InstancesStopped';
    case 'group':
      return 'GroupsScaled';
    default:
      return starting ? 'DatabasesStarted' : 'DatabasesStopped';
  }
};

/** A database's status now (`available`, `stopped`, …), read again; undefined when not found. */
const databaseStatus = async (rds: RDSClient, db: Scheduled): Promise<string | undefined> => {
  if (db.kind === 'db-instance') {
    const { DBInstances = [] } = await rds.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: db.id }),
    );
    return DBInstances.find((found) => found.DBInstanceIdentifier === db.id)?.DBInstanceStatus;
  }
  const { DBClusters = [] } = await rds.send(
    new DescribeDBClustersCommand({ DBClusterIdentifier: db.id }),
  );
  return DBClusters.find((found) => found.DBClusterIdentifier === db.id)?.Status;
};

/** States in which a stop has taken effect. */
const STOPPING = ['stopping', 'stopped'];

/**
 * Stops instances, 50 per call (a failing id fails alone). A stop that fails may still
 * have taken effect (its answer lost, the retries refused), so those instances are read
 * again: stopping or stopped counts as done.
 */
const stopInstances = async (
  ec2: EC2Client,
  changes: readonly ReconcileChange[],
): Promise<Settled[]> => {
  const byId = new Map(changes.map((change) => [change.target, change]));
  const stopped = await inChunks([...byId.keys()], CHUNK, (chunk) =>
    ec2.send(new StopInstancesCommand({ InstanceIds: chunk })),
  );
  const settled: Settled[] = stopped.succeeded.map((id) => ({
    change: byId.get(id) as ReconcileChange,
    outcome: 'done',
    reason: 'stopped',
  }));
  const seen = await describeByIds(
    ec2,
    stopped.failed.map(({ id }) => id),
  ).catch(() => new Map<string, Instance>());
  for (const { id, error } of stopped.failed) {
    const change = byId.get(id) as ReconcileChange;
    const state = seen.get(id)?.State?.Name ?? 'unknown';
    const reason = failureReason(error);
    settled.push(
      STOPPING.includes(state)
        ? {
            change,
            outcome: 'done',
            reason: `stopped (StopInstances failed with ${reason}, but the instance is ${state})`,
          }
        : { change, outcome: 'failed', reason },
    );
  }
  return settled;
};

/** The outcomes of instances a start watch saw running or falling back to stopped. */
const watched = (watch: StartWatch, byId: ReadonlyMap<string, ReconcileChange>): Settled[] => [
  ...watch.running.map(
    (id): Settled => ({
      change: byId.get(id) as ReconcileChange,
      outcome: 'done',
      reason: 'started; running',
    }),
  ),
  ...watch.fellBack.map(
    ({ id, state, reason }): Settled => ({
      change: byId.get(id) as ReconcileChange,
      outcome: 'failed',
      reason: `went back to ${state} after starting: ${reason}`,
      fellBack: true,
    }),
  ),
];

/**
 * Carries out one wave: stops or starts its instances (batched), empties or restores its
 * groups, stops or starts its databases. Returns the outcomes known now and the changes
 * whose resource is on its way (started instances are settled once seen running).
 */
const runWave = async (
  wave: Wave,
  { ec2, autoscaling, rds, budget, concurrency }: ReconcileContext,
): Promise<{ settled: Settled[]; moving: ReconcileChange[] }> => {
  const stopping = wave.target === 'stopped';
  const instances = wave.changes.filter((change) => change.resource.kind === 'instance');
  const groups = wave.changes.filter((change) => change.resource.kind === 'group');
  const databases = wave.changes.filter(
    (change) => change.resource.kind === 'db-instance' || change.resource.kind === 'db-cluster',
  );
  const settled: Settled[] = [];
  const moving: ReconcileChange[] = [];

  if (stopping) {
    settled.push(...(await stopInstances(ec2, instances)));
  } else {
    const byId = new Map(instances.map((change) => [change.target, change]));
    const started = await startInstances(ec2, [...byId.keys()]);
    for (const { id, error } of started.failed) {
      settled.push({
        change: byId.get(id) as ReconcileChange,
        outcome: 'failed',
        reason: failureReason(error),
      });
    }
    moving.push(...started.succeeded.map((id) => byId.get(id) as ReconcileChange));
  }
  moving.push(...settled.filter(({ outcome }) => outcome === 'done').map(({ change }) => change));

  const options = { concurrency, budget };
  const scaled = await mapSettled(
    groups,
    async (change): Promise<string> => {
      const { resource } = change;
      if (!stopping) {
        if (!change.restoreSize) throw new Error('no saved sizes to restore');
        await restoreSize(autoscaling, resource.id, change.restoreSize);
        return `sizes restored (${encodeSize(change.restoreSize)})`;
      }
      if (change.sizesSaved) {
        await saveAndEmpty(autoscaling, resource.id, { min: 0, max: 0, desired: 0 }, true);
        return 'min and desired 0; the sizes saved earlier kept';
      }
      if (!resource.size) throw new Error('its sizes were not read, so they cannot be saved');
      await saveAndEmpty(autoscaling, resource.id, resource.size, false);
      return `min and desired 0; sizes saved (${encodeSize(resource.size)})`;
    },
    options,
  );

  const changed = await mapSettled(
    databases,
    async (change): Promise<string> => {
      const db = change.resource;
      const isInstance = db.kind === 'db-instance';
      if (!stopping) {
        await (isInstance
          ? rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: db.id }))
          : rds.send(new StartDBClusterCommand({ DBClusterIdentifier: db.id })));
        return 'started';
      }
      const stopped = change.restartedByAws
        ? 'stopped again: AWS started it after 7 days stopped'
        : 'stopped';
      try {
        await (isInstance
          ? rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: db.id }))
          : rds.send(new StopDBClusterCommand({ DBClusterIdentifier: db.id })));
        return stopped;
      } catch (error) {
        // The stop may have taken effect (its answer lost, the retry refused).
        const status = await databaseStatus(rds, db).catch(() => undefined);
        if (status === undefined || !STOPPING.includes(status)) throw error;
        return `${stopped} (the stop failed with ${failureReason(asError(error))}, but the database is ${status})`;
      }
    },
    options,
  );
  for (const settledMap of [scaled, changed]) {
    for (const { item, value } of settledMap.succeeded)
      settled.push({ change: item, outcome: 'done', reason: value });
    for (const { item, error } of settledMap.failed)
      settled.push({ change: item, outcome: 'failed', reason: failureReason(error) });
    for (const item of settledMap.notStarted)
      settled.push({ change: item, outcome: 'skipped', reason: OUT_OF_TIME });
  }
  moving.push(...changed.succeeded.map(({ item }) => item));
  return { settled, moving };
};

/**
 * Reads once the resources the next wave waits for. Started instances seen running or
 * falling back are settled; returns the changes whose resource is not in `target` yet
 * (one that cannot be read is not there yet), in their order.
 */
const poll = async (
  moving: readonly ReconcileChange[],
  target: Target,
  { ec2, rds, budget, concurrency }: ReconcileContext,
): Promise<{ settled: Settled[]; still: ReconcileChange[] }> => {
  const instances = moving.filter((change) => change.resource.kind === 'instance');
  const databases = moving.filter((change) => change.resource.kind !== 'instance');
  const byId = new Map(instances.map((change) => [change.target, change]));
  const there = new Set<ReconcileChange>();
  const settled: Settled[] = [];
  if (target === 'running') {
    const watch = await watchStart(ec2, [...byId.keys()], {
      budget,
      pollMs: POLL_MS,
      waitMs: POLL_MS,
    });
    settled.push(...watched(watch, byId));
    for (const { change } of settled) there.add(change);
  } else {
    const seen = await describeByIds(ec2, [...byId.keys()]).catch(
      () => new Map<string, Instance>(),
    );
    for (const change of instances) {
      if (seen.get(change.target)?.State?.Name === 'stopped') there.add(change);
    }
  }
  const status = target === 'running' ? 'available' : 'stopped';
  const read = await mapSettled(databases, (change) => databaseStatus(rds, change.resource), {
    concurrency,
  });
  for (const { item, value } of read.succeeded) if (value === status) there.add(item);
  return { settled, still: moving.filter((change) => !there.has(change)) };
};

/** The waves of a plan's stops and starts: stops by order descending, then starts ascending. */
const wavesOf = (changes: readonly ReconcileChange[]): Wave[] => {
  const waves = (action: ReconcileAction, target: Target): Wave[] => {
    const ofAction = changes.filter((change) => change.action === action);
    const orders = [...new Set(ofAction.map((change) => change.order))].sort((a, b) => a - b);
    if (target === 'stopped') orders.reverse();
    return orders.map((order) => ({
      target,
      order,
      changes: ofAction.filter((change) => change.order === order),
    }));
  };
  return [...waves(ReconcileAction.Stop, 'stopped'), ...waves(ReconcileAction.Start, 'running')];
};

/** A start of an instance (settled only once the instance is seen running). */
const isStartedInstance = (change: ReconcileChange): boolean =>
  change.action === ReconcileAction.Start && change.resource.kind === 'instance';

/** The ids a reason names: the first few, then how many more. */
const nameIds = (changes: readonly ReconcileChange[]): string => {
  const named = changes.slice(0, NAMED_IDS).map((change) => change.target);
  const more = changes.length - named.length;
  return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
};

/**
 * Carries out a reconcile plan's changes and records each outcome.
 *
 * Record and ClearSnooze changes only write tags. Stops go in waves by
 * `nightshift:order`, highest first, then starts, lowest first: instances 50 per call,
 * groups emptied (their sizes saved unless saved already) or restored, databases and
 * Aurora clusters stopped or started. Before each next wave, the resources of the previous
 * one are read every 5 s until they are stopped (or running / available), for at most
 * `waitMs` and never beyond the budget; when the wait ends first, the remaining waves are
 * skipped for the next run, and nothing is written on them. Started instances are settled
 * only once seen running: one that falls back to stopped (a KMS key it may not use) fails
 * with EC2's reason and `details.fellBack` set. Every entry keeps its decision's details
 * (the facts of a stop or a start).
 *
 * A change that went through gets `nightshift:last-action` (`stop@<now>` or
 * `start@<now>`), loses `nightshift:last-error` when it had one and
 * `nightshift:snooze-until` when its snooze passed; a failed change gets
 * `nightshift:last-error`, never last-action. Tag writes are batched and never throw: a
 * failed one is named in the change's outcome. Returns what it changed, as metrics.
 *
 * @example
 * const counts = await applyReconcile(plan.changes, outcomes, { ec2, autoscaling, rds, now, budget, concurrency: 5 });
 */
export const applyReconcile = async (
  changes: readonly ReconcileChange[],
  outcomes: Outcomes<ReconcileAction>,
  context: ReconcileContext,
): Promise<ReconcileCounts> => {
  const {
    budget,
    now,
    waitMs = WAVE_WAIT_MS,
    sleep = (ms: number) => sleepFor(ms).then(() => undefined),
  } = context;
  const counts: ReconcileCounts = {
    InstancesStopped: 0,
    InstancesStarted: 0,
    GroupsScaled: 0,
    DatabasesStopped: 0,
    DatabasesStarted: 0,
  };

  // Writes the tags of what is settled, in batches, then records each outcome.
  const settle = async (items: readonly Settled[]): Promise<void> => {
    const writes = items.flatMap((item) => tagWriteOf(item, now) ?? []);
    const tagErrors = await writeTags(writes, context);
    for (const { change, outcome, reason, fellBack } of items) {
      const tagError = tagErrors.get(resourceKey(change.resource));
      if (outcome === 'skipped') {
        outcomes.skipped(change, reason);
        continue;
      }
      if (outcome === 'failed') {
        outcomes.failed(
          fellBack ? { ...change, details: { ...change.details, [FACT.fellBack]: true } } : change,
          tagError ? `${reason}; writing nightshift:last-error failed too: ${tagError}` : reason,
        );
        continue;
      }
      const counter = counterOf(change);
      if (counter) counts[counter] += 1;
      if (tagError) outcomes.failed(change, `${reason}, but writing its tags failed: ${tagError}`);
      else outcomes.done(change, reason);
    }
  };

  await settle(
    changes.flatMap((change): Settled[] => {
      if (change.action === ReconcileAction.Record) {
        return [{ change, outcome: 'done', reason: `already ${change.due}; recorded` }];
      }
      if (change.action === ReconcileAction.ClearSnooze) {
        return [{ change, outcome: 'done', reason: 'snooze passed; tag removed' }];
      }
      return [];
    }),
  );

  // Reads the resources of the previous wave until they are in its target state, for at
  // most waitMs and never beyond the budget; settles started instances as they are seen.
  const waitFor = async (moving: ReconcileChange[], target: Target) => {
    let still = moving;
    for (let polls = Math.ceil(waitMs / POLL_MS); ; polls -= 1) {
      const read = await poll(still, target, context);
      await settle(read.settled);
      still = read.still;
      if (still.length === 0 || polls <= 1 || budget.remainingMs() < POLL_MS) return still;
      await sleep(POLL_MS);
    }
  };

  // Stops, then starts: within each, a wave waits for the one before; the starts never
  // wait for the stops (unrelated resources must not start late because a database is
  // slow to stop).
  const runWaves = async (waves: readonly Wave[]): Promise<ReconcileChange[]> => {
    let previous: Wave | undefined;
    let moving: ReconcileChange[] = [];
    for (const [index, wave] of waves.entries()) {
      if (previous) {
        const still = await waitFor(moving, previous.target);
        if (still.length > 0) {
          const notYet = `not yet ${previous.target}`;
          const waits = `waits for order ${previous.order} (${nameIds(still)} ${notYet}); the next run continues`;
          await settle([
            ...still.filter(isStartedInstance).map(
              (change): Settled => ({
                change,
                outcome: 'pending',
                reason: `started; ${notYet} when this run stopped waiting (the next run records it)`,
              }),
            ),
            ...waves
              .slice(index)
              .flatMap(({ changes: later }) =>
                later.map((change): Settled => ({ change, outcome: 'skipped', reason: waits })),
              ),
          ]);
          return [];
        }
      }
      const ran = await runWave(wave, context);
      await settle(ran.settled);
      moving = ran.moving;
      previous = wave;
    }
    return moving;
  };
  const waves = wavesOf(changes);
  await runWaves(waves.filter((wave) => wave.target === 'stopped'));
  const moving = await runWaves(waves.filter((wave) => wave.target === 'running'));

  // No wait after the last wave, except for the instances it started: only one seen
  // running has really started.
  const byId = new Map(moving.filter(isStartedInstance).map((change) => [change.target, change]));
  const watch = await watchStart(context.ec2, [...byId.keys()], {
    budget,
    sleep,
    waitMs: context.waitMs,
  });
  const notSeen = watch.error
    ? `not seen running (${watch.error})`
    : `still pending after ${(context.waitMs ?? START_WAIT_MS) / 1000} s`;
  await settle([
    ...watched(watch, byId),
    ...watch.pending.map(
      (id): Settled => ({
        change: byId.get(id) as ReconcileChange,
        outcome: 'pending',
        reason: `started; ${notSeen}; the next run records it once it runs`,
      }),
    ),
  ]);
  return counts;
};
