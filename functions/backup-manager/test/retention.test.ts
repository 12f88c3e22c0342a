import { describe, expect, it } from 'vitest';
import { type BackupRecord, planRetention } from '../src/retention.ts';
import { backupRecord, now } from './fixtures.ts';

const backup = backupRecord;
const ids = (records: BackupRecord[]) => records.map((record) => record.id);
const pending = { status: 'pending', finished: false } as const;

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
      {
        backup: expect.objectContaining({ id: 'old' }),
        reason: 'newest finished backup of i-gone',
      },
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
      ['a-root', 'among the 2 newest finished backups of i-1'],
      ['a-data', 'among the 2 newest finished backups of i-1'],
      ['b-root', 'among the 2 newest finished backups of i-1'],
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
    const plan = planRetention([backup('stuck', 'i-1', 30, pending), backup('new', 'i-1', 0)], {
      retentionDays: 7,
      keepLast: 1,
      now,
    });

    // Assess
    expect(plan.kept).toEqual([
      { backup: expect.objectContaining({ id: 'stuck' }), reason: 'not finished (pending)' },
    ]);
  });

  it('keeps an old unfinished backup of a resource that has no finished one at all', () => {
    // Act
    const plan = planRetention([backup('stuck', 'i-1', 30, pending)], {
      retentionDays: 7,
      keepLast: 1,
      now,
    });

    // Assess
    expect(plan).toEqual({
      expired: [],
      kept: [
        { backup: expect.objectContaining({ id: 'stuck' }), reason: 'not finished (pending)' },
      ],
    });
  });

  it('deletes a failed snapshot past retention, and keeps one that failed recently', () => {
    // Act
    const plan = planRetention(
      [
        backup('old-error', 'i-1', 30, { status: 'error', finished: false }),
        backup('new-error', 'i-1', 1, { status: 'error', finished: false }),
        backup('old-failed-db', 'orders', 30, { kind: 'rds', status: 'failed', finished: false }),
        backup('db', 'orders', 0, { kind: 'rds', status: 'available' }),
        backup('new', 'i-1', 0),
      ],
      { retentionDays: 7, keepLast: 1, now },
    );

    // Assess
    expect(ids(plan.expired)).toEqual(['old-error', 'old-failed-db']);
    expect(plan.kept).toEqual([]);
  });

  it('counts a day whose failed set was made again whole, and deletes only the failed snapshot', () => {
    // Act: day 11's first set failed on its data volume; a second set of day 11 is whole.
    const plan = planRetention(
      [
        backup('d10-root', 'i-1', 10),
        backup('d11-root', 'i-1', 9, { set: 'first' }),
        backup('d11-data', 'i-1', 9, { set: 'first', status: 'error', finished: false }),
        backup('d11-root-again', 'i-1', 9, { set: 'second' }),
        backup('d11-data-again', 'i-1', 9, { set: 'second' }),
      ],
      { retentionDays: 7, keepLast: 1, now },
    );

    // Assess
    expect(ids(plan.expired)).toEqual(['d10-root', 'd11-data']);
    expect(plan.kept.map((kept) => kept.backup.id)).toEqual([
      'd11-root',
      'd11-root-again',
      'd11-data-again',
    ]);
  });

  it('keeps the last finished backup of a resource while a newer one is still pending', () => {
    // Prepare: the only completed backup is old; today's and yesterday's are still being made.
    const backups = [
      backup('last-good', 'i-1', 10),
      backup('older', 'i-1', 20),
      backup('today', 'i-1', 0, pending),
      backup('db-last-good', 'orders', 10, { kind: 'rds', status: 'available' }),
      backup('db-today', 'orders', 0, { kind: 'rds', status: 'creating', finished: false }),
    ];

    // Act
    const plan = planRetention(backups, { retentionDays: 7, keepLast: 1, now });

    // Assess
    expect(ids(plan.expired)).toEqual(['older']);
    expect(plan.kept.map((kept) => [kept.backup.id, kept.reason])).toEqual([
      ['last-good', 'newest finished backup of i-1'],
      ['db-last-good', 'newest finished backup of orders'],
    ]);
  });

  it('does not count a day whose set is only partly finished, nor delete its pending snapshot', () => {
    // Act: day 9 has one volume done and one still pending; day 12 is the last whole set.
    const plan = planRetention(
      [
        backup('d9-root', 'i-1', 9),
        backup('d9-data', 'i-1', 9, pending),
        backup('d12-root', 'i-1', 12),
        backup('d12-data', 'i-1', 12),
      ],
      { retentionDays: 7, keepLast: 1, now },
    );

    // Assess
    expect(ids(plan.expired)).toEqual(['d9-root']);
    expect(plan.kept.map((kept) => [kept.backup.id, kept.reason])).toEqual([
      ['d9-data', 'not finished (pending)'],
      ['d12-root', 'newest finished backup of i-1'],
      ['d12-data', 'newest finished backup of i-1'],
    ]);
  });

  it('never expires a backup tagged Retention=permanent, and says so', () => {
    // Act
    const plan = planRetention(
      [
        backup('kept-forever', 'i-1', 60, { permanent: true }),
        backup('old', 'i-1', 30),
        backup('new', 'i-1', 0),
      ],
      { retentionDays: 7, keepLast: 1, now },
    );

    // Assess
    expect(ids(plan.expired)).toEqual(['old']);
    expect(plan.kept).toEqual([
      {
        backup: expect.objectContaining({ id: 'kept-forever' }),
        reason: 'tagged Retention=permanent',
      },
    ]);
  });
});

describe('Retention of adopted backups (made by the original backup script)', () => {
  const adopted = { adopted: true } as const;
  const options = { retentionDays: 7, keepLast: 1, now };

  it('expires them past retention like its own, oldest first, and keeps the newest of each resource', () => {
    // Act: i-1 has a newer backup of Nightshift's; i-2 and orders only the original script's.
    const plan = planRetention(
      [
        backup('legacy-i1-old', 'i-1', 20, adopted),
        backup('legacy-i1', 'i-1', 10, adopted),
        backup('own-i1', 'i-1', 9),
        backup('legacy-i2-old', 'i-2', 30, adopted),
        backup('legacy-i2', 'i-2', 15, adopted),
        backup('legacy-db', 'orders', 12, { ...adopted, kind: 'rds', status: 'available' }),
      ],
      options,
    );

    // Assess
    expect(ids(plan.expired)).toEqual(['legacy-i2-old', 'legacy-i1-old', 'legacy-i1']);
    expect(plan.kept.map((kept) => [kept.backup.id, kept.reason])).toEqual([
      ['own-i1', 'newest finished backup of i-1'],
      ['legacy-i2', 'newest finished backup of i-2'],
      ['legacy-db', 'newest finished backup of orders'],
    ]);
  });

  it('keeps an adopted backup that is the newest of its resource, and expires the older own one', () => {
    // Act: Nightshift's last backup is older than the original script's.
    const plan = planRetention(
      [backup('own', 'i-1', 20), backup('legacy', 'i-1', 10, adopted)],
      options,
    );

    // Assess
    expect(ids(plan.expired)).toEqual(['own']);
    expect(plan.kept).toEqual([
      {
        backup: expect.objectContaining({ id: 'legacy' }),
        reason: 'newest finished backup of i-1',
      },
    ]);
  });

  it('leaves an adopted backup that failed alone, and expires its own failed one', () => {
    // Act
    const plan = planRetention(
      [
        backup('legacy-error', 'i-1', 30, { ...adopted, status: 'error', finished: false }),
        backup('legacy-failed-db', 'orders', 30, {
          ...adopted,
          kind: 'rds',
          status: 'failed',
          finished: false,
        }),
        backup('own-error', 'i-1', 30, { status: 'error', finished: false }),
        backup('new', 'i-1', 0),
      ],
      options,
    );

    // Assess
    expect(ids(plan.expired)).toEqual(['own-error']);
    expect(plan.kept.map((kept) => [kept.backup.id, kept.reason])).toEqual([
      ['legacy-error', 'failed (error), not made by Nightshift: left alone'],
      ['legacy-failed-db', 'failed (failed), not made by Nightshift: left alone'],
    ]);
  });

  it('keeps an adopted backup that failed on the newest day of its resource as failed, not as the newest', () => {
    // Act: day 9 has a whole set of Nightshift's and a failed snapshot of the original's.
    const plan = planRetention(
      [
        backup('own', 'i-1', 9),
        backup('legacy-error', 'i-1', 9, {
          ...adopted,
          set: 'legacy',
          status: 'error',
          finished: false,
        }),
      ],
      options,
    );

    // Assess
    expect(plan.kept.map((kept) => [kept.backup.id, kept.reason])).toEqual([
      ['own', 'newest finished backup of i-1'],
      ['legacy-error', 'failed (error), not made by Nightshift: left alone'],
    ]);
  });

  it('keeps adopted backups tagged Retention=permanent or still being made', () => {
    // Act
    const plan = planRetention(
      [
        backup('legacy-permanent', 'i-1', 40, { ...adopted, permanent: true }),
        backup('legacy-pending', 'i-1', 30, { ...adopted, ...pending }),
        backup('new', 'i-1', 0),
      ],
      options,
    );

    // Assess
    expect(plan.expired).toEqual([]);
    expect(plan.kept.map((kept) => [kept.backup.id, kept.reason])).toEqual([
      ['legacy-permanent', 'tagged Retention=permanent'],
      ['legacy-pending', 'not finished (pending)'],
    ]);
  });

  it('never expires a backup another service manages, nor lets it stand in for the newest', () => {
    // Act: the newest snapshot of i-1 is AWS Backup's; the older one is the last of its own.
    const plan = planRetention(
      [
        backup('aws-backup', 'i-1', 10, { ...adopted, managedBy: 'AWS Backup' }),
        backup('dlm', 'i-1', 11, { ...adopted, managedBy: 'Data Lifecycle Manager' }),
        backup('last-own', 'i-1', 20),
        backup('older-own', 'i-1', 30),
      ],
      options,
    );

    // Assess
    expect(ids(plan.expired)).toEqual(['older-own']);
    expect(plan.kept.map((kept) => [kept.backup.id, kept.reason])).toEqual([
      ['aws-backup', 'managed by AWS Backup'],
      ['dlm', 'managed by Data Lifecycle Manager'],
      ['last-own', 'newest finished backup of i-1'],
    ]);
  });

  it('says a permanent backup managed by another service is kept for its tag', () => {
    // Act
    const plan = planRetention(
      [backup('both', 'i-1', 10, { ...adopted, permanent: true, managedBy: 'AWS Backup' })],
      options,
    );

    // Assess
    expect(plan.kept).toEqual([
      { backup: expect.objectContaining({ id: 'both' }), reason: 'tagged Retention=permanent' },
    ]);
  });
});
