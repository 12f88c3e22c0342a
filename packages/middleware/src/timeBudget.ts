/** What the budget needs from a Lambda context. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/**
 * The time an invocation may still spend on new work, keeping a safety margin for
 * reporting before Lambda's timeout ends it.
 */
export interface TimeBudget {
  /** Milliseconds left before the margin is reached (never negative). */
  remainingMs(): number;
  /** True once the margin is reached: start nothing new, report what remains. */
  isExhausted(): boolean;
}

/** Default margin: time to publish the report and return before the timeout. */
export const DEFAULT_SAFETY_MARGIN_MS = 10_000;

/**
 * A time budget read from `context.getRemainingTimeInMillis()`.
 *
 * @example
 * const budget = createTimeBudget(context, { safetyMarginMs: 15_000 });
 * if (budget.isExhausted()) report.skipped.push({ id, action: 'delete', reason: 'out of time' });
 */
export const createTimeBudget = (
  context: RemainingTime,
  { safetyMarginMs = DEFAULT_SAFETY_MARGIN_MS }: { safetyMarginMs?: number } = {},
): TimeBudget => {
  const remainingMs = () => Math.max(0, context.getRemainingTimeInMillis() - safetyMarginMs);
  return { remainingMs, isExhausted: () => remainingMs() === 0 };
};
