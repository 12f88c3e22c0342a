import {
  DeleteSnapshotCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { PartialFailureError, ValidationError } from '@nightshift/middleware';
import { createLambdaContext } from '@nightshift/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import scheduled from '../events/scheduled.json' with { type: 'json' };
import { loadCleanupConfig } from '../src/config.ts';
import { handler } from '../src/handler.ts';

const ec2Mock = mockClient(EC2Client);
const snsMock = mockClient(SNSClient);
const old = new Date(Date.now() - 90 * 86_400_000);

describe('snapshot-cleanup handler', () => {
  beforeEach(() => {
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
  });

  it.each([
    [{ retentionDays: -3 }, /retentionDays: must be at least 1 day/],
    [{ retentionDays: 'abc' }, /retentionDays: /],
    [{ retentionDays: 2.5 }, /retentionDays: must be a whole number of days/],
    [{ dryRun: 'yes' }, /dryRun: must be true or false/],
  ])('rejects %j naming the field, and reads or deletes nothing', async (event, message) => {
    // Act
    const invocation = handler(event, createLambdaContext());

    // Assess
    await expect(invocation).rejects.toThrow(ValidationError);
    await expect(handler(event, createLambdaContext())).rejects.toThrow(message);
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('runs on a scheduled event and returns the report', async () => {
    // Prepare
    ec2Mock.on(DeleteSnapshotCommand).resolves({});

    // Act
    const report = await handler(scheduled, createLambdaContext());

    // Assess
    expect(report.done.map((entry) => entry.id)).toEqual(['snap-1', 'snap-2']);
  });

  it('fails the invocation after reporting when a delete failed', async () => {
    // Prepare
    ec2Mock
      .on(DeleteSnapshotCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'UnauthorizedOperation' }));

    // Act & Assess
    await expect(handler({}, createLambdaContext())).rejects.toThrow(PartialFailureError);
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 2);
  });
});

describe('snapshot-cleanup configuration', () => {
  it('runs with nothing set', () => {
    expect(loadCleanupConfig({})).toMatchObject({
      RETENTION_DAYS: 30,
      DRY_RUN: false,
      SNS_TOPIC_ARN: undefined,
      KEEP_TAG_KEY: 'Retention',
      KEEP_TAG_VALUE: 'permanent',
      EXCLUDE_TAGS: [],
      KEEP_LATEST_PER_VOLUME: true,
      DELETE_CONCURRENCY: 5,
      MAX_DELETIONS_PER_RUN: 500,
    });
  });

  it('parses exclusion tag filters', () => {
    expect(loadCleanupConfig({ EXCLUDE_TAGS: 'Team=db, LegalHold' }).EXCLUDE_TAGS).toEqual([
      { key: 'Team', value: 'db' },
      { key: 'LegalHold' },
    ]);
  });

  it('names every invalid variable', () => {
    expect(() => loadCleanupConfig({ RETENTION_DAYS: 'month', DELETE_CONCURRENCY: '0' })).toThrow(
      /RETENTION_DAYS: must be a whole number .*DELETE_CONCURRENCY: must be at least 1/,
    );
  });
});

describe('SNS topic', () => {
  it('is not published to when SNS_TOPIC_ARN is not set', async () => {
    // Prepare
    ec2Mock.on(DeleteSnapshotCommand).resolves({});

    // Act
    await handler({}, createLambdaContext());

    // Assess
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });
});
