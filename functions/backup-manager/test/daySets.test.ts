import { describe, expect, it } from 'vitest';
import { chooseDaySet, extraSetsOfDay } from '../src/daySets.ts';
import type { BackupRecord } from '../src/retention.ts';

const day = '2026-11-28';
const at = (second: number) => new Date(Date.UTC(2026, 10, 28, 1, 0, second));
const backup = (
  id: string,
  set: string,
  second: number,
  extra: Partial<BackupRecord> = {},
): BackupRecord => ({
  id,
  kind: 'ebs',
  sourceId: 'i-1',
  day,
  set,
  createdAt: at(second),
  status: 'pending',
  finished: false,
  permanent: false,
  ...extra,
});
const ids = (backups: BackupRecord[]) => backups.map((record) => record.id);

describe('The one set of a day', () => {
  it('keeps the set that started first, whichever order the sets are read in', () => {
    // Prepare
    const early = [backup('snap-e1', 'set-z', 1), backup('snap-e2', 'set-z', 2)];
    const late = [backup('snap-l1', 'set-a', 3), backup('snap-l2', 'set-a', 4)];

    // Act
    const one = chooseDaySet([...early, ...late]);
    const other = chooseDaySet([...late].reverse().concat(early));

    // Assess
    for (const choice of [one, other]) {
      expect(choice.kept).toBe('set-z');
      expect(choice.keptIds.sort()).toEqual(['snap-e1', 'snap-e2']);
      expect(ids(choice.extra).sort()).toEqual(['snap-l1', 'snap-l2']);
    }
  });

  it('dates a set by its earliest snapshot', () => {
    // Prepare: set-b's first snapshot started before any of set-a's.
    const sets = [
      backup('snap-a1', 'set-a', 2),
      backup('snap-a2', 'set-a', 2),
      backup('snap-b1', 'set-b', 9),
      backup('snap-b2', 'set-b', 1),
    ];

    // Act & Assess
    expect(chooseDaySet(sets).kept).toBe('set-b');
  });

  it('breaks a tie of start times by the lowest set id, in any order', () => {
    // Prepare
    const sets = [backup('snap-2', 'set-b', 5), backup('snap-1', 'set-a', 5)];

    // Act & Assess
    expect(chooseDaySet(sets)).toEqual({
      kept: 'set-a',
      keptIds: ['snap-1'],
      extra: [sets[0]],
    });
    expect(chooseDaySet([...sets].reverse()).kept).toBe('set-a');
  });

  it('never keeps or deletes a set with a failed snapshot, however early', () => {
    // Prepare
    const failed = [
      backup('snap-f1', 'set-failed', 0, { status: 'error' }),
      backup('snap-f2', 'set-failed', 0, { status: 'completed', finished: true }),
    ];
    const whole = [backup('snap-w1', 'set-whole', 5), backup('snap-w2', 'set-whole', 6)];

    // Act
    const choice = chooseDaySet([...failed, ...whole]);

    // Assess
    expect(choice).toEqual({ kept: 'set-whole', keptIds: ['snap-w1', 'snap-w2'], extra: [] });
  });

  it('takes an RDS snapshot as failed by its own word', () => {
    // Prepare
    const rds = (id: string, status: string, second: number) =>
      backup(id, id, second, { kind: 'rds', status });

    // Act & Assess
    expect(chooseDaySet([rds('db-1', 'failed', 0), rds('db-2', 'creating', 1)]).kept).toBe('db-2');
    expect(chooseDaySet([rds('db-1', 'error', 0), rds('db-2', 'creating', 1)]).kept).toBe('db-1');
  });

  it('keeps nothing when every set failed, and keeps a lone set', () => {
    // Act & Assess
    expect(chooseDaySet([backup('snap-1', 'set-a', 0, { status: 'error' })])).toEqual({
      kept: undefined,
      keptIds: [],
      extra: [],
    });
    expect(chooseDaySet([])).toEqual({ kept: undefined, keptIds: [], extra: [] });
    expect(chooseDaySet([backup('snap-1', 'set-a', 0)])).toEqual({
      kept: 'set-a',
      keptIds: ['snap-1'],
      extra: [],
    });
  });

  it('lets two runs that see the sets at different times delete every set but one, never the first', () => {
    // Prepare: run A lists after its own set only; run B lists after both.
    const a = backup('snap-a', 'set-a', 2);
    const b = backup('snap-b', 'set-b', 1);

    // Act
    const seenByA = chooseDaySet([a]);
    const seenByB = chooseDaySet([a, b]);

    // Assess
    const deleted = new Set([...ids(seenByA.extra), ...ids(seenByB.extra)]);
    expect([a, b].filter((record) => !deleted.has(record.id))).toEqual([b]);
  });
});

describe('Extra sets of a day, across resources', () => {
  it('finds, for each resource, the sets of the day beyond the one kept, and nothing of other days', () => {
    // Prepare
    const backups = [
      backup('snap-1a', 'set-1a', 1),
      backup('snap-1b', 'set-1b', 2),
      backup('snap-1c', 'set-1c', 3),
      backup('snap-2a', 'set-2a', 4, { sourceId: 'i-2' }),
      backup('snap-2b', 'set-2b', 0, { sourceId: 'i-2' }),
      backup('snap-3', 'set-3', 0, { sourceId: 'i-3' }),
      backup('snap-old-a', 'set-old-a', 0, { day: '2026-11-27' }),
      backup('snap-old-b', 'set-old-b', 1, { day: '2026-11-27' }),
    ];

    // Act
    const extra = extraSetsOfDay(backups, day);

    // Assess
    expect(extra.map(({ backup: record, keptIds }) => [record.id, keptIds])).toEqual([
      ['snap-1b', ['snap-1a']],
      ['snap-1c', ['snap-1a']],
      ['snap-2a', ['snap-2b']],
    ]);
  });

  it('tells kinds apart: an instance and a database of the same name are two resources', () => {
    // Prepare
    const backups = [
      backup('snap-1', 'set-1', 1, { sourceId: 'orders' }),
      backup('db-1', 'db-1', 0, { sourceId: 'orders', kind: 'rds' }),
    ];

    // Act & Assess
    expect(extraSetsOfDay(backups, day)).toEqual([]);
  });
});
