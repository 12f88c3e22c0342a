import {
  DeleteSnapshotCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createObservability, type TimeBudget, ValidationError } from '@nightshift/middleware';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runCleanup } from '../src/cleanup.ts';
import { loadCleanupConfig } from '../src/config.ts';

const ec2Mock = mockClient(EC2Client);
const snsMock = mockClient(SNSClient);
const topicArn = 'arn:aws:sns:us-east-1:123456789012:nightshift-reports';
const now = new Date('2026-11-28T03:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });
const plenty: TimeBudget = { remainingMs: () => 600_000, isExhausted: () => false };

let serial = 0;
const snap = (days: number, extra: Partial<Snapshot> = {}): Snapshot => {
  serial += 1;
  return {
    SnapshotId: `snap-${String(serial).padStart(4, '0')}`,
    VolumeId: `vol-${serial}`,
    VolumeSize: 10,
    State: 'completed',
    StartTime: daysAgo(days),
    ...extra,
  };
};

// Each fixture snapshot has a volume of its own, so these runs turn off the rule that
// keeps the newest snapshot of every volume; one test below covers that rule.
const setup = (env: Record<string, string> = {}) => {
  const observability = createObservability('snapshot-cleanup');
  const addMetric = vi.spyOn(observability.metrics, 'addMetric');
  const deps = { ec2: new EC2Client({}), sns: new SNSClient({}), ...observability, now: () => now };
  const config = loadCleanupConfig({
    SNS_TOPIC_ARN: topicArn,
    KEEP_LATEST_PER_VOLUME: 'false',
    ...env,
  });
  return { deps, config, addMetric };
};
const givenSnapshots = (...snapshots: Snapshot[]) => {
  ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: snapshots });
};
const ids = (entries: { id: string }[]) => entries.map((entry) => entry.id);

describe('Snapshot cleanup run', () => {
  beforeEach(() => {
    ec2Mock.reset();
    snsMock.reset();
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('reads every page of snapshots and of AMIs before deciding', async () => {
    // Prepare: three pages of snapshots; the AMI on the second page of images uses a
    // snapshot from the last page of snapshots.
    const [a, b, c, d] = [snap(40), snap(41), snap(42), snap(43)];
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({ Snapshots: [a], NextToken: 's1' })
      .resolvesOnce({ Snapshots: [b, c], NextToken: 's2' })
      .resolvesOnce({ Snapshots: [d] });
    ec2Mock
      .on(DescribeImagesCommand)
      .resolvesOnce({ Images: [{ ImageId: 'ami-1', BlockDeviceMappings: [] }], NextToken: 'i1' })
      .resolvesOnce({
        Images: [
          { ImageId: 'ami-2', BlockDeviceMappings: [{ Ebs: { SnapshotId: d.SnapshotId } }] },
        ],
      });
    const { deps, config } = setup();

    // Act
    const report = await runCleanup(deps, config, {}, plenty);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeSnapshotsCommand, 3);
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeSnapshotsCommand, 1, {
      OwnerIds: ['self'],
    });
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeSnapshotsCommand, 3, {
      OwnerIds: ['self'],
      NextToken: 's2',
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeImagesCommand, 2);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeImagesCommand, {
      Owners: ['self'],
      IncludeDeprecated: true,
      IncludeDisabled: true,
    });
    expect(ids(report.done).sort()).toEqual([a, b, c].map((s) => s.SnapshotId).sort());
    expect(report.skipped).toMatchObject([
      { id: d.SnapshotId, action: 'keep', reason: 'used by AMI ami-2' },
    ]);
    expect(ec2Mock).not.toHaveReceivedCommandWith(DeleteSnapshotCommand, {
      SnapshotId: d.SnapshotId,
    });
  });

  it('records in-use, already-gone, throttled and other failures per snapshot, and goes on', async () => {
    // Prepare
    const [ok1, inUse, gone, throttled, denied, ok2] = [
      snap(60),
      snap(59),
      snap(58),
      snap(57),
      snap(56),
      snap(55),
    ];
    givenSnapshots(ok1, inUse, gone, throttled, denied, ok2);
    ec2Mock
      .on(DeleteSnapshotCommand, { SnapshotId: inUse.SnapshotId })
      .rejects(awsError('InvalidSnapshot.InUse'));
    ec2Mock
      .on(DeleteSnapshotCommand, { SnapshotId: gone.SnapshotId })
      .rejects(awsError('InvalidSnapshot.NotFound'));
    ec2Mock
      .on(DeleteSnapshotCommand, { SnapshotId: throttled.SnapshotId })
      .rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));
    ec2Mock
      .on(DeleteSnapshotCommand, { SnapshotId: denied.SnapshotId })
      .rejects(awsError('UnauthorizedOperation', 'You are not authorized'));
    const { deps, config, addMetric } = setup();

    // Act
    const report = await runCleanup(deps, config, {}, plenty);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 6);
    expect(ids(report.done)).toEqual([ok1.SnapshotId, ok2.SnapshotId]);
    expect(report.skipped).toMatchObject([
      { id: inUse.SnapshotId, action: 'keep', reason: 'in use (InvalidSnapshot.InUse)' },
      { id: gone.SnapshotId, action: 'delete', reason: 'already gone (InvalidSnapshot.NotFound)' },
    ]);
    expect(report.failed).toMatchObject([
      { id: throttled.SnapshotId, reason: 'RequestLimitExceeded: Request limit exceeded.' },
      { id: denied.SnapshotId, reason: 'UnauthorizedOperation: You are not authorized' },
    ]);
    expect(addMetric).toHaveBeenCalledWith('SnapshotsDeleted', 'Count', 2);
    expect(addMetric).toHaveBeenCalledWith('SnapshotsKept', 'Count', 1);
    expect(addMetric).toHaveBeenCalledWith('SnapshotDeleteFailures', 'Count', 2);
  });

  it('deletes at most the per-run cap, oldest first, and reports the rest for the next run', async () => {
    // Prepare
    const snapshots = [snap(35), snap(90), snap(50), snap(70)];
    givenSnapshots(...snapshots);
    const { deps, config } = setup({ MAX_DELETIONS_PER_RUN: '2' });

    // Act
    const report = await runCleanup(deps, config, {}, plenty);

    // Assess
    expect(ids(report.done)).toEqual([snapshots[1]?.SnapshotId, snapshots[3]?.SnapshotId]);
    expect(report.skipped).toMatchObject([
      {
        id: snapshots[2]?.SnapshotId,
        reason: 'over the cap of 2 deletions per run; the next run continues',
      },
      {
        id: snapshots[0]?.SnapshotId,
        reason: 'over the cap of 2 deletions per run; the next run continues',
      },
    ]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 2);
  });

  it('stops starting deletes when the time budget runs out and reports what remains', async () => {
    // Prepare
    const snapshots = [snap(90), snap(80), snap(70), snap(60)];
    givenSnapshots(...snapshots);
    let deletes = 0;
    ec2Mock.on(DeleteSnapshotCommand).callsFake(async () => {
      deletes += 1;
      return {};
    });
    const budget: TimeBudget = { remainingMs: () => 0, isExhausted: () => deletes >= 2 };
    const { deps, config } = setup({ DELETE_CONCURRENCY: '1' });

    // Act
    const report = await runCleanup(deps, config, {}, budget);

    // Assess
    expect(ids(report.done)).toEqual([snapshots[0]?.SnapshotId, snapshots[1]?.SnapshotId]);
    expect(report.skipped).toMatchObject([
      { id: snapshots[2]?.SnapshotId, reason: 'out of time for this run; the next run continues' },
      { id: snapshots[3]?.SnapshotId, reason: 'out of time for this run; the next run continues' },
    ]);
    expect(report.failed).toEqual([]);
  });

  it('deletes nothing in a dry run and reports the same plan', async () => {
    // Prepare
    const [old, kept, young] = [
      snap(40),
      snap(40, { Tags: [{ Key: 'Retention', Value: 'permanent' }] }),
      snap(3),
    ];
    givenSnapshots(old, kept, young);
    const { deps, config } = setup();

    // Act
    const report = await runCleanup(deps, config, { dryRun: true }, plenty);

    // Assess
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
    expect(report.dryRun).toBe(true);
    expect(ids(report.planned)).toEqual([old.SnapshotId]);
    expect(report.done).toEqual([]);
    expect(report.skipped).toMatchObject([
      { id: kept.SnapshotId, reason: 'tagged Retention=permanent' },
    ]);
    expect(report.totals).toEqual({
      retentionDays: 30,
      snapshotsSeen: 3,
      withinRetention: 1,
      kept: 1,
      deleted: 0,
      sourceVolumeGiB: 10,
    });
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      MessageAttributes: expect.objectContaining({
        dryRun: { DataType: 'String', StringValue: 'true' },
      }),
    });
  });

  it('takes DRY_RUN=true from the environment as a lock that no event turns off', async () => {
    // Prepare
    givenSnapshots(snap(40));
    const { deps, config } = setup({ DRY_RUN: 'true' });

    // Act
    const fromEnv = await runCleanup(deps, config, {}, plenty);
    const eventOff = await runCleanup(deps, config, { dryRun: false }, plenty);

    // Assess
    expect(fromEnv.dryRun).toBe(true);
    expect(eventOff.dryRun).toBe(true);
    expect(eventOff.done).toEqual([]);
    expect(ids(eventOff.planned)).toHaveLength(1);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
  });

  it('lets an event turn a dry run on when DRY_RUN is off', async () => {
    // Prepare
    givenSnapshots(snap(40));
    const { deps, config } = setup({ DRY_RUN: 'false' });

    // Act
    const preview = await runCleanup(deps, config, { dryRun: true }, plenty);
    const real = await runCleanup(deps, config, { dryRun: false }, plenty);

    // Assess
    expect(preview.dryRun).toBe(true);
    expect(real.dryRun).toBe(false);
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 1);
  });

  it('lets the event make the retention longer for one run, or keep it as configured', async () => {
    // Prepare
    const [tenDays, fortyDays, ninetyDays] = [snap(10), snap(40), snap(90)];
    givenSnapshots(tenDays, fortyDays, ninetyDays);
    const { deps, config } = setup({ RETENTION_DAYS: '7' });

    // Act
    const byConfig = await runCleanup(deps, config, { dryRun: true }, plenty);
    const same = await runCleanup(deps, config, { dryRun: true, retentionDays: 7 }, plenty);
    const longer = await runCleanup(deps, config, { dryRun: true, retentionDays: 60 }, plenty);

    // Assess
    const all = [ninetyDays.SnapshotId, fortyDays.SnapshotId, tenDays.SnapshotId];
    expect(ids(byConfig.planned)).toEqual(all);
    expect(ids(same.planned)).toEqual(all);
    expect(ids(longer.planned)).toEqual([ninetyDays.SnapshotId]);
    expect(longer.planned[0]?.reason).toBe('older than 60 days');
    expect(longer.totals.retentionDays).toBe(60);
  });

  it('refuses an event retention shorter than RETENTION_DAYS, naming retentionDays, before any AWS call', async () => {
    // Prepare
    givenSnapshots(snap(10), snap(40));
    const { deps, config } = setup({ RETENTION_DAYS: '30' });

    // Act
    const run = runCleanup(deps, config, { retentionDays: 29 }, plenty);

    // Assess
    await expect(run).rejects.toBeInstanceOf(ValidationError);
    await expect(runCleanup(deps, config, { retentionDays: 1 }, plenty)).rejects.toMatchObject({
      issues: [
        {
          path: 'retentionDays',
          message:
            'is 1, shorter than the configured RETENTION_DAYS (30): an event may make retention longer, never shorter',
        },
      ],
    });
    expect(ec2Mock.calls()).toEqual([]);
    expect(snsMock.calls()).toEqual([]);
  });

  it('publishes the report with the reclaimed size as an upper bound, and only when a topic is set', async () => {
    // Prepare
    givenSnapshots(snap(40, { VolumeSize: 100 }), snap(45, { VolumeSize: 20 }));
    const withTopic = setup();
    const withoutTopic = setup({ SNS_TOPIC_ARN: '' });

    // Act
    const report = await runCleanup(withTopic.deps, withTopic.config, {}, plenty);
    await runCleanup(withoutTopic.deps, withoutTopic.config, {}, plenty);

    // Assess
    expect(report.totals.sourceVolumeGiB).toBe(120);
    expect(report.notes[0]).toMatch(/upper bound of the storage reclaimed/);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: topicArn,
      Subject: 'Nightshift snapshot-cleanup: 2 done, 0 failed, 0 skipped',
      Message: expect.stringContaining('sourceVolumeGiB: 120'),
    });
  });

  it('keeps the last snapshot of a volume by default', async () => {
    // Prepare
    const [older, last] = [snap(90, { VolumeId: 'vol-gone' }), snap(60, { VolumeId: 'vol-gone' })];
    givenSnapshots(older, last);
    const { deps } = setup();
    const config = loadCleanupConfig({ SNS_TOPIC_ARN: topicArn });

    // Act
    const report = await runCleanup(deps, config, {}, plenty);

    // Assess
    expect(ids(report.done)).toEqual([older.SnapshotId]);
    expect(report.skipped).toMatchObject([
      { id: last.SnapshotId, action: 'keep', reason: 'newest snapshot of vol-gone' },
    ]);
  });
});
