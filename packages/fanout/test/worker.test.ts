import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ValidationError } from '@nightshift/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handleBatch, handleRecord, type Work } from '../src/worker.ts';
import { NOW, pk, QUEUE_URL, RUN_ID, TABLE, TOPIC_ARN } from './fixtures.ts';

const dynamodbMock = mockClient(DynamoDBClient);
const sqsMock = mockClient(SQSClient);
const snsMock = mockClient(SNSClient);
const deps = {
  dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
  sqs: new SQSClient({ region: 'eu-west-1' }),
  sns: new SNSClient({ region: 'eu-west-1' }),
};
const settings = {
  table: TABLE,
  queueUrl: QUEUE_URL,
  topicArn: TOPIC_ARN,
  maxReceiveCount: 3,
  now: () => NOW,
};
const target = { accountId: '123456789012', region: 'eu-west-1' };
const DEADLINE = '2026-11-30T08:30:00.000Z';
const EVENT = { retentionDays: 40 };

const targetRecord = (receiveCount = 1, messageId = 'm-1') => ({
  messageId,
  body: JSON.stringify({
    v: 1,
    kind: 'target',
    runId: RUN_ID,
    function: 'snapshot-cleanup',
    target,
    event: EVENT,
    deadline: DEADLINE,
  }),
  attributes: { ApproximateReceiveCount: String(receiveCount) },
});
const deadlineBody = {
  v: 1,
  kind: 'deadline',
  runId: RUN_ID,
  function: 'snapshot-cleanup',
  deadline: DEADLINE,
};
const deadlineRecord = { messageId: 'd-1', body: JSON.stringify(deadlineBody), attributes: {} };

const header = (completed: number, expected = 2): Record<string, AttributeValue> => ({
  pk,
  sk: { S: 'run' },
  function: { S: 'snapshot-cleanup' },
  expected: { N: String(expected) },
  completed: { N: String(completed) },
});
const headerLookup = { Key: { pk, sk: { S: 'run' } } };
const targetLookup = { Key: { pk, sk: { S: 'target#123456789012#eu-west-1' } } };

const doneWork: Work = async () => ({
  status: 'done',
  totals: { snapshotsDeleted: 2 },
  failed: [],
});

beforeEach(() => {
  dynamodbMock.reset();
  sqsMock.reset();
  snsMock.reset();
  dynamodbMock.on(GetItemCommand, targetLookup).resolves({});
  dynamodbMock.on(GetItemCommand, headerLookup).resolves({ Item: header(1) });
  dynamodbMock.on(TransactWriteItemsCommand).resolves({});
  dynamodbMock.on(UpdateItemCommand).resolves({});
  dynamodbMock.on(QueryCommand).resolves({ Items: [] });
  snsMock.on(PublishCommand).resolves({});
  sqsMock.on(SendMessageCommand).resolves({});
});

const transactionItem = () =>
  dynamodbMock.commandCalls(TransactWriteItemsCommand)[0]?.args[0].input.TransactItems?.[0]?.Put
    ?.Item;

describe('handleRecord: a target', () => {
  it('runs the job for the target with the event, records it done and checks the run', async () => {
    // Prepare
    const work = vi.fn(doneWork);

    // Act
    const result = await handleRecord(targetRecord(2), work, deps, settings);

    // Assess
    expect(result).toBe('done');
    expect(work).toHaveBeenCalledWith(target, EVENT, {
      runId: RUN_ID,
      functionName: 'snapshot-cleanup',
      attempt: 2,
      final: false,
    });
    expect(dynamodbMock.commandCalls(GetItemCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      ...targetLookup,
      ConsistentRead: true,
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
    });
    expect(transactionItem()).toMatchObject({
      status: { S: 'done' },
      attempts: { N: '2' },
      totals: { M: { snapshotsDeleted: { N: '2' } } },
    });
    expect(dynamodbMock).toHaveReceivedCommandWith(GetItemCommand, headerLookup);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it('publishes the summary when it is the last target to report', async () => {
    // Prepare
    dynamodbMock.on(GetItemCommand, headerLookup).resolves({ Item: header(2) });

    // Act
    await handleRecord(targetRecord(), doneWork, deps, settings);

    // Assess
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('does not run the job again for a target an earlier delivery finished, but checks the run', async () => {
    // Prepare
    dynamodbMock.on(GetItemCommand, targetLookup).resolves({ Item: { status: { S: 'done' } } });
    dynamodbMock.on(GetItemCommand, headerLookup).resolves({ Item: header(2) });
    const work = vi.fn(doneWork);

    // Act
    const result = await handleRecord(targetRecord(2), work, deps, settings);

    // Assess
    expect(result).toBe('duplicate');
    expect(work).not.toHaveBeenCalled();
    expect(dynamodbMock).not.toHaveReceivedCommand(TransactWriteItemsCommand);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('notes a failure SQS will retry, counts nothing, and throws for the record to come back', async () => {
    // Prepare
    const work: Work = async () => {
      throw Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' });
    };

    // Act / Assess
    await expect(handleRecord(targetRecord(1), work, deps, settings)).rejects.toThrow(
      'User is not authorized',
    );
    expect(dynamodbMock).not.toHaveReceivedCommand(TransactWriteItemsCommand);
    expect(
      dynamodbMock.commandCalls(UpdateItemCommand)[0]?.args[0].input.ExpressionAttributeValues?.[
        ':error'
      ],
    ).toEqual({ S: 'AccessDenied: User is not authorized' });
    expect(dynamodbMock).not.toHaveReceivedCommandWith(GetItemCommand, headerLookup);
  });

  it('counts the failure on the last delivery, checks the run, and still throws (for the dead-letter queue)', async () => {
    // Prepare
    dynamodbMock.on(GetItemCommand, headerLookup).resolves({ Item: header(2) });
    const work: Work = async () => {
      throw new Error('boom');
    };

    // Act / Assess
    await expect(handleRecord(targetRecord(3), work, deps, settings)).rejects.toThrow('boom');
    expect(transactionItem()).toMatchObject({
      status: { S: 'failed' },
      attempts: { N: '3' },
      error: { S: 'Error: boom' },
    });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('treats a job that returns failed items as failed, keeping its totals and items', async () => {
    // Prepare
    const work: Work = async () => ({
      status: 'failed',
      totals: { snapshotsDeleted: 1 },
      failed: [{ id: 'snap-1', action: 'delete', reason: 'InvalidSnapshot.InUse' }],
    });

    // Act / Assess
    await expect(handleRecord(targetRecord(5), work, deps, settings)).rejects.toThrow(
      'snapshot-cleanup: 1 item(s) failed: snap-1 (delete: InvalidSnapshot.InUse)',
    );
    expect(transactionItem()).toMatchObject({
      status: { S: 'failed' },
      totals: { M: { snapshotsDeleted: { N: '1' } } },
      failedCount: { N: '1' },
      error: {
        S: 'PartialFailureError: snapshot-cleanup: 1 item(s) failed: snap-1 (delete: InvalidSnapshot.InUse)',
      },
    });
  });

  it('runs the job of a target that has only notes of earlier failed attempts', async () => {
    // Prepare: the projection of an item without a status is an empty item.
    dynamodbMock.on(GetItemCommand, targetLookup).resolves({ Item: {} });
    const work = vi.fn(doneWork);

    // Act
    const result = await handleRecord(targetRecord(2), work, deps, settings);

    // Assess
    expect(result).toBe('done');
    expect(work).toHaveBeenCalledTimes(1);
  });

  it('treats a failed status without items as failed', async () => {
    // Act / Assess
    await expect(
      handleRecord(targetRecord(1), async () => ({ status: 'failed' }), deps, settings),
    ).rejects.toThrow('snapshot-cleanup: 0 item(s) failed');
  });

  it('keeps the target result for the configured days', async () => {
    // Act
    await handleRecord(targetRecord(), doneWork, deps, { ...settings, ttlDays: 2 });

    // Assess
    expect(transactionItem()?.expiresAt).toEqual({ N: String(NOW.getTime() / 1000 + 2 * 86_400) });
  });

  it('counts a first delivery without a receive count as attempt 1', async () => {
    // Prepare
    const work = vi.fn(doneWork);

    // Act
    await handleRecord({ ...targetRecord(), attributes: {} }, work, deps, settings);

    // Assess
    expect(work.mock.calls[0]?.[2]).toMatchObject({ attempt: 1, final: false });
  });

  it('refuses a malformed message with a ValidationError, before any call', async () => {
    // Act / Assess
    await expect(
      handleRecord({ messageId: 'x', body: '{}', attributes: {} }, doneWork, deps, settings),
    ).rejects.toThrow(ValidationError);
    expect(dynamodbMock.calls()).toHaveLength(0);
  });
});

describe('handleRecord: the deadline', () => {
  it('sends itself on with the time left (15 minutes at most) while targets are missing before the deadline', async () => {
    // Act
    const early = await handleRecord(deadlineRecord, doneWork, deps, {
      ...settings,
      now: () => new Date('2026-11-30T08:00:00.000Z'),
    });
    const late = await handleRecord(deadlineRecord, doneWork, deps, {
      ...settings,
      now: () => new Date('2026-11-30T08:29:00.500Z'),
    });

    // Assess
    expect([early, late]).toEqual(['deadline-passed-on', 'deadline-passed-on']);
    const sent = sqsMock.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    expect(sent).toEqual([
      { QueueUrl: QUEUE_URL, MessageBody: JSON.stringify(deadlineBody), DelaySeconds: 900 },
      { QueueUrl: QUEUE_URL, MessageBody: JSON.stringify(deadlineBody), DelaySeconds: 60 },
    ]);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it('publishes the summary before the deadline when every target has reported (a run of no targets)', async () => {
    // Prepare
    dynamodbMock.on(GetItemCommand, headerLookup).resolves({ Item: header(0, 0) });

    // Act
    const result = await handleRecord(deadlineRecord, doneWork, deps, settings);

    // Assess
    expect(result).toBe('summary-published');
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('publishes the summary with the pending targets once the deadline passed', async () => {
    // Act
    const result = await handleRecord(deadlineRecord, doneWork, deps, {
      ...settings,
      now: () => new Date(DEADLINE),
    });

    // Assess
    expect(result).toBe('summary-published');
    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Subject).toBe(
      'Nightshift snapshot-cleanup: 0 of 2 targets done, 2 pending',
    );
    expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
  });

  it('reads the time from the system clock when given no clock', async () => {
    // Prepare: a deadline long past.
    const { now: _, ...withoutClock } = settings;
    const past = { ...deadlineBody, deadline: '2020-01-01T00:00:00.000Z' };

    // Act
    const result = await handleRecord(
      { ...deadlineRecord, body: JSON.stringify(past) },
      doneWork,
      deps,
      withoutClock,
    );

    // Assess
    expect(result).toBe('summary-published');
  });

  it('does nothing when the summary was already published', async () => {
    // Prepare
    dynamodbMock
      .on(GetItemCommand, headerLookup)
      .resolves({ Item: { ...header(2), publishedAt: { S: NOW.toISOString() } } });

    // Act
    const result = await handleRecord(deadlineRecord, doneWork, deps, settings);

    // Assess
    expect(result).toBe('summary-not-due');
    expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });
});

describe('handleBatch', () => {
  it('returns the records that failed, by message id, and reports each failure', async () => {
    // Prepare
    const onError = vi.fn();
    const work: Work = async (_target, _event, { attempt }) => {
      if (attempt === 2) throw new Error('boom');
      return { status: 'done' };
    };

    // Act
    const response = await handleBatch(
      {
        Records: [
          targetRecord(1, 'ok'),
          targetRecord(2, 'fails'),
          { messageId: 'bad', body: 'not json', attributes: {} },
        ],
      },
      work,
      deps,
      { ...settings, onError },
    );

    // Assess
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: 'fails' }, { itemIdentifier: 'bad' }],
    });
    expect(onError).toHaveBeenCalledTimes(2);
    expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(Error);
    expect(onError.mock.calls[0]?.[1]).toMatchObject({ messageId: 'fails' });
  });

  it('reports a failed record without an error callback', async () => {
    // Act / Assess
    expect(
      await handleBatch(
        { Records: [{ messageId: 'bad', body: 'not json', attributes: {} }] },
        doneWork,
        deps,
        settings,
      ),
    ).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
  });

  it('returns no failures for a batch that went through', async () => {
    // Act / Assess
    expect(await handleBatch({ Records: [targetRecord()] }, doneWork, deps, settings)).toEqual({
      batchItemFailures: [],
    });
  });
});
