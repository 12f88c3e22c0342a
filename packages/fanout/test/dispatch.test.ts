import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { ValidationError } from '@nightshift/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../src/dispatch.ts';
import { parseMessage } from '../src/message.ts';
import type { Target } from '../src/types.ts';
import { DEADLINE, NOW, pk, QUEUE_URL, RUN_ID, TABLE, targets } from './fixtures.ts';

const sqsMock = mockClient(SQSClient);
const dynamodbMock = mockClient(DynamoDBClient);
const clients = {
  sqs: new SQSClient({ region: 'eu-west-1' }),
  dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
};
const EVENT = { 'detail-type': 'Scheduled Event', time: '2026-11-30T08:00:00Z' };
const input = (count: number, overrides: Partial<Parameters<typeof dispatch>[1]> = {}) => ({
  queueUrl: QUEUE_URL,
  table: TABLE,
  runId: RUN_ID,
  functionName: 'snapshot-cleanup',
  event: EVENT,
  targets: targets(count),
  deadline: DEADLINE,
  now: NOW,
  retryDelayMs: 0,
  ...overrides,
});

const sentEntries = () =>
  sqsMock.commandCalls(SendMessageBatchCommand).flatMap((call) => call.args[0].input.Entries ?? []);

const conditionFailed = (item?: Record<string, unknown>) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    ...(item ? { Item: item as never } : {}),
  });

beforeEach(() => {
  sqsMock.reset();
  dynamodbMock.reset();
  sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  sqsMock.on(SendMessageCommand).resolves({});
  dynamodbMock.on(UpdateItemCommand).resolves({});
  dynamodbMock.on(PutItemCommand).resolves({});
});

describe('dispatch', () => {
  it('writes the header only for a new run (or one whose dispatch died), with its counters at zero', async () => {
    // Act
    await dispatch(clients, input(3, { leaseUntil: new Date('2026-11-30T08:05:00.000Z') }));

    // Assess
    expect(dynamodbMock.commandCalls(UpdateItemCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk, sk: { S: 'run' } },
      UpdateExpression:
        'SET #function = :function, #expected = :expected, ' +
        '#completed = if_not_exists(#completed, :zero), #failed = if_not_exists(#failed, :zero), ' +
        '#startedAt = if_not_exists(#startedAt, :startedAt), #deadline = :deadline, ' +
        '#expiresAt = :expiresAt, #lease = :lease',
      ConditionExpression:
        'attribute_not_exists(pk) OR (attribute_not_exists(#enqueuedAt) AND #lease < :now)',
      ExpressionAttributeNames: {
        '#function': 'function',
        '#expected': 'expected',
        '#completed': 'completed',
        '#failed': 'failed',
        '#startedAt': 'startedAt',
        '#deadline': 'deadline',
        '#expiresAt': 'expiresAt',
        '#lease': 'dispatchLeaseUntil',
        '#enqueuedAt': 'enqueuedAt',
      },
      ExpressionAttributeValues: {
        ':function': { S: 'snapshot-cleanup' },
        ':expected': { N: '3' },
        ':zero': { N: '0' },
        ':startedAt': { S: NOW.toISOString() },
        ':deadline': { S: DEADLINE.toISOString() },
        ':expiresAt': { N: String(NOW.getTime() / 1000 + 30 * 86_400) },
        ':lease': { N: String(Date.parse('2026-11-30T08:05:00.000Z')) },
        ':now': { N: String(NOW.getTime()) },
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('holds the run 15 minutes by default, Lambda longest timeout', async () => {
    // Act
    await dispatch(clients, input(1));

    // Assess
    expect(
      dynamodbMock.commandCalls(UpdateItemCommand)[0]?.args[0].input.ExpressionAttributeValues?.[
        ':lease'
      ],
    ).toEqual({ N: String(NOW.getTime() + 15 * 60_000) });
  });

  it('sends no empty batch when the targets fill the last one', async () => {
    // Act
    await dispatch(clients, input(20));

    // Assess
    expect(
      sqsMock
        .commandCalls(SendMessageBatchCommand)
        .map((call) => call.args[0].input.Entries?.length),
    ).toEqual([10, 10]);
  });

  it('sends one message per target, 10 per batch, each the contract message', async () => {
    // Act
    const result = await dispatch(clients, input(23));

    // Assess
    expect(result).toEqual({ runId: RUN_ID, enqueued: 23, status: 'dispatched' });
    const batches = sqsMock.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);
    expect(batches.map((batch) => batch.Entries?.length)).toEqual([10, 10, 3]);
    expect(batches.every((batch) => batch.QueueUrl === QUEUE_URL)).toBe(true);
    const first = sentEntries()[0] as SendMessageBatchRequestEntry;
    expect(JSON.parse(first.MessageBody ?? '')).toEqual({
      v: 1,
      kind: 'target',
      runId: RUN_ID,
      function: 'snapshot-cleanup',
      target: { accountId: '100000000000', region: 'eu-west-1' },
      event: EVENT,
      deadline: DEADLINE.toISOString(),
    });
    const accounts = sentEntries().map(
      (entry) =>
        (parseMessage(entry.MessageBody ?? '') as { target: { accountId: string } }).target
          .accountId,
    );
    expect(new Set(accounts).size).toBe(23);
  });

  it('sends each target once, in order, when the list repeats one', async () => {
    // Act
    const [first, second] = targets(2) as [Target, Target];
    const list = [second, first, { ...second }];
    const result = await dispatch(clients, input(0, { targets: list }));

    // Assess
    expect(result.enqueued).toBe(2);
    expect(
      sentEntries().map((entry) => JSON.parse(entry.MessageBody ?? '').target.accountId),
    ).toEqual(['100000000000', '100000000001']);
    expect(
      dynamodbMock.commandCalls(UpdateItemCommand)[0]?.args[0].input.ExpressionAttributeValues?.[
        ':expected'
      ],
    ).toEqual({ N: '2' });
  });

  it('lists the run targets in the table, 1,000 per item, for the summary to name the pending ones', async () => {
    // Act
    await dispatch(clients, input(1_001));

    // Assess
    const items = dynamodbMock.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item);
    expect(items.map((item) => item?.sk)).toEqual([{ S: 'list#0000' }, { S: 'list#0001' }]);
    expect(items[0]?.targets?.L).toHaveLength(1_000);
    expect(items[1]?.targets?.L).toEqual([{ S: '100000001000#eu-west-1' }]);
    expect(items[0]?.pk).toEqual(pk);
    expect(items[0]?.expiresAt).toEqual({ N: String(NOW.getTime() / 1000 + 30 * 86_400) });
  });

  it('sends the deadline message delayed until the deadline, at most 15 minutes', async () => {
    // Act
    await dispatch(clients, input(1));
    await dispatch(clients, input(1, { deadline: new Date(NOW.getTime() + 90_500) }));

    // Assess
    const [far, near] = sqsMock.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    expect(far?.DelaySeconds).toBe(900);
    expect(near?.DelaySeconds).toBe(91);
    expect(JSON.parse(far?.MessageBody ?? '')).toEqual({
      v: 1,
      kind: 'deadline',
      runId: RUN_ID,
      function: 'snapshot-cleanup',
      deadline: DEADLINE.toISOString(),
    });
  });

  it('sends the deadline message at once for a run of no targets, which no target would report', async () => {
    // Act
    const result = await dispatch(clients, input(0));

    // Assess
    expect(result).toEqual({ runId: RUN_ID, enqueued: 0, status: 'dispatched' });
    expect(sqsMock).not.toHaveReceivedCommand(SendMessageBatchCommand);
    expect(sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input.DelaySeconds).toBe(0);
  });

  it('marks the run enqueued after the last message, ending its lease', async () => {
    // Act
    await dispatch(clients, input(2));

    // Assess
    const calls = dynamodbMock.commandCalls(UpdateItemCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual({
      TableName: TABLE,
      Key: { pk, sk: { S: 'run' } },
      UpdateExpression: 'SET enqueuedAt = :now REMOVE dispatchLeaseUntil',
      ExpressionAttributeValues: { ':now': { S: NOW.toISOString() } },
    });
  });

  it('enqueues nothing for a run dispatched before', async () => {
    // Prepare
    dynamodbMock
      .on(UpdateItemCommand)
      .rejects(conditionFailed({ pk, enqueuedAt: { S: NOW.toISOString() } }));

    // Act
    const result = await dispatch(clients, input(5));

    // Assess
    expect(result).toEqual({ runId: RUN_ID, enqueued: 0, status: 'duplicate' });
    expect(sqsMock.calls()).toHaveLength(0);
    expect(dynamodbMock).not.toHaveReceivedCommand(PutItemCommand);
  });

  it('enqueues nothing while another dispatch of the run holds it', async () => {
    // Prepare
    dynamodbMock
      .on(UpdateItemCommand)
      .rejects(conditionFailed({ pk, dispatchLeaseUntil: { N: '1' } }));

    // Act
    const result = await dispatch(clients, input(5));

    // Assess
    expect(result).toEqual({ runId: RUN_ID, enqueued: 0, status: 'in-progress' });
    expect(sqsMock.calls()).toHaveLength(0);
  });

  it('reads a refusal without the old item as a duplicate', async () => {
    // Prepare
    dynamodbMock.on(UpdateItemCommand).rejects(conditionFailed());

    // Act / Assess
    expect((await dispatch(clients, input(1))).status).toBe('duplicate');
  });

  it('sends again only the entries SQS refused, until they are sent', async () => {
    // Prepare
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Failed: [
          { Id: '3', Code: 'InternalError', SenderFault: false },
          { Id: '7', Code: 'InternalError', SenderFault: false },
        ],
      })
      .resolves({ Failed: [] });

    // Act
    const result = await dispatch(clients, input(10));

    // Assess
    expect(result.enqueued).toBe(10);
    const calls = sqsMock
      .commandCalls(SendMessageBatchCommand)
      .map((call) => call.args[0].input.Entries);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.map((entry) => entry.Id)).toEqual(['3', '7']);
    expect(calls[1]?.map((entry) => entry.MessageBody)).toEqual([
      calls[0]?.[3]?.MessageBody,
      calls[0]?.[7]?.MessageBody,
    ]);
  });

  it('throws naming how many messages could not be sent after its attempts, and frees the run for a retry', async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).resolves({
      Failed: [{ Id: '0', Code: 'ServiceUnavailable', Message: 'try later', SenderFault: false }],
    });

    // Act
    const outcome = dispatch(clients, input(25, { attempts: 3 }));

    // Assess
    await expect(outcome).rejects.toThrow(
      '3 of 25 target message(s) of run snapshot-cleanup/2026-11-30T08:00:00.000Z could not be sent to the queue (ServiceUnavailable: try later)',
    );
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(9);
    expect(sqsMock).not.toHaveReceivedCommand(SendMessageCommand);
    expect(dynamodbMock.commandCalls(UpdateItemCommand)[1]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk, sk: { S: 'run' } },
      UpdateExpression: 'SET dispatchLeaseUntil = :zero',
      ExpressionAttributeValues: { ':zero': { N: '0' } },
    });
  });

  it('does not retry an entry refused through the sender fault', async () => {
    // Prepare
    sqsMock
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', Code: 'InvalidMessageContents', SenderFault: true }] });

    // Act / Assess
    await expect(dispatch(clients, input(1))).rejects.toThrow('1 of 1 target message(s)');
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('retries an entry refused by the service even when another of the batch was the sender fault, then stops', async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).resolves({
      Failed: [
        { Id: '0', Code: 'InternalError', SenderFault: false },
        { Id: '1', Code: 'InvalidMessageContents', SenderFault: true },
      ],
    });

    // Act / Assess
    await expect(dispatch(clients, input(2))).rejects.toThrow('2 of 2 target message(s)');
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('waits 200 ms, then 400 ms, before sending refused entries again', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    sqsMock
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    const calls = () => sqsMock.commandCalls(SendMessageBatchCommand).length;

    try {
      // Act
      const outcome = dispatch(clients, { ...input(1), retryDelayMs: undefined });
      outcome.catch(() => undefined);
      await vi.advanceTimersByTimeAsync(199);
      const beforeFirst = calls();
      await vi.advanceTimersByTimeAsync(1);
      const afterFirst = calls();
      await vi.advanceTimersByTimeAsync(399);
      const beforeSecond = calls();
      await vi.advanceTimersByTimeAsync(1);
      const afterSecond = calls();

      // Assess
      expect([beforeFirst, afterFirst, beforeSecond, afterSecond]).toEqual([1, 2, 2, 3]);
      await expect(outcome).rejects.toThrow('1 of 1 target message(s)');
    } finally {
      vi.useRealTimers();
    }
  });

  it('rethrows an error of the header write other than its condition', async () => {
    // Prepare
    dynamodbMock.on(UpdateItemCommand).rejects(new Error('throttled'));

    // Act / Assess
    await expect(dispatch(clients, input(1))).rejects.toThrow('throttled');
    expect(sqsMock.calls()).toHaveLength(0);
  });

  it('counts a whole batch whose call failed', async () => {
    // Prepare
    sqsMock.on(SendMessageBatchCommand).rejectsOnce(new Error('socket hang up')).resolves({});

    // Act / Assess
    await expect(dispatch(clients, input(12))).rejects.toThrow(
      '10 of 12 target message(s) of run snapshot-cleanup/2026-11-30T08:00:00.000Z could not be sent to the queue (socket hang up)',
    );
  });

  it('refuses a deadline that is not after now, before any call', async () => {
    // Act / Assess
    const error = await dispatch(clients, input(1, { deadline: NOW })).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe(
      'Invalid dispatch: deadline: must be later than now',
    );
    expect(dynamodbMock.calls()).toHaveLength(0);
  });
});
