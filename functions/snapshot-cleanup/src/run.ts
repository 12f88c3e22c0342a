import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SNSClient } from '@aws-sdk/client-sns';
import {
  type EbsSnapshot,
  listAmiSnapshotUse,
  listLiveVolumeIds,
  listOwnSnapshots,
} from '@nightshift/inventory';
import { runJob } from '@nightshift/job';
import type { Observability } from '@nightshift/middleware';
import { type Report, resolveDryRun, type TimeBudget } from '@nightshift/runtime';
import { applyDeletions } from './apply.ts';
import { type Config, keepTags } from './config.ts';
import type { CleanupEvent } from './event.ts';
import {
  Action,
  capPerRun,
  type Deletion,
  planCleanup,
  retentionFor,
  volumeStatus,
} from './plan.ts';

export const SERVICE = 'snapshot-cleanup';

/** The clients, observability and clock of a run. */
export interface Deps extends Observability {
  ec2: EC2Client;
  sns: SNSClient;
  /** The clock every time read uses (tests pass a fixed one). */
  now?: () => Date;
}

/** What a run reads before it plans. */
interface Inventory {
  snapshots: EbsSnapshot[];
  amisBySnapshot: Map<string, string[]>;
  liveVolumes: Set<string>;
}

const sizeOf = (deletions: readonly Deletion[]) =>
  deletions.reduce((total, deletion) => total + deletion.details.volumeSizeGiB, 0);

/**
 * One cleanup run: check the event's retention (never shorter than configured), read
 * every snapshot, AMI and volume, plan, delete what is due (unless dry run) within the per-run
 * cap and the time budget, then report and publish. The report is returned even when
 * items failed; the handler fails the invocation afterwards.
 *
 * @example
 * const report = await run(deps, config, { retentionDays: 60, dryRun: true }, budget);
 */
export const run = async (
  { ec2, sns, logger, metrics, now = () => new Date() }: Deps,
  config: Config,
  event: CleanupEvent,
  budget: TimeBudget,
): Promise<Report> => {
  // Checked before anything is read: a shorter retention than configured is refused.
  const retentionDays = retentionFor(event.retentionDays, config.retentionDays);
  const startedAt = now();
  const dryRun = resolveDryRun(event.dryRun, config.dryRun);
  const policy = {
    retentionDays,
    keepTags: keepTags(config),
    excludeTags: config.excludeTags,
    keepLatestPerVolume: config.keepLatestPerVolume,
    keepLatestOfDeletedVolumes: config.keepLatestOfDeletedVolumes,
  };

  return runJob<Action, Inventory, Deletion>(
    {
      service: SERVICE,
      dryRun,
      read: async () => {
        const [snapshots, amisBySnapshot, liveVolumes] = await Promise.all([
          listOwnSnapshots(ec2),
          listAmiSnapshotUse(ec2),
          listLiveVolumeIds(ec2),
        ]);
        logger.info('Cleanup read', {
          retentionDays,
          snapshots: snapshots.length,
          volumes: liveVolumes.size,
        });
        return { snapshots, amisBySnapshot, liveVolumes };
      },
      plan: (input) =>
        capPerRun(planCleanup({ ...input, now: startedAt, policy }), config.maxDeletionsPerRun),
      apply: (changes, outcomes) =>
        applyDeletions(ec2, changes, outcomes, { concurrency: config.deleteConcurrency, budget }),
      summarize: (report, { snapshots, liveVolumes }, plan) => {
        const doneIds = new Set(report.done.map((entry) => entry.id));
        const deleted = plan.changes.filter((deletion) => doneIds.has(deletion.target));
        const kept = report.skipped.filter((entry) => entry.action === Action.Keep).length;
        return {
          totals: {
            retentionDays,
            snapshotsSeen: snapshots.length,
            snapshotsOfDeletedVolumes: snapshots.filter(
              (snapshot) => volumeStatus(snapshot, liveVolumes) === 'deleted',
            ).length,
            // Every snapshot past retention is either a change or a skip of the plan.
            withinRetention: snapshots.length - plan.changes.length - plan.skips.length,
            kept,
            deleted: deleted.length,
            sourceVolumeGiB: sizeOf(dryRun ? plan.changes : deleted),
          },
          notes: [
            `sourceVolumeGiB is the total size of the source volumes of the ${dryRun ? 'snapshots that would be deleted' : 'deleted snapshots'}: an upper bound of the storage reclaimed, since snapshots are incremental and share blocks`,
          ],
          metrics: {
            SnapshotsDeleted: deleted.length,
            SnapshotsKept: kept,
            SnapshotDeleteFailures: report.failed.length,
          },
        };
      },
    },
    { logger, metrics, sns, topicArn: config.snsTopicArn, now },
  );
};
