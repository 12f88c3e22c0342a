import { type BackupRecord, hasFailed } from './retention.ts';

/** Which set of one resource and day stays, and what goes. */
export interface DaySetChoice {
  /** The set that stays; none when no set of the day is whole (each has a failed snapshot). */
  kept?: string;
  /** The snapshots of the set that stays. */
  keptIds: string[];
  /** The snapshots of every other set that has no failed snapshot: to delete. */
  extra: BackupRecord[];
}

/**
 * Of the sets of one resource made for one day, the one that stays. A set with a failed
 * snapshot is no backup: it is left to retention and never chosen. Of the others, the set
 * that started first stays (its earliest snapshot's start time; the lowest set id when two
 * started at the same moment); the others are extra.
 *
 * The order depends only on what every run reads alike (start times and set ids), never on
 * which run made a set or on states that change, so two runs racing each other choose the
 * same set from the same sets, and the first set in that order is never deleted by either.
 *
 * @example
 * chooseDaySet(backupsOfInstanceOnDay); // { kept: 'set-a', keptIds: ['snap-1'], extra: [snap-2] }
 */
export const chooseDaySet = (backups: readonly BackupRecord[]): DaySetChoice => {
  const sets = new Map<string, BackupRecord[]>();
  for (const backup of backups) sets.set(backup.set, [...(sets.get(backup.set) ?? []), backup]);
  const whole = [...sets]
    .filter(([, members]) => !members.some(hasFailed))
    .map(([set, members]) => ({
      set,
      members,
      start: Math.min(...members.map((member) => member.createdAt.getTime())),
    }))
    .sort((a, b) => a.start - b.start || (a.set < b.set ? -1 : 1));
  const [first, ...others] = whole;
  return {
    kept: first?.set,
    keptIds: first?.members.map((member) => member.id) ?? [],
    extra: others.flatMap(({ members }) => members),
  };
};

/**
 * Every extra set of `day` among `backups` (any resources, any kinds): for each resource,
 * the sets of that day that `chooseDaySet` does not keep, with the ids of the set it keeps.
 *
 * @example
 * extraSetsOfDay(existing, '2026-11-28'); // [{ backup: snap-2, keptIds: ['snap-1'] }]
 */
export const extraSetsOfDay = (
  backups: readonly BackupRecord[],
  day: string,
): { backup: BackupRecord; keptIds: string[] }[] => {
  const bySource = new Map<string, BackupRecord[]>();
  for (const backup of backups) {
    if (backup.day !== day) continue;
    const key = `${backup.kind}:${backup.sourceId}`;
    bySource.set(key, [...(bySource.get(key) ?? []), backup]);
  }
  return [...bySource.values()].flatMap((ofSource) => {
    const { keptIds, extra } = chooseDaySet(ofSource);
    return extra.map((backup) => ({ backup, keptIds }));
  });
};
