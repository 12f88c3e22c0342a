import { describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, toRunRecord } from '../src/record.ts';
import { aReport, ORIGIN } from './fixtures.ts';

const sizeOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('toRunRecord', () => {
  it('keeps the origin, times, counts and totals, the done and failed items, and the skipped ones that need attention', () => {
    // Act
    const record = toRunRecord(aReport(), ORIGIN);

    // Assess: planned entries and a plain skip are left out, but still counted.
    expect(record).toEqual({
      service: 'infra-scaler',
      environment: 'staging',
      account: '123456789012',
      region: 'eu-west-1',
      startedAt: '2026-11-30T19:00:00.000Z',
      finishedAt: '2026-11-30T19:00:05.000Z',
      dryRun: false,
      counts: { planned: 1, done: 1, skipped: 2, failed: 1 },
      totals: { instancesSeen: 3 },
      items: [
        {
          list: 'done',
          id: 'i-1',
          action: 'stop',
          reason: 'stopped',
          details: { kind: 'instance', instanceType: 't3.micro' },
        },
        { list: 'failed', id: 'i-2', action: 'stop', reason: 'UnauthorizedOperation: denied' },
        {
          list: 'skipped',
          id: 'snap-1',
          action: 'keep',
          reason: 'newest snapshot',
          details: { attention: 'kept only as the last backup of deleted volume vol-1' },
        },
      ],
    });
    expect(record).not.toHaveProperty('truncated');
  });

  it.each([
    ['an empty attention', ''],
    ['attention false', false],
  ])('drops a skipped entry with %s', (_, attention) => {
    // Prepare
    const report = aReport();
    report.skipped = [{ id: 'snap-2', action: 'keep', reason: 'x', details: { attention } }];

    // Act & Assess
    expect(toRunRecord(report, ORIGIN).items.map(({ id }) => id)).toEqual(['i-1', 'i-2']);
  });

  it('keeps a dry run as a dry run, with its counts but without its plan', () => {
    // Prepare
    const report = aReport();
    report.dryRun = true;
    report.done = [];

    // Act
    const record = toRunRecord(report, ORIGIN);

    // Assess
    expect(record.dryRun).toBe(true);
    expect(record.counts.planned).toBe(1);
    expect(record.items.map(({ list }) => list)).toEqual(['failed', 'skipped']);
  });

  it('uses now when the report has no finish, and writes every time as toISOString does', () => {
    // Prepare
    const report = aReport();
    delete report.finishedAt;
    report.startedAt = '2026-11-30T20:00:00+01:00';

    // Act
    const record = toRunRecord(report, ORIGIN, { now: new Date('2026-11-30T19:01:00.000Z') });

    // Assess
    expect(record.startedAt).toBe('2026-11-30T19:00:00.000Z');
    expect(record.finishedAt).toBe('2026-11-30T19:01:00.000Z');
  });

  it('copies the totals rather than sharing them with the report', () => {
    // Prepare
    const report = aReport();

    // Act
    const record = toRunRecord(report, ORIGIN);
    report.totals.instancesSeen = 99;

    // Assess
    expect(record.totals).toEqual({ instancesSeen: 3 });
  });

  it('stays under the size cap: drops the skipped items first, then done items from the end', () => {
    // Prepare: 10 done items of ~1 KB, 5 skipped ones, a failed one; room for about 6 items.
    const report = aReport();
    const reason = 'r'.repeat(1_000);
    report.done = Array.from({ length: 10 }, (_, index) => ({
      id: `i-${index}`,
      action: 'stop',
      reason,
    }));
    report.skipped = Array.from({ length: 5 }, (_, index) => ({
      id: `snap-${index}`,
      action: 'keep',
      reason,
      details: { attention: 'look' },
    }));
    const maxBytes = 7_000;

    // Act
    const record = toRunRecord(report, ORIGIN, { maxBytes });

    // Assess
    expect(sizeOf(record)).toBeLessThanOrEqual(maxBytes);
    expect(record.items.map(({ id }) => id)).toEqual([
      'i-0',
      'i-1',
      'i-2',
      'i-3',
      'i-4',
      'i-5',
      'i-2',
    ]);
    expect(record.items.at(-1)?.list).toBe('failed');
    expect(record.truncated).toBe(9);
    // No more was dropped than needed: the next done item back would not fit.
    const [failed] = record.items.slice(-1);
    const withNext = [...record.items.slice(0, -1), { list: 'done', ...report.done[6] }, failed];
    expect(sizeOf({ ...record, items: withNext, truncated: 8 })).toBeGreaterThan(maxBytes);
    expect(record.counts).toEqual({ planned: 1, done: 10, skipped: 5, failed: 1 });
  });

  it('drops only skipped items when that is enough', () => {
    // Prepare
    const report = aReport();
    const reason = 'r'.repeat(1_000);
    report.skipped = Array.from({ length: 5 }, (_, index) => ({
      id: `snap-${index}`,
      action: 'keep',
      reason,
      details: { attention: 'look' },
    }));
    const whole = sizeOf(toRunRecord(report, ORIGIN));

    // Act: room for all but about two and a half skipped items.
    const record = toRunRecord(report, ORIGIN, { maxBytes: whole - 2_500 });

    // Assess
    expect(record.items.map(({ id }) => id)).toEqual(['i-1', 'i-2', 'snap-0', 'snap-1']);
    expect(record.truncated).toBe(3);
    expect(sizeOf(record)).toBeLessThanOrEqual(whole - 2_500);
  });

  it('fits exactly at the cap without truncating, and truncates one byte under it', () => {
    // Prepare
    const report = aReport();
    const whole = sizeOf(toRunRecord(report, ORIGIN));

    // Act & Assess
    expect(toRunRecord(report, ORIGIN, { maxBytes: whole }).truncated).toBeUndefined();
    expect(toRunRecord(report, ORIGIN, { maxBytes: whole - 1 }).truncated).toBe(1);
  });

  it('counts the truncated field to the byte: the record with it fits the cap exactly', () => {
    // Prepare: the record without its last item, as a truncated one.
    const report = aReport();
    const whole = toRunRecord(report, ORIGIN);
    const oneLess = sizeOf({ ...whole, items: whole.items.slice(0, -1), truncated: 1 });

    // Act
    const atTheCap = toRunRecord(report, ORIGIN, { maxBytes: oneLess });
    const underIt = toRunRecord(report, ORIGIN, { maxBytes: oneLess - 1 });

    // Assess
    expect(atTheCap.truncated).toBe(1);
    expect(sizeOf(atTheCap)).toBe(oneLess);
    expect(underIt.truncated).toBe(2);
    expect(sizeOf(underIt)).toBeLessThanOrEqual(oneLess - 1);
  });

  it('drops failed items too, from the end, when nothing else is left to drop', () => {
    // Prepare
    const report = aReport();
    report.done = [];
    report.skipped = [];
    report.failed = Array.from({ length: 4 }, (_, index) => ({
      id: `i-${index}`,
      action: 'stop',
      reason: 'x'.repeat(1_000),
    }));

    // Act
    const record = toRunRecord(report, ORIGIN, { maxBytes: 2_900 });

    // Assess
    expect(record.items.map(({ id }) => id)).toEqual(['i-0', 'i-1']);
    expect(record.truncated).toBe(2);
  });

  it('keeps thousands of entries within the default cap of a DynamoDB item, counting multi-byte text in bytes', () => {
    // Prepare: 3,000 done items of ~300 bytes (é is two bytes in UTF-8).
    const report = aReport();
    report.done = Array.from({ length: 3_000 }, (_, index) => ({
      id: `i-${String(index).padStart(17, '0')}`,
      action: 'stop',
      reason: 'é'.repeat(120),
      details: { kind: 'instance', instanceType: 'm5.large' },
    }));

    // Act
    const record = toRunRecord(report, ORIGIN);

    // Assess
    expect(sizeOf(record)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(sizeOf(record)).toBeGreaterThan(MAX_RECORD_BYTES - 1_000);
    expect(record.items[0]?.id).toBe('i-00000000000000000');
    expect(record.items.filter(({ list }) => list === 'failed')).toHaveLength(1);
    expect((record.truncated ?? 0) + record.items.length).toBe(3_000 + 1 + 1);
  });
});
