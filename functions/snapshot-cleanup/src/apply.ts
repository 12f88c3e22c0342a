import type { EC2Client } from '@aws-sdk/client-ec2';
import { deleteSnapshot, recordDelete } from '@nightshift/inventory';
import { type Decision, errorReason, type Outcomes } from '@nightshift/job';
import { mapSettled, OUT_OF_TIME, type TimeBudget } from '@nightshift/runtime';
import { type Action, type Deletion, withVolumeNote } from './plan.ts';

/** How deletes are carried out: how many at once, and until when. */
export interface ApplyOptions {
  concurrency: number;
  budget: TimeBudget;
}

/**
 * The outcomes of the deletions, each reason ending with the snapshot's volume note as
 * every report entry of it does (`in use (InvalidSnapshot.InUse); volume vol-0abc no
 * longer exists`).
 */
const noting = (outcomes: Outcomes<Action>, deletions: readonly Deletion[]): Outcomes<Action> => {
  const detailsOf = new Map(deletions.map((deletion) => [deletion.target, deletion.details]));
  const noted = (decision: Decision<Action>, reason: string) => {
    const details = detailsOf.get(decision.target);
    return details ? withVolumeNote(reason, details) : reason;
  };
  const outcomesNoted: Outcomes<Action> = {
    done: (decision, reason = decision.reason) => outcomes.done(decision, noted(decision, reason)),
    failed: (decision, error) => outcomes.failed(decision, noted(decision, errorReason(error))),
    skipped: (decision, reason) => outcomes.skipped(decision, noted(decision, reason)),
    unfinished: ({ failed, notStarted }) => {
      for (const { item, error } of failed) outcomesNoted.failed(item, error);
      for (const item of notStarted) outcomesNoted.skipped(item, OUT_OF_TIME);
    },
  };
  return outcomesNoted;
};

/**
 * Deletes the snapshots planned for deletion, `concurrency` at a time while the budget
 * lasts, and records each outcome: deleted (or found gone by a retried call) is done, in
 * use is kept, already gone is skipped, an error is failed, and what was never started is
 * left for the next run.
 *
 * @example
 * await applyDeletions(ec2, plan.changes, outcomes, { concurrency: 5, budget });
 */
export const applyDeletions = async (
  ec2: EC2Client,
  deletions: readonly Deletion[],
  outcomes: Outcomes<Action>,
  { concurrency, budget }: ApplyOptions,
): Promise<void> => {
  const settled = await mapSettled(deletions, (deletion) => deleteSnapshot(ec2, deletion.target), {
    concurrency,
    budget,
  });
  const noted = noting(outcomes, deletions);
  for (const { item, value } of settled.succeeded) {
    // The outcome's words go after the reason before the volume note, the note last.
    recordDelete(noted, { ...item, reason: item.basis }, value);
  }
  noted.unfinished(settled);
};
