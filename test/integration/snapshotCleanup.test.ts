import { resolve } from 'node:path';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { getClient, type Report } from '@nightshift/runtime';
import { connectMoto, invokeBundle, subscribeQueue } from '@nightshift/testing';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { remainingIds, seedAccount, seedDeletedVolumes } from './scenarios/snapshotCleanup.ts';

const bundle = resolve(import.meta.dirname, '../../dist/snapshot-cleanup/index.mjs');
const moto = connectMoto(inject('moto'));

describe('snapshot-cleanup against the emulated account', () => {
  let topicArn: string;
  beforeEach(async () => {
    ({ TopicArn: topicArn = '' } = await getClient(SNSClient).send(
      new CreateTopicCommand({ Name: 'reports' }),
    ));
  });

  it('deletes exactly the old snapshots that nothing keeps, and reports it on SNS', async () => {
    // Prepare
    const account = await seedAccount(moto);
    const before = await remainingIds(account.ec2);
    const reader = await subscribeQueue({
      sns: getClient(SNSClient),
      sqs: getClient(SQSClient),
      topicArn,
    });
    expect(account.amiSnapshots.length).toBeGreaterThan(0);

    // Act
    const { result, error, logs } = await invokeBundle<Report>(
      bundle,
      {},
      {
        env: { SNS_TOPIC_ARN: topicArn },
        functionName: 'snapshot-cleanup',
      },
    );

    // Assess
    expect(error).toBeUndefined();
    const after = await remainingIds(account.ec2);
    expect(after).toEqual(before.filter((id) => !account.oldPlain.includes(id)).sort());
    expect(after).toEqual(
      expect.arrayContaining([account.oldPermanent, ...account.amiSnapshots, ...account.recent]),
    );
    expect(result?.done.map((entry) => entry.id).sort()).toEqual([...account.oldPlain].sort());
    expect(result?.skipped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: account.oldPermanent,
          reason: 'tagged Retention=permanent',
        }),
        expect.objectContaining({
          id: account.amiSnapshots[0],
          reason: expect.stringMatching(/^used by AMI ami-[0-9a-f]+(;|$)/),
        }),
      ]),
    );

    const [notification] = await reader.receive({ count: 1 });
    expect(notification?.Subject).toBe('Nightshift snapshot-cleanup: 2 done, 0 failed, 3 skipped');
    for (const id of account.oldPlain)
      expect(notification?.Message).toContain(`- ${id}: delete: older than 30 days`);
    expect(notification?.Message).toContain('sourceVolumeGiB: 16');

    const emf = logs.find((line) => 'SnapshotsDeleted' in line);
    expect(emf).toMatchObject({ SnapshotsDeleted: 2, SnapshotsKept: 3, SnapshotDeleteFailures: 0 });
  });

  it('keeps the AMI and permanent snapshots by those rules alone', async () => {
    // Prepare: the AMI's snapshot is also the last of its volume; turn that rule off.
    const account = await seedAccount(moto);

    // Act
    const { result, error } = await invokeBundle<Report>(
      bundle,
      {},
      {
        env: { SNS_TOPIC_ARN: topicArn, KEEP_LATEST_PER_VOLUME: 'false' },
      },
    );

    // Assess
    expect(error).toBeUndefined();
    expect(result?.done.map((entry) => entry.id).sort()).toEqual(
      [...account.oldPlain, account.lastOfItsVolume].sort(),
    );
    expect(await remainingIds(account.ec2)).toEqual(
      expect.arrayContaining([account.oldPermanent, ...account.amiSnapshots, ...account.recent]),
    );
  });

  it('deletes nothing in a dry run and reports what it would delete', async () => {
    // Prepare
    const account = await seedAccount(moto);
    const before = await remainingIds(account.ec2);

    // Act
    const { result, error } = await invokeBundle<Report>(
      bundle,
      { dryRun: true },
      { env: { SNS_TOPIC_ARN: topicArn } },
    );

    // Assess
    expect(error).toBeUndefined();
    expect(await remainingIds(account.ec2)).toEqual(before);
    expect(result?.planned.map((entry) => entry.id).sort()).toEqual([...account.oldPlain].sort());
    expect(result?.done).toEqual([]);
  });

  it('stays a dry run under DRY_RUN=true when the event says dryRun false', async () => {
    // Prepare
    const account = await seedAccount(moto);
    const before = await remainingIds(account.ec2);

    // Act
    const { result, error } = await invokeBundle<Report>(
      bundle,
      { dryRun: false },
      { env: { SNS_TOPIC_ARN: topicArn, DRY_RUN: 'true' } },
    );

    // Assess
    expect(error).toBeUndefined();
    expect(result?.dryRun).toBe(true);
    expect(await remainingIds(account.ec2)).toEqual(before);
    expect(result?.planned.map((entry) => entry.id).sort()).toEqual([...account.oldPlain].sort());
  });

  it('refuses an event retention shorter than RETENTION_DAYS and deletes nothing', async () => {
    // Prepare
    const account = await seedAccount(moto);
    const before = await remainingIds(account.ec2);

    // Act
    const { error } = await invokeBundle(
      bundle,
      { retentionDays: 1 },
      { env: { SNS_TOPIC_ARN: topicArn, RETENTION_DAYS: '30' } },
    );

    // Assess
    expect(error).toEqual({
      name: 'ValidationError',
      message: expect.stringContaining(
        'retentionDays: is 1, shorter than the configured RETENTION_DAYS (30)',
      ),
    });
    expect(await remainingIds(account.ec2)).toEqual(before);
  });

  it('rejects an invalid event and deletes nothing', async () => {
    // Prepare
    const account = await seedAccount(moto);
    const before = await remainingIds(account.ec2);

    // Act
    const { error } = await invokeBundle(
      bundle,
      { retentionDays: -3 },
      { env: { SNS_TOPIC_ARN: topicArn } },
    );

    // Assess
    expect(error).toEqual({
      name: 'ValidationError',
      message: expect.stringContaining('retentionDays: must be at least 1 day'),
    });
    expect(await remainingIds(account.ec2)).toEqual(before);
  });

  it('deletes the snapshots of deleted volumes past retention, saying so, and keeps the only snapshot of a live volume', async () => {
    // Prepare
    const account = await seedDeletedVolumes(moto);
    const before = await remainingIds(account.ec2);
    const reader = await subscribeQueue({
      sns: getClient(SNSClient),
      sqs: getClient(SQSClient),
      topicArn,
    });

    // Act
    const { result, error } = await invokeBundle<Report>(
      bundle,
      {},
      { env: { SNS_TOPIC_ARN: topicArn }, functionName: 'snapshot-cleanup' },
    );

    // Assess
    expect(error).toBeUndefined();
    expect(await remainingIds(account.ec2)).toEqual(
      before.filter((id) => !account.orphans.includes(id)),
    );
    expect(result?.done).toEqual(
      account.orphans.map((id) =>
        expect.objectContaining({
          id,
          action: 'delete',
          reason: `older than 30 days; volume ${account.goneVolume} no longer exists`,
          details: expect.objectContaining({ volumeId: account.goneVolume, volume: 'deleted' }),
        }),
      ),
    );
    expect(result?.skipped).toEqual([
      expect.objectContaining({
        id: account.orphanPermanent,
        reason: `tagged Retention=permanent; volume ${account.permanentVolume} no longer exists`,
      }),
      expect.objectContaining({
        id: account.onlyOfLiveVolume,
        reason: `newest snapshot of ${account.liveVolume}`,
        details: expect.objectContaining({ volume: 'exists' }),
      }),
    ]);
    expect(result?.totals).toMatchObject({
      snapshotsSeen: 5,
      snapshotsOfDeletedVolumes: 4,
      withinRetention: 1,
      deleted: 2,
    });
    const [notification] = await reader.receive({ count: 1 });
    for (const id of account.orphans) {
      expect(notification?.Message).toContain(
        `- ${id}: delete: older than 30 days; volume ${account.goneVolume} no longer exists`,
      );
    }
  });

  it('keeps the newest snapshot of a deleted volume with KEEP_LATEST_OF_DELETED_VOLUMES=true', async () => {
    // Prepare
    const account = await seedDeletedVolumes(moto);
    const [older, newest] = account.orphans;

    // Act
    const { result, error } = await invokeBundle<Report>(
      bundle,
      {},
      { env: { SNS_TOPIC_ARN: topicArn, KEEP_LATEST_OF_DELETED_VOLUMES: 'true' } },
    );

    // Assess
    expect(error).toBeUndefined();
    expect(result?.done.map((entry) => entry.id)).toEqual([older]);
    expect(result?.skipped).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: newest,
          reason: `newest snapshot of ${account.goneVolume}; volume ${account.goneVolume} no longer exists`,
        }),
      ]),
    );
    expect(await remainingIds(account.ec2)).toEqual(
      expect.arrayContaining([newest, account.onlyOfLiveVolume, account.recentOrphan]),
    );
  });
});
