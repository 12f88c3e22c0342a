import { decide, recordInto } from '@nightshift/job';
import { createReport, OUT_OF_TIME, type TimeBudget } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import { applyChanges } from '../src/apply.ts';
import { Action } from '../src/plan.ts';

const budget = (exhausted: boolean): TimeBudget => ({
  remainingMs: () => (exhausted ? 0 : 600_000),
  isExhausted: () => exhausted,
});

describe('morning-report apply', () => {
  it('records each change it carried out', async () => {
    // Prepare
    const report = createReport('morning-report', { dryRun: false });
    const changes = [decide(Action.Flag, 'i-1', 'running'), decide(Action.Flag, 'i-2', 'running')];

    // Act
    await applyChanges(changes, recordInto(report), { concurrency: 2, budget: budget(false) });

    // Assess
    expect(report.done).toEqual([
      { id: 'i-1', action: Action.Flag, reason: 'flagged' },
      { id: 'i-2', action: Action.Flag, reason: 'flagged' },
    ]);
    expect(report.failed).toEqual([]);
  });

  it('leaves the changes it had no time for to the next run', async () => {
    // Prepare
    const report = createReport('morning-report', { dryRun: false });

    // Act
    await applyChanges([decide(Action.Flag, 'i-1', 'running')], recordInto(report), {
      concurrency: 1,
      budget: budget(true),
    });

    // Assess
    expect(report.done).toEqual([]);
    expect(report.skipped).toEqual([{ id: 'i-1', action: Action.Flag, reason: OUT_OF_TIME }]);
  });
});
