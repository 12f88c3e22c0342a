import { tagValue } from '@nightshift/conventions';
import { failureReason, mapSettled, recordUnfinished } from '@nightshift/runtime';
import { listGroups, restoreSize } from './autoScaling.ts';
import type { ActionContext, ActionCounts } from './context.ts';
import { listInstances, START_WAIT_MS, startInstances, unmark, watchStart } from './ec2.ts';
import { hasExactTag, tagMismatch } from './environment.ts';
import {
  decodeSize,
  encodeSize,
  type GroupSize,
  SAVED_SIZE_KEY,
  SCALED_DOWN_KEY,
} from './marks.ts';
import { type Database, listDatabases, startDatabase } from './rds.ts';

/**
 * scale_up: restores exactly what scale_down changed: starts the instances and databases
 * that carry its mark and removes the mark once each is read again running (an instance)
 * or starting/available (a database); gives each group its saved sizes back and removes
 * the tag. Only resources tagged `Environment=<environment>` exactly are touched. What a
 * person stopped carries no mark and stays stopped; what is still stopping keeps its mark.
 *
 * @example
 * const counts = await scaleUp(context);
 */
export const scaleUp = async ({
  deps,
  config,
  environment,
  dryRun,
  budget,
  report,
}: ActionContext): Promise<ActionCounts> => {
  const { ec2, autoscaling, rds } = deps;
  const sameEnvironment = { [config.ENVIRONMENT_TAG_KEY]: environment };
  const [instances, groups, databases] = await Promise.all([
    listInstances(ec2, { [config.ENVIRONMENT_TAG_KEY]: environment, [SCALED_DOWN_KEY]: null }, [
      'pending',
      'running',
      'stopping',
      'stopped',
    ]),
    listGroups(autoscaling, config.ENVIRONMENT_TAG_KEY, environment),
    listDatabases(rds),
  ]);

  const toStart: string[] = [];
  const alreadyRunning: string[] = [];
  const alreadyPending: string[] = [];
  for (const instance of instances) {
    const id = instance.InstanceId ?? '';
    const state = instance.State?.Name ?? 'unknown';
    const since = tagValue(instance.Tags, SCALED_DOWN_KEY);
    const mismatch = tagMismatch(instance.Tags, sameEnvironment);
    if (mismatch || since === undefined) {
      report.skipped.push({ id, action: 'start', reason: mismatch ?? 'not marked by scale_down' });
    } else if (state === 'stopped') {
      toStart.push(id);
      report.planned.push({ id, action: 'start', reason: `stopped by scale_down at ${since}` });
    } else if (state === 'running' || state === 'pending') {
      (state === 'pending' ? alreadyPending : alreadyRunning).push(id);
      report.planned.push({ id, action: 'unmark', reason: `already ${state}` });
    } else {
      // Stopping (a scale_down not long ago): its mark stays, so a later scale_up starts it.
      report.skipped.push({
        id,
        action: 'start',
        reason: `is ${state}; it keeps its mark, so the next scale_up starts it`,
      });
    }
  }

  const toRestore: { name: string; size: GroupSize }[] = [];
  for (const group of groups) {
    const name = group.AutoScalingGroupName ?? '';
    const saved = tagValue(group.Tags, SAVED_SIZE_KEY);
    if (saved === undefined) continue;
    const mismatch = tagMismatch(group.Tags, sameEnvironment);
    if (mismatch) {
      report.skipped.push({ id: name, action: 'restore', reason: mismatch });
      continue;
    }
    const size = decodeSize(saved);
    if (!size) {
      report.failed.push({
        id: name,
        action: 'restore',
        reason: `saved sizes ${JSON.stringify(saved)} are not min=N,max=N,desired=N with min <= desired <= max`,
      });
      continue;
    }
    toRestore.push({ name, size });
    report.planned.push({ id: name, action: 'restore', reason: encodeSize(size) });
  }

  const marked = (db: Database) =>
    hasExactTag(db.tags, config.ENVIRONMENT_TAG_KEY, environment) &&
    tagValue(db.tags, SCALED_DOWN_KEY) !== undefined;
  const toStartDb: Database[] = [];
  for (const db of databases.filter(marked)) {
    if (db.status === 'stopped' || db.status === 'available') {
      toStartDb.push(db);
      report.planned.push({
        id: db.id,
        action: db.status === 'stopped' ? 'start' : 'unmark',
        reason: `status ${db.status}`,
      });
    } else {
      report.skipped.push({
        id: db.id,
        action: 'start',
        reason: `status is ${db.status}; it keeps its mark, so the next scale_up starts it`,
      });
    }
  }
  if (dryRun) return { InstancesStarted: 0, GroupsScaled: 0, DatabasesStarted: 0 };

  // Start first; the mark comes off only once an instance is read again running. A start
  // that fails, or an instance that falls back to stopped, keeps its mark, so the next
  // scale_up tries again.
  const started = await startInstances(ec2, toStart);
  for (const { id, error } of started.failed) {
    report.failed.push({ id, action: 'start', reason: failureReason(error) });
  }

  const options = { concurrency: config.SCALER_CONCURRENCY, budget };
  const restored = await mapSettled(
    toRestore,
    (group) => restoreSize(autoscaling, group.name, group.size),
    options,
  );
  for (const { item } of restored.succeeded) {
    report.done.push({ id: item.name, action: 'restore', reason: encodeSize(item.size) });
  }
  recordUnfinished(report, restored, { action: 'restore', idOf: (item) => item.name });

  const startedDbs = await mapSettled(toStartDb, (db) => startDatabase(rds, db), options);
  for (const { item, value } of startedDbs.succeeded) {
    const action = item.status === 'stopped' ? 'start' : 'unmark';
    if (value.unmarked) {
      report.done.push({ id: item.id, action, reason: `${value.status}; mark removed` });
    } else if (action === 'start') {
      report.done.push({ id: item.id, action, reason: `started; ${value.reason}` });
    } else {
      report.skipped.push({ id: item.id, action, reason: value.reason });
    }
  }
  recordUnfinished(report, startedDbs, { action: 'start', idOf: (item) => item.id });

  // Every instance whose mark may come off is read again first: what runs is unmarked;
  // what is stopping or stopped again keeps its mark.
  const startedHere = new Set(started.succeeded);
  const wasPending = new Set(alreadyPending);
  const watch = await watchStart(
    ec2,
    [...started.succeeded, ...alreadyPending, ...alreadyRunning],
    { budget, sleep: deps.sleep },
  );
  for (const { id, state, reason } of watch.fellBack) {
    if (startedHere.has(id)) {
      report.failed.push({
        id,
        action: 'start',
        reason: `went back to ${state} after starting: ${reason}; it keeps its mark, so the next scale_up tries again`,
      });
    } else {
      report.skipped.push({
        id,
        action: 'unmark',
        reason: `now ${state}; it keeps its mark, so the next scale_up starts it`,
      });
    }
  }
  const stillPending = `${watch.error ? `not seen running (${watch.error})` : `still pending after ${START_WAIT_MS / 1000} s`}, so it keeps its mark until a scale_up finds it running`;
  for (const id of watch.pending) {
    if (startedHere.has(id))
      report.done.push({ id, action: 'start', reason: `started; ${stillPending}` });
    else report.skipped.push({ id, action: 'unmark', reason: stillPending });
  }
  const unmarked = await unmark(ec2, watch.running);
  const unmarkFailures = new Set(unmarked.failed.map(({ id }) => id));
  for (const id of watch.running) {
    if (unmarkFailures.has(id)) continue;
    report.done.push(
      startedHere.has(id)
        ? { id, action: 'start', reason: 'running' }
        : {
            id,
            action: 'unmark',
            reason: wasPending.has(id)
              ? 'was already starting; now running'
              : 'was already running',
          },
    );
  }
  for (const { id, error } of unmarked.failed) {
    report.failed.push({
      id,
      action: 'unmark',
      reason: `${failureReason(error)}; the next scale_up takes the mark off`,
    });
  }
  return {
    InstancesStarted: [...watch.running, ...watch.pending].filter((id) => startedHere.has(id))
      .length,
    GroupsScaled: restored.succeeded.length,
    DatabasesStarted: startedDbs.succeeded.filter(({ item }) => item.status === 'stopped').length,
  };
};
