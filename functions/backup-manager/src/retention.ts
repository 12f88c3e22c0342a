/** One snapshot Nightshift made, whatever the service. */
export interface BackupRecord {
  /** Snapshot id or identifier. */
  id: string;
  kind: 'ebs' | 'rds' | 'rds-cluster';
  /** The instance, DB instance or cluster it backs up. */
  sourceId: string;
  /** The day it belongs to (`2026-11-28`); an EBS backup is a set of snapshots of one day. */
  day: string;
  createdAt: Date;
  /** Only a finished snapshot may be deleted. */
  ready: boolean;
}

/** What retention decided. */
export interface RetentionPlan {
  /** Past retention and not among the newest: delete. */
  expired: BackupRecord[];
  /** Past retention but kept, with the reason. */
  kept: { backup: BackupRecord; reason: string }[];
}

const DAY_MS = 86_400_000;

/**
 * Decides which of Nightshift's backups expire: older than `retentionDays` (strictly),
 * never one of the `keepLast` newest days of backups of its resource, never one that is
 * not finished. Pure: reads nothing, changes nothing.
 *
 * @example
 * planRetention(backups, { retentionDays: 7, keepLast: 1, now: new Date() });
 */
export const planRetention = (
  backups: readonly BackupRecord[],
  { retentionDays, keepLast, now }: { retentionDays: number; keepLast: number; now: Date },
): RetentionPlan => {
  const cutoff = now.getTime() - retentionDays * DAY_MS;
  const daysBySource = new Map<string, string[]>();
  for (const backup of backups) {
    const key = `${backup.kind}:${backup.sourceId}`;
    const days = daysBySource.get(key) ?? [];
    if (!days.includes(backup.day)) days.push(backup.day);
    daysBySource.set(key, days);
  }
  const newestDays = new Map(
    [...daysBySource].map(([key, days]) => [
      key,
      new Set(days.sort().reverse().slice(0, keepLast)),
    ]),
  );

  const plan: RetentionPlan = { expired: [], kept: [] };
  for (const backup of backups) {
    if (backup.createdAt.getTime() >= cutoff) continue;
    if (newestDays.get(`${backup.kind}:${backup.sourceId}`)?.has(backup.day)) {
      plan.kept.push({
        backup,
        reason:
          keepLast === 1
            ? `newest backup of ${backup.sourceId}`
            : `among the ${keepLast} newest backups of ${backup.sourceId}`,
      });
    } else if (!backup.ready) {
      plan.kept.push({ backup, reason: 'not finished yet' });
    } else {
      plan.expired.push(backup);
    }
  }
  plan.expired.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  return plan;
};
