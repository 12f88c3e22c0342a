import { DeleteSnapshotCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { wasRetried } from '@nightshift/runtime';

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
