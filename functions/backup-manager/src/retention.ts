import { DAY_MS } from '@nightshift/runtime';

/** One snapshot Nightshift made, whatever the service. */
export interface BackupRecord {
  /** Snapshot id or identifier. */
  id: string;
  kind: 'ebs' | 'rds' | 'rds-cluster';
  /** The instance, DB instance or cluster it backs up. */
  sourceId: string;
  /** The day it belongs to (`2026-11-28`); an EBS backup is a set of snapshots of one day. */
  day: string;
  /**
   * The set it belongs to: the snapshots made together (EBS: one per volume, by one call;
   * RDS: the snapshot alone). A day may hold more than one set when one of them failed.
   */
  set: string;
  createdAt: Date;
  /** The service's own word for it (`completed`, `pending`, `available`, `creating`...). */
  status: string;
  /** Finished: an EBS snapshot `completed`, an RDS snapshot `available`. */
  finished: boolean;
  /** Tagged `Retention=permanent`: never deleted. */
  permanent: boolean;
  /**
   * Made by the original backup script, not by Nightshift, and adopted by its retention:
   * expired like Nightshift's own, except that one that failed is left alone.
   */
  adopted?: boolean;
  /** Another service manages its life (AWS Backup, Data Lifecycle Manager): never deleted. */
  managedBy?: string;
}

/** What retention decided. */
export interface RetentionPlan {
  /** Past retention and not among the newest: delete. */
  expired: BackupRecord[];
  /** Past retention but kept, with the reason. */
  kept: { backup: BackupRecord; reason: string }[];
}

const sourceKey = (backup: BackupRecord) => `${backup.kind}:${backup.sourceId}`;

/** A snapshot the service gave up on: it holds nothing to restore and never finishes. */
export const hasFailed = (backup: BackupRecord) =>
  backup.kind === 'ebs' ? backup.status === 'error' : backup.status === 'failed';

/**
 * The `keepLast` newest finished backup days of every resource, Nightshift's own and
 * adopted ones alike. A day counts only when a set of it is finished whole (an EBS set has
 * one snapshot per volume): a backup still being made, or one that failed, even in part,
 * must not take the place of the last good one; nor may one that another service manages,
 * which that service may delete at any time.
 */
const newestFinishedDays = (
  backups: readonly BackupRecord[],
  keepLast: number,
): Map<string, Set<string>> => {
  const setKey = (backup: BackupRecord) => `${sourceKey(backup)}@${backup.day}@${backup.set}`;
  const unfinished = new Set(backups.filter((backup) => !backup.finished).map(setKey));
  const daysBySource = new Map<string, Set<string>>();
  for (const backup of backups) {
    const key = sourceKey(backup);
    if (unfinished.has(setKey(backup)) || backup.managedBy !== undefined) continue;
    daysBySource.set(key, (daysBySource.get(key) ?? new Set()).add(backup.day));
  }
  return new Map(
    [...daysBySource].map(([key, days]) => [
      key,
      new Set([...days].sort().reverse().slice(0, keepLast)),
    ]),
  );
};

/**
 * Decides which of Nightshift's backups, and of the backups it adopted, expire: older than
 * `retentionDays` (strictly), never one tagged `Retention=permanent`, never one that
 * another service manages, never one of the `keepLast` newest finished days of backups of
 * its resource (own or adopted), never one still being made. A failed one of Nightshift's
 * own past retention goes; an adopted one that failed stays. Pure: reads nothing, changes
 * nothing.
 *
 * @example
 * planRetention(backups, { retentionDays: 7, keepLast: 1, now: new Date() });
 */
export const planRetention = (
  backups: readonly BackupRecord[],
  { retentionDays, keepLast, now }: { retentionDays: number; keepLast: number; now: Date },
): RetentionPlan => {
  const cutoff = now.getTime() - retentionDays * DAY_MS;
  const newestDays = newestFinishedDays(backups, keepLast);

  const plan: RetentionPlan = { expired: [], kept: [] };
  for (const backup of backups) {
    if (backup.createdAt.getTime() >= cutoff) continue;
    if (backup.permanent) {
      plan.kept.push({ backup, reason: 'tagged Retention=permanent' });
    } else if (backup.managedBy !== undefined) {
      plan.kept.push({ backup, reason: `managed by ${backup.managedBy}` });
    } else if (hasFailed(backup) && backup.adopted) {
      plan.kept.push({
        backup,
        reason: `failed (${backup.status}), not made by Nightshift: left alone`,
      });
    } else if (hasFailed(backup)) {
      plan.expired.push(backup);
    } else if (newestDays.get(sourceKey(backup))?.has(backup.day)) {
      plan.kept.push({
        backup,
        reason:
          keepLast === 1
            ? `newest finished backup of ${backup.sourceId}`
            : `among the ${keepLast} newest finished backups of ${backup.sourceId}`,
      });
    } else if (!backup.finished) {
      plan.kept.push({ backup, reason: `not finished (${backup.status})` });
    } else {
      plan.expired.push(backup);
    }
  }
  plan.expired.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return plan;
};
