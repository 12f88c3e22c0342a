import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { EC2Client, Snapshot } from '@aws-sdk/client-ec2';
import type { SNSClient } from '@aws-sdk/client-sns';
import { deleteSnapshot } from '@nightshift/inventory';
import type { Observability } from '@nightshift/middleware';
import {
  createReport,
  failureReason,
  GONE_AFTER_RETRY,
  logReport,
  mapSettled,
  OUT_OF_TIME,
  publishReport,
  type Report,
  type ReportEntry,
  resolveDryRun,
  type TimeBudget,
} from '@nightshift/runtime';
import { type CleanupConfig, keepTags } from './config.ts';
import type { CleanupEvent } from './event.ts';
import { listAmiSnapshotUse, listLiveVolumeIds, listOwnSnapshots } from './inventory.ts';
import { ageInDays, planCleanup, retentionFor, volumeStatus } from './plan.ts';

export const SERVICE = 'snapshot-cleanup';

/** The clients and observability a run uses. */
export interface CleanupDeps extends Observability {
  ec2: EC2Client;
  sns: SNSClient;
  now?: () => Date;
}

/**
 * A report entry for one snapshot. `details.volume` says whether its volume exists, is
 * gone, or is none (a copy or an import); when it is gone, the reason says so too.
 */
const entryFor =
  (now: Date, liveVolumes: ReadonlySet<string>) =>
  (snapshot: Snapshot, action: string, reason: string): ReportEntry => {
    const volume = volumeStatus(snapshot, liveVolumes);
    return {
      id: snapshot.SnapshotId ?? '(unknown)',
      action,
      reason:
        volume === 'deleted' ? `${reason}; volume ${snapshot.VolumeId} no longer exists` : reason,
      details: {
        volumeId: snapshot.VolumeId ?? '',
        volume,
        volumeSizeGiB: snapshot.VolumeSize ?? 0,
        ageDays: ageInDays(snapshot, now),
        startTime: snapshot.StartTime?.toISOString() ?? '',
      },
    };
  };

const sizeOf = (snapshots: readonly Snapshot[]) =>
  snapshots.reduce((total, snapshot) => total + (snapshot.VolumeSize ?? 0), 0);

/**
 * One cleanup run: check the event's retention (never shorter than configured), read
 * every snapshot, AMI and volume, plan, delete what is due (unless dry run) within the per-run
 * cap and the time budget, then report and publish. The report is returned even when
 * items failed; the handler fails the invocation afterwards.
 *
 * @example
 * const report = await runCleanup(deps, config, { retentionDays: 60, dryRun: true }, budget);
 */
export const runCleanup = async (
  { ec2, sns, logger, metrics, now: clock = () => new Date() }: CleanupDeps,
  config: CleanupConfig,
  event: CleanupEvent,
  budget: TimeBudget,
): Promise<Report> => {
  // Checked before anything is read: a shorter retention than configured is refused.
  const retentionDays = retentionFor(event.retentionDays, config.RETENTION_DAYS);
  const now = clock();
  const dryRun = resolveDryRun(event.dryRun, config.DRY_RUN);
  const report = createReport(SERVICE, { dryRun, now });

  const [snapshots, amisBySnapshot, liveVolumes] = await Promise.all([
    listOwnSnapshots(ec2),
    listAmiSnapshotUse(ec2),
    listLiveVolumeIds(ec2),
  ]);
  const entry = entryFor(now, liveVolumes);
  const plan = planCleanup({
    snapshots,
    amisBySnapshot,
    liveVolumes,
    now,
    policy: {
      retentionDays,
      keepTags: keepTags(config),
      excludeTags: config.EXCLUDE_TAGS,
      keepLatestPerVolume: config.KEEP_LATEST_PER_VOLUME,
      keepLatestOfDeletedVolumes: config.KEEP_LATEST_OF_DELETED_VOLUMES,
    },
  });
  logger.info('Cleanup planned', {
    dryRun,
    retentionDays,
    snapshots: snapshots.length,
    volumes: liveVolumes.size,
    due: plan.due.length,
    kept: plan.kept.length,
  });

  for (const { snapshot, reasons } of plan.kept)
    report.skipped.push(entry(snapshot, 'keep', reasons.join('; ')));
  const batch = plan.due.slice(0, config.MAX_DELETIONS_PER_RUN);
  for (const snapshot of plan.due.slice(batch.length)) {
    report.skipped.push(
      entry(
        snapshot,
        'delete',
        `over the cap of ${config.MAX_DELETIONS_PER_RUN} deletions per run; the next run continues`,
      ),
    );
  }
  for (const snapshot of batch) {
    report.planned.push(entry(snapshot, 'delete', `older than ${retentionDays} days`));
  }

  const deleted: Snapshot[] = [];
  if (!dryRun) {
    const outcome = await mapSettled(
      batch,
      (snapshot) => deleteSnapshot(ec2, snapshot.SnapshotId ?? ''),
      {
        concurrency: config.DELETE_CONCURRENCY,
        budget,
      },
    );
    for (const { item, value } of outcome.succeeded) {
      if (value === 'deleted' || value === 'gone-after-retry') {
        deleted.push(item);
        const reason = `older than ${retentionDays} days`;
        report.done.push(
          entry(item, 'delete', value === 'deleted' ? reason : `${reason}; ${GONE_AFTER_RETRY}`),
        );
      } else if (value === 'in-use') {
        report.skipped.push(entry(item, 'keep', 'in use (InvalidSnapshot.InUse)'));
      } else {
        report.skipped.push(entry(item, 'delete', 'already gone (InvalidSnapshot.NotFound)'));
      }
    }
    for (const { item, error } of outcome.failed) {
      report.failed.push(entry(item, 'delete', failureReason(error)));
    }
    for (const item of outcome.notStarted) {
      report.skipped.push(entry(item, 'delete', OUT_OF_TIME));
    }
  }

  const keptCount = report.skipped.filter((item) => item.action === 'keep').length;
  report.totals = {
    retentionDays,
    snapshotsSeen: snapshots.length,
    snapshotsOfDeletedVolumes: snapshots.filter(
      (snapshot) => volumeStatus(snapshot, liveVolumes) === 'deleted',
    ).length,
    withinRetention: plan.notDue,
    kept: keptCount,
    deleted: deleted.length,
    sourceVolumeGiB: sizeOf(dryRun ? batch : deleted),
  };
  report.notes.push(
    `sourceVolumeGiB is the total size of the source volumes of the ${dryRun ? 'snapshots that would be deleted' : 'deleted snapshots'}: an upper bound of the storage reclaimed, since snapshots are incremental and share blocks`,
  );
  report.finishedAt = clock().toISOString();

  metrics.addMetric('SnapshotsDeleted', MetricUnit.Count, deleted.length);
  metrics.addMetric('SnapshotsKept', MetricUnit.Count, keptCount);
  metrics.addMetric('SnapshotDeleteFailures', MetricUnit.Count, report.failed.length);
  logReport(logger, report);

  if (config.SNS_TOPIC_ARN) await publishReport(sns, { topicArn: config.SNS_TOPIC_ARN, report });
  return report;
};
