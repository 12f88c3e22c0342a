import { CLIENT_DEFAULTS } from './clients.ts';

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

/**
 * How long one SDK request may take with the clients' defaults: connecting, then waiting
 * for the answer. A call started just before the margin can last this long.
 */
export const SDK_REQUEST_TIMEOUT_MS =
  (CLIENT_DEFAULTS.requestHandler?.connectionTimeout ?? 0) +
  (CLIENT_DEFAULTS.requestHandler?.requestTimeout ?? 0);

/** Time to publish the report and return, once the last call has ended. */
export const REPORTING_MS = 5_000;

/**
 * Default margin: one SDK request that started just before it, then the report. Work
 * stops early enough that neither is cut off by Lambda's timeout.
 */
export const DEFAULT_SAFETY_MARGIN_MS = SDK_REQUEST_TIMEOUT_MS + REPORTING_MS;

/**
 * A time budget read from `context.getRemainingTimeInMillis()`.
 *
 * @example
 * const budget = createTimeBudget(context, { safetyMarginMs: 30_000 });
 * if (budget.isExhausted()) report.skipped.push({ id, action: 'delete', reason: 'out of time' });
 */
export const createTimeBudget = (
  context: RemainingTime,
  { safetyMarginMs = DEFAULT_SAFETY_MARGIN_MS }: { safetyMarginMs?: number } = {},
): TimeBudget => {
  const remainingMs = () => Math.max(0, context.getRemainingTimeInMillis() - safetyMarginMs);
  return { remainingMs, isExhausted: () => remainingMs() === 0 };
};
