import { describe, expect, it } from 'vitest';
import { originalBackupStamp } from '../src/originalScripts.ts';

const DAY_MS = 86_400_000;

describe('originalBackupStamp', () => {
  it("names a backup as the original script's %Y%m%d-%H%M%S stamp, in UTC", () => {
    // Prepare
    const now = Date.UTC(2026, 10, 29, 1, 0, 0);

    // Act
    const stamp = originalBackupStamp(20, now);

    // Assess
    expect(stamp).toBe('20261109-010000');
    expect(`orders-backup-${stamp}`).toBe('orders-backup-20261109-010000');
  });

  it('counts whole and part days back from now, to the second', () => {
    // Prepare
    const now = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

    // Act
    const stamps = [0, 1, 0.5, 400].map((days) => originalBackupStamp(days, now));

    // Assess
    expect(stamps).toEqual([
      '20260102-030405',
      '20260101-030405',
      '20260101-150405',
      '20241128-030405',
    ]);
  });

  it('pads every field to its width, as strftime does', () => {
    // Act
    const stamp = originalBackupStamp(0, Date.UTC(2027, 0, 5, 6, 7, 8));

    // Assess
    expect(stamp).toBe('20270105-060708');
    expect(stamp).toMatch(/^\d{8}-\d{6}$/);
  });

  it('counts from the current time by default', () => {
    // Prepare
    const before = Date.now();

    // Act
    const stamp = originalBackupStamp(3);

    // Assess
    const after = Date.now();
    expect([originalBackupStamp(3, before), originalBackupStamp(3, after)]).toContain(stamp);
    expect(stamp).not.toBe(originalBackupStamp(3, before + DAY_MS));
  });
});
