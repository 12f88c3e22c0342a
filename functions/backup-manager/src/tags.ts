import {
  AUTOMATED_BACKUP,
  BACKUP_DATE_KEY,
  CREATED_BY,
  hasTag,
  NAME_KEY,
  PERMANENT_TAG,
  SOURCE_KEY,
  type Tag,
} from '@nightshift/conventions';

/**
 * Whether tags carry a `Retention` tag of any value, in any case: one that must not be
 * copied onto a backup, or every backup of the source would inherit it.
 *
 * @example
 * hasRetentionTag([{ Key: 'retention', Value: 'permanent' }]); // true
 */
export const hasRetentionTag = (tags: readonly Tag[] | undefined): boolean =>
  hasTag(tags, PERMANENT_TAG.Key);

/**
 * The day a backup belongs to, in UTC: one backup per resource per day.
 *
 * @example
 * backupDay(new Date('2026-11-28T23:30:00Z')); // '2026-11-28'
 */
export const backupDay = (date: Date): string => date.toISOString().slice(0, 10);

/**
 * The tags written at creation on a backup of `sourceId`.
 *
 * @example
 * backupTags({ name: 'web-1', environmentKey: 'Environment', environment: 'production', sourceId: 'i-1', day: '2026-11-28' });
 */
export const backupTags = ({
  name,
  environmentKey,
  environment,
  sourceId,
  day,
  extra = [],
}: {
  name: string;
  environmentKey: string;
  environment: string;
  sourceId: string;
  day: string;
  extra?: { Key: string; Value: string }[];
}): { Key: string; Value: string }[] => [
  { Key: NAME_KEY, Value: `nightshift-${name}-${day}`.slice(0, 256) },
  { Key: environmentKey, Value: environment },
  ...extra,
  { ...AUTOMATED_BACKUP },
  { ...CREATED_BY },
  { Key: BACKUP_DATE_KEY, Value: day },
  { Key: SOURCE_KEY, Value: sourceId },
];
