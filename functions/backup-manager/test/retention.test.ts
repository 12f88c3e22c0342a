import { describe, expect, it } from 'vitest';
import { snapshotIdentifier } from '../src/rdsBackups.ts';
import { type BackupRecord, planRetention } from '../src/retention.ts';

const now = new Date('2026-11-28T01:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const backup = (
  id: string,
  sourceId: string,
  days: number,
  extra: Partial<BackupRecord> = {},
): BackupRecord => ({
  id,
  kind: 'ebs',
  sourceId,
  day: daysAgo(days).toISOString().slice(0, 10),
  createdAt: daysAgo(days),
  ready: true,
  ...extra,
});
const ids = (records: BackupRecord[]) => records.map((record) => record.id);

describe('Retention of Nightshift backups', () => {
  it('expires backups older than the retention, oldest first', () => {
    // Act
    const plan = planRetention(
      [backup('b8', 'i-1', 8), backup('b1', 'i-1', 1), backup('b30', 'i-1', 30)],
      {
        retentionDays: 7,
        keepLast: 1,
        now,
      },
    );

    // Assess
    expect(ids(plan.expired)).toEqual(['b30', 'b8']);
    expect(plan.kept).toEqual([]);
  });

  it('keeps a backup exactly at the retention boundary', () => {
    expect(
      planRetention([backup('b7', 'i-1', 7), backup('b0', 'i-1', 0)], {
        retentionDays: 7,
        keepLast: 1,
        now,
      }).expired,
    ).toEqual([]);
  });

  it('never expires the newest backup of a resource, however old', () => {
    // Act
    const plan = planRetention([backup('old', 'i-gone', 90), backup('older', 'i-gone', 95)], {
      retentionDays: 7,
      keepLast: 1,
      now,
    });

    // Assess
    expect(ids(plan.expired)).toEqual(['older']);
    expect(plan.kept).toEqual([
      { backup: expect.objectContaining({ id: 'old' }), reason: 'newest backup of i-gone' },
    ]);
  });

  it('keeps every snapshot of the newest days of a resource (an EBS set has one per volume)', () => {
    // Act
    const plan = planRetention(
      [
        backup('a-root', 'i-1', 20),
        backup('a-data', 'i-1', 20),
        backup('b-root', 'i-1', 30),
        backup('c-root', 'i-1', 40),
      ],
      { retentionDays: 7, keepLast: 2, now },
    );

    // Assess
    expect(ids(plan.expired)).toEqual(['c-root']);
    expect(plan.kept.map((kept) => [kept.backup.id, kept.reason])).toEqual([
      ['a-root', 'among the 2 newest backups of i-1'],
      ['a-data', 'among the 2 newest backups of i-1'],
      ['b-root', 'among the 2 newest backups of i-1'],
    ]);
  });

  it('counts resources of different kinds apart', () => {
    // Act: a DB instance and an EC2 instance that happen to share a name.
    const plan = planRetention(
      [backup('ebs', 'web', 30), backup('db', 'web', 30, { kind: 'rds' })],
      {
        retentionDays: 7,
        keepLast: 1,
        now,
      },
    );

    // Assess
    expect(plan.expired).toEqual([]);
  });

  it('does not delete a backup that is not finished', () => {
    // Act
    const plan = planRetention(
      [backup('stuck', 'i-1', 30, { ready: false }), backup('new', 'i-1', 0)],
      {
        retentionDays: 7,
        keepLast: 1,
        now,
      },
    );

    // Assess
    expect(plan.kept).toEqual([
      { backup: expect.objectContaining({ id: 'stuck' }), reason: 'not finished yet' },
    ]);
  });
});

describe('RDS snapshot identifiers', () => {
  it.each([
    ['orders', 'nightshift-orders-2026-11-28'],
    ['Orders_DB', 'nightshift-orders-db-2026-11-28'],
    ['--weird..name--', 'nightshift-weird-name-2026-11-28'],
    ['1st-db', 'nightshift-1st-db-2026-11-28'],
    ['', 'nightshift-db-2026-11-28'],
  ])('makes %j a valid identifier', (name, expected) => {
    expect(snapshotIdentifier(name, '2026-11-28')).toBe(expected);
  });

  it('stays within 255 characters with no trailing or double hyphen', () => {
    // Act
    const id = snapshotIdentifier(`${'a'.repeat(240)}-${'b'.repeat(40)}`, '2026-11-28');

    // Assess
    expect(id.length).toBeLessThanOrEqual(255);
    expect(id).toMatch(/^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/);
    expect(id.endsWith('-2026-11-28')).toBe(true);
  });
});
