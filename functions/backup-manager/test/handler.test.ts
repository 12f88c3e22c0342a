import { DescribeInstancesCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { createLambdaContext } from '@nightshift/testing';
import { loadHandler } from '@nightshift/testing/unit';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import daily from '../events/daily-production.json' with { type: 'json' };

const ec2Mock = mockClient(EC2Client);
const rdsMock = mockClient(RDSClient);

/** The handler module as Lambda loads it, with no report topic. */
const handlerWithoutTopic = () =>
  loadHandler(() => import('../src/handler.ts'), { SNS_TOPIC_ARN: undefined });

describe('backup-manager handler', () => {
  beforeEach(() => {
    ec2Mock.reset();
    rdsMock.reset();
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  });

  it.each([
    [
      { backup_type: 'tapes', environment: 'production' },
      /backup_type: must be one of all, ec2, rds/,
    ],
    [{ backup_type: 'all' }, /environment: is required/],
    [{ backup_type: 'all', environment: '  ' }, /environment: must not be empty/],
    [
      { backup_type: 'ec2', environment: 'production', dryRun: 'no' },
      /dryRun: must be true or false/,
    ],
    [
      { backup_type: 'all', environment: 'production', scheduledTime: 'last night' },
      /scheduledTime: must be an ISO 8601 date and time/,
    ],
  ])('rejects %j naming the field, and reads or creates nothing', async (event, message) => {
    // Prepare
    const handler = await handlerWithoutTopic();

    // Act & Assess
    await expect(handler(event, createLambdaContext())).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(message),
    });
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(rdsMock.calls()).toHaveLength(0);
  });

  it('runs the daily event', async () => {
    // Prepare
    const handler = await handlerWithoutTopic();

    // Act
    const report = await handler({ ...daily, backup_type: 'ec2' }, createLambdaContext());

    // Assess
    expect(report).toMatchObject({ service: 'backup-manager', dryRun: false, failed: [] });
    expect(ec2Mock).toHaveReceivedCommand(DescribeInstancesCommand);
  });
  it('backs up every kind of resource when the event leaves backup_type out, as the original script did', async () => {
    // Prepare
    const handler = await handlerWithoutTopic();
    rdsMock.onAnyCommand().resolves({});

    // Act
    const report = await handler({ environment: 'production' }, createLambdaContext());

    // Assess
    expect(report).toMatchObject({ service: 'backup-manager', failed: [] });
    expect(ec2Mock).toHaveReceivedCommand(DescribeInstancesCommand);
    expect(rdsMock.calls().length).toBeGreaterThan(0);
  });

  it('refuses an event without environment, though the original script took production, so that a test event never reaches another environment', async () => {
    // Prepare
    const handler = await handlerWithoutTopic();

    // Act & Assess
    await expect(handler({ test: true }, createLambdaContext())).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/environment: is required.*name it/),
    });
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(rdsMock.calls()).toHaveLength(0);
  });

  it('changes nothing when the scheduled time is in the future', async () => {
    // Prepare
    const handler = await handlerWithoutTopic();

    // Act
    const invocation = handler(
      { ...daily, scheduledTime: '2099-01-01T00:00:00Z' },
      createLambdaContext(),
    );

    // Assess
    await expect(invocation).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('scheduledTime: is 2099-01-01T00:00:00Z'),
    });
    expect(ec2Mock.calls()).toEqual([]);
  });

  it('changes nothing when the scheduled time is past the 24-hour retry window', async () => {
    // Prepare
    const handler = await handlerWithoutTopic();
    const stale = new Date(Date.now() - 25 * 3_600_000).toISOString();

    // Act
    const invocation = handler({ ...daily, scheduledTime: stale }, createLambdaContext());

    // Assess
    await expect(invocation).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining(`scheduledTime: is ${stale}, earlier than`),
    });
    expect(ec2Mock.calls()).toEqual([]);
    expect(rdsMock.calls()).toEqual([]);
  });
});
