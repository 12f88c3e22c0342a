import {
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createReport, getClient, publishReport } from '@nightshift/runtime';
import { connectMoto, subscribeQueue } from '@nightshift/testing';
import { describe, expect, inject, it } from 'vitest';

const DAY_MS = 86_400_000;
const moto = connectMoto(inject('moto'));

const createSnapshot = async (ec2: EC2Client) => {
  const volume = await ec2.send(
    new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 }),
  );
  const snapshot = await ec2.send(new CreateSnapshotCommand({ VolumeId: volume.VolumeId }));
  const { Snapshots = [] } = await ec2.send(
    new DescribeSnapshotsCommand({ SnapshotIds: [snapshot.SnapshotId ?? ''] }),
  );
  return Snapshots[0];
};

describe('Emulated account', () => {
  it('stamps resources with the clock offset the test sets', async () => {
    // Prepare
    const ec2 = getClient(EC2Client);

    // Act
    moto.setClockOffset('-40d');
    const old = await createSnapshot(ec2);
    moto.setClockOffset('+0');
    const fresh = await createSnapshot(ec2);

    // Assess
    const ageInDays = (snapshot: typeof old) =>
      (Date.now() - (snapshot?.StartTime?.getTime() ?? 0)) / DAY_MS;
    expect(ageInDays(old)).toBeGreaterThan(39.9);
    expect(ageInDays(old)).toBeLessThan(40.1);
    expect(ageInDays(fresh)).toBeLessThan(0.1);
  });

  it('forgets every resource on reset', async () => {
    // Prepare
    const ec2 = getClient(EC2Client);
    await createSnapshot(ec2);

    // Act
    await moto.reset();

    // Assess
    const { Snapshots = [] } = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    expect(Snapshots).toEqual([]);
  });

  it('delivers a published report to a queue subscribed to the topic', async () => {
    // Prepare
    const sns = getClient(SNSClient);
    const { TopicArn: topicArn = '' } = await sns.send(
      new CreateTopicCommand({ Name: 'nightshift-reports' }),
    );
    const reader = await subscribeQueue({ sns, sqs: getClient(SQSClient), topicArn });
    const report = createReport('snapshot-cleanup', { dryRun: false });
    report.done.push({ id: 'snap-0123', action: 'delete', reason: 'older than 30 days' });

    // Act
    const messageId = await publishReport(sns, { topicArn, report });

    // Assess
    const [notification, ...others] = await reader.receive({ count: 1 });
    expect(others).toEqual([]);
    expect(notification).toMatchObject({
      MessageId: messageId,
      TopicArn: topicArn,
      Subject: 'Nightshift snapshot-cleanup: 1 done, 0 failed, 0 skipped',
      MessageAttributes: {
        service: { Type: 'String', Value: 'snapshot-cleanup' },
        failed: { Type: 'Number', Value: '0' },
      },
    });
    expect(notification?.Message).toContain('- snap-0123: delete: older than 30 days');
  });
});
