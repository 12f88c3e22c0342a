import { failureReason, type ReportEntry } from '@nightshift/runtime';

/** Facts about a resource that a report shows beside a decision (`sizeGiB: 100`). */
export type Details = Record<string, string | number | boolean>;

/**
 * What a planner decided for one resource: a typed action, the resource it is about, and
 * why. Decisions are data: a dry run reports them, a real run carries them out, a test
 * compares them.
 */
export interface Decision<A extends string = string> {
  action: A;
  /** The resource id (`i-0abc`, `snap-0abc`, `web-asg`); never empty. */
  target: string;
  reason: string;
  details?: Details;
}

/** A decision without a resource id: the planner was given a record it cannot act on. */
export class DecisionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecisionError';
  }
}

/**
 * A decision, checked: its target must be a real id, so that an empty string can never
 * reach a stop or a delete call.
 *
 * @example
 * decide('delete', 'snap-0abc', 'older than 30 days', { ageDays: 41 });
 */
export const decide = <A extends string>(
  action: A,
  target: string,
  reason: string,
  details?: Details,
): Decision<A> => {
  if (target.trim().length === 0)
    throw new DecisionError(`a ${action} decision needs a resource id (${reason})`);
  return details ? { action, target, reason, details } : { action, target, reason };
};

/**
 * The report entry of a decision, with another reason when the outcome says more than
 * the plan did.
 *
 * @example
 * toEntry(decision, 'stopped and marked'); // { id: 'i-0abc', action: 'stop', reason: 'stopped and marked' }
 */
export const toEntry = (decision: Decision, reason = decision.reason): ReportEntry => ({
  id: decision.target,
  action: decision.action,
  reason,
  ...(decision.details ? { details: decision.details } : {}),
});

/** The reason a failed decision carries: the error, credentials masked. */
export const errorReason = (error: unknown): string =>
  typeof error === 'string'
    ? error
    : failureReason(error instanceof Error ? error : new Error(String(error)));
