import { describe, expect, it } from 'vitest';
import { CLIENT_DEFAULTS } from '../src/clients.ts';
import {
  createTimeBudget,
  DEFAULT_SAFETY_MARGIN_MS,
  SDK_REQUEST_TIMEOUT_MS,
} from '../src/timeBudget.ts';

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
    let remaining = DEFAULT_SAFETY_MARGIN_MS + 1;
    const budget = createTimeBudget(contextWith(() => remaining));

    // Act & Assess
    expect(budget.remainingMs()).toBe(1);
    expect(budget.isExhausted()).toBe(false);
    remaining = DEFAULT_SAFETY_MARGIN_MS;
    expect(budget.isExhausted()).toBe(true);
    remaining = 3_000;
    expect(budget.remainingMs()).toBe(0);
    expect(budget.isExhausted()).toBe(true);
  });

  it('by default keeps back more than one SDK request: a call started at the last moment still ends before the report', () => {
    // Prepare
    const { connectionTimeout = 0, requestTimeout = 0 } = CLIENT_DEFAULTS.requestHandler ?? {};
    // A request started just before the margin, as late as the budget allows.
    let remaining = DEFAULT_SAFETY_MARGIN_MS + 1;
    const budget = createTimeBudget(contextWith(() => remaining));

    // Act
    const mayStart = !budget.isExhausted();
    remaining -= connectionTimeout + requestTimeout;

    // Assess
    expect(requestTimeout).toBeGreaterThan(0);
    expect(SDK_REQUEST_TIMEOUT_MS).toBe(connectionTimeout + requestTimeout);
    expect(mayStart).toBe(true);
    // Once it timed out, time is left to publish the report before Lambda's timeout.
    expect(remaining).toBeGreaterThanOrEqual(5_000);
  });
});
