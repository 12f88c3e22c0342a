import { DynamoDBClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseRunRecord, readRuns } from '../src/read.ts';
import type { RunRecord } from '../src/types.ts';
import { aRecord, TABLE } from './fixtures.ts';

const dynamodbMock = mockClient(DynamoDBClient);
const dynamodb = new DynamoDBClient({ region: 'eu-west-1' });

const itemOf = (record: RunRecord | string) => ({
  pk: { S: 'history#x' },
  sk: { S: 'x' },
  record: { S: typeof record === 'string' ? record : JSON.stringify(record) },
});

beforeEach(() => {
  dynamodbMock.reset();
  dynamodbMock.on(QueryCommand).resolves({ Items: [] });
});

const queries = (): QueryCommandInput[] =>
  dynamodbMock.commandCalls(QueryCommand).map((call) => call.args[0].input);

describe('readRuns', () => {
  it('queries each UTC day of the range between the two times, every page, and sorts by finish', async () => {
    // Prepare: 29 Nov has two pages; 30 Nov has a bad record and one without `record`.
    const late = aRecord({ finishedAt: '2026-11-29T23:00:00.000Z', service: 'backup-manager' });
    const early = aRecord({ finishedAt: '2026-11-29T21:00:00.000Z' });
    const next = aRecord({ finishedAt: '2026-11-30T01:00:00.000Z', service: 'infra-scaler' });
    const page2Key = { pk: { S: 'history#2026-11-29' }, sk: { S: 'k' } };
    dynamodbMock
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': { S: 'history#2026-11-29' } } })
      .resolves({ Items: [itemOf(late)], LastEvaluatedKey: page2Key })
      .on(QueryCommand, {
        ExpressionAttributeValues: { ':pk': { S: 'history#2026-11-29' } },
        ExclusiveStartKey: page2Key,
      })
      .resolves({ Items: [itemOf(early)] })
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': { S: 'history#2026-11-30' } } })
      .resolves({
        Items: [itemOf('{not json'), itemOf(next), { pk: { S: 'history#2026-11-30' } }],
      });

    // Act
    const result = await readRuns(dynamodb, TABLE, {
      from: new Date('2026-11-29T20:00:00.000Z'),
      to: new Date('2026-11-30T20:00:00.000Z'),
    });

    // Assess
    expect(result.records).toEqual([early, late, next]);
    expect(result.unreadable).toBe(2);
    expect(queries()).toHaveLength(3);
    expect(queries()[0]).toEqual({
      TableName: TABLE,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: {
        ':pk': { S: 'history#2026-11-29' },
        ':from': { S: '2026-11-29T20:00:00.000Z' },
        ':to': { S: '2026-11-30T20:00:00.000Z' },
      },
    });
    const ofDay = (day: string) =>
      queries().filter((input) => input.ExpressionAttributeValues?.[':pk']?.S === `history#${day}`);
    expect(ofDay('2026-11-29').map((input) => input.ExclusiveStartKey)).toEqual([
      undefined,
      page2Key,
    ]);
    expect(ofDay('2026-11-30')).toHaveLength(1);
  });

  it('reads a month, each day once, at most four at a time', async () => {
    // Prepare
    let inFlight = 0;
    let most = 0;
    dynamodbMock.on(QueryCommand).callsFake(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight -= 1;
      return { Items: [] };
    });

    // Act
    await readRuns(dynamodb, TABLE, {
      from: new Date('2026-11-01T00:00:00.000Z'),
      to: new Date('2026-11-30T12:00:00.000Z'),
    });

    // Assess
    const days = queries().map((input) => input.ExpressionAttributeValues?.[':pk']?.S);
    expect(days).toHaveLength(30);
    expect(new Set(days).size).toBe(30);
    expect(most).toBe(4);
  });

  it('sorts the records of a day by finish, and reads a page without items as none', async () => {
    // Prepare
    const times = ['05', '01', '04', '02', '03'].map((hour) => `2026-11-30T${hour}:00:00.000Z`);
    dynamodbMock
      .on(QueryCommand)
      .resolvesOnce({ LastEvaluatedKey: { pk: { S: 'history#2026-11-30' }, sk: { S: 'k' } } })
      .resolves({ Items: times.map((finishedAt) => itemOf(aRecord({ finishedAt }))) });

    // Act
    const { records, unreadable } = await readRuns(dynamodb, TABLE, {
      from: new Date('2026-11-30T00:00:00.000Z'),
      to: new Date('2026-11-30T06:00:00.000Z'),
    });

    // Assess
    expect(records.map(({ finishedAt }) => finishedAt.slice(11, 13))).toEqual([
      '01',
      '02',
      '03',
      '04',
      '05',
    ]);
    expect(unreadable).toBe(0);
  });

  it('leaves the quiet runs out on the server when asked: notable above 0 only', async () => {
    // Act
    await readRuns(dynamodb, TABLE, {
      from: new Date('2026-11-30T00:00:00.000Z'),
      to: new Date('2026-11-30T12:00:00.000Z'),
      notableOnly: true,
    });
    await readRuns(dynamodb, TABLE, {
      from: new Date('2026-11-30T00:00:00.000Z'),
      to: new Date('2026-11-30T12:00:00.000Z'),
    });

    // Assess
    const [notable, every] = queries();
    expect(notable).toMatchObject({
      FilterExpression: '#notable > :quiet',
      ExpressionAttributeNames: { '#notable': 'notable' },
      ExpressionAttributeValues: { ':quiet': { N: '0' } },
    });
    expect(every?.FilterExpression).toBeUndefined();
    expect(every?.ExpressionAttributeNames).toEqual({ '#pk': 'pk', '#sk': 'sk' });
  });

  it('reads nothing for a range that ends before it starts', async () => {
    // Act
    const result = await readRuns(dynamodb, TABLE, {
      from: new Date('2026-11-30T12:00:00.000Z'),
      to: new Date('2026-11-30T11:00:00.000Z'),
    });

    // Assess
    expect(result).toEqual({ records: [], unreadable: 0 });
    expect(queries()).toHaveLength(0);
  });

  it('lets a failed query throw', async () => {
    // Prepare
    dynamodbMock.on(QueryCommand).rejects(new Error('ResourceNotFoundException'));

    // Act & Assess
    await expect(
      readRuns(dynamodb, TABLE, { from: new Date(0), to: new Date(86_400_000) }),
    ).rejects.toThrow('ResourceNotFoundException');
  });
});

describe('parseRunRecord', () => {
  it('reads back a record with its items, details and truncation', () => {
    // Prepare
    const record = aRecord({
      truncated: 3,
      items: [
        { list: 'done', id: 'i-1', action: 'stop', reason: 'r', details: { multiAz: true, n: 2 } },
        { list: 'failed', id: 'i-2', action: 'stop', reason: 'r' },
        { list: 'skipped', id: 'snap-1', action: 'keep', reason: 'r' },
      ],
    });

    // Act & Assess
    expect(parseRunRecord(JSON.stringify(record))).toEqual(record);
    expect(parseRunRecord(JSON.stringify(aRecord()))).not.toHaveProperty('truncated');
  });

  it.each([
    ['missing', undefined],
    ['not JSON', '{'],
    ['not an object', '42'],
    ['without counts', JSON.stringify({ ...aRecord(), counts: undefined })],
    ['with a bad list', JSON.stringify(aRecord({ items: [{ list: 'planned' } as never] }))],
    [
      'with a nested detail',
      JSON.stringify(
        aRecord({
          items: [{ list: 'done', id: 'i', action: 'a', reason: 'r', details: { x: {} as never } }],
        }),
      ),
    ],
  ])('refuses a record that is %s', (_, text) => {
    // Act & Assess
    expect(parseRunRecord(text)).toBeUndefined();
  });
});
