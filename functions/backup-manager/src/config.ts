import { envFlag, envInteger, envString, parseEnv } from '@nightshift/runtime';
import * as z from 'zod/mini';

/** Environment of the function; every variable has a default. */
export const BackupConfigSchema = z.object({
  BACKUP_RETENTION_DAYS: envInteger({ default: 7, min: 1, max: 36_500 }),
  BACKUP_KEEP_LAST: envInteger({ default: 1, min: 1, max: 1_000 }),
  /** Retention also expires the backups the original backup script made. */
  BACKUP_ADOPT_LEGACY: envFlag(true),
  DRY_RUN: envFlag(),
  SNS_TOPIC_ARN: z.optional(envString()),
  BACKUP_TAG_KEY: envString('Backup'),
  BACKUP_TAG_VALUE: envString('true'),
  ENVIRONMENT_TAG_KEY: envString('Environment'),
  BACKUP_CONCURRENCY: envInteger({ default: 5, min: 1, max: 50 }),
  RDS_MANUAL_SNAPSHOT_QUOTA: envInteger({ default: 100, min: 1, max: 100_000 }),
});

export type BackupConfig = z.infer<typeof BackupConfigSchema>;

/**
 * Reads and validates the function's environment (throws `ConfigError` naming every bad variable).
 *
 * @example
 * const config = loadBackupConfig(); // BACKUP_RETENTION_DAYS unset → 7
 */
export const loadBackupConfig = (env: Record<string, string | undefined> = process.env) =>
  parseEnv(BackupConfigSchema, env);
