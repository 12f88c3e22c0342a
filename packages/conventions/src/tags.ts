/** A tag as every AWS service writes it (EC2, RDS, Auto Scaling). */
export interface Tag {
  Key?: string;
  Value?: string;
}

/**
 * The value of a tag, or undefined.
 *
 * @example
 * tagValue(instance.Tags, 'Name'); // 'web-1'
 */
export const tagValue = (tags: readonly Tag[] | undefined, key: string): string | undefined =>
  tags?.find((tag) => tag.Key === key)?.Value;

/** Tags on every backup backup-manager makes: its retention, and nothing else, deletes them. */
export const CREATED_BY = { Key: 'CreatedBy', Value: 'nightshift' } as const;
export const AUTOMATED_BACKUP = { Key: 'AutomatedBackup', Value: 'true' } as const;

/**
 * Whether a snapshot carries both of backup-manager's own tags.
 *
 * @example
 * isNightshiftBackup(snapshot.Tags); // true
 */
export const isNightshiftBackup = (tags: readonly Tag[] | undefined): boolean =>
  tagValue(tags, CREATED_BY.Key) === CREATED_BY.Value &&
  tagValue(tags, AUTOMATED_BACKUP.Key) === AUTOMATED_BACKUP.Value;

/**
 * The `CreatedBy` value on the EBS snapshots the original backup script made (with
 * `AutomatedBackup=true`): backup-manager's retention adopts and expires them.
 */
export const LEGACY_CREATED_BY = 'lambda-backup-automation';

/**
 * Whether a snapshot carries both tags the original backup script put on its EBS snapshots:
 * `CreatedBy=lambda-backup-automation` and `AutomatedBackup=true`, exactly.
 *
 * @example
 * isLegacyBackup(snapshot.Tags); // true
 */
export const isLegacyBackup = (tags: readonly Tag[] | undefined): boolean =>
  tagValue(tags, CREATED_BY.Key) === LEGACY_CREATED_BY &&
  tagValue(tags, AUTOMATED_BACKUP.Key) === AUTOMATED_BACKUP.Value;

/**
 * Which AWS service manages a snapshot's life, if any: AWS Backup (`aws:backup:*` tag keys)
 * or Data Lifecycle Manager (`aws:dlm:*`) delete their snapshots on their own schedules, so
 * Nightshift never does.
 *
 * @example
 * managedBy([{ Key: 'aws:backup:source-resource', Value: 'vol-1' }]); // 'AWS Backup'
 * managedBy([{ Key: 'aws:dlm:lifecycle-policy-id', Value: 'policy-1' }]); // 'Data Lifecycle Manager'
 */
export const managedBy = (tags: readonly Tag[] | undefined): string | undefined => {
  if (tags?.some((tag) => tag.Key?.startsWith('aws:backup:'))) return 'AWS Backup';
  if (tags?.some((tag) => tag.Key?.startsWith('aws:dlm:'))) return 'Data Lifecycle Manager';
  return undefined;
};

/** The tag that keeps a snapshot or backup forever; the IAM roles deny deleting one that carries it. */
export const PERMANENT_TAG = { Key: 'Retention', Value: 'permanent' } as const;

const sameText = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();

/**
 * Whether `tags` hold the key (with the value, when one is given), both compared without
 * regard to case, as IAM compares `aws:ResourceTag` conditions.
 *
 * @example
 * hasTag(snapshot.Tags, 'retention', 'PERMANENT'); // true for Retention=permanent
 */
export const hasTag = (tags: readonly Tag[] | undefined, key: string, value?: string): boolean =>
  tags?.some(
    (tag) => sameText(tag.Key, key) && (value === undefined || sameText(tag.Value, value)),
  ) ?? false;

/**
 * Whether tags carry `Retention=permanent`, in any case: nothing Nightshift deletes may.
 *
 * @example
 * isPermanent([{ Key: 'Retention', Value: 'Permanent' }]); // true
 */
export const isPermanent = (tags: readonly Tag[] | undefined): boolean =>
  hasTag(tags, PERMANENT_TAG.Key, PERMANENT_TAG.Value);

/** The tag that says which environment a resource belongs to (default key; configurable). */
export const ENVIRONMENT_KEY = 'Environment';
/** The opt-in of infra-scaler's scale_down / scale_up events (default key and value; configurable). */
export const AUTOSCALE_TAG = { Key: 'AutoScale', Value: 'true' } as const;
/** The opt-in of backup-manager (default key and value; configurable). */
export const BACKUP_TAG = { Key: 'Backup', Value: 'true' } as const;
/** On an EBS backup: the instance it was made of. */
export const INSTANCE_ID_KEY = 'InstanceId';
/** The name tag people give resources. */
export const NAME_KEY = 'Name';
/** Set by EC2 Auto Scaling on the instances of a group. */
export const GROUP_NAME_KEY = 'aws:autoscaling:groupName';

/** Nightshift's own state on resources, under the `nightshift:` prefix. */
export const MARK_PREFIX = 'nightshift:';
/** On an instance or database scale_down stopped: when (ISO time); scale_up starts only those. */
export const SCALED_DOWN_KEY = 'nightshift:scaled-down';
/** On an Auto Scaling group scale_down emptied: its sizes before (`min=1,max=4,desired=2`). */
export const SAVED_SIZE_KEY = 'nightshift:saved-size';
/** On a backup: the day (UTC, `YYYY-MM-DD`) it is the backup of. */
export const BACKUP_DATE_KEY = 'nightshift:backup-date';
/** On a backup: the instance, database or cluster it was made of. */
export const SOURCE_KEY = 'nightshift:source';
/** On an EBS backup: the set (one CreateSnapshots call) it belongs to. */
export const SET_KEY = 'nightshift:set';
/** The schedule a resource is on (per-resource schedules). */
export const SCHEDULE_KEY = 'nightshift:schedule';
/** Until when (ISO time) a scheduled stop is postponed. */
export const SNOOZE_UNTIL_KEY = 'nightshift:snooze-until';
/** The transition a schedule last brought a resource to, and when: `stop@2026-12-01T18:00:00.000Z`. */
export const LAST_ACTION_KEY = 'nightshift:last-action';
/** Why the schedule's last change of a resource failed; removed once one succeeds. */
export const LAST_ERROR_KEY = 'nightshift:last-error';
/** A scheduled resource's place in line (an integer): starts ascend, stops descend. */
export const ORDER_KEY = 'nightshift:order';
