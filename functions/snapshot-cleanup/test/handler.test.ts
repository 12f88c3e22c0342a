import {
  DeleteSnapshotCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Report } from '@nightshift/runtime';
import { createLambdaContext } from '@nightshift/testing';
import { loadHandler } from '@nightshift/testing/unit';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import scheduled from '../events/scheduled.json' with { type: 'json' };

const ec2Mock = mockClient(EC2Client);
const snsMock = mockClient(SNSClient);
const old = new Date(Date.now() - 90 * 86_400_000);
const topicArn = 'arn:aws:sns:us-east-1:123456789012:reports';

/** The handler module as Lambda loads it: configuration read at import, from this environment. */
const handlerWith = (env: Record<string, string | undefined>) =>
  loadHandler(() => import('../src/handler.ts'), { SNS_TOPIC_ARN: undefined, ...env });

/** An account with two snapshots of a volume past retention and a young one. */
const givenSnapshots = () => {
  ec2Mock.reset();
  snsMock.reset();
  ec2Mock.on(DescribeSnapshotsCommand).resolves({
    Snapshots: [
      { SnapshotId: 'snap-1', VolumeId: 'vol-1', State: 'completed', StartTime: old },
      { SnapshotId: 'snap-2', VolumeId: 'vol-1', State: 'completed', StartTime: old },
      { SnapshotId: 'snap-3', VolumeId: 'vol-1', State: 'completed', StartTime: new Date() },
    ],
  });
  ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
  ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [{ VolumeId: 'vol-1' }] });
};

describe('snapshot-cleanup handler', () => {
  beforeEach(() => {
    givenSnapshots();
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it.each([
    [{ retentionDays: -3 }, /retentionDays: must be at least 1 day/],
    [{ retentionDays: 'abc' }, /retentionDays: /],
    [{ retentionDays: 2.5 }, /retentionDays: must be a whole number of days/],
    [{ dryRun: 'yes' }, /dryRun: must be true or false/],
    [
      { retentionDays: 29 },
      /retentionDays: is 29, shorter than the configured RETENTION_DAYS \(30\)/,
    ],
  ])('rejects %j naming the field, and reads or deletes nothing', async (event, message) => {
    // Prepare
    const handler = await handlerWith({ SNS_TOPIC_ARN: topicArn });

    // Act
    const invocation = handler(event, createLambdaContext());

    // Assess
    // (a fresh module graph per test: the error class is the handler's own copy)
    await expect(invocation).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(handler(event, createLambdaContext())).rejects.toThrow(message);
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(snsMock.calls()).toHaveLength(0);
  });

  it('runs on a scheduled event and returns the report', async () => {
    // Prepare
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
    const handler = await handlerWith({ SNS_TOPIC_ARN: topicArn });

    // Act
    const report = (await handler(scheduled, createLambdaContext())) as Report;

    // Assess
    expect(report.done.map((entry) => entry.id)).toEqual(['snap-1', 'snap-2']);
  });

  it('fails at cold start with every invalid variable named', async () => {
    // Act & Assess
    await expect(handlerWith({ RETENTION_DAYS: 'month', DRY_RUN: 'perhaps' })).rejects.toThrow(
      /RETENTION_DAYS: must be a whole number; DRY_RUN: must be true or false/,
    );
  });

  it('fails the invocation after reporting when a delete failed', async () => {
    // Prepare
    ec2Mock
      .on(DeleteSnapshotCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'UnauthorizedOperation' }));
    const handler = await handlerWith({ SNS_TOPIC_ARN: topicArn });

    // Act & Assess
    await expect(handler({}, createLambdaContext())).rejects.toMatchObject({
      name: 'PartialFailureError',
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 2);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: topicArn,
      Subject: 'Nightshift snapshot-cleanup: 0 done, 2 failed, 0 skipped',
    });
  });
});

describe('SNS topic', () => {
  beforeEach(givenSnapshots);

  it('is not published to when SNS_TOPIC_ARN is not set', async () => {
    // Prepare
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
    const handler = await handlerWith({});

    // Act
    await handler({}, createLambdaContext());

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 2);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });
});
