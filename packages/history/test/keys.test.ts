import { describe, expect, it } from 'vitest';
import {
  daysBetween,
  expiresAtOf,
  historyKey,
  historyPk,
  historySk,
  randomSuffix,
  utcDay,
} from '../src/keys.ts';
import { aRecord } from './fixtures.ts';

describe('history keys', () => {
  it('partitions by the UTC day the run finished', () => {
    // Act & Assess
    expect(historyPk('2026-11-30T23:59:59.999Z')).toBe('history#2026-11-30');
    expect(historyPk('2026-12-01T00:00:00.000Z')).toBe('history#2026-12-01');
    expect(historyPk('2026-12-01T00:30:00.000+01:00')).toBe('history#2026-11-30');
    expect(utcDay(new Date('2026-02-28T12:00:00Z'))).toBe('2026-02-28');
  });

  it('sorts a day by the finish time, then names the service, account, Region and a random suffix', () => {
    // Act
    const sk = historySk(aRecord(), '0a1b2c3d');

    // Assess
    expect(sk).toBe('2026-11-30T03:00:09.000Z#snapshot-cleanup#123456789012#eu-west-1#0a1b2c3d');
    expect(historyKey(aRecord(), '0a1b2c3d')).toEqual({
      pk: { S: 'history#2026-11-30' },
      sk: { S: sk },
    });
  });

  it('makes a new suffix of 8 hex digits for each record', () => {
    // Act
    const suffixes = new Set(Array.from({ length: 50 }, () => randomSuffix()));
    const [first, second] = [historySk(aRecord()), historySk(aRecord())];

    // Assess
    for (const suffix of suffixes) expect(suffix).toMatch(/^[0-9a-f]{8}$/);
    expect(suffixes.size).toBe(50);
    expect(first).not.toBe(second);
    expect(first).toMatch(/#[0-9a-f]{8}$/);
  });

  it('expires a record retentionDays after it finished, in epoch seconds', () => {
    // Act & Assess
    expect(expiresAtOf('2026-11-30T00:00:00.000Z', 400)).toBe(
      Date.parse('2028-01-04T00:00:00.000Z') / 1000,
    );
    expect(expiresAtOf('2026-11-30T00:00:00.999Z', 1)).toBe(
      Date.parse('2026-12-01T00:00:00.000Z') / 1000,
    );
  });

  it('lists every UTC day of a range, both ends included, across a month and a year', () => {
    // Act & Assess
    expect(daysBetween(new Date('2026-12-30T22:00:00Z'), new Date('2027-01-02T00:00:00Z'))).toEqual(
      ['2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02'],
    );
    expect(daysBetween(new Date('2026-11-30T01:00:00Z'), new Date('2026-11-30T02:00:00Z'))).toEqual(
      ['2026-11-30'],
    );
    const instant = new Date('2026-11-30T02:00:00Z');
    expect(daysBetween(instant, instant)).toEqual(['2026-11-30']);
    expect(daysBetween(new Date('2026-11-30T02:00:00Z'), new Date('2026-11-30T01:00:00Z'))).toEqual(
      [],
    );
  });
});
