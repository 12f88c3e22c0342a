import { describe, expect, it } from 'vitest';
import { renderSummary, summarizeRun, type TargetResult } from '../src/summary.ts';
import { NOW, RUN_ID, targets } from './fixtures.ts';

const done = (accountId: string, totals: Record<string, number> = {}): TargetResult => ({
  target: { accountId, region: 'eu-west-1' },
  status: 'done',
  totals,
  failed: [],
  failedCount: 0,
});

const run = (results: TargetResult[], count = 6) =>
  summarizeRun({
    runId: RUN_ID,
    function: 'snapshot-cleanup',
    expected: count,
    startedAt: '2026-11-30T08:00:05.000Z',
    deadline: '2026-11-30T08:30:05.000Z',
    targets: targets(count),
    results,
    now: NOW,
  });

describe('summarizeRun', () => {
  it('counts done, failed and pending targets, names the pending ones and sums the totals', () => {
    // Act
    const summary = run([
      done('100000000001', { snapshotsDeleted: 2, snapshotsKept: 1 }),
      done('100000000000', { snapshotsDeleted: 3 }),
      {
        ...done('100000000003'),
        status: 'failed',
        error: 'TargetError: AccessDenied',
        totals: { snapshotsDeleted: 1 },
      },
    ]);

    // Assess
    expect(summary).toMatchObject({
      runId: RUN_ID,
      function: 'snapshot-cleanup',
      targets: 6,
      done: 2,
      failed: 1,
      pending: 3,
      totals: { snapshotsDeleted: 6, snapshotsKept: 1 },
      failedEntries: 0,
      summaryAt: NOW.toISOString(),
    });
    expect(summary.pendingTargets.map((target) => target.accountId)).toEqual([
      '100000000002',
      '100000000004',
      '100000000005',
    ]);
    expect(summary.worstFailures).toEqual([
      {
        target: { accountId: '100000000003', region: 'eu-west-1' },
        reason: 'TargetError: AccessDenied',
      },
    ]);
  });

  it('lists failed targets before failed entries, by target, at most 5', () => {
    // Act
    const entries = Array.from({ length: 4 }, (_, index) => ({
      id: `snap-${index}`,
      action: 'delete',
      reason: 'InvalidSnapshot.InUse',
    }));
    const summary = run([
      {
        ...done('100000000002'),
        status: 'failed',
        error: 'bang',
        failed: entries.slice(0, 1),
        failedCount: 1,
      },
      { ...done('100000000000'), failed: entries, failedCount: 14 },
      { ...done('100000000001'), status: 'failed', error: 'boom' },
    ]);

    // Assess
    expect(summary.failedEntries).toBe(15);
    expect(summary.worstFailures.map((failure) => failure.id ?? failure.reason)).toEqual([
      'boom',
      'bang',
      'snap-0',
      'snap-1',
      'snap-2',
    ]);
    expect(summary.worstFailures[2]?.target.accountId).toBe('100000000000');
  });

  it('names the pending targets by account, then region, whatever order the list has', () => {
    // Act
    const summary = summarizeRun({
      runId: RUN_ID,
      function: 'snapshot-cleanup',
      expected: 3,
      targets: [
        { accountId: '200000000000', region: 'eu-west-1' },
        { accountId: '100000000000', region: 'us-east-1' },
        { accountId: '100000000000', region: 'eu-west-1' },
      ],
      results: [],
      now: NOW,
    });

    // Assess
    expect(summary.pendingTargets).toEqual([
      { accountId: '100000000000', region: 'eu-west-1' },
      { accountId: '100000000000', region: 'us-east-1' },
      { accountId: '200000000000', region: 'eu-west-1' },
    ]);
  });

  it('says "failed" for a failed target without an error', () => {
    // Act
    const summary = run([{ ...done('100000000000'), status: 'failed' }]);

    // Assess
    expect(summary.worstFailures).toEqual([
      { target: { accountId: '100000000000', region: 'eu-west-1' }, reason: 'failed' },
    ]);
  });

  it('counts every target that reported or is listed, even beyond what the header expects', () => {
    // Act
    const summary = summarizeRun({
      runId: RUN_ID,
      function: 'snapshot-cleanup',
      expected: 1,
      targets: targets(3),
      results: [done('100000000000'), done('100000000001')],
      now: NOW,
    });

    // Assess
    expect(summary).toMatchObject({ targets: 3, done: 2, pending: 1 });
  });

  it('leaves out the start and the deadline when the header has none', () => {
    // Act
    const summary = summarizeRun({
      runId: RUN_ID,
      function: 'snapshot-cleanup',
      expected: 1,
      targets: targets(1),
      results: [done('100000000000', { snapshotsDeleted: 1 })],
      now: NOW,
    });

    // Assess
    expect(summary).not.toHaveProperty('startedAt');
    expect(summary).not.toHaveProperty('deadline');
    expect(renderSummary(summary).message).toBe(
      [
        `snapshot-cleanup: run ${RUN_ID}`,
        `summary at ${NOW.toISOString()}`,
        'targets 1: done 1, failed 0, pending 0',
        'snapshotsDeleted: 1',
        '',
        `Every target's result is in the runs table under pk run#${RUN_ID}.`,
      ].join('\n'),
    );
  });

  it('counts targets it cannot name as pending when the header expects more', () => {
    // Act
    const summary = summarizeRun({
      runId: RUN_ID,
      function: 'snapshot-cleanup',
      expected: 4,
      targets: [],
      results: [done('100000000000')],
      now: NOW,
    });

    // Assess
    expect(summary).toMatchObject({ targets: 4, done: 1, pending: 3, pendingTargets: [] });
  });

  it('summarises a run of no targets', () => {
    // Act
    const summary = run([], 0);

    // Assess
    expect(summary).toMatchObject({ targets: 0, done: 0, failed: 0, pending: 0, totals: {} });
    expect(renderSummary(summary).subject).toBe('Nightshift snapshot-cleanup: no targets');
  });
});

describe('renderSummary', () => {
  it('says in the subject how many targets are done, failed and pending', () => {
    // Act
    const all = renderSummary(
      run([...Array(6).keys()].map((index) => done(`10000000000${index}`))),
    );
    const some = renderSummary(
      run([done('100000000000'), { ...done('100000000001'), status: 'failed', error: 'x' }]),
    );

    // Assess
    expect(all.subject).toBe('Nightshift snapshot-cleanup: 6 of 6 targets done');
    expect(some.subject).toBe(
      'Nightshift snapshot-cleanup: 1 of 6 targets done, 1 failed, 4 pending',
    );
  });

  it('keeps the subject a valid SNS subject whatever the function name', () => {
    // Act
    const { subject } = renderSummary({
      ...run([done('100000000000')]),
      function: `fünction-${'x'.repeat(150)}\n`,
    });

    // Assess
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.startsWith('Nightshift function-xxx')).toBe(true);
  });

  it('writes the run, its counts, totals, worst failures and pending targets as plain text', () => {
    // Act
    const { message } = renderSummary(
      run([
        done('100000000000', { snapshotsDeleted: 3, apiCalls: 10 }),
        {
          ...done('100000000001'),
          status: 'failed',
          error: 'TargetError: AccessDenied',
          failed: [{ id: 'snap-1', action: 'delete', reason: 'InvalidSnapshot.InUse' }],
          failedCount: 1,
        },
      ]),
    );

    // Assess
    expect(message).toBe(
      [
        `snapshot-cleanup: run ${RUN_ID}`,
        'started 2026-11-30T08:00:05.000Z, deadline 2026-11-30T08:30:05.000Z, summary at 2026-11-30T08:00:05.000Z',
        'targets 6: done 1, failed 1, pending 4',
        'failed items reported: 1',
        'apiCalls: 10',
        'snapshotsDeleted: 3',
        '',
        'WORST FAILURES (2)',
        '- 100000000001 eu-west-1: TargetError: AccessDenied',
        '- 100000000001 eu-west-1: snap-1: delete: InvalidSnapshot.InUse',
        '',
        'PENDING (4): no result by the time of the summary',
        '- 100000000002 eu-west-1',
        '- 100000000003 eu-west-1',
        '- 100000000004 eu-west-1',
        '- 100000000005 eu-west-1',
        '',
        `Every target's result is in the runs table under pk run#${RUN_ID}.`,
      ].join('\n'),
    );
  });

  it('writes a dash for a failed entry without an action', () => {
    // Act
    const { message } = renderSummary({
      ...run([], 0),
      worstFailures: [
        { target: { accountId: '100000000000', region: 'eu-west-1' }, id: 'snap-1', reason: 'x' },
      ],
    });

    // Assess
    expect(message).toContain('- 100000000000 eu-west-1: snap-1: -: x');
  });

  it('names at most 100 pending targets, and says how many more', () => {
    // Act
    const { message } = renderSummary(run([], 150));

    // Assess
    expect(message.split('\n').filter((line) => line.startsWith('- 1'))).toHaveLength(100);
    expect(message).toContain('- and 50 more');
  });
});
