import { DeleteSnapshotCommand, EC2Client } from '@aws-sdk/client-ec2';
import { recordInto } from '@nightshift/job';
import {
  createReport,
  GONE_AFTER_RETRY,
  OUT_OF_TIME,
  type Report,
  type TimeBudget,
} from '@nightshift/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { applyDeletions } from '../src/apply.ts';
import { type Action, type Deletion, type SnapshotDetails, withVolumeNote } from '../src/plan.ts';

const ec2Mock = mockClient(EC2Client);
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });
const plenty: TimeBudget = { remainingMs: () => 600_000, isExhausted: () => false };

/** A deletion as the planner makes it: of a snapshot whose volume exists, or is gone. */
const deletion = (id: string, volume: 'exists' | 'deleted' = 'exists'): Deletion => {
  const details: SnapshotDetails = {
    volumeId: `vol-of-${id}`,
    volume,
    volumeSizeGiB: 8,
    ageDays: 40,
    startTime: '2026-10-19T03:00:00.000Z',
  };
  const basis = 'older than 30 days';
  return { action: 'delete', target: id, reason: withVolumeNote(basis, details), basis, details };
};

const apply = async (
  deletions: Deletion[],
  { budget = plenty, concurrency = 5 }: { budget?: TimeBudget; concurrency?: number } = {},
): Promise<Report> => {
  const report = createReport('snapshot-cleanup', { dryRun: false });
  await applyDeletions(new EC2Client({}), deletions, recordInto<Action>(report), {
    concurrency,
    budget,
  });
  return report;
};
const reasons = (entries: { id: string; action: string; reason: string }[]) =>
  entries.map(({ id, action, reason }) => ({ id, action, reason }));

describe('Apply the deletions', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
  });

  it('deletes each planned snapshot by its id and records it done with its reason and details', async () => {
    // Prepare
    const planned = deletion('snap-1');

    // Act
    const report = await apply([planned]);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteSnapshotCommand, { SnapshotId: 'snap-1' });
    expect(report.done).toEqual([
      { id: 'snap-1', action: 'delete', reason: 'older than 30 days', details: planned.details },
    ]);
    expect([...report.skipped, ...report.failed]).toEqual([]);
  });

  it('records in-use, already-gone, found-gone-by-a-retry and failed deletes per snapshot, and goes on', async () => {
    // Prepare
    ec2Mock
      .on(DeleteSnapshotCommand, { SnapshotId: 'snap-in-use' })
      .rejects(awsError('InvalidSnapshot.InUse'));
    ec2Mock
      .on(DeleteSnapshotCommand, { SnapshotId: 'snap-gone' })
      .rejects(awsError('InvalidSnapshot.NotFound'));
    ec2Mock
      .on(DeleteSnapshotCommand, { SnapshotId: 'snap-retried' })
      .rejects(Object.assign(awsError('InvalidSnapshot.NotFound'), { $metadata: { attempts: 2 } }));
    ec2Mock
      .on(DeleteSnapshotCommand, { SnapshotId: 'snap-denied' })
      .rejects(awsError('UnauthorizedOperation', 'You are not authorized'));

    // Act
    const report = await apply(
      ['snap-1', 'snap-in-use', 'snap-gone', 'snap-retried', 'snap-denied', 'snap-2'].map((id) =>
        deletion(id),
      ),
    );

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 6);
    expect(reasons(report.done)).toEqual([
      { id: 'snap-1', action: 'delete', reason: 'older than 30 days' },
      { id: 'snap-retried', action: 'delete', reason: `older than 30 days; ${GONE_AFTER_RETRY}` },
      { id: 'snap-2', action: 'delete', reason: 'older than 30 days' },
    ]);
    expect(reasons(report.skipped)).toEqual([
      { id: 'snap-in-use', action: 'keep', reason: 'in use (InvalidSnapshot.InUse)' },
      { id: 'snap-gone', action: 'delete', reason: 'already gone (InvalidSnapshot.NotFound)' },
    ]);
    expect(reasons(report.failed)).toEqual([
      {
        id: 'snap-denied',
        action: 'delete',
        reason: 'UnauthorizedOperation: You are not authorized',
      },
    ]);
  });

  it('ends every outcome of a snapshot whose volume is gone with that, after what the outcome says', async () => {
    // Prepare
    const errors: Record<string, Error> = {
      'snap-in-use': awsError('InvalidSnapshot.InUse'),
      'snap-gone': awsError('InvalidSnapshot.NotFound'),
      'snap-retried': Object.assign(awsError('InvalidSnapshot.NotFound'), {
        $metadata: { attempts: 2 },
      }),
      'snap-denied': awsError('UnauthorizedOperation', 'You are not authorized'),
    };
    let calls = 0;
    ec2Mock.on(DeleteSnapshotCommand).callsFake(async ({ SnapshotId }: { SnapshotId: string }) => {
      calls += 1;
      const error = errors[SnapshotId];
      if (error) throw error;
      return {};
    });
    const budget: TimeBudget = { remainingMs: () => 0, isExhausted: () => calls >= 5 };
    const ids = ['snap-1', 'snap-in-use', 'snap-gone', 'snap-retried', 'snap-denied', 'snap-late'];

    // Act
    const report = await apply(
      ids.map((id) => deletion(id, 'deleted')),
      { budget, concurrency: 1 },
    );

    // Assess
    const note = (id: string) => `volume vol-of-${id} no longer exists`;
    expect(reasons(report.done)).toEqual([
      { id: 'snap-1', action: 'delete', reason: `older than 30 days; ${note('snap-1')}` },
      {
        id: 'snap-retried',
        action: 'delete',
        reason: `older than 30 days; ${GONE_AFTER_RETRY}; ${note('snap-retried')}`,
      },
    ]);
    expect(reasons(report.skipped)).toEqual([
      {
        id: 'snap-in-use',
        action: 'keep',
        reason: `in use (InvalidSnapshot.InUse); ${note('snap-in-use')}`,
      },
      {
        id: 'snap-gone',
        action: 'delete',
        reason: `already gone (InvalidSnapshot.NotFound); ${note('snap-gone')}`,
      },
      { id: 'snap-late', action: 'delete', reason: `${OUT_OF_TIME}; ${note('snap-late')}` },
    ]);
    expect(reasons(report.failed)).toEqual([
      {
        id: 'snap-denied',
        action: 'delete',
        reason: `UnauthorizedOperation: You are not authorized; ${note('snap-denied')}`,
      },
    ]);
  });

  it('stops starting deletes when the time budget runs out and leaves the rest for the next run', async () => {
    // Prepare
    let deletes = 0;
    ec2Mock.on(DeleteSnapshotCommand).callsFake(async () => {
      deletes += 1;
      return {};
    });
    const budget: TimeBudget = { remainingMs: () => 0, isExhausted: () => deletes >= 2 };

    // Act
    const report = await apply(
      ['snap-1', 'snap-2', 'snap-3', 'snap-4'].map((id) => deletion(id)),
      { budget, concurrency: 1 },
    );

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 2);
    expect(report.done.map((entry) => entry.id)).toEqual(['snap-1', 'snap-2']);
    expect(reasons(report.skipped)).toEqual([
      { id: 'snap-3', action: 'delete', reason: OUT_OF_TIME },
      { id: 'snap-4', action: 'delete', reason: OUT_OF_TIME },
    ]);
    expect(report.failed).toEqual([]);
  });
});
