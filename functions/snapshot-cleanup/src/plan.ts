import {
  hasTag,
  isLegacyBackup,
  isNightshiftBackup,
  managedBy,
  type Tag,
  tagValue,
} from '@nightshift/conventions';
import { FACT } from '@nightshift/history';
import type { EbsSnapshot } from '@nightshift/inventory';
import { type Decision, decide, type Plan } from '@nightshift/job';
import { DAY_MS, ValidationError } from '@nightshift/runtime';
import type { TagFilter } from './config.ts';

/** What a run does with a snapshot; the strings are the report's actions. */
export const Action = { Delete: 'delete', Keep: 'keep' } as const;
export type Action = (typeof Action)[keyof typeof Action];

/** What decides whether an old snapshot may go. */
export interface SnapshotRetentionPolicy {
  retentionDays: number;
  /** Tags that keep a snapshot forever (`Retention=permanent` and any configured one). */
  keepTags: { key: string; value: string }[];
  /** Operator's extra exclusions. */
  excludeTags: TagFilter[];
  /**
   * Keep the newest completed snapshot of every volume that exists, however old (the last
   * backup of a resource), and the newest copy of each source (so that a region's only copy
   * stays).
   */
  keepLatestPerVolume: boolean;
  /**
   * Keep the newest completed snapshot of a volume that no longer exists too. Off, such a
   * snapshot is deleted once past retention like any other.
   */
  keepLatestOfDeletedVolumes: boolean;
}

/** What a report shows beside the decision about a snapshot. */
export type SnapshotDetails = {
  /** The snapshot's volume (`''` when EC2 names none). */
  volumeId: string;
  volume: VolumeStatus;
  volumeSizeGiB: number;
  ageDays: number;
  /** ISO 8601 (`''` when EC2 did not say). */
  startTime: string;
  /**
   * What a person should look at (`FACT.attention`): set on a snapshot kept only as the last
   * backup of a volume that is gone, which nothing else will ever delete.
   */
  attention?: string;
};

/** A decision about one snapshot, with the details the report shows. */
export interface SnapshotDecision<A extends Action = Action> extends Decision<A> {
  details: SnapshotDetails;
}

/**
 * A snapshot to delete. Its `reason` ends with the volume note when the volume is gone;
 * `basis` is the reason without it, so that an outcome that says more (a retried call
 * found it gone) goes between the two, the note last, as on every entry.
 */
export interface Deletion extends SnapshotDecision<typeof Action.Delete> {
  basis: string;
}

/** The cleanup plan: a pure function of what was read. */
export interface CleanupPlan {
  /** Snapshots to delete, oldest first. */
  due: Deletion[];
  /** Snapshots past retention that a rule keeps, every reason that keeps them in one. */
  kept: SnapshotDecision<typeof Action.Keep>[];
  /** How many snapshots are still within retention. */
  notDue: number;
}

/** The placeholder volume id of copied and imported snapshots: not a real volume. */
const NO_VOLUME = 'vol-ffffffff';

const matches = (tags: readonly Tag[] | undefined, filter: TagFilter) =>
  hasTag(tags, filter.key, filter.value);

/**
 * Why another tool deletes a snapshot on its own schedule, as the report says it, if one
 * does: AWS Backup, Data Lifecycle Manager, or backup-manager, whose retention expires its
 * own backups and adopts those the original backup script made.
 */
const ownedElsewhere = (tags: readonly Tag[] | undefined): string | undefined => {
  const service = managedBy(tags);
  if (service) return `managed by ${service}`;
  if (isNightshiftBackup(tags)) return 'managed by backup-manager';
  if (isLegacyBackup(tags))
    return "the original backup script's backup, which backup-manager expires";
  return undefined;
};

/** Where a snapshot's volume is: it exists, it is gone, it is a copy or an import, or not said. */
export type VolumeStatus = 'exists' | 'deleted' | 'copy' | 'unknown';

/**
 * The status of a snapshot's volume, from the volumes that exist (a volume that is not
 * listed is gone). `vol-ffffffff` is the placeholder of copies and imports.
 *
 * @example
 * volumeStatus({ volumeId: 'vol-1' }, new Set(['vol-1'])); // 'exists'
 * volumeStatus({ volumeId: 'vol-2' }, new Set(['vol-1'])); // 'deleted'
 */
export const volumeStatus = (
  snapshot: { volumeId?: string | undefined },
  liveVolumes: ReadonlySet<string>,
): VolumeStatus => {
  const volumeId = snapshot.volumeId;
  if (!volumeId) return 'unknown';
  if (volumeId === NO_VOLUME) return 'copy';
  return liveVolumes.has(volumeId) ? 'exists' : 'deleted';
};

/** What a copy was copied from, read from its description (and a `VolumeId` tag). */
interface CopySource {
  /** The group of copies of one source: its volume when a tag names it, else its snapshot. */
  key: string;
  /** The source as the report names it (`snap-0abc from us-east-1`, `vol-0abc`). */
  label: string;
}

// `CopySnapshot` describes a copy as "[Copied snap-… from <region>] <source description>"
// unless given a description; `CopyImage` describes each copied backing snapshot as
// "Copied for DestinationAmi ami-… from SourceAmi ami-… for SourceSnapshot snap-…. Task …".
const COPIED_SNAPSHOT = /^\[Copied (snap-[0-9a-f]+) from ([a-z0-9-]+)\]/;
const COPIED_FOR_AMI =
  /^Copied for DestinationAmi ami-[0-9a-f]+ from SourceAmi ami-[0-9a-f]+ for SourceSnapshot (snap-[0-9a-f]+)/;

/**
 * The source of a copy: the volume a `VolumeId` tag names (as the original backup script
 * tags its snapshots), else the snapshot its description names; undefined when neither says.
 */
const copySource = (snapshot: EbsSnapshot): CopySource | undefined => {
  const description = snapshot.description ?? '';
  const copied = COPIED_SNAPSHOT.exec(description);
  const sourceSnapshot = copied?.[1] ?? COPIED_FOR_AMI.exec(description)?.[1];
  const from = copied ? ` from ${copied[2]}` : '';
  const volumeId = tagValue(snapshot.tags, 'VolumeId');
  if (volumeId?.startsWith('vol-') && volumeId !== NO_VOLUME)
    return { key: volumeId, label: `${volumeId}${from}` };
  if (sourceSnapshot) return { key: sourceSnapshot, label: `${sourceSnapshot}${from}` };
  return undefined;
};

/** A group of snapshots of which the newest is a last backup, and why it is kept. */
interface LastBackupGroup {
  key: string;
  reason: string;
  startedAt: number;
}

/**
 * Which last backup a snapshot may be, and why: the newest snapshot of the volume it
 * belongs to (a volume that exists, or one that is gone when those are kept too), or the
 * newest copy of its source. A pending or failed snapshot is not a backup yet, so it must
 * not take the place of the last good one; nor may one that another tool manages, which
 * that tool may delete at any time.
 */
const lastBackupGroup = (
  snapshot: EbsSnapshot,
  liveVolumes: ReadonlySet<string>,
  policy: SnapshotRetentionPolicy,
): LastBackupGroup | undefined => {
  const startedAt = snapshot.startTime?.getTime();
  if (startedAt === undefined || snapshot.state !== 'completed' || ownedElsewhere(snapshot.tags))
    return undefined;
  const status = volumeStatus(snapshot, liveVolumes);
  if (status === 'copy') {
    const source = policy.keepLatestPerVolume ? copySource(snapshot) : undefined;
    return source
      ? { key: `copy of ${source.key}`, reason: `newest copy of ${source.label}`, startedAt }
      : undefined;
  }
  const keep =
    status === 'exists'
      ? policy.keepLatestPerVolume
      : status === 'deleted' && policy.keepLatestOfDeletedVolumes;
  const volumeId = snapshot.volumeId;
  return keep
    ? { key: `volume ${volumeId}`, reason: `newest snapshot of ${volumeId}`, startedAt }
    : undefined;
};

/**
 * The last backups, snapshot id → why it is one: in each group (a volume, or the copies
 * of one source) the snapshot that started last.
 */
const lastBackups = (
  snapshots: readonly EbsSnapshot[],
  liveVolumes: ReadonlySet<string>,
  policy: SnapshotRetentionPolicy,
): Map<string, string> => {
  const newest = new Map<string, { snapshot: EbsSnapshot } & LastBackupGroup>();
  for (const snapshot of snapshots) {
    const group = lastBackupGroup(snapshot, liveVolumes, policy);
    if (!group) continue;
    const current = newest.get(group.key);
    if (!current || group.startedAt > current.startedAt)
      newest.set(group.key, { snapshot, ...group });
  }
  return new Map([...newest.values()].map(({ snapshot, reason }) => [snapshot.id, reason]));
};

/**
 * Every reason that keeps a snapshot past retention: the keep tag, use by an AMI, AWS
 * Backup, Data Lifecycle Manager or backup-manager ownership (its own backups and the
 * original backup script's), an operator's exclusion,
 * being a last backup (the newest snapshot of its volume, or copy of its source), or not
 * being complete.
 */
const reasonsToKeep = (
  snapshot: EbsSnapshot,
  policy: SnapshotRetentionPolicy,
  amisBySnapshot: ReadonlyMap<string, string[]>,
  newest: ReadonlyMap<string, string>,
): string[] => {
  const tags = snapshot.tags;
  const reasons: string[] = [];
  for (const keepTag of policy.keepTags) {
    if (matches(tags, keepTag)) reasons.push(`tagged ${keepTag.key}=${keepTag.value}`);
  }
  const amis = amisBySnapshot.get(snapshot.id);
  if (amis) reasons.push(`used by AMI ${amis.join(', ')}`);
  const owner = ownedElsewhere(tags);
  if (owner) reasons.push(owner);
  for (const filter of policy.excludeTags) {
    if (matches(tags, filter))
      reasons.push(
        `excluded by tag ${filter.key}${filter.value === undefined ? '' : `=${filter.value}`}`,
      );
  }
  const lastBackup = newest.get(snapshot.id);
  if (lastBackup) reasons.push(lastBackup);
  if (snapshot.state !== 'completed') reasons.push(`state is ${snapshot.state ?? 'unknown'}`);
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
 * A reason as the report gives it for a snapshot: when its volume is gone, the reason
 * ends by saying so.
 *
 * @example
 * withVolumeNote('older than 30 days', details); // 'older than 30 days; volume vol-0abc no longer exists'
 */
export const withVolumeNote = (reason: string, details: SnapshotDetails): string =>
  details.volume === 'deleted' ? `${reason}; volume ${details.volumeId} no longer exists` : reason;

/**
 * A snapshot's age in whole days.
 *
 * @example
 * ageInDays(snapshot, new Date()); // 41
 */
export const ageInDays = (snapshot: Pick<EbsSnapshot, 'startTime'>, now: Date): number =>
  Math.floor((now.getTime() - (snapshot.startTime?.getTime() ?? now.getTime())) / DAY_MS);

/** The details the report shows beside a snapshot. */
const detailsOf = (
  snapshot: EbsSnapshot,
  liveVolumes: ReadonlySet<string>,
  now: Date,
): SnapshotDetails => ({
  volumeId: snapshot.volumeId ?? '',
  volume: volumeStatus(snapshot, liveVolumes),
  volumeSizeGiB: snapshot.volumeSizeGiB,
  ageDays: ageInDays(snapshot, now),
  startTime: snapshot.startTime?.toISOString() ?? '',
});

/**
 * Whether a kept snapshot is kept for one reason only, being the newest snapshot of a
 * volume that is gone: nothing will ever delete it, so a person should decide.
 */
const lastBackupOnly = (
  reasons: readonly string[],
  lastBackup: string | undefined,
  details: SnapshotDetails,
): boolean => details.volume === 'deleted' && reasons.length === 1 && reasons[0] === lastBackup;

/**
 * Decides, for every snapshot, whether it is due for deletion, kept by a rule, or still
 * within retention. Reads nothing and changes nothing. A snapshot kept only as the last
 * backup of a volume that is gone carries `details.attention` saying so.
 *
 * @example
 * const plan = planCleanup({ snapshots, amisBySnapshot, liveVolumes, policy, now: new Date() });
 */
export const planCleanup = ({
  snapshots,
  amisBySnapshot,
  liveVolumes,
  policy,
  now,
}: {
  snapshots: readonly EbsSnapshot[];
  amisBySnapshot: ReadonlyMap<string, string[]>;
  /** The ids of the volumes that exist (every page of DescribeVolumes). */
  liveVolumes: ReadonlySet<string>;
  policy: SnapshotRetentionPolicy;
  now: Date;
}): CleanupPlan => {
  const cutoff = now.getTime() - policy.retentionDays * DAY_MS;
  const newest = lastBackups(snapshots, liveVolumes, policy);
  const basis = `older than ${policy.retentionDays} days`;
  const kept: CleanupPlan['kept'] = [];
  let notDue = 0;
  const due: { deletion: Deletion; startedAt: number }[] = [];
  for (const snapshot of snapshots) {
    const startedAt = snapshot.startTime?.getTime();
    // A snapshot without a start time cannot be shown to be old: it is not due.
    if (startedAt === undefined || startedAt >= cutoff) {
      notDue += 1;
      continue;
    }
    const details = detailsOf(snapshot, liveVolumes, now);
    const reasons = reasonsToKeep(snapshot, policy, amisBySnapshot, newest);
    if (reasons.length > 0) {
      const reason = withVolumeNote(reasons.join('; '), details);
      kept.push({
        ...decide(Action.Keep, snapshot.id, reason),
        details: lastBackupOnly(reasons, newest.get(snapshot.id), details)
          ? {
              ...details,
              [FACT.attention]: `kept only as the last backup of deleted volume ${details.volumeId}`,
            }
          : details,
      });
    } else {
      const reason = withVolumeNote(basis, details);
      due.push({
        deletion: { ...decide(Action.Delete, snapshot.id, reason), details, basis },
        startedAt,
      });
    }
  }
  due.sort((a, b) => a.startedAt - b.startedAt);
  return { due: due.map(({ deletion }) => deletion), kept, notDue };
};

/**
 * The plan of one run: the snapshots due, oldest first, up to the per-run cap; those over
 * it are reported for the next run, after the ones a rule keeps. Pure.
 *
 * @example
 * capPerRun(planCleanup({ snapshots, amisBySnapshot, liveVolumes, policy, now }), 500);
 */
export const capPerRun = (plan: CleanupPlan, maxDeletions: number): Plan<Action, Deletion> => {
  const batch = plan.due.slice(0, maxDeletions);
  const overCap = plan.due
    .slice(batch.length)
    .map(
      (deletion): Decision<Action> =>
        decide(
          Action.Delete,
          deletion.target,
          withVolumeNote(
            `over the cap of ${maxDeletions} deletions per run; the next run continues`,
            deletion.details,
          ),
          deletion.details,
        ),
    );
  return { changes: batch, skips: [...plan.kept, ...overCap], problems: [], notes: [] };
};
