import type { Decision, Outcomes } from '@nightshift/job';
import { mapSettled, type TimeBudget } from '@nightshift/runtime';
import type { Action } from './plan.ts';

/** How changes are carried out: how many at once, and until when. */
export interface ApplyOptions {
  concurrency: number;
  budget: TimeBudget;
}

/**
 * Carries out one change and says how it went. The skeleton changes nothing: the AWS call
 * of a change goes here (an adapter of `src/`, its client passed in), and its permission
 * in the function's `template.yaml`.
 */
const carryOut = async (_change: Decision<Action>): Promise<string> => 'flagged';

/**
 * Carries out the planned changes, `concurrency` at a time while the budget lasts, and
 * records each outcome: done, failed with its error, or left for the next run when the
 * budget ran out first. Never called in a dry run.
 *
 * @example
 * await applyChanges(plan.changes, outcomes, { concurrency: 5, budget });
 */
export const applyChanges = async (
  changes: readonly Decision<Action>[],
  outcomes: Outcomes<Action>,
  { concurrency, budget }: ApplyOptions,
): Promise<void> => {
  const settled = await mapSettled(changes, carryOut, { concurrency, budget });
  for (const { item, value } of settled.succeeded) outcomes.done(item, value);
  outcomes.unfinished(settled);
};
