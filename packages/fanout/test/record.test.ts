import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { recordTarget } from '../src/record.ts';
import { NOW, pk, RUN_ID, TABLE } from './fixtures.ts';

const dynamodbMock = mockClient(DynamoDBClient);
const dynamodb = new DynamoDBClient({ region: 'eu-west-1' });
const target = { accountId: '123456789012', region: 'eu-west-1' };
const targetKey = { pk, sk: { S: 'target#123456789012#eu-west-1' } };
const EXPIRES = String(NOW.getTime() / 1000 + 30 * 86_400);

const canceled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

beforeEach(() => {
  dynamodbMock.reset();
  dynamodbMock.on(TransactWriteItemsCommand).resolves({});
  dynamodbMock.on(UpdateItemCommand).resolves({});
});

const transaction = () =>
  dynamodbMock.commandCalls(TransactWriteItemsCommand)[0]?.args[0].input.TransactItems ?? [];

describe('recordTarget', () => {
  it('writes a done target once and counts it on the header, in one transaction', async () => {
    // Act
    const counted = await recordTarget(
      { dynamodb },
      {
        table: TABLE,
        runId: RUN_ID,
        target,
        now: NOW,
        final: false,
        outcome: {
          status: 'done',
          attempts: 2,
          totals: { snapshotsDeleted: 3, bad: Number.NaN },
          failed: [{ id: 'snap-1', action: 'delete', reason: 'InvalidSnapshot.InUse' }],
        },
      },
    );

    // Assess: done is final even when the delivery was not the last.
    expect(counted).toBe(true);
    expect(transaction()).toEqual([
      {
        Put: {
          TableName: TABLE,
          Item: {
            ...targetKey,
            accountId: { S: '123456789012' },
            region: { S: 'eu-west-1' },
            status: { S: 'done' },
            attempts: { N: '2' },
            finishedAt: { S: NOW.toISOString() },
            totals: { M: { snapshotsDeleted: { N: '3' } } },
            failed: {
              L: [
                {
                  M: {
                    id: { S: 'snap-1' },
                    action: { S: 'delete' },
                    reason: { S: 'InvalidSnapshot.InUse' },
                  },
                },
              ],
            },
            failedCount: { N: '1' },
            expiresAt: { N: EXPIRES },
          },
          ConditionExpression: 'attribute_not_exists(#status)',
          ExpressionAttributeNames: { '#status': 'status' },
        },
      },
      {
        Update: {
          TableName: TABLE,
          Key: { pk, sk: { S: 'run' } },
          UpdateExpression: 'ADD #completed :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#completed': 'completed' },
          ExpressionAttributeValues: { ':one': { N: '1' } },
        },
      },
    ]);
    expect(dynamodbMock).not.toHaveReceivedCommand(UpdateItemCommand);
  });

  it('counts a final failure as completed and failed, with its error', async () => {
    // Act
    const counted = await recordTarget(
      { dynamodb },
      {
        table: TABLE,
        runId: RUN_ID,
        target,
        now: NOW,
        final: true,
        outcome: { status: 'failed', attempts: 3, error: 'TargetError: AccessDenied' },
      },
    );

    // Assess
    expect(counted).toBe(true);
    const [put, update] = transaction();
    expect(put?.Put?.Item).toMatchObject({
      status: { S: 'failed' },
      attempts: { N: '3' },
      error: { S: 'TargetError: AccessDenied' },
      totals: { M: {} },
      failed: { L: [] },
      failedCount: { N: '0' },
    });
    expect(update?.Update?.UpdateExpression).toBe('ADD #completed :one, #failed :one');
    expect(update?.Update?.ExpressionAttributeNames).toEqual({
      '#completed': 'completed',
      '#failed': 'failed',
    });
  });

  it('keeps at most 10 failed entries but counts them all, and cuts long texts', async () => {
    // Act
    await recordTarget(
      { dynamodb },
      {
        table: TABLE,
        runId: RUN_ID,
        target,
        now: NOW,
        final: true,
        outcome: {
          status: 'failed',
          attempts: 3,
          error: 'e'.repeat(5_000),
          failed: Array.from({ length: 12 }, (_, index) => ({
            id: `snap-${index}`,
            action: 'delete',
            reason: 'r'.repeat(1_000),
          })),
        },
      },
    );

    // Assess
    const item = transaction()[0]?.Put?.Item;
    expect(item?.failed?.L).toHaveLength(10);
    expect(item?.failedCount).toEqual({ N: '12' });
    expect(item?.error?.S).toHaveLength(2_000);
    expect(item?.failed?.L?.[0]?.M?.reason?.S).toHaveLength(500);
    expect(item?.failed?.L?.[0]?.M?.reason?.S?.endsWith('...')).toBe(true);
  });

  it('keeps a text of exactly the limit whole', async () => {
    // Act
    await recordTarget(
      { dynamodb },
      {
        table: TABLE,
        runId: RUN_ID,
        target,
        now: NOW,
        final: true,
        outcome: {
          status: 'failed',
          attempts: 3,
          error: 'e'.repeat(2_000),
          failed: [{ id: 'snap-1', action: 'delete', reason: 'r'.repeat(500) }],
        },
      },
    );

    // Assess
    const item = transaction()[0]?.Put?.Item;
    expect(item?.error?.S).toBe('e'.repeat(2_000));
    expect(item?.failed?.L?.[0]?.M?.reason?.S).toBe('r'.repeat(500));
  });

  it('says "failed" for a final failure that came without an error', async () => {
    // Act
    await recordTarget(
      { dynamodb },
      {
        table: TABLE,
        runId: RUN_ID,
        target,
        now: NOW,
        final: true,
        outcome: { status: 'failed', attempts: 3 },
      },
    );

    // Assess
    expect(transaction()[0]?.Put?.Item?.error).toEqual({ S: 'failed' });
  });

  it('masks a credential quoted in an error', async () => {
    // Act
    await recordTarget(
      { dynamodb },
      {
        table: TABLE,
        runId: RUN_ID,
        target,
        now: NOW,
        final: true,
        outcome: {
          status: 'failed',
          attempts: 1,
          error: `failed posting to ${['https://hooks.slack.com', 'services', 'T00000000', 'B00000000', 'X'.repeat(24)].join('/')}`,
        },
      },
    );

    // Assess
    expect(transaction()[0]?.Put?.Item?.error?.S).not.toContain('XXXXXXXXXXXXXXXXXXXXXXXX');
  });

  it('reads a transaction cancelled by the target condition as a duplicate: counted before', async () => {
    // Prepare
    dynamodbMock.on(TransactWriteItemsCommand).rejects(canceled('ConditionalCheckFailed', 'None'));

    // Act
    const counted = await recordTarget(
      { dynamodb },
      {
        table: TABLE,
        runId: RUN_ID,
        target,
        now: NOW,
        final: true,
        outcome: { status: 'done', attempts: 1 },
      },
    );

    // Assess
    expect(counted).toBe(false);
  });

  it('throws, naming the run, when the run has no header', async () => {
    // Prepare
    dynamodbMock.on(TransactWriteItemsCommand).rejects(canceled('None', 'ConditionalCheckFailed'));

    // Act / Assess
    await expect(
      recordTarget(
        { dynamodb },
        {
          table: TABLE,
          runId: RUN_ID,
          target,
          now: NOW,
          final: true,
          outcome: { status: 'done', attempts: 1 },
        },
      ),
    ).rejects.toThrow(`run ${RUN_ID} has no header in table ${TABLE}`);
  });

  it('keeps the cancellation as the cause of the missing-header error', async () => {
    // Prepare
    const cancellation = canceled('None', 'ConditionalCheckFailed');
    dynamodbMock.on(TransactWriteItemsCommand).rejects(cancellation);

    // Act
    const error = await recordTarget(
      { dynamodb },
      {
        table: TABLE,
        runId: RUN_ID,
        target,
        now: NOW,
        final: true,
        outcome: { status: 'done', attempts: 1 },
      },
    ).catch((caught: unknown) => caught);

    // Assess
    expect((error as Error).cause).toBe(cancellation);
  });

  it('rethrows a cancellation that gives no reasons', async () => {
    // Prepare
    const cancellation = canceled();
    dynamodbMock.on(TransactWriteItemsCommand).rejects(cancellation);

    // Act / Assess
    await expect(
      recordTarget(
        { dynamodb },
        {
          table: TABLE,
          runId: RUN_ID,
          target,
          now: NOW,
          final: true,
          outcome: { status: 'done', attempts: 1 },
        },
      ),
    ).rejects.toBe(cancellation);
  });

  it('rethrows a transaction cancelled for another reason', async () => {
    // Prepare
    const conflict = canceled('TransactionConflict', 'None');
    dynamodbMock.on(TransactWriteItemsCommand).rejects(conflict);

    // Act / Assess
    await expect(
      recordTarget(
        { dynamodb },
        {
          table: TABLE,
          runId: RUN_ID,
          target,
          now: NOW,
          final: true,
          outcome: { status: 'done', attempts: 1 },
        },
      ),
    ).rejects.toBe(conflict);
  });

  it('only notes the attempts and error of a failure SQS will retry, counting nothing', async () => {
    // Act
    const counted = await recordTarget(
      { dynamodb },
      {
        table: TABLE,
        runId: RUN_ID,
        target,
        now: NOW,
        final: false,
        ttlDays: 1,
        outcome: { status: 'failed', attempts: 1, error: 'Error: throttled' },
      },
    );

    // Assess
    expect(counted).toBe(false);
    expect(dynamodbMock).not.toHaveReceivedCommand(TransactWriteItemsCommand);
    expect(dynamodbMock.commandCalls(UpdateItemCommand)[0]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: targetKey,
      UpdateExpression:
        'SET accountId = :account, #region = :region, attempts = :attempts, lastError = :error, lastAttemptAt = :now, expiresAt = :expiresAt',
      ConditionExpression: 'attribute_not_exists(#status)',
      ExpressionAttributeNames: { '#status': 'status', '#region': 'region' },
      ExpressionAttributeValues: {
        ':account': { S: '123456789012' },
        ':region': { S: 'eu-west-1' },
        ':attempts': { N: '1' },
        ':error': { S: 'Error: throttled' },
        ':now': { S: NOW.toISOString() },
        ':expiresAt': { N: String(NOW.getTime() / 1000 + 86_400) },
      },
    });
  });

  it('leaves a final result alone when a retried failure arrives after it', async () => {
    // Prepare
    dynamodbMock
      .on(UpdateItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));

    // Act / Assess
    await expect(
      recordTarget(
        { dynamodb },
        {
          table: TABLE,
          runId: RUN_ID,
          target,
          now: NOW,
          final: false,
          outcome: { status: 'failed', attempts: 2, error: 'x' },
        },
      ),
    ).resolves.toBe(false);
  });

  it('rethrows any other error of the note', async () => {
    // Prepare
    dynamodbMock.on(UpdateItemCommand).rejects(new Error('throttled'));

    // Act / Assess
    await expect(
      recordTarget(
        { dynamodb },
        {
          table: TABLE,
          runId: RUN_ID,
          target,
          now: NOW,
          final: false,
          outcome: { status: 'failed', attempts: 1 },
        },
      ),
    ).rejects.toThrow('throttled');
  });
});
