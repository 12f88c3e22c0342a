import { DeleteSnapshotCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { deleteSnapshot } from '../src/deleteSnapshot.ts';

const ec2Mock = mockClient(EC2Client);
const awsError = (name: string) => Object.assign(new Error(name), { name });

describe('Delete an EBS snapshot', () => {
  beforeEach(() => ec2Mock.reset());

  it('deletes the snapshot it is given', async () => {
    // Prepare
    ec2Mock.on(DeleteSnapshotCommand).resolves({});

    // Act
    const outcome = await deleteSnapshot(new EC2Client({}), 'snap-1');

    // Assess
    expect(outcome).toBe('deleted');
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteSnapshotCommand, { SnapshotId: 'snap-1' });
  });

  it.each([
    ['InvalidSnapshot.InUse', 'in-use'],
    ['InvalidSnapshot.NotFound', 'already-gone'],
  ])('treats %s as the outcome %s, not a failure', async (code, outcome) => {
    // Prepare
    ec2Mock.on(DeleteSnapshotCommand).rejects(awsError(code));

    // Act & Assess
    expect(await deleteSnapshot(new EC2Client({}), 'snap-1')).toBe(outcome);
  });

  it('tells a snapshot a retried call found gone from one that was gone before the call', async () => {
    // Prepare: the SDK counts its attempts on the error it finally throws.
    const afterRetry = Object.assign(awsError('InvalidSnapshot.NotFound'), {
      $metadata: { attempts: 2 },
    });
    ec2Mock
      .on(DeleteSnapshotCommand)
      .rejectsOnce(afterRetry)
      .rejects(awsError('InvalidSnapshot.NotFound'));

    // Act
    const first = await deleteSnapshot(new EC2Client({}), 'snap-1');
    const second = await deleteSnapshot(new EC2Client({}), 'snap-2');

    // Assess
    expect(first).toBe('gone-after-retry');
    expect(second).toBe('already-gone');
  });

  it('throws any other error for the caller to record', async () => {
    // Prepare
    ec2Mock.on(DeleteSnapshotCommand).rejects(awsError('UnauthorizedOperation'));

    // Act & Assess
    await expect(deleteSnapshot(new EC2Client({}), 'snap-1')).rejects.toThrow(
      'UnauthorizedOperation',
    );
  });
});
