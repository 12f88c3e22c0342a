import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { RDSClient } from '@aws-sdk/client-rds';
import { FACT } from '@nightshift/history';
import type { Decision, Outcomes } from '@nightshift/job';
import { failureReason, mapSettled, type TimeBudget } from '@nightshift/runtime';
import { restoreSize, saveAndEmpty } from './autoScaling.ts';
import { START_WAIT_MS, startInstances, stopAndMark, unmark, watchStart } from './ec2.ts';
import { encodeSize } from './marks.ts';
import {
  Action,
  type DatabaseStart,
  type DatabaseStop,
  type GroupEmpty,
  type GroupRestore,
  type InstanceStart,
  type InstanceStop,
  type ScaleDownChange,
  type ScaleUpChange,
} from './plan.ts';
import { startDatabase, stopDatabase } from './rds.ts';

/** What carrying out a plan needs: the clients, the run's time, its budget and pace. */
export interface ApplyContext {
  ec2: EC2Client;
  autoscaling: AutoScalingClient;
  rds: RDSClient;
  /** The run's time: what a mark records. */
  now: Date;
  budget: TimeBudget;
  /** Groups or databases changed at once. */
  concurrency: number;
  /** Waits between polls of started instances (tests pass one that returns at once). */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** The metrics of a scale_down. */
export interface ScaleDownCounts {
  InstancesStopped: number;
  GroupsScaled: number;
  DatabasesStopped: number;
}

/** The metrics of a scale_up. */
export interface ScaleUpCounts {
  InstancesStarted: number;
  GroupsScaled: number;
  DatabasesStarted: number;
}

/** The change about each id, for outcomes that come back by id. */
const byTarget = <C extends Decision>(changes: readonly C[]) => {
  const found = new Map(changes.map((change) => [change.target, change]));
  return (id: string): C => {
    const change = found.get(id);
    if (!change) throw new Error(`no decision about ${id}`);
    return change;
  };
};

/**
 * Carries out scale_down's changes and records each outcome: marks, then stops, the
 * instances (50 per call; a failed stop is read again: stopping or stopped counts as
 * stopped and keeps its mark); saves and empties the groups; marks, then stops, the
 * databases. Returns what it changed, as metrics.
 *
 * @example
 * const counts = await applyScaleDown(plan.changes, outcomes, { ec2, autoscaling, rds, now, budget, concurrency: 5 });
 */
export const applyScaleDown = async (
  changes: readonly ScaleDownChange[],
  outcomes: Outcomes<Action>,
  { ec2, autoscaling, rds, now, budget, concurrency }: ApplyContext,
): Promise<ScaleDownCounts> => {
  const instances = changes.filter(
    (change): change is InstanceStop => change.resource === 'instance',
  );
  const groups = changes.filter((change): change is GroupEmpty => change.resource === 'group');
  const databases = changes.filter(
    (change): change is DatabaseStop => change.resource === 'database',
  );

  const instance = byTarget(instances);
  const stopped = await stopAndMark(
    ec2,
    instances.map((change) => change.target),
    now,
  );
  for (const { id, error, state } of stopped.stopped) {
    outcomes.done(
      instance(id),
      error
        ? `stopped and marked (StopInstances failed with ${failureReason(error)}, but the instance is ${state})`
        : 'stopped and marked',
    );
  }
  for (const { id, error, markKept } of stopped.failed) {
    outcomes.failed(
      instance(id),
      markKept
        ? `${failureReason(error)}; it keeps its mark in case it stopped (scale_up takes it off once it runs)`
        : failureReason(error),
    );
  }

  const options = { concurrency, budget };
  const emptied = await mapSettled(
    groups,
    (group) => saveAndEmpty(autoscaling, group.target, group.size, group.saved),
    options,
  );
  for (const { item } of emptied.succeeded) {
    outcomes.done(
      item,
      item.saved
        ? 'min and desired 0; the sizes saved earlier kept'
        : `min and desired 0; ${encodeSize(item.size)} saved`,
    );
  }
  outcomes.unfinished(emptied);

  const stoppedDbs = await mapSettled(
    databases,
    (change) => stopDatabase(rds, change.database, now),
    options,
  );
  for (const { item, value } of stoppedDbs.succeeded) {
    outcomes.done(
      item,
      value
        ? `stopped and marked (the stop failed with ${failureReason(value.error)}, but the database is ${value.status})`
        : 'stopped and marked',
    );
  }
  outcomes.unfinished(stoppedDbs);
  return {
    InstancesStopped: stopped.stopped.length,
    GroupsScaled: emptied.succeeded.length,
    DatabasesStopped: stoppedDbs.succeeded.length,
  };
};

/** The same change, reported as a start (what a failed database is reported as). */
const asStart = (change: DatabaseStart): DatabaseStart => ({ ...change, action: Action.Start });

/**
 * Carries out scale_up's changes and records each outcome: starts the stopped instances
 * (a failed start keeps its mark), restores the groups' saved sizes, starts the stopped
 * databases (the mark comes off once one is starting or available), then watches the
 * started and already starting or running instances and takes the mark off those seen
 * running; one that falls back to stopped (failed, with `details.fellBack`), or is still
 * pending, keeps its mark. Returns what it started, as metrics.
 *
 * @example
 * const counts = await applyScaleUp(plan.changes, outcomes, { ec2, autoscaling, rds, now, budget, concurrency: 5 });
 */
export const applyScaleUp = async (
  changes: readonly ScaleUpChange[],
  outcomes: Outcomes<Action>,
  { ec2, autoscaling, rds, budget, concurrency, sleep }: ApplyContext,
): Promise<ScaleUpCounts> => {
  const instances = changes.filter(
    (change): change is InstanceStart => change.resource === 'instance',
  );
  const groups = changes.filter((change): change is GroupRestore => change.resource === 'group');
  const databases = changes.filter(
    (change): change is DatabaseStart => change.resource === 'database',
  );
  const instance = byTarget(instances);
  const idsWhere = (keep: (change: InstanceStart) => boolean) =>
    instances.filter(keep).map((change) => change.target);
  const alreadyRunning = idsWhere((change) => change.state === 'running');
  const alreadyPending = idsWhere((change) => change.state === 'pending');

  // Start first; the mark comes off only once an instance is read again running. A start
  // that fails, or an instance that falls back to stopped, keeps its mark, so the next
  // scale_up tries again.
  const started = await startInstances(
    ec2,
    idsWhere((change) => change.action === Action.Start),
  );
  for (const { id, error } of started.failed) outcomes.failed(instance(id), error);

  const options = { concurrency, budget };
  const restored = await mapSettled(
    groups,
    (group) => restoreSize(autoscaling, group.target, group.size),
    options,
  );
  for (const { item } of restored.succeeded) outcomes.done(item, encodeSize(item.size));
  outcomes.unfinished(restored);

  const startedDbs = await mapSettled(
    databases,
    (change) => startDatabase(rds, change.database),
    options,
  );
  for (const { item, value } of startedDbs.succeeded) {
    if (value.unmarked) outcomes.done(item, `${value.status}; mark removed`);
    else if (item.action === Action.Start) outcomes.done(item, `started; ${value.reason}`);
    else outcomes.skipped(item, value.reason);
  }
  outcomes.unfinished({
    failed: startedDbs.failed.map(({ item, error }) => ({ item: asStart(item), error })),
    notStarted: startedDbs.notStarted.map(asStart),
  });

  // Every instance whose mark may come off is read again first: what runs is unmarked;
  // what is stopping or stopped again keeps its mark.
  const startedHere = new Set(started.succeeded);
  const wasPending = new Set(alreadyPending);
  const watch = await watchStart(
    ec2,
    [...started.succeeded, ...alreadyPending, ...alreadyRunning],
    { budget, ...(sleep ? { sleep } : {}) },
  );
  for (const { id, state, reason } of watch.fellBack) {
    if (startedHere.has(id)) {
      const change = instance(id);
      outcomes.failed(
        { ...change, details: { ...change.details, [FACT.fellBack]: true } },
        `went back to ${state} after starting: ${reason}; it keeps its mark, so the next scale_up tries again`,
      );
    } else {
      outcomes.skipped(
        instance(id),
        `now ${state}; it keeps its mark, so the next scale_up starts it`,
      );
    }
  }
  const stillPending = `${watch.error ? `not seen running (${watch.error})` : `still pending after ${START_WAIT_MS / 1000} s`}, so it keeps its mark until a scale_up finds it running`;
  for (const id of watch.pending) {
    if (startedHere.has(id)) outcomes.done(instance(id), `started; ${stillPending}`);
    else outcomes.skipped(instance(id), stillPending);
  }
  const unmarked = await unmark(ec2, watch.running);
  const unmarkFailures = new Set(unmarked.failed.map(({ id }) => id));
  for (const id of watch.running) {
    if (unmarkFailures.has(id)) continue;
    const reason = startedHere.has(id)
      ? 'running'
      : wasPending.has(id)
        ? 'was already starting; now running'
        : 'was already running';
    outcomes.done(instance(id), reason);
  }
  for (const { id, error } of unmarked.failed) {
    outcomes.failed(
      { ...instance(id), action: Action.Unmark },
      `${failureReason(error)}; the next scale_up takes the mark off`,
    );
  }
  return {
    InstancesStarted: [...watch.running, ...watch.pending].filter((id) => startedHere.has(id))
      .length,
    GroupsScaled: restored.succeeded.length,
    DatabasesStarted: startedDbs.succeeded.filter(({ item }) => item.action === Action.Start)
      .length,
  };
};
