import { emptyPlan } from '@nightshift/job';
import { describe, expect, it } from 'vitest';
import { Action, planRun } from '../src/plan.ts';

describe('morning-report plan', () => {
  it('flags a running instance and leaves any other alone, saying why', () => {
    // Act
    const plan = planRun([
      { id: 'i-1', state: 'running', instanceType: 't3.micro', tags: [] },
      { id: 'i-2', state: 'stopped', tags: [] },
    ]);

    // Assess
    expect(plan.changes).toEqual([
      {
        action: Action.Flag,
        target: 'i-1',
        reason: 'running',
        details: { instanceType: 't3.micro' },
      },
    ]);
    expect(plan.skips).toEqual([
      { action: Action.Skip, target: 'i-2', reason: 'stopped, not running' },
    ]);
    expect(plan.problems).toEqual([]);
  });

  it('plans nothing when nothing was read', () => {
    expect(planRun([])).toEqual(emptyPlan());
  });

  it('never plans for an instance without an id', () => {
    expect(() => planRun([{ id: '', state: 'running', tags: [] }])).toThrow(
      expect.objectContaining({ name: 'DecisionError' }),
    );
  });
});
