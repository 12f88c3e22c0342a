import { DeleteSnapshotCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { Decision, Outcomes } from '@nightshift/job';
import { GONE_AFTER_RETRY, wasRetried } from '@nightshift/runtime';

/** What became of one delete that did not fail. */
export type DeleteOutcome = 'deleted' | 'in-use' | 'already-gone' | 'gone-after-retry';

/**
 * Deletes one snapshot. A snapshot in use (by an AMI registered since the plan, or a
 * volume being created from it) and one already gone are outcomes, not failures;
 * throttling is retried by the client; any other error is thrown for the caller to record.
 * A snapshot found gone by a retried call is `gone-after-retry`: most likely an earlier
 * attempt deleted it and its answer was lost.
 *
 * @example
 * await deleteSnapshot(ec2, 'snap-0abc'); // 'deleted'
 */
export const deleteSnapshot = async (
  ec2: EC2Client,
  snapshotId: string,
): Promise<DeleteOutcome> => {
  try {
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
    return 'deleted';
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'InvalidSnapshot.InUse') return 'in-use';
    if (name === 'InvalidSnapshot.NotFound') {
      return wasRetried(error) ? 'gone-after-retry' : 'already-gone';
    }
    throw error;
  }
};

/** The reason a snapshot found in use is kept. */
export const IN_USE = 'in use (InvalidSnapshot.InUse)';

/** The reason an EBS snapshot found gone before the call is skipped. */
export const ALREADY_GONE = 'already gone (InvalidSnapshot.NotFound)';

/** How `recordDelete` words what the outcome alone does not say. */
export interface RecordDeleteOptions {
  /**
   * The reason a snapshot already gone is skipped; `ALREADY_GONE` unless the caller deletes
   * other kinds of snapshot as well (RDS snapshots are not found by another error name).
   */
  alreadyGone?: string;
}

/**
 * Records what became of one delete decision: `'deleted'` is done with the decision's
 * reason, `'gone-after-retry'` is done with `GONE_AFTER_RETRY` appended, `'in-use'` is
 * skipped as a `keep` (`IN_USE`), `'already-gone'` is skipped as it was decided. Returns
 * whether the snapshot counts as deleted by this run.
 *
 * @example
 * const outcome = await deleteSnapshot(ec2, decision.target);
 * if (recordDelete(outcomes, decision, outcome)) deleted += 1;
 */
export const recordDelete = <A extends string>(
  outcomes: Outcomes<NoInfer<A> | 'keep'>,
  decision: Decision<A>,
  outcome: DeleteOutcome,
  { alreadyGone = ALREADY_GONE }: RecordDeleteOptions = {},
): boolean => {
  switch (outcome) {
    case 'deleted':
      outcomes.done(decision);
      return true;
    case 'gone-after-retry':
      outcomes.done(decision, `${decision.reason}; ${GONE_AFTER_RETRY}`);
      return true;
    case 'in-use':
      outcomes.skipped({ ...decision, action: 'keep' }, IN_USE);
      return false;
    case 'already-gone':
      outcomes.skipped(decision, alreadyGone);
      return false;
  }
};
