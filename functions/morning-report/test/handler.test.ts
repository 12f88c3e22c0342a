import { BackupClient, ListProtectedResourcesCommand } from '@aws-sdk/client-backup';
import { BatchGetItemCommand, DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createLambdaContext } from '@nightshift/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import dryRun from '../events/dry-run.json' with { type: 'json' };

const dynamoMock = mockClient(DynamoDBClient);
const ec2Mock = mockClient(EC2Client);
const rdsMock = mockClient(RDSClient);
const backupMock = mockClient(BackupClient);
const snsMock = mockClient(SNSClient);

/** The handler module as Lambda loads it: configuration read at import, from this environment. */
const loadHandler = async (env: Record<string, string | undefined>) => {
  for (const name of ['SNS_TOPIC_ARN', 'SLACK_WEBHOOK_URL', 'TEAMS_WEBHOOK_URL', 'HISTORY_TABLE'])
    vi.stubEnv(name, undefined);
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  return (await import('../src/handler.ts')).handler;
};

describe('morning-report handler', () => {
  beforeEach(() => {
    for (const mock of [dynamoMock, ec2Mock, rdsMock, backupMock, snsMock]) mock.reset();
    dynamoMock.on(QueryCommand).resolves({ Items: [] });
    dynamoMock.on(BatchGetItemCommand).resolves({ Responses: {} });
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
    rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [] });
    backupMock.on(ListProtectedResourcesCommand).resolves({ Results: [] });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('runs the sample event and returns the report, sent nowhere', async () => {
    // Prepare
    const handler = await loadHandler({
      HISTORY_TABLE: 'nightshift-history-dev',
      SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:reports',
    });

    // Act
    const result = await handler(dryRun, createLambdaContext());

    // Assess
    expect(result).toMatchObject({ service: 'morning-report', dryRun: true, delivered: [] });
    expect(result.report.runs).toEqual({ total: 0, withFailures: 0 });
    expect(dynamoMock.commandCalls(QueryCommand)[0]?.args[0].input.TableName).toBe(
      'nightshift-history-dev',
    );
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('sends the text to the topic on a scheduled run', async () => {
    // Prepare
    const handler = await loadHandler({
      HISTORY_TABLE: 'nightshift-history-dev',
      SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:reports',
    });

    // Act
    const result = await handler({}, createLambdaContext());

    // Assess
    expect(result.delivered).toEqual(['sns']);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('refuses an invalid event naming the field, and reads nothing', async () => {
    // Prepare
    const handler = await loadHandler({ HISTORY_TABLE: 'nightshift-history-dev' });

    // Act
    const invocation = handler({ dryRun: 'yes' }, createLambdaContext());

    // Assess
    await expect(invocation).rejects.toMatchObject({ name: 'ValidationError' });
    expect(dynamoMock.calls()).toHaveLength(0);
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  it('fails at cold start with every invalid variable named', async () => {
    await expect(
      loadHandler({ DRY_RUN: 'maybe', BACKUP_INTERVAL_HOURS: '0', HISTORY_TABLE: 'h' }),
    ).rejects.toThrow(/DRY_RUN.*BACKUP_INTERVAL_HOURS|BACKUP_INTERVAL_HOURS.*DRY_RUN/);
  });
});
