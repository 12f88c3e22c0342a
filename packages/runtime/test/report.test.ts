import { SECRET_SAMPLES } from '@nightshift/testing';
import { describe, expect, it, vi } from 'vitest';
import { PartialFailureError } from '../src/errors.ts';
import {
  countReport,
  createReport,
  failureReason,
  logReport,
  REPORT_LOG_CHUNK,
  renderReport,
  summarizeReport,
  throwIfFailed,
} from '../src/report.ts';

const sample = () => {
  const report = createReport('snapshot-cleanup', {
    dryRun: false,
    now: new Date('2026-11-28T02:00:00Z'),
  });
  report.done.push({ id: 'snap-1', action: 'delete', reason: 'older than 30 days' });
  report.skipped.push({ id: 'snap-2', action: 'keep', reason: 'tagged Retention=permanent' });
  report.failed.push({ id: 'snap-3', action: 'delete', reason: 'InvalidSnapshot.InUse' });
  return report;
};

describe('Report', () => {
  it('starts empty with its start time', () => {
    // Act
    const report = createReport('backup-manager', {
      dryRun: true,
      now: new Date('2026-01-02T03:04:05Z'),
    });

    // Assess
    expect(report).toEqual({
      service: 'backup-manager',
      dryRun: true,
      startedAt: '2026-01-02T03:04:05.000Z',
      planned: [],
      done: [],
      skipped: [],
      failed: [],
      totals: {},
      notes: [],
    });
  });

  it('counts and renders every list, failures first', () => {
    // Act
    const text = renderReport(sample());

    // Assess
    expect(countReport(sample())).toEqual({ planned: 0, done: 1, skipped: 1, failed: 1 });
    expect(text.split('\n')).toEqual([
      'snapshot-cleanup',
      'started 2026-11-28T02:00:00.000Z',
      'planned 0, done 1, skipped 1, failed 1',
      '',
      'FAILED (1)',
      '- snap-3: delete: InvalidSnapshot.InUse',
      '',
      'DONE (1)',
      '- snap-1: delete: older than 30 days',
      '',
      'SKIPPED (1)',
      '- snap-2: keep: tagged Retention=permanent',
    ]);
  });

  it('renders totals and notes under the counts', () => {
    // Prepare
    const report = createReport('snapshot-cleanup', {
      dryRun: false,
      now: new Date('2026-11-28T02:00:00Z'),
    });
    report.totals.sourceVolumeGiB = 24;
    report.notes.push('source volume sizes are an upper bound');

    // Act & Assess
    expect(renderReport(report).split('\n').slice(3)).toEqual([
      'sourceVolumeGiB: 24',
      'note: source volume sizes are an upper bound',
    ]);
  });

  it('says in the summary and the text when nothing was changed', () => {
    // Prepare
    const report = createReport('infra-scaler', { dryRun: true });
    report.planned.push({ id: 'i-1', action: 'stop', reason: 'AutoScale=true' });

    // Act & Assess
    expect(summarizeReport(report)).toBe(
      'Nightshift infra-scaler: 1 planned (dry run), 0 failed, 0 skipped',
    );
    expect(renderReport(report)).toContain('infra-scaler (dry run: nothing was changed)');
  });

  it('throws a PartialFailureError naming the failed items only when something failed', () => {
    // Prepare
    const clean = createReport('x', { dryRun: false });

    // Act & Assess
    expect(() => throwIfFailed(clean)).not.toThrow();
    expect(() => throwIfFailed(sample())).toThrow(PartialFailureError);
    expect(() => throwIfFailed(sample())).toThrow(
      'snapshot-cleanup: 1 item(s) failed: snap-3 (delete: InvalidSnapshot.InUse)',
    );
  });

  it('names the first five failures and counts the rest', () => {
    // Prepare
    const report = createReport('x', { dryRun: false });
    for (let i = 1; i <= 7; i += 1)
      report.failed.push({ id: `i-${i}`, action: 'stop', reason: 'denied' });

    // Act & Assess
    expect(() => throwIfFailed(report)).toThrow(/i-5 \(stop: denied\) and 2 more$/);
  });

  it('logs a long report whole, in lines of bounded size', () => {
    // Prepare
    const report = sample();
    for (let i = 0; i < REPORT_LOG_CHUNK * 2 + 1; i += 1) {
      report.skipped.push({
        id: `snap-k${i}`,
        action: 'keep',
        reason: 'tagged Retention=permanent',
      });
    }
    const info = vi.fn();

    // Act
    logReport({ info }, report);

    // Assess
    const [summary, ...rest] = info.mock.calls;
    expect(summary).toEqual([
      'Report',
      expect.objectContaining({ counts: { planned: 0, done: 1, skipped: 402, failed: 1 } }),
    ]);
    expect(
      rest.map(([message, { part, parts, entries }]) => [message, part, parts, entries.length]),
    ).toEqual([
      ['Report failed', 1, 1, 1],
      ['Report done', 1, 1, 1],
      ['Report skipped', 1, 3, 200],
      ['Report skipped', 2, 3, 200],
      ['Report skipped', 3, 3, 2],
    ]);
    const logged = rest.flatMap(([, { entries }]) =>
      entries.map((entry: { id: string }) => entry.id),
    );
    expect(logged).toHaveLength(1 + 1 + 402);
  });
});

describe('Secrets in a report', () => {
  it.each(SECRET_SAMPLES.map((sample) => [sample.kind, sample]))(
    'masks a %s that an error quoted in a failed item',
    (_kind, { text, secret }) => {
      // Prepare
      const report = createReport('deploy-notifier', { dryRun: false, now: new Date() });
      const error = new Error(text);

      // Act
      const reason = failureReason(error);
      report.failed.push({ id: 'slack', action: 'deliver', reason });
      report.skipped.push({ id: 'teams', action: 'deliver', reason: text });

      // Assess
      expect(reason).not.toContain(secret);
      expect(renderReport(report)).not.toContain(secret);
    },
  );
});
