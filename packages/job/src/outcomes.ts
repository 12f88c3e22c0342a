import { OUT_OF_TIME, type Report, type SettledMap } from '@nightshift/runtime';
import { type Decision, errorReason, toEntry } from './decision.ts';

/**
 * How `apply` records what became of each decision: the report's `done`, `failed` and
 * `skipped` lists, one entry per decision and outcome.
 */
export interface Outcomes<A extends string = string> {
  /** Carried out; `reason` when the outcome says more than the plan (`'stopped and marked'`). */
  done: (decision: Decision<A>, reason?: string) => void;
  /** Not carried out: the error (or a sentence) says why. */
  failed: (decision: Decision<A>, error: unknown) => void;
  /** Not carried out, and nothing is wrong (`'already gone'`). */
  skipped: (decision: Decision<A>, reason: string) => void;
  /**
   * The failed and never started items of a bounded run (`mapSettled`): failed with their
   * error, and skipped as out of time for the next run.
   */
  unfinished: <T extends Decision<A>>(
    settled: Pick<SettledMap<T, unknown>, 'failed' | 'notStarted'>,
  ) => void;
}

/**
 * The recorder `runJob` hands to `apply`, writing into `report`.
 *
 * @example
 * const outcomes = recordInto(report);
 * outcomes.done(decision, 'deleted');
 */
export const recordInto = <A extends string>(report: Report): Outcomes<A> => {
  const outcomes: Outcomes<A> = {
    done: (decision, reason) => {
      report.done.push(toEntry(decision, reason));
    },
    failed: (decision, error) => {
      report.failed.push(toEntry(decision, errorReason(error)));
    },
    skipped: (decision, reason) => {
      report.skipped.push(toEntry(decision, reason));
    },
    unfinished: ({ failed, notStarted }) => {
      for (const { item, error } of failed) outcomes.failed(item, error);
      for (const item of notStarted) outcomes.skipped(item, OUT_OF_TIME);
    },
  };
  return outcomes;
};
