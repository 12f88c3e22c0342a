import { envFlag, envInteger, envString, parseEnv } from '@nightshift/runtime';
import * as z from 'zod/mini';

/** Environment of the function; every variable has a default. The names are a contract. */
const EnvSchema = z.object({
  BACKUP_RETENTION_DAYS: envInteger({ default: 7, min: 1, max: 36_500 }),
  BACKUP_KEEP_LAST: envInteger({ default: 1, min: 1, max: 1_000 }),
  BACKUP_ADOPT_LEGACY: envFlag(true),
  DRY_RUN: envFlag(),
  SNS_TOPIC_ARN: z.optional(envString()),
  BACKUP_TAG_KEY: envString('Backup'),
  BACKUP_TAG_VALUE: envString('true'),
  ENVIRONMENT_TAG_KEY: envString('Environment'),
  BACKUP_CONCURRENCY: envInteger({ default: 5, min: 1, max: 50 }),
  RDS_MANUAL_SNAPSHOT_QUOTA: envInteger({ default: 100, min: 1, max: 100_000 }),
});

/** The settings of backup-manager. */
export interface Config {
  /** Days a backup is kept (`BACKUP_RETENTION_DAYS`). */
  retentionDays: number;
  /** Newest finished backup days of each resource always kept (`BACKUP_KEEP_LAST`). */
  keepLast: number;
  /** Retention also expires the original backup script's backups (`BACKUP_ADOPT_LEGACY`). */
  adoptLegacy: boolean;
  /** A lock: no event can turn a dry run off (`DRY_RUN`). */
  dryRun: boolean;
  /** Where the report goes (`SNS_TOPIC_ARN`). */
  snsTopicArn?: string | undefined;
  /** The tag that selects resources (`BACKUP_TAG_KEY`, `BACKUP_TAG_VALUE`). */
  backupTagKey: string;
  backupTagValue: string;
  /** The tag that holds the environment (`ENVIRONMENT_TAG_KEY`). */
  environmentTagKey: string;
  /** Backups or deletes in flight at once (`BACKUP_CONCURRENCY`). */
  concurrency: number;
  /** The Region's quota of each kind of manual RDS snapshot (`RDS_MANUAL_SNAPSHOT_QUOTA`). */
  manualSnapshotQuota: number;
}

/**
 * Reads and validates the function's environment (throws `ConfigError` naming every bad variable).
 *
 * @example
 * const config = loadConfig(); // BACKUP_RETENTION_DAYS unset → config.retentionDays === 7
 */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => {
  const raw = parseEnv(EnvSchema, env);
  return {
    retentionDays: raw.BACKUP_RETENTION_DAYS,
    keepLast: raw.BACKUP_KEEP_LAST,
    adoptLegacy: raw.BACKUP_ADOPT_LEGACY,
    dryRun: raw.DRY_RUN,
    snsTopicArn: raw.SNS_TOPIC_ARN,
    backupTagKey: raw.BACKUP_TAG_KEY,
    backupTagValue: raw.BACKUP_TAG_VALUE,
    environmentTagKey: raw.ENVIRONMENT_TAG_KEY,
    concurrency: raw.BACKUP_CONCURRENCY,
    manualSnapshotQuota: raw.RDS_MANUAL_SNAPSHOT_QUOTA,
  };
};
