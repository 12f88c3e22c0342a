import { envInteger, envString, parseSettings } from '@nightshift/runtime';
import * as z from 'zod/mini';

/** How long the history keeps a record by default, in days. */
export const DEFAULT_RETENTION_DAYS = 400;

/** A run's environment when `NIGHTSHIFT_ENVIRONMENT` is not set. */
export const UNKNOWN_ENVIRONMENT = 'unknown';

/** The history's settings, for `parseSettings`. */
export const HISTORY_SETTINGS = {
  table: ['HISTORY_TABLE', z.optional(envString())],
  retentionDays: [
    'HISTORY_RETENTION_DAYS',
    envInteger({ default: DEFAULT_RETENTION_DAYS, min: 1 }),
  ],
  environment: ['NIGHTSHIFT_ENVIRONMENT', z.optional(envString())],
} as const;

/** The history's settings as a job uses them. */
export interface HistorySettings {
  /** The table; no history is written without one. */
  table?: string | undefined;
  retentionDays: number;
  environment: string;
}

/**
 * Reads the history's settings (once, at cold start): `HISTORY_TABLE` (optional; none
 * means no history), `HISTORY_RETENTION_DAYS` (a whole number of at least 1, default 400),
 * `NIGHTSHIFT_ENVIRONMENT` (default `unknown`). A bad value throws a `ConfigError` naming
 * the variable.
 *
 * @example
 * loadHistorySettings({ HISTORY_TABLE: 'nightshift-history-staging' }); // { table: 'nightshift-history-staging', retentionDays: 400, environment: 'unknown' }
 */
export const loadHistorySettings = (
  env: Record<string, string | undefined> = process.env,
): HistorySettings => {
  const { table, retentionDays, environment } = parseSettings(HISTORY_SETTINGS, env);
  return { table, retentionDays, environment: environment ?? UNKNOWN_ENVIRONMENT };
};
