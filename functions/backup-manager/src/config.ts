import { BACKUP_TAG, ENVIRONMENT_KEY } from '@nightshift/conventions';
import {
  envFlag,
  envInteger,
  envString,
  parseSettings,
  type Settings,
  type SettingsSpec,
} from '@nightshift/runtime';
import * as z from 'zod/mini';

/** The settings of backup-manager, each read from its environment variable (the names are a contract); every one has a default. */
export const SETTINGS = {
  /** Days a backup is kept (`BACKUP_RETENTION_DAYS`). */
  retentionDays: ['BACKUP_RETENTION_DAYS', envInteger({ default: 7, min: 1, max: 36_500 })],
  /** Newest finished backup days of each resource always kept (`BACKUP_KEEP_LAST`). */
  keepLast: ['BACKUP_KEEP_LAST', envInteger({ default: 1, min: 1, max: 1_000 })],
  /** Retention also expires the original backup script's backups (`BACKUP_ADOPT_LEGACY`). */
  adoptLegacy: ['BACKUP_ADOPT_LEGACY', envFlag(true)],
  /** A lock: no event can turn a dry run off (`DRY_RUN`). */
  dryRun: ['DRY_RUN', envFlag()],
  /** Where the report goes (`SNS_TOPIC_ARN`). */
  snsTopicArn: ['SNS_TOPIC_ARN', z.optional(envString())],
  /** The tag that selects resources (`BACKUP_TAG_KEY`, `BACKUP_TAG_VALUE`). */
  backupTagKey: ['BACKUP_TAG_KEY', envString(BACKUP_TAG.Key)],
  backupTagValue: ['BACKUP_TAG_VALUE', envString(BACKUP_TAG.Value)],
  /** The tag that holds the environment (`ENVIRONMENT_TAG_KEY`). */
  environmentTagKey: ['ENVIRONMENT_TAG_KEY', envString(ENVIRONMENT_KEY)],
  /** Backups or deletes in flight at once (`BACKUP_CONCURRENCY`). */
  concurrency: ['BACKUP_CONCURRENCY', envInteger({ default: 5, min: 1, max: 50 })],
  /** The Region's quota of each kind of manual RDS snapshot (`RDS_MANUAL_SNAPSHOT_QUOTA`). */
  manualSnapshotQuota: [
    'RDS_MANUAL_SNAPSHOT_QUOTA',
    envInteger({ default: 100, min: 1, max: 100_000 }),
  ],
} as const satisfies SettingsSpec;

/** The settings of backup-manager. */
export type Config = Settings<typeof SETTINGS>;

/**
 * Reads and validates the function's environment (throws `ConfigError` naming every bad variable).
 *
 * @example
 * const config = loadConfig(); // BACKUP_RETENTION_DAYS unset → config.retentionDays === 7
 */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config =>
  parseSettings(SETTINGS, env);
