import { isPermanent, PERMANENT_TAG } from '@nightshift/conventions';
import {
  envFlag,
  envInteger,
  envList,
  envString,
  parseSettings,
  type Settings,
  type SettingsSpec,
} from '@nightshift/runtime';
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

/** The function's settings, each read from its environment variable (the names are a contract). */
export const SETTINGS = {
  /** `RETENTION_DAYS`: age in days past which a snapshot is deleted; an event may only raise it. */
  retentionDays: ['RETENTION_DAYS', envInteger({ default: 30, min: 1, max: 36_500 })],
  /** `DRY_RUN`: a lock; an event may turn a dry run on, never off. */
  dryRun: ['DRY_RUN', envFlag()],
  /** `SNS_TOPIC_ARN`: where the report goes. */
  snsTopicArn: ['SNS_TOPIC_ARN', z.optional(envString())],
  /** `KEEP_TAG_KEY`, `KEEP_TAG_VALUE`: the tag that keeps a snapshot forever. */
  keepTagKey: ['KEEP_TAG_KEY', envString(PERMANENT_TAG.Key)],
  keepTagValue: ['KEEP_TAG_VALUE', envString(PERMANENT_TAG.Value)],
  /** `EXCLUDE_TAGS`: the operator's extra tag filters that keep a snapshot. */
  excludeTags: ['EXCLUDE_TAGS', z.pipe(envList(), z.transform(parseTagFilters))],
  /** `KEEP_LATEST_PER_VOLUME`: keep the newest snapshot of every volume that exists, and newest copies. */
  keepLatestPerVolume: ['KEEP_LATEST_PER_VOLUME', envFlag(true)],
  /** `KEEP_LATEST_OF_DELETED_VOLUMES`: keep the newest snapshot of every deleted volume too. */
  keepLatestOfDeletedVolumes: ['KEEP_LATEST_OF_DELETED_VOLUMES', envFlag(false)],
  /** `DELETE_CONCURRENCY`: deletes in flight at once. */
  deleteConcurrency: ['DELETE_CONCURRENCY', envInteger({ default: 5, min: 1, max: 50 })],
  /** `MAX_DELETIONS_PER_RUN`: the cap per run, oldest first; the next run continues. */
  maxDeletionsPerRun: ['MAX_DELETIONS_PER_RUN', envInteger({ default: 500, min: 1, max: 100_000 })],
} as const satisfies SettingsSpec;

/** The function's settings. */
export type Config = Settings<typeof SETTINGS>;

/**
 * Reads and validates the function's environment (throws `ConfigError` naming every bad variable).
 *
 * @example
 * const config = loadConfig(); // RETENTION_DAYS unset → config.retentionDays === 30
 */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config =>
  parseSettings(SETTINGS, env);

/**
 * The tags that keep a snapshot forever: `Retention=permanent` always (the IAM role
 * denies its deletion, so dropping it would only turn runs into failures), and the
 * configured `KEEP_TAG_KEY=KEEP_TAG_VALUE` when that is another tag.
 *
 * @example
 * keepTags({ keepTagKey: 'Keep', keepTagValue: 'forever' }); // Retention=permanent, Keep=forever
 */
export const keepTags = (config: Pick<Config, 'keepTagKey' | 'keepTagValue'>) => {
  const permanent = { key: PERMANENT_TAG.Key, value: PERMANENT_TAG.Value };
  const configured = { key: config.keepTagKey, value: config.keepTagValue };
  const same = isPermanent([{ Key: configured.key, Value: configured.value }]);
  return same ? [permanent] : [permanent, configured];
};
