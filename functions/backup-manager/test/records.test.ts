import { describe, expect, it } from 'vitest';
import { adoptedRdsRecord, snapshotIdentifier } from '../src/records.ts';
import { dayOf, daysAgo, legacyCandidate, stampOf, tags } from './fixtures.ts';

describe('An adopted DB snapshot of the original backup script', () => {
  it('is a backup of the database it was made from, of the day it was made, adopted', () => {
    // Act
    const record = adoptedRdsRecord(legacyCandidate('orders', 20));

    // Assess
    expect(record).toEqual({
      id: `orders-backup-${stampOf(20)}`,
      kind: 'rds',
      sourceId: 'orders',
      day: dayOf(20),
      set: `orders-backup-${stampOf(20)}`,
      createdAt: daysAgo(20),
      status: 'available',
      finished: true,
      permanent: false,
      adopted: true,
    });
  });

  it('is finished only when available, as RDS says it', () => {
    expect(adoptedRdsRecord(legacyCandidate('orders', 20, { status: 'creating' }))).toMatchObject({
      status: 'creating',
      finished: false,
    });
    expect(adoptedRdsRecord(legacyCandidate('orders', 20, { status: 'unknown' })).finished).toBe(
      false,
    );
  });

  it('is permanent when tagged Retention=permanent, and says which service manages it', () => {
    // Act
    const permanent = adoptedRdsRecord(
      legacyCandidate('orders', 20, { tags: tags({ Retention: 'permanent' }) }),
    );
    const managed = adoptedRdsRecord(
      legacyCandidate('orders', 20, { tags: tags({ 'aws:backup:source-resource': 'orders' }) }),
    );

    // Assess
    expect(permanent).toMatchObject({ permanent: true });
    expect(permanent).not.toHaveProperty('managedBy');
    expect(managed).toMatchObject({ permanent: false, managedBy: 'AWS Backup' });
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

  const validIdentifier = /^[a-z](?!.*--)[a-z0-9-]{0,61}[a-z0-9]$/;

  it('keeps a name that fits whole, up to 63 characters in all', () => {
    // Act
    const id = snapshotIdentifier('d'.repeat(41), '2026-11-28');

    // Assess
    expect(id).toBe(`nightshift-${'d'.repeat(41)}-2026-11-28`);
    expect(id).toHaveLength(63);
  });

  it('shortens a 63-character DB identifier to a valid one, with a stable hash', () => {
    // Prepare: the longest DB identifier RDS allows, and one that differs only at its end.
    const longest = `orders-${'x'.repeat(55)}1`;
    const sibling = `orders-${'x'.repeat(55)}2`;

    // Act
    const id = snapshotIdentifier(longest, '2026-11-28');

    // Assess
    expect(longest).toHaveLength(63);
    expect(id.length).toBeLessThanOrEqual(63);
    expect(id).toMatch(validIdentifier);
    expect(id).toMatch(/^nightshift-orders-x+-[0-9a-f]{8}-2026-11-28$/);
    expect(snapshotIdentifier(longest, '2026-11-28')).toBe(id);
    expect(snapshotIdentifier(sibling, '2026-11-28')).not.toBe(id);
    expect(snapshotIdentifier(longest, '2026-11-29')).toBe(id.replace('2026-11-28', '2026-11-29'));
  });

  it('never ends the shortened name with a hyphen or doubles one', () => {
    // Act: the cut falls right after a hyphen.
    const id = snapshotIdentifier(`${'a'.repeat(31)}-${'b'.repeat(40)}`, '2026-11-28');

    // Assess
    expect(id.length).toBeLessThanOrEqual(63);
    expect(id).toMatch(validIdentifier);
    expect(id.endsWith('-2026-11-28')).toBe(true);
  });
});
