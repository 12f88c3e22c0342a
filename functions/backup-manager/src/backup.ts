import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EC2Client, Instance } from '@aws-sdk/client-ec2';
import type { DBCluster, DBInstance, RDSClient } from '@aws-sdk/client-rds';
import type { SNSClient } from '@aws-sdk/client-sns';
import { LEGACY_CREATED_BY, tagValue } from '@nightshift/conventions';
import { deleteSnapshot } from '@nightshift/inventory';
import type { Observability } from '@nightshift/middleware';
import {
  createReport,
  GONE_AFTER_RETRY,
  logReport,
  mapSettled,
  publishReport,
  type Report,
  recordUnfinished,
  resolveDryRun,
  type TimeBudget,
} from '@nightshift/runtime';
import type { BackupConfig } from './config.ts';
import { extraSetsOfDay } from './daySets.ts';
import {
  createInstanceBackup,
  instancesWithRetentionTaggedVolumes,
  listEc2Backups,
  listEc2Targets,
  type TargetSelector,
} from './ec2Backups.ts';
import { type BackupEvent, scheduledAt } from './event.ts';
import { legacyRdsOwner } from './legacy.ts';
import {
  adoptedRdsRecord,
  createRdsBackup,
  deleteRdsBackup,
  listRdsBackups,
  listRdsTargets,
  snapshotIdentifier,
} from './rdsBackups.ts';
import { type BackupRecord, planRetention } from './retention.ts';
import { backupDay, backupTags } from './tags.ts';

export const SERVICE = 'backup-manager';

/** Share of a manual snapshot quota past which the report warns. */
const QUOTA_WARNING_SHARE = 0.8;

/** The clients and observability a run uses. */
export interface BackupDeps extends Observability {
  ec2: EC2Client;
  rds: RDSClient;
  sns: SNSClient;
  now?: () => Date;
}

/** One backup to make. */
interface CreateTask {
  kind: BackupRecord['kind'];
  sourceId: string;
  tags: { Key: string; Value: string }[];
  /** The RDS snapshot identifier of the day; EBS snapshot ids come from AWS. */
  snapshotId?: string;
  description: string;
}

type Skip = { id: string; reason: string };

const DAY_MS = 86_400_000;

const extraSetReason = (backup: BackupRecord, keptIds: readonly string[]) =>
  `a second set of ${backup.sourceId} on ${backup.day}, made at the same time as ${keptIds.join(', ')}, which stays`;

/**
 * Decides what to back up on `day`: one task per resource without a backup of that day.
 * For an instance, a set with a failed snapshot (`error`) does not count, even when its
 * other volumes' snapshots completed; one still pending does, and so does any whole set
 * of the day beside a failed one.
 */
const planCreates = ({
  instances,
  databases,
  clusters,
  existing,
  selector,
  day,
}: {
  instances: Instance[];
  databases: DBInstance[];
  clusters: DBCluster[];
  existing: BackupRecord[];
  selector: TargetSelector;
  day: string;
}): { tasks: CreateTask[]; skips: Skip[] } => {
  const tasks: CreateTask[] = [];
  const skips: Skip[] = [];
  const backedUpToday = (kind: BackupRecord['kind'], sourceId: string) => {
    const today = existing.filter(
      (backup) => backup.kind === kind && backup.sourceId === sourceId && backup.day === day,
    );
    const failedSets = new Set(
      today.filter((backup) => backup.status === 'error').map((backup) => backup.set),
    );
    return today.filter((backup) => !failedSets.has(backup.set));
  };
  const clusterIds = new Set(clusters.map((cluster) => cluster.DBClusterIdentifier));
  const tagsFor = (name: string, sourceId: string, extra: { Key: string; Value: string }[] = []) =>
    backupTags({
      name,
      environmentKey: selector.environmentKey,
      environment: selector.environment,
      sourceId,
      day,
      extra,
    });
  const alreadyDone = (kind: BackupRecord['kind'], id: string) => {
    const today = backedUpToday(kind, id);
    if (today.length === 0) return false;
    skips.push({
      id,
      reason: `already backed up on ${day} (${today.map((backup) => backup.id).join(', ')})`,
    });
    return true;
  };

  for (const instance of instances) {
    const id = instance.InstanceId;
    if (!id || alreadyDone('ebs', id)) continue;
    const name = tagValue(instance.Tags, 'Name') ?? id;
    tasks.push({
      kind: 'ebs',
      sourceId: id,
      tags: tagsFor(name, id, [{ Key: 'InstanceId', Value: id }]),
      description: `Nightshift backup of ${id} (${name}) on ${day}`,
    });
  }
  for (const db of databases) {
    const id = db.DBInstanceIdentifier;
    if (!id) continue;
    if (db.DBClusterIdentifier && clusterIds.has(db.DBClusterIdentifier)) {
      skips.push({
        id,
        reason: `member of cluster ${db.DBClusterIdentifier}: backed up with the cluster`,
      });
    } else if (db.DBClusterIdentifier) {
      skips.push({
        id,
        reason: `member of cluster ${db.DBClusterIdentifier}, which is not tagged ${selector.environmentKey}=${selector.environment} and ${selector.backupKey}=${selector.backupValue}: not backed up`,
      });
    } else if (db.DBInstanceStatus !== 'available') {
      skips.push({ id, reason: `status is ${db.DBInstanceStatus ?? 'unknown'}, not available` });
    } else if (!alreadyDone('rds', id)) {
      const snapshotId = snapshotIdentifier(id, day);
      tasks.push({
        kind: 'rds',
        sourceId: id,
        snapshotId,
        tags: tagsFor(id, id),
        description: snapshotId,
      });
    }
  }
  for (const cluster of clusters) {
    const id = cluster.DBClusterIdentifier;
    if (!id) continue;
    if (cluster.Status !== 'available') {
      skips.push({ id, reason: `status is ${cluster.Status ?? 'unknown'}, not available` });
    } else if (!alreadyDone('rds-cluster', id)) {
      const snapshotId = snapshotIdentifier(id, day);
      tasks.push({
        kind: 'rds-cluster',
        sourceId: id,
        snapshotId,
        tags: tagsFor(id, id),
        description: snapshotId,
      });
    }
  }
  return { tasks, skips };
};

/**
 * One backup run: read the tagged resources and the backups Nightshift made, plan the
 * day's backups (none for a resource already backed up that day; the day is the one the
 * run was scheduled for) and the retention deletes, apply them unless dry run, then
 * report and publish. The report is returned even when items failed; the handler fails
 * the invocation afterwards.
 *
 * @example
 * const report = await runBackup(deps, config, { backup_type: 'all', environment: 'production' }, budget);
 */
export const runBackup = async (
  { ec2, rds, sns, logger, metrics, now: clock = () => new Date() }: BackupDeps,
  config: BackupConfig,
  event: BackupEvent,
  budget: TimeBudget,
): Promise<Report> => {
  const now = clock();
  const day = backupDay(scheduledAt(event, now));
  const dryRun = resolveDryRun(event.dryRun, config.DRY_RUN);
  const report = createReport(SERVICE, { dryRun, now });
  const selector: TargetSelector = {
    environmentKey: config.ENVIRONMENT_TAG_KEY,
    environment: event.environment,
    backupKey: config.BACKUP_TAG_KEY,
    backupValue: config.BACKUP_TAG_VALUE,
  };
  const withEc2 = event.backup_type !== 'rds';
  const withRds = event.backup_type !== 'ec2';
  const adoptLegacy = config.BACKUP_ADOPT_LEGACY;

  const [instances, ec2Listed, rdsTargets, rdsBackups] = await Promise.all([
    withEc2 ? listEc2Targets(ec2, selector) : [],
    withEc2 ? listEc2Backups(ec2, { ...selector, adoptLegacy }) : [],
    withRds
      ? listRdsTargets(rds, selector)
      : { instances: [], clusters: [], databases: new Set<string>() },
    withRds
      ? listRdsBackups(rds, { ...selector, adoptLegacy })
      : { backups: [], legacyCandidates: [], manualSnapshots: 0, manualClusterSnapshots: 0 },
  ]);
  // Nightshift's own backups: what the day's backups and sets are checked against.
  const ebsBackups = ec2Listed.filter((backup) => !backup.adopted);
  const existing = [...ebsBackups, ...rdsBackups.backups];
  // The original backup script's, of this environment: retention's too, nothing else.
  const targets = new Set(rdsTargets.instances.flatMap((db) => db.DBInstanceIdentifier ?? []));
  const legacyOwners = rdsBackups.legacyCandidates.map((snapshot) => ({
    snapshot,
    owner: legacyRdsOwner(snapshot, { targets, databases: rdsTargets.databases, selector }),
  }));
  const adopted = [
    ...ec2Listed.filter((backup) => backup.adopted),
    ...legacyOwners.flatMap(({ snapshot, owner }) =>
      owner === 'adopt' ? (adoptedRdsRecord(snapshot) ?? []) : [],
    ),
  ];
  const { tasks, skips } = planCreates({
    instances,
    databases: rdsTargets.instances,
    clusters: rdsTargets.clusters,
    existing,
    selector,
    day,
  });
  const ebsTasks = tasks.filter((task) => task.kind === 'ebs').map((task) => task.sourceId);
  // A volume's Retention tag copied onto its snapshots would keep every backup forever.
  const withRetentionTaggedVolumes =
    ebsTasks.length > 0 ? await instancesWithRetentionTaggedVolumes(ec2, ebsTasks) : new Set();
  logger.info('Backup planned', {
    dryRun,
    day,
    backupType: event.backup_type,
    environment: event.environment,
    create: tasks.length,
  });

  const selection = `tagged ${selector.environmentKey}=${selector.environment} and ${selector.backupKey}=${selector.backupValue}`;
  const volumeTagsNote = (sourceId: string) =>
    withRetentionTaggedVolumes.has(sourceId)
      ? '; volume tags not copied: a volume is tagged Retention'
      : '';
  for (const skip of skips)
    report.skipped.push({ id: skip.id, action: 'back up', reason: skip.reason });
  for (const task of tasks)
    report.planned.push({
      id: task.sourceId,
      action: 'back up',
      reason: `${selection}${volumeTagsNote(task.sourceId)}`,
    });

  // A day with more than one whole set of an instance (deliveries at the same moment
  // whose clean-up did not finish): the set chooseDaySet picks stays, the others go.
  const extraSets = extraSetsOfDay(ebsBackups, day);
  const extraIds = new Set(extraSets.map(({ backup }) => backup.id));
  for (const { backup, keptIds } of extraSets) {
    report.planned.push({
      id: backup.id,
      action: 'delete',
      reason: extraSetReason(backup, keptIds),
    });
  }

  // Retention reads only what existed before this run: a backup made now is not finished
  // yet, so it can neither be deleted nor stand in for the last finished one.
  const expiryOf = (backup: BackupRecord) =>
    `made by ${backup.adopted ? 'the original backup script' : 'Nightshift'}, older than ${config.BACKUP_RETENTION_DAYS} days`;
  const retention = planRetention(
    [...existing.filter((backup) => !extraIds.has(backup.id)), ...adopted],
    {
      retentionDays: config.BACKUP_RETENTION_DAYS,
      keepLast: config.BACKUP_KEEP_LAST,
      now,
    },
  );
  for (const { backup, reason } of retention.kept) {
    report.skipped.push({ id: backup.id, action: 'keep', reason });
  }
  for (const backup of retention.expired) {
    const reason = `${expiryOf(backup)} (backup of ${backup.sourceId} on ${backup.day})`;
    report.planned.push({ id: backup.id, action: 'delete', reason });
  }
  // Named like the original script's backups of a database that no longer exists, with
  // nothing that says its environment: kept, and said so once it is past retention.
  const cutoff = now.getTime() - config.BACKUP_RETENTION_DAYS * DAY_MS;
  for (const { snapshot, owner } of legacyOwners) {
    const createdAt = snapshot.SnapshotCreateTime?.getTime();
    if (owner !== 'unknown' || createdAt === undefined || createdAt >= cutoff) continue;
    report.skipped.push({
      id: snapshot.DBSnapshotIdentifier ?? '',
      action: 'keep',
      reason: `named like the original backup script's backups of ${snapshot.DBInstanceIdentifier}, which no longer exists, and not tagged ${selector.environmentKey}=${selector.environment} and ${selector.backupKey}=${selector.backupValue}: its environment is unknown`,
    });
  }

  let created = 0;
  let deleted = 0;
  let rdsCreated = 0;
  let clusterCreated = 0;
  if (!dryRun) {
    // New backups first: the run's time goes to backing up before cleaning up.
    const creates = await mapSettled(
      tasks,
      async (task) =>
        task.kind === 'ebs'
          ? await createInstanceBackup(ec2, {
              instanceId: task.sourceId,
              day,
              tags: task.tags,
              description: task.description,
              copyVolumeTags: !withRetentionTaggedVolumes.has(task.sourceId),
            }).then(({ snapshotIds, duplicatesDeleted, otherSetsDeleted, keptInstead }) => ({
              ids: keptInstead ?? snapshotIds,
              existed: keptInstead !== undefined,
              made: snapshotIds,
              duplicatesDeleted,
              otherSetsDeleted,
            }))
          : {
              ids: [task.snapshotId ?? ''],
              made: [],
              duplicatesDeleted: [],
              otherSetsDeleted: [],
              existed:
                (await createRdsBackup(rds, {
                  kind: task.kind,
                  sourceId: task.sourceId,
                  snapshotId: task.snapshotId ?? '',
                  tags: task.tags,
                })) === 'exists',
            },
      { concurrency: config.BACKUP_CONCURRENCY, budget },
    );
    for (const { item, value } of creates.succeeded) {
      if (!value.existed) {
        created += 1;
        if (item.kind === 'rds') rdsCreated += 1;
        if (item.kind === 'rds-cluster') clusterCreated += 1;
      }
      const lostAnswer =
        value.duplicatesDeleted.length > 0
          ? `; deleted ${value.duplicatesDeleted.join(', ')}, a second set made by an attempt whose answer was lost`
          : '';
      const reason = value.existed
        ? `already backed up on ${day} (${value.ids.join(', ')})${
            value.made.length > 0
              ? `: that set, made at the same time by another delivery of this event, stays; deleted ${value.otherSetsDeleted.join(', ')}, the other sets of the day, this run's among them`
              : ''
          }${lostAnswer}`
        : `created ${value.ids.join(', ')}${volumeTagsNote(item.sourceId)}${lostAnswer}${
            value.otherSetsDeleted.length > 0
              ? `; deleted ${value.otherSetsDeleted.join(', ')}, a second set of ${day} made at the same time by another delivery of this event`
              : ''
          }`;
      report.done.push({ id: item.sourceId, action: 'back up', reason });
    }
    recordUnfinished(report, creates, { action: 'back up', idOf: (item) => item.sourceId });

    const reasons = new Map<BackupRecord, string>([
      ...extraSets.map(({ backup, keptIds }): [BackupRecord, string] => [
        backup,
        extraSetReason(backup, keptIds),
      ]),
      ...retention.expired.map((backup): [BackupRecord, string] => [backup, expiryOf(backup)]),
    ]);
    const deletes = await mapSettled(
      [...reasons.keys()],
      (backup) =>
        backup.kind === 'ebs'
          ? deleteSnapshot(ec2, backup.id)
          : deleteRdsBackup(rds, { kind: backup.kind, id: backup.id }),
      { concurrency: config.BACKUP_CONCURRENCY, budget },
    );
    for (const { item, value } of deletes.succeeded) {
      if (value === 'deleted' || value === 'gone-after-retry') {
        deleted += 1;
        report.done.push({
          id: item.id,
          action: 'delete',
          reason:
            value === 'deleted'
              ? (reasons.get(item) ?? expiryOf(item))
              : `${reasons.get(item) ?? expiryOf(item)}; ${GONE_AFTER_RETRY}`,
        });
      } else if (value === 'in-use') {
        report.skipped.push({
          id: item.id,
          action: 'keep',
          reason: 'in use (InvalidSnapshot.InUse)',
        });
      } else {
        report.skipped.push({ id: item.id, action: 'delete', reason: 'already gone' });
      }
    }
    recordUnfinished(report, deletes, { action: 'delete', idOf: (item) => item.id });
  } else {
    rdsCreated = tasks.filter((task) => task.kind === 'rds').length;
    clusterCreated = tasks.filter((task) => task.kind === 'rds-cluster').length;
  }

  // Manual DB snapshots and manual DB cluster snapshots have a quota each, per Region.
  const quota = config.RDS_MANUAL_SNAPSHOT_QUOTA;
  const holdings = [
    ['manual DB snapshots', rdsBackups.manualSnapshots + rdsCreated],
    ['manual DB cluster snapshots', rdsBackups.manualClusterSnapshots + clusterCreated],
  ] as const;
  for (const [what, count] of holdings) {
    if (withRds && count >= QUOTA_WARNING_SHARE * quota) {
      report.notes.push(
        `this Region holds ${count} ${what}${dryRun ? ' after this run' : ''}, of a quota of ${quota}: new RDS backups fail at the quota`,
      );
    }
  }
  if (adopted.length > 0) {
    report.notes.push(
      `${adopted.length} backup${adopted.length === 1 ? '' : 's'} of ${event.environment} made by the original backup script (EBS snapshots tagged CreatedBy=${LEGACY_CREATED_BY}, DB snapshots named <database>-backup-<YYYYMMDD-HHMMSS>) under this retention; BACKUP_ADOPT_LEGACY=false leaves them alone`,
    );
  }
  const skippedCreates = report.skipped.filter((entry) => entry.action === 'back up').length;
  report.totals = {
    instances: instances.length,
    databases: rdsTargets.instances.length,
    clusters: rdsTargets.clusters.length,
    backupsCreated: created,
    backupsDeleted: deleted,
    manualDbSnapshots: rdsBackups.manualSnapshots,
    manualDbClusterSnapshots: rdsBackups.manualClusterSnapshots,
    legacyBackupsAdopted: adopted.length,
  };
  report.finishedAt = clock().toISOString();

  metrics.addMetric('BackupsCreated', MetricUnit.Count, created);
  metrics.addMetric('BackupsSkipped', MetricUnit.Count, skippedCreates);
  metrics.addMetric('BackupsDeleted', MetricUnit.Count, deleted);
  metrics.addMetric('BackupFailures', MetricUnit.Count, report.failed.length);
  logReport(logger, report);

  if (config.SNS_TOPIC_ARN) await publishReport(sns, { topicArn: config.SNS_TOPIC_ARN, report });
  return report;
};
