import { failureReason, mapSettled, recordUnfinished, tagValue } from '@nightshift/middleware';
import { listGroups, saveAndEmpty } from './autoScaling.ts';
import type { ActionContext, ActionCounts } from './context.ts';
import { listInstances, stopAndMark } from './ec2.ts';
import { encodeSize, GROUP_NAME_KEY, SAVED_SIZE_KEY } from './marks.ts';
import { type Database, listDatabases, stopDatabase } from './rds.ts';

/**
 * scale_down: stops the environment's running instances tagged for it (never one of an
 * Auto Scaling group), empties its Auto Scaling groups after saving their sizes (once),
 * and stops its databases tagged for it; each thing it stops carries its mark.
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
  const selection = `tagged ${config.ENVIRONMENT_TAG_KEY}=${environment} and ${config.AUTOSCALE_TAG_KEY}=${config.AUTOSCALE_TAG_VALUE}`;
  const [instances, groups, databases] = await Promise.all([
    listInstances(
      ec2,
      {
        [config.ENVIRONMENT_TAG_KEY]: environment,
        [config.AUTOSCALE_TAG_KEY]: config.AUTOSCALE_TAG_VALUE,
      },
      ['running'],
    ),
    listGroups(autoscaling, config.ENVIRONMENT_TAG_KEY, environment),
    listDatabases(rds),
  ]);

  const toStop: string[] = [];
  for (const instance of instances) {
    const id = instance.InstanceId ?? '';
    const group = tagValue(instance.Tags, GROUP_NAME_KEY);
    if (group) {
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

  const toEmpty: {
    name: string;
    size: { min: number; max: number; desired: number };
    saved: boolean;
  }[] = [];
  for (const group of groups) {
    const name = group.AutoScalingGroupName ?? '';
    const size = {
      min: group.MinSize ?? 0,
      max: group.MaxSize ?? 0,
      desired: group.DesiredCapacity ?? 0,
    };
    const saved = tagValue(group.Tags, SAVED_SIZE_KEY);
    if (saved !== undefined && size.min === 0 && size.desired === 0) {
      report.skipped.push({
        id: name,
        action: 'scale to 0',
        reason: `already scaled down (saved ${saved})`,
      });
      continue;
    }
    toEmpty.push({ name, size, saved: saved !== undefined });
    const reason =
      saved !== undefined ? `sizes already saved (${saved}), kept` : `saving ${encodeSize(size)}`;
    report.planned.push({ id: name, action: 'scale to 0', reason });
  }

  const ours = (db: Database) =>
    tagValue(db.tags, config.ENVIRONMENT_TAG_KEY) === environment &&
    tagValue(db.tags, config.AUTOSCALE_TAG_KEY) === config.AUTOSCALE_TAG_VALUE;
  const toStopDb: Database[] = [];
  for (const db of databases.filter(ours)) {
    if (db.clusterId) {
      report.skipped.push({
        id: db.id,
        action: 'stop',
        reason: `member of cluster ${db.clusterId}: stopped with the cluster`,
      });
    } else if (db.status === 'stopped') {
      report.skipped.push({ id: db.id, action: 'stop', reason: 'already stopped' });
    } else if (db.status !== 'available') {
      report.skipped.push({
        id: db.id,
        action: 'stop',
        reason: `status is ${db.status}, not available`,
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
  for (const id of stopped.succeeded)
    report.done.push({ id, action: 'stop', reason: 'stopped and marked' });
  for (const { id, error } of stopped.failed) {
    report.failed.push({ id, action: 'stop', reason: failureReason(error) });
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
      reason: `min and desired 0; ${encodeSize(item.size)} saved`,
    });
  }
  recordUnfinished(report, emptied, { action: 'scale to 0', idOf: (item) => item.name });

  const stoppedDbs = await mapSettled(toStopDb, (db) => stopDatabase(rds, db, now), options);
  for (const { item } of stoppedDbs.succeeded)
    report.done.push({ id: item.id, action: 'stop', reason: 'stopped and marked' });
  recordUnfinished(report, stoppedDbs, { action: 'stop', idOf: (item) => item.id });
  return {
    InstancesStopped: stopped.succeeded.length,
    GroupsScaled: emptied.succeeded.length,
    DatabasesStopped: stoppedDbs.succeeded.length,
  };
};
