import { createReport, OUT_OF_TIME } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import { decide } from '../src/decision.ts';
import { recordInto } from '../src/outcomes.ts';

describe('Record outcomes into a report', () => {
  it('puts each outcome in its list, with the decision it belongs to', () => {
    // Prepare
    const report = createReport('test', { dryRun: false });
    const outcomes = recordInto(report);
    const stop = decide('stop', 'i-1', 'tagged');

    // Act
    outcomes.done(stop);
    outcomes.done(decide('stop', 'i-2', 'tagged'), 'stopped and marked');
    outcomes.failed(decide('stop', 'i-3', 'tagged'), new Error('boom'));
    outcomes.skipped(decide('delete', 'snap-1', 'old'), 'already gone');

    // Assess
    expect(report.done).toEqual([
      { id: 'i-1', action: 'stop', reason: 'tagged' },
      { id: 'i-2', action: 'stop', reason: 'stopped and marked' },
    ]);
    expect(report.failed).toEqual([{ id: 'i-3', action: 'stop', reason: 'Error: boom' }]);
    expect(report.skipped).toEqual([{ id: 'snap-1', action: 'delete', reason: 'already gone' }]);
  });

  it('records the failed and never started items of a bounded run', () => {
    // Prepare
    const report = createReport('test', { dryRun: false });
    const [a, b, c] = ['i-1', 'i-2', 'i-3'].map((id) => decide('stop', id, 'tagged'));

    // Act
    recordInto(report).unfinished({
      failed: [{ item: a as never, error: new Error('throttled') }],
      notStarted: [b as never, c as never],
    });

    // Assess
    expect(report.failed).toEqual([{ id: 'i-1', action: 'stop', reason: 'Error: throttled' }]);
    expect(report.skipped.map((entry) => [entry.id, entry.reason])).toEqual([
      ['i-2', OUT_OF_TIME],
      ['i-3', OUT_OF_TIME],
    ]);
  });
});
