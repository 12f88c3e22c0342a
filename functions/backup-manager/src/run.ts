import type { EC2Client } from '@aws-sdk/client-ec2';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SNSClient } from '@aws-sdk/client-sns';
import { LEGACY_CREATED_BY } from '@nightshift/conventions';
import { type Plan, runJob, type Summary } from '@nightshift/job';
import type { Observability } from '@nightshift/middleware';
import { type Report, resolveDryRun, type TimeBudget } from '@nightshift/runtime';
import { applyChanges, emptyTally, type Tally } from './apply.ts';
import type { Config } from './config.ts';
import {
  instancesWithRetentionTaggedVolumes,
  listEc2Backups,
  listEc2Targets,
} from './ec2Backups.ts';
import { type BackupEvent, scheduledAt } from './event.ts';
import {
  Action,
  type Change,
  type CreateDecision,
  type Inventory,
  instancesToBackUp,
  planBackups,
} from './plan.ts';
import { listRdsBackups, listRdsTargets } from './rdsBackups.ts';
import type { TargetSelector } from './records.ts';
import { backupDay } from './tags.ts';

export const SERVICE = 'backup-manager';

/** Share of a manual snapshot quota past which the report warns. */
const QUOTA_WARNING_SHARE = 0.8;

/** The clients and observability a run uses, and the clock it reads. */
export interface Deps extends Observability {
  ec2: EC2Client;
  rds: RDSClient;
  sns: SNSClient;
  now?: () => Date;
}

/**
 * Reads what a run plans from: the tagged resources, the backups Nightshift made (and the
 * original script's, with `adoptLegacy`), and which of the instances to back up on `day`
 * have a volume tagged `Retention` (a volume's Retention tag copied onto its snapshots
 * would keep every backup forever).
 */
const readInventory = async (
  { ec2, rds }: Pick<Deps, 'ec2' | 'rds'>,
  {
    selector,
    adoptLegacy,
    withEc2,
    withRds,
    day,
  }: {
    selector: TargetSelector;
    adoptLegacy: boolean;
    withEc2: boolean;
    withRds: boolean;
    day: string;
  },
): Promise<Inventory> => {
  const [instances, ebsBackups, rdsTargets, rdsBackups] = await Promise.all([
    withEc2 ? listEc2Targets(ec2, selector) : [],
    withEc2 ? listEc2Backups(ec2, { ...selector, adoptLegacy }) : [],
    withRds
      ? listRdsTargets(rds, selector)
      : { instances: [], clusters: [], databases: new Set<string>() },
    withRds
      ? listRdsBackups(rds, { ...selector, adoptLegacy })
      : { backups: [], legacyCandidates: [], manualSnapshots: 0, manualClusterSnapshots: 0 },
  ]);
  const toBackUp = instancesToBackUp(
    instances,
    ebsBackups.filter((backup) => !backup.adopted),
    day,
  );
  return {
    instances,
    databases: rdsTargets.instances,
    clusters: rdsTargets.clusters,
    databaseIds: rdsTargets.databases,
    ebsBackups,
    rdsBackups: rdsBackups.backups,
    legacyCandidates: rdsBackups.legacyCandidates,
    manualSnapshots: rdsBackups.manualSnapshots,
    manualClusterSnapshots: rdsBackups.manualClusterSnapshots,
    retentionTaggedVolumes:
      toBackUp.length > 0 ? await instancesWithRetentionTaggedVolumes(ec2, toBackUp) : new Set(),
  };
};

/**
 * The figures of a run: totals, metrics, the warning when the Region nears a manual
 * snapshot quota (each kind counted on its own, with the run's new ones) and the note on
 * adopted backups.
 */
const summarize = (
  report: Report,
  input: Inventory,
  plan: Plan<Action, Change>,
  {
    adopted,
    tally,
    dryRun,
    withRds,
    quota,
    environment,
  }: {
    adopted: number;
    tally: Tally;
    dryRun: boolean;
    withRds: boolean;
    quota: number;
    environment: string;
  },
): Summary => {
  const planned = (kind: CreateDecision['kind']) =>
    plan.changes.filter((change) => change.action === Action.BackUp && change.kind === kind).length;
  const rdsCreated = dryRun ? planned('rds') : tally.rdsCreated;
  const clusterCreated = dryRun ? planned('rds-cluster') : tally.clusterCreated;
  const notes: string[] = [];
  const holdings = [
    ['manual DB snapshots', input.manualSnapshots + rdsCreated],
    ['manual DB cluster snapshots', input.manualClusterSnapshots + clusterCreated],
  ] as const;
  for (const [what, count] of holdings) {
    if (withRds && count >= QUOTA_WARNING_SHARE * quota) {
      notes.push(
        `this Region holds ${count} ${what}${dryRun ? ' after this run' : ''}, of a quota of ${quota}: new RDS backups fail at the quota`,
      );
    }
  }
  if (adopted > 0) {
    notes.push(
      `${adopted} backup${adopted === 1 ? '' : 's'} of ${environment} made by the original backup script (EBS snapshots tagged CreatedBy=${LEGACY_CREATED_BY}, DB snapshots named <database>-backup-<YYYYMMDD-HHMMSS>) under this retention; BACKUP_ADOPT_LEGACY=false leaves them alone`,
    );
  }
  return {
    totals: {
      instances: input.instances.length,
      databases: input.databases.length,
      clusters: input.clusters.length,
      backupsCreated: tally.created,
      backupsDeleted: tally.deleted,
      manualDbSnapshots: input.manualSnapshots,
      manualDbClusterSnapshots: input.manualClusterSnapshots,
      legacyBackupsAdopted: adopted,
    },
    metrics: {
      BackupsCreated: tally.created,
      BackupsSkipped: report.skipped.filter((entry) => entry.action === Action.BackUp).length,
      BackupsDeleted: tally.deleted,
      BackupFailures: report.failed.length,
    },
    notes,
  };
};

/**
 * One backup run: read the tagged resources and the backups, plan the day's backups (the
 * day is the one the run was scheduled for) and the deletes, apply them unless dry run,
 * then report and publish. The report is returned even when items failed; the handler
 * fails the invocation afterwards.
 *
 * @example
 * const report = await run(deps, loadConfig(), { backup_type: 'all', environment: 'production' }, budget);
 */
export const run = async (
  deps: Deps,
  config: Config,
  event: BackupEvent,
  budget: TimeBudget,
): Promise<Report> => {
  const { now = () => new Date() } = deps;
  const startedAt = now();
  const day = backupDay(scheduledAt(event, startedAt));
  const dryRun = resolveDryRun(event.dryRun, config.dryRun);
  const selector: TargetSelector = {
    environmentKey: config.environmentTagKey,
    environment: event.environment,
    backupKey: config.backupTagKey,
    backupValue: config.backupTagValue,
  };
  const withEc2 = event.backup_type !== 'rds';
  const withRds = event.backup_type !== 'ec2';
  const tally = emptyTally();
  // How many of the original script's backups the plan adopted, for the summary.
  let adopted = 0;
  deps.logger.info('Backup run', {
    dryRun,
    day,
    backupType: event.backup_type,
    environment: event.environment,
  });

  return runJob<Action, Inventory, Change>(
    {
      service: SERVICE,
      dryRun,
      read: () =>
        readInventory(deps, { selector, adoptLegacy: config.adoptLegacy, withEc2, withRds, day }),
      plan: (input) => {
        const plan = planBackups(input, {
          selector,
          day,
          now: startedAt,
          retentionDays: config.retentionDays,
          keepLast: config.keepLast,
        });
        adopted = plan.adopted;
        return plan;
      },
      apply: (changes, outcomes) =>
        applyChanges(deps, changes, outcomes, {
          concurrency: config.concurrency,
          budget,
          tally,
          now,
        }),
      summarize: (report, input, plan) =>
        summarize(report, input, plan, {
          adopted,
          tally,
          dryRun,
          withRds,
          quota: config.manualSnapshotQuota,
          environment: event.environment,
        }),
    },
    {
      logger: deps.logger,
      metrics: deps.metrics,
      sns: deps.sns,
      topicArn: config.snsTopicArn,
      now,
    },
  );
};
