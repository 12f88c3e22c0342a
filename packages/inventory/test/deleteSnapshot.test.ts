import { DeleteSnapshotCommand, EC2Client } from '@aws-sdk/client-ec2';
import { decide, recordInto } from '@nightshift/job';
import { createReport, GONE_AFTER_RETRY } from '@nightshift/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { deleteSnapshot, recordDelete } from '../src/deleteSnapshot.ts';

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

describe('Record what became of a delete', () => {
  const decision = decide<'delete' | 'keep'>('delete', 'snap-1', 'older than 30 days', {
    volumeSizeGiB: 8,
  });
  const record = (outcome: Parameters<typeof recordDelete>[2], alreadyGone?: string) => {
    const report = createReport('test', { dryRun: false });
    const counted = recordDelete(
      recordInto<'delete' | 'keep'>(report),
      decision,
      outcome,
      alreadyGone === undefined ? {} : { alreadyGone },
    );
    return { counted, report };
  };

  it('records a deleted snapshot as done with the reason it was decided for, and counts it', () => {
    // Act
    const { counted, report } = record('deleted');

    // Assess
    expect(counted).toBe(true);
    expect(report.done).toEqual([
      {
        id: 'snap-1',
        action: 'delete',
        reason: 'older than 30 days',
        details: { volumeSizeGiB: 8 },
      },
    ]);
    expect([...report.skipped, ...report.failed]).toEqual([]);
  });

  it('records a snapshot a retried call found gone as done, says so, and counts it', () => {
    // Act
    const { counted, report } = record('gone-after-retry');

    // Assess
    expect(counted).toBe(true);
    expect(report.done).toEqual([
      {
        id: 'snap-1',
        action: 'delete',
        reason: `older than 30 days; ${GONE_AFTER_RETRY}`,
        details: { volumeSizeGiB: 8 },
      },
    ]);
    expect([...report.skipped, ...report.failed]).toEqual([]);
  });

  it('keeps a snapshot found in use, without counting it', () => {
    // Act
    const { counted, report } = record('in-use');

    // Assess
    expect(counted).toBe(false);
    expect(report.skipped).toEqual([
      {
        id: 'snap-1',
        action: 'keep',
        reason: 'in use (InvalidSnapshot.InUse)',
        details: { volumeSizeGiB: 8 },
      },
    ]);
    expect([...report.done, ...report.failed]).toEqual([]);
  });

  it('skips a snapshot already gone as decided, naming the error, without counting it', () => {
    // Act
    const { counted, report } = record('already-gone');

    // Assess
    expect(counted).toBe(false);
    expect(report.skipped).toEqual([
      {
        id: 'snap-1',
        action: 'delete',
        reason: 'already gone (InvalidSnapshot.NotFound)',
        details: { volumeSizeGiB: 8 },
      },
    ]);
    expect([...report.done, ...report.failed]).toEqual([]);
  });

  it('words a snapshot already gone as the caller asks (one that deletes RDS snapshots too)', () => {
    // Act
    const { counted, report } = record('already-gone', 'already gone');

    // Assess
    expect(counted).toBe(false);
    expect(report.skipped).toEqual([
      { id: 'snap-1', action: 'delete', reason: 'already gone', details: { volumeSizeGiB: 8 } },
    ]);
  });
});
