import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { completeIfDone, completeRun } from '../src/complete.ts';
import { NOW, pk, RUN_ID, TABLE, TOPIC_ARN } from './fixtures.ts';

const dynamodbMock = mockClient(DynamoDBClient);
const snsMock = mockClient(SNSClient);
const clients = {
  dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
  sns: new SNSClient({ region: 'eu-west-1' }),
};
const input = { table: TABLE, runId: RUN_ID, topicArn: TOPIC_ARN, now: NOW };

const header = (fields: Record<string, AttributeValue> = {}): Record<string, AttributeValue> => ({
  pk,
  sk: { S: 'run' },
  function: { S: 'snapshot-cleanup' },
  expected: { N: '3' },
  completed: { N: '3' },
  failed: { N: '1' },
  startedAt: { S: '2026-11-30T08:00:00.000Z' },
  deadline: { S: '2026-11-30T08:30:00.000Z' },
  ...fields,
});

const targetItem = (
  accountId: string,
  status: 'done' | 'failed',
  extra: Record<string, AttributeValue> = {},
): Record<string, AttributeValue> => ({
  pk,
  sk: { S: `target#${accountId}#eu-west-1` },
  accountId: { S: accountId },
  region: { S: 'eu-west-1' },
  status: { S: status },
  attempts: { N: '1' },
  totals: { M: { snapshotsDeleted: { N: '2' } } },
  failed: { L: [] },
  failedCount: { N: '0' },
  ...extra,
});

const list = (...accounts: string[]) => ({
  pk,
  sk: { S: 'list#0000' },
  targets: { L: accounts.map((account) => ({ S: `${account}#eu-west-1` })) },
});

beforeEach(() => {
  dynamodbMock.reset();
  snsMock.reset();
  dynamodbMock.on(GetItemCommand).resolves({ Item: header() });
  dynamodbMock.on(UpdateItemCommand).resolves({});
  dynamodbMock.on(QueryCommand).resolves({
    Items: [
      list('100000000000', '100000000001', '100000000002'),
      targetItem('100000000000', 'done'),
      targetItem('100000000001', 'done'),
      targetItem('100000000002', 'failed', { error: { S: 'TargetError: AccessDenied' } }),
    ],
  });
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('completeIfDone', () => {
  it('publishes the summary once every target reported: reads the header consistently, claims, queries, publishes', async () => {
    // Act
    const summary = await completeIfDone(clients, input);

    // Assess
    expect(summary).toMatchObject({
      startedAt: '2026-11-30T08:00:00.000Z',
      deadline: '2026-11-30T08:30:00.000Z',
    });
    expect(summary).toMatchObject({
      targets: 3,
      done: 2,
      failed: 1,
      pending: 0,
      totals: { snapshotsDeleted: 6 },
    });
    expect(dynamodbMock.commandCalls(GetItemCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk, sk: { S: 'run' } },
      ConsistentRead: true,
    });
    const [claim, published] = dynamodbMock
      .commandCalls(UpdateItemCommand)
      .map((call) => call.args[0].input);
    expect(claim).toEqual({
      TableName: TABLE,
      Key: { pk, sk: { S: 'run' } },
      UpdateExpression: 'SET summaryAt = :at, summaryLeaseUntil = :lease',
      ConditionExpression:
        'attribute_exists(pk) AND attribute_not_exists(publishedAt) AND (attribute_not_exists(summaryAt) OR summaryLeaseUntil < :now)',
      ExpressionAttributeValues: {
        ':at': { S: NOW.toISOString() },
        ':lease': { N: String(NOW.getTime() + 5 * 60_000) },
        ':now': { N: String(NOW.getTime()) },
      },
    });
    expect(dynamodbMock.commandCalls(QueryCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': pk },
      ConsistentRead: true,
    });
    const publish = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(publish?.TopicArn).toBe(TOPIC_ARN);
    expect(publish?.Subject).toBe('Nightshift snapshot-cleanup: 2 of 3 targets done, 1 failed');
    expect(publish?.Message).toContain('- 100000000002 eu-west-1: TargetError: AccessDenied');
    expect(publish?.MessageAttributes).toEqual({
      service: { DataType: 'String', StringValue: 'snapshot-cleanup' },
      runId: { DataType: 'String', StringValue: RUN_ID },
      failed: { DataType: 'Number', StringValue: '1' },
      pending: { DataType: 'Number', StringValue: '0' },
    });
    expect(published).toEqual({
      TableName: TABLE,
      Key: { pk, sk: { S: 'run' } },
      UpdateExpression: 'SET publishedAt = :at REMOVE summaryLeaseUntil',
      ExpressionAttributeValues: { ':at': { S: NOW.toISOString() } },
    });
  });

  it('does nothing while targets are missing', async () => {
    // Prepare
    dynamodbMock.on(GetItemCommand).resolves({ Item: header({ completed: { N: '2' } }) });

    // Act
    const outcome = await completeRun(clients, input);

    // Assess
    expect(outcome).toEqual({ state: 'incomplete' });
    expect(dynamodbMock).not.toHaveReceivedCommand(UpdateItemCommand);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it('publishes whatever came in when forced, naming the pending targets', async () => {
    // Prepare
    dynamodbMock.on(GetItemCommand).resolves({ Item: header({ completed: { N: '1' } }) });
    dynamodbMock.on(QueryCommand).resolves({
      Items: [
        list('100000000000', '100000000001', '100000000002'),
        targetItem('100000000001', 'done'),
      ],
    });

    // Act
    const summary = await completeIfDone(clients, { ...input, force: true });

    // Assess
    expect(summary?.pendingTargets.map((target) => target.accountId)).toEqual([
      '100000000000',
      '100000000002',
    ]);
    const publish = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(publish?.Subject).toBe('Nightshift snapshot-cleanup: 1 of 3 targets done, 2 pending');
    expect(publish?.Message).toContain('PENDING (2)');
  });

  it('publishes nothing when another call claimed the summary', async () => {
    // Prepare
    dynamodbMock
      .on(UpdateItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));

    // Act
    const outcome = await completeRun(clients, input);

    // Assess
    expect(outcome).toEqual({ state: 'already' });
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
    expect(dynamodbMock).not.toHaveReceivedCommand(QueryCommand);
  });

  it('publishes nothing, without a claim, when the summary was published', async () => {
    // Prepare
    dynamodbMock
      .on(GetItemCommand)
      .resolves({ Item: header({ publishedAt: { S: NOW.toISOString() } }) });

    // Act
    const outcome = await completeRun(clients, { ...input, force: true });

    // Assess
    expect(outcome).toEqual({ state: 'already' });
    expect(dynamodbMock).not.toHaveReceivedCommand(UpdateItemCommand);
  });

  it('says when the run has no header', async () => {
    // Prepare
    dynamodbMock.on(GetItemCommand).resolves({});

    // Act / Assess
    expect(await completeRun(clients, input)).toEqual({ state: 'missing' });
    expect(await completeIfDone(clients, input)).toBeUndefined();
  });

  it('reads every page of the target items', async () => {
    // Prepare
    dynamodbMock
      .on(QueryCommand)
      .resolvesOnce({
        Items: [
          list('100000000000', '100000000001', '100000000002'),
          targetItem('100000000000', 'done'),
        ],
        LastEvaluatedKey: { pk, sk: { S: 'target#100000000000#eu-west-1' } },
      })
      .resolvesOnce({
        Items: [targetItem('100000000001', 'done')],
        LastEvaluatedKey: { pk, sk: { S: 'target#100000000001#eu-west-1' } },
      })
      .resolves({ Items: [targetItem('100000000002', 'done')] });

    // Act
    const summary = await completeIfDone(clients, input);

    // Assess
    expect(summary).toMatchObject({ done: 3, pending: 0, totals: { snapshotsDeleted: 6 } });
    const starts = dynamodbMock
      .commandCalls(QueryCommand)
      .map((call) => call.args[0].input.ExclusiveStartKey?.sk?.S);
    expect(starts).toEqual([
      undefined,
      'target#100000000000#eu-west-1',
      'target#100000000001#eu-west-1',
    ]);
  });

  it('ignores target items without a final result (a failure still being retried)', async () => {
    // Prepare
    dynamodbMock
      .on(GetItemCommand)
      .resolves({ Item: header({ expected: { N: '1' }, completed: { N: '0' } }) });
    dynamodbMock.on(QueryCommand).resolves({
      Items: [
        list('100000000000'),
        {
          pk,
          sk: { S: 'target#100000000000#eu-west-1' },
          attempts: { N: '1' },
          lastError: { S: 'x' },
        },
      ],
    });

    // Act
    const summary = await completeIfDone(clients, { ...input, force: true });

    // Assess
    expect(summary).toMatchObject({ done: 0, failed: 0, pending: 1 });
  });

  it('reads the failed entries of a target item back', async () => {
    // Prepare
    dynamodbMock.on(QueryCommand).resolves({
      Items: [
        targetItem('100000000000', 'done', {
          failed: {
            L: [{ M: { id: { S: 'snap-1' }, action: { S: 'delete' }, reason: { S: 'InUse' } } }],
          },
          failedCount: { N: '4' },
        }),
      ],
    });

    // Act
    const summary = await completeIfDone(clients, input);

    // Assess
    expect(summary?.failedEntries).toBe(4);
    expect(summary?.worstFailures).toEqual([
      {
        target: { accountId: '100000000000', region: 'eu-west-1' },
        id: 'snap-1',
        action: 'delete',
        reason: 'InUse',
      },
    ]);
  });

  it('reads a target item by its key, with defaults for what it lacks', async () => {
    // Prepare: a header without counters, items without totals or parts of an entry.
    dynamodbMock.on(GetItemCommand).resolves({ Item: { pk, sk: { S: 'run' } } });
    dynamodbMock.on(QueryCommand).resolves({
      Items: [
        { pk, sk: { S: 'run' } },
        {
          pk,
          sk: { S: 'list#0000' },
          targets: { L: [{ N: '1' }, { S: '100000000009#us-east-1' }] },
        },
        { pk, sk: { S: 'target#100000000000#eu-west-1' }, status: { S: 'done' } },
        {
          pk,
          sk: { S: 'target#100000000001#eu-west-1' },
          status: { S: 'failed' },
          failed: { L: [{ M: { id: { S: 'snap-1' } } }, { NULL: true }] },
        },
      ],
    });

    // Act
    const summary = await completeIfDone(clients, input);

    // Assess
    expect(summary).toMatchObject({
      runId: RUN_ID,
      function: 'snapshot-cleanup',
      targets: 3,
      done: 1,
      failed: 1,
      pending: 1,
      pendingTargets: [{ accountId: '100000000009', region: 'us-east-1' }],
      totals: {},
      failedEntries: 2,
    });
    expect(summary).not.toHaveProperty('startedAt');
    expect(summary).not.toHaveProperty('deadline');
    expect(summary?.worstFailures).toEqual([
      { target: { accountId: '100000000001', region: 'eu-west-1' }, reason: 'failed' },
      {
        target: { accountId: '100000000001', region: 'eu-west-1' },
        id: 'snap-1',
        action: '-',
        reason: '-',
      },
      {
        target: { accountId: '100000000001', region: 'eu-west-1' },
        id: '-',
        action: '-',
        reason: '-',
      },
    ]);
  });

  it('treats a header without a completed count as nothing completed', async () => {
    // Prepare
    dynamodbMock
      .on(GetItemCommand)
      .resolves({ Item: { pk, sk: { S: 'run' }, expected: { N: '1' } } });

    // Act / Assess
    expect(await completeRun(clients, input)).toEqual({ state: 'incomplete' });
  });

  it('gives the claim back when the publish fails, so a retry publishes', async () => {
    // Prepare
    snsMock.on(PublishCommand).rejects(new Error('throttled'));

    // Act / Assess
    await expect(completeIfDone(clients, input)).rejects.toThrow('throttled');
    const release = dynamodbMock.commandCalls(UpdateItemCommand)[1]?.args[0].input;
    expect(release).toEqual({
      TableName: TABLE,
      Key: { pk, sk: { S: 'run' } },
      UpdateExpression: 'REMOVE summaryAt, summaryLeaseUntil',
      ConditionExpression: 'attribute_not_exists(publishedAt)',
    });
    expect(dynamodbMock.commandCalls(UpdateItemCommand)).toHaveLength(2);
  });

  it('keeps the claim when only marking it published fails, so it is not published twice', async () => {
    // Prepare
    dynamodbMock.on(UpdateItemCommand).resolvesOnce({}).rejects(new Error('throttled'));

    // Act / Assess
    await expect(completeIfDone(clients, input)).rejects.toThrow('throttled');
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
    expect(dynamodbMock.commandCalls(UpdateItemCommand)).toHaveLength(2);
  });

  it('rethrows an error of the claim other than its condition', async () => {
    // Prepare
    dynamodbMock.on(UpdateItemCommand).rejects(new Error('throttled'));

    // Act / Assess
    await expect(completeIfDone(clients, input)).rejects.toThrow('throttled');
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it('publishes the summary of a run of no targets', async () => {
    // Prepare
    dynamodbMock.on(GetItemCommand).resolves({
      Item: header({ expected: { N: '0' }, completed: { N: '0' }, failed: { N: '0' } }),
    });
    dynamodbMock.on(QueryCommand).resolves({ Items: [] });

    // Act
    const summary = await completeIfDone(clients, input);

    // Assess
    expect(summary).toMatchObject({ targets: 0, done: 0, failed: 0, pending: 0 });
    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Subject).toBe(
      'Nightshift snapshot-cleanup: no targets',
    );
  });
});
