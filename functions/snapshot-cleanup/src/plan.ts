import type { Snapshot, Tag } from '@aws-sdk/client-ec2';
import { hasTag, isNightshiftBackup, ValidationError } from '@nightshift/middleware';
import type { TagFilter } from './config.ts';

/** What decides whether an old snapshot may go. */
export interface SnapshotRetentionPolicy {
  retentionDays: number;
  /** Tags that keep a snapshot forever (`Retention=permanent` and any configured one). */
  keepTags: { key: string; value: string }[];
  /** Operator's extra exclusions. */
  excludeTags: TagFilter[];
  /** Keep the newest snapshot of every volume, however old: the last backup of a resource. */
  keepLatestPerVolume: boolean;
}

/** The cleanup plan: a pure function of what was read. */
export interface CleanupPlan {
  /** Snapshots to delete, oldest first. */
  due: Snapshot[];
  /** Snapshots past retention that a rule keeps, with every reason that keeps them. */
  kept: { snapshot: Snapshot; reasons: string[] }[];
  /** How many snapshots are still within retention. */
  notDue: number;
}

/** The placeholder volume id of copied and imported snapshots: not a real volume. */
const NO_VOLUME = 'vol-ffffffff';
const DAY_MS = 86_400_000;

const matches = (tags: readonly Tag[] | undefined, filter: TagFilter) =>
  hasTag(tags, filter.key, filter.value);

/**
 * Who else manages a snapshot's life, if anyone: AWS Backup, Data Lifecycle Manager or
 * backup-manager delete their snapshots on their own schedules.
 */
const managedBy = (tags: readonly Tag[] | undefined): string | undefined => {
  if (tags?.some((tag) => tag.Key?.startsWith('aws:backup:'))) return 'AWS Backup';
  if (tags?.some((tag) => tag.Key?.startsWith('aws:dlm:'))) return 'Data Lifecycle Manager';
  if (isNightshiftBackup(tags)) return 'backup-manager';
  return undefined;
};

/**
 * The newest completed snapshot id of every real volume: a pending or failed snapshot is
 * not a backup yet, so it must not take the place of the last good one; nor may one that
 * another tool manages, which that tool may delete at any time.
 */
const newestPerVolume = (snapshots: readonly Snapshot[]): Set<string> => {
  const newest = new Map<string, Snapshot>();
  for (const snapshot of snapshots) {
    const volumeId = snapshot.VolumeId;
    if (
      !volumeId ||
      volumeId === NO_VOLUME ||
      !snapshot.StartTime ||
      snapshot.State !== 'completed' ||
      managedBy(snapshot.Tags)
    )
      continue;
    const current = newest.get(volumeId);
    if (!current?.StartTime || snapshot.StartTime > current.StartTime)
      newest.set(volumeId, snapshot);
  }
  return new Set([...newest.values()].map((snapshot) => snapshot.SnapshotId ?? ''));
};

/**
 * Every reason that keeps a snapshot past retention: the keep tag, use by an AMI, AWS
 * Backup, Data Lifecycle Manager or backup-manager ownership, an operator's exclusion,
 * being the newest snapshot of its volume, or not being complete.
 */
const reasonsToKeep = (
  snapshot: Snapshot,
  policy: SnapshotRetentionPolicy,
  amisBySnapshot: ReadonlyMap<string, string[]>,
  newest: ReadonlySet<string>,
): string[] => {
  const tags = snapshot.Tags;
  const reasons: string[] = [];
  for (const keepTag of policy.keepTags) {
    if (matches(tags, keepTag)) reasons.push(`tagged ${keepTag.key}=${keepTag.value}`);
  }
  const amis = amisBySnapshot.get(snapshot.SnapshotId ?? '');
  if (amis) reasons.push(`used by AMI ${amis.join(', ')}`);
  const manager = managedBy(tags);
  if (manager) reasons.push(`managed by ${manager}`);
  for (const filter of policy.excludeTags) {
    if (matches(tags, filter))
      reasons.push(
        `excluded by tag ${filter.key}${filter.value === undefined ? '' : `=${filter.value}`}`,
      );
  }
  if (policy.keepLatestPerVolume && newest.has(snapshot.SnapshotId ?? '')) {
    reasons.push(`newest snapshot of ${snapshot.VolumeId}`);
  }
  if (snapshot.State !== 'completed') reasons.push(`state is ${snapshot.State ?? 'unknown'}`);
  return reasons;
};

/**
 * The retention of one run: the event's `retentionDays` may make it longer than the
 * configured `RETENTION_DAYS`, never shorter. A shorter one is a `ValidationError` naming
 * the field, so that nothing is read or deleted.
 *
 * @example
 * retentionFor(60, 30); // 60
 * retentionFor(7, 30); // throws ValidationError: retentionDays: is 7, shorter than ...
 */
export const retentionFor = (eventDays: number | undefined, configuredDays: number): number => {
  if (eventDays === undefined) return configuredDays;
  if (eventDays < configuredDays) {
    throw new ValidationError('event', [
      {
        path: 'retentionDays',
        message: `is ${eventDays}, shorter than the configured RETENTION_DAYS (${configuredDays}): an event may make retention longer, never shorter`,
      },
    ]);
  }
  return eventDays;
};

/**
 * Decides, for every snapshot, whether it is due for deletion, kept by a rule, or still
 * within retention. Reads nothing and changes nothing.
 *
 * @example
 * const plan = planCleanup({ snapshots, amisBySnapshot, policy, now: new Date() });
 */
export const planCleanup = ({
  snapshots,
  amisBySnapshot,
  policy,
  now,
}: {
  snapshots: readonly Snapshot[];
  amisBySnapshot: ReadonlyMap<string, string[]>;
  policy: SnapshotRetentionPolicy;
  now: Date;
}): CleanupPlan => {
  const cutoff = now.getTime() - policy.retentionDays * DAY_MS;
  const newest = newestPerVolume(snapshots);
  const kept: CleanupPlan['kept'] = [];
  let notDue = 0;
  const due: { snapshot: Snapshot; startedAt: number }[] = [];
  for (const snapshot of snapshots) {
    const startedAt = snapshot.StartTime?.getTime();
    // A snapshot without a start time cannot be shown to be old: it is not due.
    if (startedAt === undefined || startedAt >= cutoff) {
      notDue += 1;
      continue;
    }
    const reasons = reasonsToKeep(snapshot, policy, amisBySnapshot, newest);
    if (reasons.length > 0) kept.push({ snapshot, reasons });
    else due.push({ snapshot, startedAt });
  }
  due.sort((a, b) => a.startedAt - b.startedAt);
  return { due: due.map(({ snapshot }) => snapshot), kept, notDue };
};

/**
 * A snapshot's age in whole days.
 *
 * @example
 * ageInDays(snapshot, new Date()); // 41
 */
export const ageInDays = (snapshot: Snapshot, now: Date): number =>
  Math.floor((now.getTime() - (snapshot.StartTime?.getTime() ?? now.getTime())) / DAY_MS);
