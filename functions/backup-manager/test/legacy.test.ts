import { describe, expect, it } from 'vitest';
import { isLegacyEbsBackup, isLegacyRdsName, legacyRdsOwner } from '../src/legacy.ts';
import type { LegacyRdsSnapshot } from '../src/records.ts';
import { selector } from './fixtures.ts';

const tags = (record: Record<string, string>) =>
  Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
const legacyEbsTags = (extra: Record<string, string> = {}) =>
  tags({
    Name: 'web-backup-20261101',
    Environment: 'production',
    InstanceId: 'i-1',
    VolumeId: 'vol-1',
    AutomatedBackup: 'true',
    CreatedBy: 'lambda-backup-automation',
    ...extra,
  });

describe('The original backup script’s EBS snapshots', () => {
  it('are recognised by the tags it wrote, for the environment it wrote', () => {
    expect(isLegacyEbsBackup(legacyEbsTags(), 'production')).toBe(true);
  });

  it.each([
    ['another environment', { Environment: 'staging' }],
    ['another tool', { CreatedBy: 'someone-else' }],
    ['Nightshift', { CreatedBy: 'nightshift' }],
    ['not an automated backup', { AutomatedBackup: 'false' }],
  ])('are not confused with snapshots of %s', (_what, extra) => {
    expect(isLegacyEbsBackup(legacyEbsTags(extra), 'production')).toBe(false);
  });

  it('need every tag that says so', () => {
    // Act: each of the three tags left off in turn.
    const without = (key: string) => legacyEbsTags().filter((tag) => tag.Key !== key);

    // Assess
    expect(isLegacyEbsBackup(without('CreatedBy'), 'production')).toBe(false);
    expect(isLegacyEbsBackup(without('AutomatedBackup'), 'production')).toBe(false);
    expect(isLegacyEbsBackup(without('Environment'), 'production')).toBe(false);
    expect(isLegacyEbsBackup(undefined, 'production')).toBe(false);
  });
});

describe('The original backup script’s DB snapshot names', () => {
  it.each([
    ['db-backup-20260101-010101', 'db', true],
    ['orders-backup-20261101-235959', 'orders', true],
    ['db-backup-x', 'db', false],
    ['db-backup-2026010-010101', 'db', false],
    ['db-backup-20260101-0101010', 'db', false],
    ['db-backup-20260101010101', 'db', false],
    ['db-backup-20260101-010101-copy', 'db', false],
    ['copy-db-backup-20260101-010101', 'db', false],
    ['other-db-backup-20260101-010101', 'db', false],
    ['db-backup-20260101-010101', 'other-db', false],
    ['db-backup-20260101-010101', 'db-backup', false],
    ['db-backup-backup-20260101-010101', 'db-backup', true],
    ['db-backup-backup-20260101-010101', 'db', false],
    ['db-backup-', 'db', false],
    ['nightshift-db-2026-01-01', 'db', false],
  ])('%s is a backup of %s: %s', (snapshotId, databaseId, expected) => {
    expect(isLegacyRdsName(snapshotId, databaseId)).toBe(expected);
  });
});

describe('Whose a DB snapshot named like the original script’s is', () => {
  const snapshot = (
    id: string,
    databaseId: string,
    extra: Partial<LegacyRdsSnapshot> = {},
  ): Pick<LegacyRdsSnapshot, 'id' | 'sourceId' | 'tags'> => ({
    id,
    sourceId: databaseId,
    tags: [],
    ...extra,
  });
  const context = {
    targets: new Set(['db', 'db-backup']),
    databases: new Set(['db', 'db-backup', 'other-db', 'staging-db']),
    selector,
  };

  it('adopts a backup of a database the run backs up', () => {
    expect(legacyRdsOwner(snapshot('db-backup-20260101-010101', 'db'), context)).toBe('adopt');
  });

  it('reads the database from the snapshot, never from its name', () => {
    // Act: the name fits `db`, but the snapshot was made from `db-backup`; and the reverse.
    const ofDbBackup = legacyRdsOwner(snapshot('db-backup-20260101-010101', 'db-backup'), context);
    const ofDb = legacyRdsOwner(snapshot('db-backup-backup-20260101-010101', 'db'), context);
    const named = legacyRdsOwner(
      snapshot('db-backup-backup-20260101-010101', 'db-backup'),
      context,
    );

    // Assess
    expect([ofDbBackup, ofDb, named]).toEqual(['other', 'other', 'adopt']);
  });

  it('leaves alone a snapshot of a database of another environment or not backed up', () => {
    expect(legacyRdsOwner(snapshot('other-db-backup-20260101-010101', 'other-db'), context)).toBe(
      'other',
    );
    // Even when it carries this environment's tags: the database's own tags say otherwise now.
    expect(
      legacyRdsOwner(
        snapshot('staging-db-backup-20260101-010101', 'staging-db', {
          tags: tags({ Environment: 'production', Backup: 'true' }),
        }),
        context,
      ),
    ).toBe('other');
  });

  it('leaves alone a name that does not fit exactly, and Nightshift’s own', () => {
    expect(legacyRdsOwner(snapshot('db-backup-x', 'db'), context)).toBe('other');
    expect(legacyRdsOwner(snapshot('db-backup-20260101-010101', ''), context)).toBe('other');
    expect(legacyRdsOwner(snapshot('', 'db'), context)).toBe('other');
    expect(
      legacyRdsOwner(
        snapshot('db-backup-20260101-010101', 'db', {
          tags: tags({ CreatedBy: 'nightshift', AutomatedBackup: 'true' }),
        }),
        context,
      ),
    ).toBe('other');
  });

  it('never adopts a snapshot that names no database, even tagged for the environment', () => {
    // Prepare: with no database, `-backup-<stamp>` would fit the name of a backup of ''.
    const tagged = { tags: tags({ Environment: 'production', Backup: 'true' }) };

    // Act, Assess
    expect(legacyRdsOwner(snapshot('-backup-20260101-010101', '', tagged), context)).toBe('other');
    expect(legacyRdsOwner(snapshot('', '', tagged), context)).toBe('other');
  });

  it('adopts a backup of a database that no longer exists only when it carries the environment and backup tags', () => {
    // Prepare: tags the database had, copied onto its snapshots by RDS.
    const gone = (extra: Record<string, string> | undefined) =>
      legacyRdsOwner(
        snapshot('gone-backup-20260101-010101', 'gone', extra ? { tags: tags(extra) } : {}),
        context,
      );

    // Act, Assess
    expect(gone({ Environment: 'production', Backup: 'true' })).toBe('adopt');
    expect(gone(undefined)).toBe('unknown');
    expect(gone({ Environment: 'production' })).toBe('unknown');
    expect(gone({ Backup: 'true' })).toBe('unknown');
    expect(gone({ Environment: 'staging', Backup: 'true' })).toBe('unknown');
    expect(gone({ Environment: 'production', Backup: 'false' })).toBe('unknown');
  });
});
