import { isPermanent, PERMANENT_TAG } from '@nightshift/conventions';
import { envFlag, envInteger, envList, envString, parseEnv } from '@nightshift/runtime';
import * as z from 'zod/mini';

/** `Key=Value` or `Key` (any value): snapshots with a matching tag are never deleted. */
export interface TagFilter {
  key: string;
  value?: string;
}

const parseTagFilters = (entries: string[]): TagFilter[] =>
  entries.map((entry) => {
    const at = entry.indexOf('=');
    return at < 0
      ? { key: entry }
      : { key: entry.slice(0, at).trim(), value: entry.slice(at + 1).trim() };
  });

/** Environment of the function; every variable but the topic has a default. */
export const CleanupConfigSchema = z.object({
  RETENTION_DAYS: envInteger({ default: 30, min: 1, max: 36_500 }),
  DRY_RUN: envFlag(),
  SNS_TOPIC_ARN: z.optional(envString()),
  KEEP_TAG_KEY: envString(PERMANENT_TAG.Key),
  KEEP_TAG_VALUE: envString(PERMANENT_TAG.Value),
  EXCLUDE_TAGS: z.pipe(envList(), z.transform(parseTagFilters)),
  KEEP_LATEST_PER_VOLUME: envFlag(true),
  KEEP_LATEST_OF_DELETED_VOLUMES: envFlag(false),
  DELETE_CONCURRENCY: envInteger({ default: 5, min: 1, max: 50 }),
  MAX_DELETIONS_PER_RUN: envInteger({ default: 500, min: 1, max: 100_000 }),
});

export type CleanupConfig = z.infer<typeof CleanupConfigSchema>;

/**
 * Reads and validates the function's environment (throws `ConfigError` naming every bad variable).
 *
 * @example
 * const config = loadCleanupConfig(); // RETENTION_DAYS unset → 30
 */
export const loadCleanupConfig = (env: Record<string, string | undefined> = process.env) =>
  parseEnv(CleanupConfigSchema, env);

/**
 * The tags that keep a snapshot forever: `Retention=permanent` always (the IAM role
 * denies its deletion, so dropping it would only turn runs into failures), and the
 * configured `KEEP_TAG_KEY=KEEP_TAG_VALUE` when that is another tag.
 *
 * @example
 * keepTags({ KEEP_TAG_KEY: 'Keep', KEEP_TAG_VALUE: 'forever' }); // Retention=permanent, Keep=forever
 */
export const keepTags = (config: Pick<CleanupConfig, 'KEEP_TAG_KEY' | 'KEEP_TAG_VALUE'>) => {
  const permanent = { key: PERMANENT_TAG.Key, value: PERMANENT_TAG.Value };
  const configured = { key: config.KEEP_TAG_KEY, value: config.KEEP_TAG_VALUE };
  const same = isPermanent([{ Key: configured.key, Value: configured.value }]);
  return same ? [permanent] : [permanent, configured];
};
