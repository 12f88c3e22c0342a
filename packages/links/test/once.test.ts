import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { claimOnce, markDone } from '../src/once.ts';

const dynamodb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'eu-west-1' });
const NOW = new Date('2026-03-02T17:30:00.000Z');
const LEASE = new Date('2026-03-02T17:30:30.000Z');
const record = {
  table: 'nightshift-actions',
  key: 'nonce#q3Jx0cXG2Y1bqYw2m0kN5A',
  attributes: { sourceIp: { S: '198.51.100.7' }, schedule: { S: 'office-hours' } },
  expiresAt: Date.parse('2026-03-03T18:00:00.000Z'),
};

const conditionFailed = (item?: Record<string, AttributeValue>) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    ...(item ? { Item: item } : {}),
  });

beforeEach(() => dynamodb.reset());

describe('claimOnce', () => {
  it('writes a pending record with its lease, expiry and attributes, only if new or its lease ran out', async () => {
    // Prepare
    dynamodb.on(UpdateItemCommand).resolves({});

    // Act
    const outcome = await claimOnce(client, record, NOW, LEASE);

    // Assess
    expect(outcome).toBe('claimed');
    expect(dynamodb.commandCalls(UpdateItemCommand)[0]?.args[0].input).toEqual({
      TableName: 'nightshift-actions',
      Key: { pk: { S: 'nonce#q3Jx0cXG2Y1bqYw2m0kN5A' } },
      UpdateExpression:
        'SET #state = :pending, leaseUntil = :lease, expiresAt = :expires, #a0 = :a0, #a1 = :a1',
      ConditionExpression: 'attribute_not_exists(pk) OR (#state = :pending AND leaseUntil < :now)',
      ExpressionAttributeNames: { '#state': 'state', '#a0': 'sourceIp', '#a1': 'schedule' },
      ExpressionAttributeValues: {
        ':pending': { S: 'pending' },
        ':lease': { N: String(LEASE.getTime()) },
        ':now': { N: String(NOW.getTime()) },
        ':expires': { N: String(Date.parse('2026-03-03T18:00:00.000Z') / 1000) },
        ':a0': { S: '198.51.100.7' },
        ':a1': { S: 'office-hours' },
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('rounds the expiry up to whole seconds, as the TTL attribute needs', async () => {
    // Prepare
    dynamodb.on(UpdateItemCommand).resolves({});

    // Act
    await claimOnce(client, { ...record, attributes: undefined, expiresAt: 1_000_001 }, NOW, LEASE);

    // Assess
    const input = dynamodb.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    expect(input?.ExpressionAttributeValues?.[':expires']).toEqual({ N: '1001' });
    expect(input?.UpdateExpression).toBe(
      'SET #state = :pending, leaseUntil = :lease, expiresAt = :expires',
    );
  });

  it.each([
    ['done', { state: { S: 'done' } }],
    ['done', { pk: { S: record.key }, at: { S: '2026-03-02T17:00:00.000Z' } }],
    ['busy', { state: { S: 'pending' }, leaseUntil: { N: String(LEASE.getTime()) } }],
  ])('reads a refused claim as %s from the record it found: %j', async (expected, item) => {
    // Prepare
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed(item));

    // Act
    const outcome = await claimOnce(client, record, NOW, LEASE);

    // Assess
    expect(outcome).toBe(expected);
  });

  it('reads a refused claim without the record as busy, so nothing is done twice at once', async () => {
    // Prepare
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());

    // Act
    const outcome = await claimOnce(client, record, NOW, LEASE);

    // Assess
    expect(outcome).toBe('busy');
  });

  it('lets any other error through', async () => {
    // Prepare
    dynamodb
      .on(UpdateItemCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));

    // Act
    const claim = claimOnce(client, record, NOW, LEASE);

    // Assess
    await expect(claim).rejects.toThrow('slow down');
  });

  it.each(['pk', 'state', 'leaseUntil', 'expiresAt', 'doneAt'])(
    'refuses to note an attribute the record keeps itself: %s',
    async (name) => {
      // Prepare
      dynamodb.on(UpdateItemCommand).resolves({});

      // Act
      const claim = claimOnce(
        client,
        { ...record, attributes: { [name]: { S: 'x' } } },
        NOW,
        LEASE,
      );

      // Assess
      await expect(claim).rejects.toThrow(`${name} is kept by the record itself`);
      expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(0);
    },
  );
});

describe('markDone', () => {
  it('sets the state done with its time and what the work found, ends the lease, and only on an existing record', async () => {
    // Prepare
    dynamodb.on(UpdateItemCommand).resolves({});

    // Act
    await markDone(client, { ...record, attributes: { kept: { N: '2' } } }, NOW);

    // Assess
    expect(dynamodb.commandCalls(UpdateItemCommand)[0]?.args[0].input).toEqual({
      TableName: 'nightshift-actions',
      Key: { pk: { S: record.key } },
      UpdateExpression: 'SET #state = :done, doneAt = :at, #d0 = :d0 REMOVE leaseUntil',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#state': 'state', '#d0': 'kept' },
      ExpressionAttributeValues: {
        ':done': { S: 'done' },
        ':at': { S: NOW.toISOString() },
        ':d0': { N: '2' },
      },
    });
  });

  it('does not write a record the table removed already', async () => {
    // Prepare
    dynamodb.on(UpdateItemCommand).rejects(conditionFailed());

    // Act
    const done = markDone(client, { table: record.table, key: record.key }, NOW);

    // Assess
    await expect(done).resolves.toBeUndefined();
  });

  it('lets any other error through', async () => {
    // Prepare
    dynamodb.on(UpdateItemCommand).rejects(new Error('network down'));

    // Act
    const done = markDone(client, record, NOW);

    // Assess
    await expect(done).rejects.toThrow('network down');
  });
});
