import { describe, expect, it } from 'vitest';
import { monthStart, reportWindows } from '../src/windows.ts';

describe('monthStart', () => {
  it('is midnight of the 1st in UTC', () => {
    expect(monthStart(new Date('2026-12-15T12:00:00Z'), 'UTC').toISOString()).toBe(
      '2026-12-01T00:00:00.000Z',
    );
  });

  it("is midnight of the 1st on the zone's wall clock, in winter time", () => {
    expect(monthStart(new Date('2026-12-15T12:00:00Z'), 'Europe/Berlin').toISOString()).toBe(
      '2026-11-30T23:00:00.000Z',
    );
  });

  it('is in summer time when the 1st is, even if now is not', () => {
    // Berlin: 1 October is summer time (UTC+2); 28 October is winter time (UTC+1).
    expect(monthStart(new Date('2026-10-28T12:00:00Z'), 'Europe/Berlin').toISOString()).toBe(
      '2026-09-30T22:00:00.000Z',
    );
  });

  it('follows the wall clock west of UTC, where the month starts later', () => {
    expect(monthStart(new Date('2026-12-01T03:00:00Z'), 'America/New_York').toISOString()).toBe(
      '2026-11-01T04:00:00.000Z',
    );
  });

  it('is the instant itself at midnight of the 1st', () => {
    expect(monthStart(new Date('2026-12-01T00:00:00Z'), 'UTC').toISOString()).toBe(
      '2026-12-01T00:00:00.000Z',
    );
  });
});

describe('reportWindows', () => {
  it('reads a month before the earlier window: early in a month, the last 24 hours', () => {
    // Prepare
    const now = new Date('2026-12-01T07:00:00Z');

    // Act
    const windows = reportWindows(now, 'UTC');

    // Assess
    expect(windows.yesterday.from.toISOString()).toBe('2026-11-30T07:00:00.000Z');
    expect(windows.yesterday.to).toBe(now);
    expect(windows.month.from.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(windows.readFrom.toISOString()).toBe('2026-10-30T07:00:00.000Z');
  });

  it('reads a month before the month began, late in a month', () => {
    const windows = reportWindows(new Date('2026-12-20T07:00:00Z'), 'UTC');
    expect(windows.readFrom.toISOString()).toBe('2026-10-31T00:00:00.000Z');
  });
});
