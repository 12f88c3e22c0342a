import { describe, expect, it } from 'vitest';
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
