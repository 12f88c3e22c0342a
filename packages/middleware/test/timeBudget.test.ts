import { describe, expect, it } from 'vitest';
import { resolveDryRun } from '../src/dryRun.ts';
import { createTimeBudget } from '../src/timeBudget.ts';

const contextWith = (remaining: () => number) => ({ getRemainingTimeInMillis: remaining });

describe('Time budget', () => {
  it('keeps the safety margin out of the remaining time', () => {
    // Act
    const budget = createTimeBudget(
      contextWith(() => 60_000),
      { safetyMarginMs: 15_000 },
    );

    // Assess
    expect(budget.remainingMs()).toBe(45_000);
    expect(budget.isExhausted()).toBe(false);
  });

  it('is exhausted once the remaining time reaches the margin', () => {
    // Prepare
    let remaining = 10_001;
    const budget = createTimeBudget(contextWith(() => remaining));

    // Act & Assess
    expect(budget.isExhausted()).toBe(false);
    remaining = 10_000;
    expect(budget.isExhausted()).toBe(true);
    remaining = 3_000;
    expect(budget.remainingMs()).toBe(0);
  });
});

describe('Dry-run resolution', () => {
  it.each([
    [undefined, false, false],
    [undefined, true, true],
    [true, false, true],
    [false, true, false],
  ])('event %j with DRY_RUN=%j is a dry run: %j', (eventDryRun, configDryRun, expected) => {
    expect(resolveDryRun(eventDryRun, configDryRun)).toBe(expected);
  });
});
