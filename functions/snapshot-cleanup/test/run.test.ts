import {
  DeleteSnapshotCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createObservability } from '@nightshift/middleware';
import { type TimeBudget, ValidationError } from '@nightshift/runtime';
import { twoPagesOfVolumes } from '@nightshift/testing';
import { assertPagedRequests } from '@nightshift/testing/unit';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { run } from '../src/run.ts';

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

// Each fixture snapshot has a volume of its own, which exists, so these runs turn off the
// rule that keeps the newest snapshot of every volume; the tests of the last backup of a
// resource below cover that rule.
const setup = (env: Record<string, string> = {}) => {
  const observability = createObservability('snapshot-cleanup');
  const addMetric = vi.spyOn(observability.metrics, 'addMetric');
  const deps = { ec2: new EC2Client({}), sns: new SNSClient({}), ...observability, now: () => now };
  const config = loadConfig({
    SNS_TOPIC_ARN: topicArn,
    KEEP_LATEST_PER_VOLUME: 'false',
    ...env,
  });
  return { deps, config, addMetric };
};
/** The volumes that exist: by default every volume the given snapshots were made of. */
const givenVolumes = (...volumeIds: string[]) => {
  ec2Mock
    .on(DescribeVolumesCommand)
    .resolves({ Volumes: volumeIds.map((VolumeId) => ({ VolumeId, State: 'in-use' as const })) });
};
const givenSnapshots = (...snapshots: Snapshot[]) => {
  ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: snapshots });
  givenVolumes(...snapshots.flatMap((snapshot) => snapshot.VolumeId ?? []));
};
const ids = (entries: { id: string }[]) => entries.map((entry) => entry.id);
/** No AMI, no volume, deletions and the report's publication succeed. */
const givenAnAccountWithoutAmis = () => {
  ec2Mock.reset();
  snsMock.reset();
  ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
  ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [] });
  ec2Mock.on(DeleteSnapshotCommand).resolves({});
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
};

describe('Snapshot cleanup run', () => {
  beforeEach(givenAnAccountWithoutAmis);

  it('reads every page of snapshots and of AMIs before deciding', async () => {
    // Prepare: three pages of snapshots; the AMI on the second page of images uses a
    // snapshot from the last page of snapshots.
    const [a, b, c, d] = [snap(40), snap(41), snap(42), snap(43)];
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({ Snapshots: [a], NextToken: 's1' })
      .resolvesOnce({ Snapshots: [b, c], NextToken: 's2' })
      .resolvesOnce({ Snapshots: [d] });
    givenVolumes(...[a, b, c, d].map((snapshot) => snapshot.VolumeId ?? ''));
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
    const report = await run(deps, config, {}, plenty);

    // Assess
    assertPagedRequests(
      ec2Mock,
      DescribeSnapshotsCommand,
      { OwnerIds: ['self'], MaxResults: 1000 },
      ['s1', 's2'],
    );
    assertPagedRequests(
      ec2Mock,
      DescribeImagesCommand,
      { Owners: ['self'], IncludeDeprecated: true, IncludeDisabled: true, MaxResults: 1000 },
      ['i1'],
    );
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
    const report = await run(deps, config, {}, plenty);

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
    const report = await run(deps, config, {}, plenty);

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
    const report = await run(deps, config, {}, budget);

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
    const report = await run(deps, config, { dryRun: true }, plenty);

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
      snapshotsOfDeletedVolumes: 0,
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
    const fromEnv = await run(deps, config, {}, plenty);
    const eventOff = await run(deps, config, { dryRun: false }, plenty);

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
    const preview = await run(deps, config, { dryRun: true }, plenty);
    const real = await run(deps, config, { dryRun: false }, plenty);

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
    const byConfig = await run(deps, config, { dryRun: true }, plenty);
    const same = await run(deps, config, { dryRun: true, retentionDays: 7 }, plenty);
    const longer = await run(deps, config, { dryRun: true, retentionDays: 60 }, plenty);

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
    const attempt = run(deps, config, { retentionDays: 29 }, plenty);

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(run(deps, config, { retentionDays: 1 }, plenty)).rejects.toMatchObject({
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
    const report = await run(withTopic.deps, withTopic.config, {}, plenty);
    await run(withoutTopic.deps, withoutTopic.config, {}, plenty);

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
});

describe('The last backup of a resource, in a run', () => {
  // The contract's defaults: the newest snapshot of a volume that exists is kept, the
  // snapshots of a volume that is gone go once past retention.
  const setupDefaults = (env: Record<string, string> = {}) => {
    const { deps, addMetric } = setup();
    return { deps, addMetric, config: loadConfig({ SNS_TOPIC_ARN: topicArn, ...env }) };
  };

  beforeEach(givenAnAccountWithoutAmis);

  it('deletes the snapshots of a volume that no longer exists once past retention, saying the volume is gone', async () => {
    // Prepare
    const [older, newest, young] = [
      snap(90, { VolumeId: 'vol-gone' }),
      snap(60, { VolumeId: 'vol-gone' }),
      snap(3, { VolumeId: 'vol-gone' }),
    ];
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [older, newest, young] });
    givenVolumes('vol-other');
    const { deps, config } = setupDefaults();

    // Act
    const report = await run(deps, config, {}, plenty);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 2);
    expect(report.done).toEqual([
      {
        id: older.SnapshotId,
        action: 'delete',
        reason: 'older than 30 days; volume vol-gone no longer exists',
        details: expect.objectContaining({ volumeId: 'vol-gone', volume: 'deleted', ageDays: 90 }),
      },
      {
        id: newest.SnapshotId,
        action: 'delete',
        reason: 'older than 30 days; volume vol-gone no longer exists',
        details: expect.objectContaining({ volumeId: 'vol-gone', volume: 'deleted', ageDays: 60 }),
      },
    ]);
    expect(report.skipped).toEqual([]);
    expect(report.totals).toMatchObject({ snapshotsSeen: 3, snapshotsOfDeletedVolumes: 3 });
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      Message: expect.stringContaining(
        `- ${newest.SnapshotId}: delete: older than 30 days; volume vol-gone no longer exists`,
      ),
    });
  });

  it('keeps the newest snapshot of a volume that no longer exists with KEEP_LATEST_OF_DELETED_VOLUMES=true', async () => {
    // Prepare
    const [older, newest] = [
      snap(90, { VolumeId: 'vol-gone' }),
      snap(60, { VolumeId: 'vol-gone' }),
    ];
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [older, newest] });
    const { deps, config } = setupDefaults({ KEEP_LATEST_OF_DELETED_VOLUMES: 'true' });

    // Act
    const report = await run(deps, config, {}, plenty);

    // Assess
    expect(ids(report.done)).toEqual([older.SnapshotId]);
    expect(report.skipped).toEqual([
      expect.objectContaining({
        id: newest.SnapshotId,
        action: 'keep',
        reason: 'newest snapshot of vol-gone; volume vol-gone no longer exists',
        details: expect.objectContaining({ volume: 'deleted' }),
      }),
    ]);
  });

  it('keeps the only snapshot of a volume that exists, and the newest of another while its older ones go', async () => {
    // Prepare
    const only = snap(400, { VolumeId: 'vol-one' });
    const [oldest, older, newest] = [
      snap(300, { VolumeId: 'vol-many' }),
      snap(200, { VolumeId: 'vol-many' }),
      snap(100, { VolumeId: 'vol-many' }),
    ];
    givenSnapshots(only, newest, oldest, older);
    const { deps, config } = setupDefaults();

    // Act
    const report = await run(deps, config, {}, plenty);

    // Assess
    expect(ids(report.done)).toEqual([oldest.SnapshotId, older.SnapshotId]);
    expect(report.skipped).toEqual([
      expect.objectContaining({
        id: only.SnapshotId,
        action: 'keep',
        reason: 'newest snapshot of vol-one',
        details: expect.objectContaining({ volume: 'exists' }),
      }),
      expect.objectContaining({
        id: newest.SnapshotId,
        action: 'keep',
        reason: 'newest snapshot of vol-many',
      }),
    ]);
    expect(report.totals.snapshotsOfDeletedVolumes).toBe(0);
  });

  it('still keeps a snapshot of a deleted volume that is permanent, used by an AMI, AWS Backup’s or backup-manager’s, and says the volume is gone', async () => {
    // Prepare
    const permanent = snap(90, { Tags: [{ Key: 'Retention', Value: 'permanent' }] });
    const ofAmi = snap(90);
    const awsBackup = snap(90, { Tags: [{ Key: 'aws:backup:source-resource', Value: 'x' }] });
    const ownBackup = snap(90, {
      Tags: [
        { Key: 'CreatedBy', Value: 'nightshift' },
        { Key: 'AutomatedBackup', Value: 'true' },
      ],
    });
    const plain = snap(90);
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolves({ Snapshots: [permanent, ofAmi, awsBackup, ownBackup, plain] });
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [
        { ImageId: 'ami-1', BlockDeviceMappings: [{ Ebs: { SnapshotId: ofAmi.SnapshotId } }] },
      ],
    });
    const { deps, config } = setupDefaults();

    // Act
    const report = await run(deps, config, {}, plenty);

    // Assess
    expect(ids(report.done)).toEqual([plain.SnapshotId]);
    expect(report.skipped.map(({ id, reason }) => ({ id, reason }))).toEqual([
      {
        id: permanent.SnapshotId,
        reason: `tagged Retention=permanent; volume ${permanent.VolumeId} no longer exists`,
      },
      {
        id: ofAmi.SnapshotId,
        reason: `used by AMI ami-1; volume ${ofAmi.VolumeId} no longer exists`,
      },
      {
        id: awsBackup.SnapshotId,
        reason: `managed by AWS Backup; volume ${awsBackup.VolumeId} no longer exists`,
      },
      {
        id: ownBackup.SnapshotId,
        reason: `managed by backup-manager; volume ${ownBackup.VolumeId} no longer exists`,
      },
    ]);
  });

  it('keeps the newest copy from another Region of each source, and deletes the older copies', async () => {
    // Prepare
    const copy = (days: number, source: string) =>
      snap(days, { VolumeId: 'vol-ffffffff', Description: `[Copied ${source} from us-east-1] db` });
    const [older, newest, only] = [
      copy(90, 'snap-0aaa'),
      copy(60, 'snap-0aaa'),
      copy(300, 'snap-0bbb'),
    ];
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [older, newest, only] });
    const { deps, config } = setupDefaults();

    // Act
    const report = await run(deps, config, {}, plenty);

    // Assess
    expect(report.done).toEqual([
      expect.objectContaining({
        id: older.SnapshotId,
        reason: 'older than 30 days',
        details: expect.objectContaining({ volume: 'copy', volumeId: 'vol-ffffffff' }),
      }),
    ]);
    expect(report.skipped.map(({ id, reason }) => ({ id, reason }))).toEqual([
      { id: newest.SnapshotId, reason: 'newest copy of snap-0aaa from us-east-1' },
      { id: only.SnapshotId, reason: 'newest copy of snap-0bbb from us-east-1' },
    ]);
  });

  it('reads every page of volumes, managed ones included, and counts a deleted volume as gone', async () => {
    // Prepare
    const [onFirstPage, onSecondPage, ofDeleted] = [
      snap(90, { VolumeId: 'vol-a' }),
      snap(90, { VolumeId: 'vol-b' }),
      snap(90, { VolumeId: 'vol-c' }),
    ];
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolves({ Snapshots: [onFirstPage, onSecondPage, ofDeleted] });
    // vol-a in use, vol-b available, vol-c deleted (and vol-d, of no snapshot here).
    const { first, second } = twoPagesOfVolumes();
    ec2Mock.on(DescribeVolumesCommand).resolvesOnce(first).resolvesOnce(second);
    const { deps, config } = setupDefaults();

    // Act
    const report = await run(deps, config, {}, plenty);

    // Assess
    assertPagedRequests(
      ec2Mock,
      DescribeVolumesCommand,
      { IncludeManagedResources: true, MaxResults: 500 },
      ['v1'],
    );
    expect(ids(report.done)).toEqual([ofDeleted.SnapshotId]);
    expect(ids(report.skipped)).toEqual([onFirstPage.SnapshotId, onSecondPage.SnapshotId]);
  });

  it('deletes nothing when the volumes cannot be read', async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [snap(90), snap(90)] });
    ec2Mock
      .on(DescribeVolumesCommand)
      .rejects(awsError('UnauthorizedOperation', 'You are not authorized'));
    const { deps, config } = setupDefaults();

    // Act & Assess
    await expect(run(deps, config, {}, plenty)).rejects.toThrow('You are not authorized');
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
  });

  it('deletes nothing in a dry run and plans the snapshots of deleted volumes, saying so', async () => {
    // Prepare
    const [orphan, live] = [snap(90, { VolumeId: 'vol-gone' }), snap(90, { VolumeId: 'vol-live' })];
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [orphan, live] });
    givenVolumes('vol-live');
    const { deps, config } = setupDefaults();

    // Act
    const report = await run(deps, config, { dryRun: true }, plenty);

    // Assess
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
    expect(report.done).toEqual([]);
    expect(report.planned).toEqual([
      expect.objectContaining({
        id: orphan.SnapshotId,
        reason: 'older than 30 days; volume vol-gone no longer exists',
      }),
    ]);
    expect(report.skipped).toEqual([
      expect.objectContaining({ id: live.SnapshotId, reason: 'newest snapshot of vol-live' }),
    ]);
  });
});
