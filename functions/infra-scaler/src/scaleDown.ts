import { tagValue } from '@nightshift/conventions';
import { failureReason, mapSettled, recordUnfinished } from '@nightshift/runtime';
import { listGroups, saveAndEmpty } from './autoScaling.ts';
import type { ActionContext, ActionCounts } from './context.ts';
import { listInstances, stopAndMark } from './ec2.ts';
import { tagMismatch } from './environment.ts';
import { decodeSize, encodeSize, GROUP_NAME_KEY, type GroupSize, SAVED_SIZE_KEY } from './marks.ts';
import { type Database, listDatabases, stopDatabase } from './rds.ts';

/**
 * scale_down: stops the environment's running instances tagged for it (never one of an
 * Auto Scaling group), empties its Auto Scaling groups tagged for it after saving their
 * sizes (once), and stops its databases tagged for it; each thing it stops carries its
 * mark. "Tagged for it" is `Environment=<environment>` and `AutoScale=true`, checked again
 * exactly on every resource, whatever the tag filters returned.
 *
 * @example
 * const counts = await scaleDown(context);
 */
export const scaleDown = async ({
  deps,
  config,
  environment,
  dryRun,
  now,
  budget,
  report,
}: ActionContext): Promise<ActionCounts> => {
  const { ec2, autoscaling, rds } = deps;
  const required = {
    [config.ENVIRONMENT_TAG_KEY]: environment,
    [config.AUTOSCALE_TAG_KEY]: config.AUTOSCALE_TAG_VALUE,
  };
  const selection = `tagged ${config.ENVIRONMENT_TAG_KEY}=${environment} and ${config.AUTOSCALE_TAG_KEY}=${config.AUTOSCALE_TAG_VALUE}`;
  const [instances, groups, databases] = await Promise.all([
    listInstances(ec2, required, ['running']),
    listGroups(autoscaling, config.ENVIRONMENT_TAG_KEY, environment),
    listDatabases(rds),
  ]);

  const toStop: string[] = [];
  for (const instance of instances) {
    const id = instance.InstanceId ?? '';
    const mismatch = tagMismatch(instance.Tags, required);
    const group = tagValue(instance.Tags, GROUP_NAME_KEY);
    if (mismatch) {
      report.skipped.push({ id, action: 'stop', reason: mismatch });
    } else if (group) {
      report.skipped.push({
        id,
        action: 'stop',
        reason: `in Auto Scaling group ${group}: scaled through the group`,
      });
    } else {
      toStop.push(id);
      report.planned.push({ id, action: 'stop', reason: selection });
    }
  }

  const toEmpty: { name: string; size: GroupSize; saved: boolean }[] = [];
  for (const group of groups) {
    const name = group.AutoScalingGroupName ?? '';
    const size = {
      min: group.MinSize ?? 0,
      max: group.MaxSize ?? 0,
      desired: group.DesiredCapacity ?? 0,
    };
    const mismatch = tagMismatch(group.Tags, required);
    if (mismatch) {
      report.skipped.push({ id: name, action: 'scale to 0', reason: mismatch });
      continue;
    }
    const saved = tagValue(group.Tags, SAVED_SIZE_KEY);
    if (saved === undefined) {
      toEmpty.push({ name, size, saved: false });
      report.planned.push({ id: name, action: 'scale to 0', reason: `saving ${encodeSize(size)}` });
    } else if (!decodeSize(saved)) {
      // Emptied now, the group could never be restored: a person must look first.
      report.failed.push({
        id: name,
        action: 'scale to 0',
        reason: `saved sizes ${JSON.stringify(saved)} are not min=N,max=N,desired=N with min <= desired <= max; left as it is: correct or remove the tag`,
      });
    } else if (size.min === 0 && size.desired === 0) {
      report.skipped.push({
        id: name,
        action: 'scale to 0',
        reason: `already scaled down (saved ${saved})`,
      });
    } else {
      // Scaled up again since its sizes were saved (by a person, or a run cut short after
      // saving): emptied again, and the sizes saved first are the ones scale_up restores.
      toEmpty.push({ name, size, saved: true });
      report.planned.push({
        id: name,
        action: 'scale to 0',
        reason: `scaled up again to ${encodeSize(size)} since its sizes were saved; emptied again, saved ${saved} kept`,
      });
    }
  }

  const ours = (db: Database) => tagMismatch(db.tags, required) === undefined;
  const toStopDb: Database[] = [];
  for (const db of databases.filter(ours)) {
    if (db.clusterId) {
      report.skipped.push({
        id: db.id,
        action: 'stop',
        reason: `member of cluster ${db.clusterId}: stopped with the cluster`,
      });
    } else if (db.status !== 'available') {
      // Busy (backing-up, modifying…) or on its way somewhere already: left alone.
      report.skipped.push({
        id: db.id,
        action: 'stop',
        reason:
          db.status === 'stopped' ? 'already stopped' : `status is ${db.status}, not available`,
      });
    } else {
      toStopDb.push(db);
      report.planned.push({ id: db.id, action: 'stop', reason: selection });
    }
  }
  if (toStopDb.length > 0) {
    report.notes.push(
      'AWS starts a stopped RDS database again after 7 days; scale_down stops it again on its next run',
    );
  }
  if (dryRun) return { InstancesStopped: 0, GroupsScaled: 0, DatabasesStopped: 0 };

  const stopped = await stopAndMark(ec2, toStop, now);
  for (const { id, error, state } of stopped.stopped) {
    report.done.push({
      id,
      action: 'stop',
      reason: error
        ? `stopped and marked (StopInstances failed with ${failureReason(error)}, but the instance is ${state})`
        : 'stopped and marked',
    });
  }
  for (const { id, error, markKept } of stopped.failed) {
    report.failed.push({
      id,
      action: 'stop',
      reason: markKept
        ? `${failureReason(error)}; it keeps its mark in case it stopped (scale_up takes it off once it runs)`
        : failureReason(error),
    });
  }

  const options = { concurrency: config.SCALER_CONCURRENCY, budget };
  const emptied = await mapSettled(
    toEmpty,
    (group) => saveAndEmpty(autoscaling, group.name, group.size, group.saved),
    options,
  );
  for (const { item } of emptied.succeeded) {
    report.done.push({
      id: item.name,
      action: 'scale to 0',
      reason: item.saved
        ? 'min and desired 0; the sizes saved earlier kept'
        : `min and desired 0; ${encodeSize(item.size)} saved`,
    });
  }
  recordUnfinished(report, emptied, { action: 'scale to 0', idOf: (item) => item.name });

  const stoppedDbs = await mapSettled(toStopDb, (db) => stopDatabase(rds, db, now), options);
  for (const { item, value } of stoppedDbs.succeeded) {
    report.done.push({
      id: item.id,
      action: 'stop',
      reason: value
        ? `stopped and marked (the stop failed with ${failureReason(value.error)}, but the database is ${value.status})`
        : 'stopped and marked',
    });
  }
  recordUnfinished(report, stoppedDbs, { action: 'stop', idOf: (item) => item.id });
  return {
    InstancesStopped: stopped.stopped.length,
    GroupsScaled: emptied.succeeded.length,
    DatabasesStopped: stoppedDbs.succeeded.length,
  };
};
