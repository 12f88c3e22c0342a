import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { notableOf, recordRun, writeRun } from '../src/write.ts';
import { aRecord, aReport, TABLE } from './fixtures.ts';

const dynamodbMock = mockClient(DynamoDBClient);
const dynamodb = new DynamoDBClient({ region: 'eu-west-1' });
const logger = () => ({ warn: vi.fn() });

beforeEach(() => {
  dynamodbMock.reset();
  dynamodbMock.on(PutItemCommand).resolves({});
});

const putItem = () => dynamodbMock.commandCalls(PutItemCommand)[0]?.args[0].input;

describe('notableOf', () => {
  it('is the items and the failures of a record; a quiet run has 0', () => {
    expect(
      notableOf(aRecord({ items: [], counts: { planned: 0, done: 0, skipped: 9, failed: 0 } })),
    ).toBe(0);
    expect(notableOf(aRecord())).toBe(1);
    // Two failures, one of them an item too (a failed stop), the other a problem of the plan.
    expect(
      notableOf(
        aRecord({
          items: [{ list: 'failed', id: 'i-1', action: 'stop', reason: 'denied' }],
          counts: { planned: 0, done: 0, skipped: 0, failed: 2 },
        }),
      ),
    ).toBe(3);
  });
});

describe('writeRun', () => {
  it('puts the record as JSON under its day and finish time, expiring retentionDays later', async () => {
    // Prepare
    const record = aRecord();
    const log = logger();

    // Act
    const written = await writeRun(dynamodb, { table: TABLE, retentionDays: 400 }, record, log);

    // Assess
    expect(written).toBe(true);
    expect(dynamodbMock.commandCalls(PutItemCommand)).toHaveLength(1);
    const input = putItem();
    expect(input?.TableName).toBe(TABLE);
    expect(input?.Item?.pk).toEqual({ S: 'history#2026-11-30' });
    expect(input?.Item?.sk?.S).toMatch(
      /^2026-11-30T03:00:09\.000Z#snapshot-cleanup#123456789012#eu-west-1#[0-9a-f]{8}$/,
    );
    expect(JSON.parse(input?.Item?.record?.S ?? '')).toEqual(record);
    expect(input?.Item?.expiresAt).toEqual({
      N: String(Date.parse('2026-11-30T03:00:09.000Z') / 1000 + 400 * 86_400),
    });
    // One item and no failure: notable 1.
    expect(input?.Item?.notable).toEqual({ N: '1' });
    expect(Object.keys(input?.Item ?? {}).sort()).toEqual([
      'expiresAt',
      'notable',
      'pk',
      'record',
      'sk',
    ]);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('logs a failed write and answers false, never throwing', async () => {
    // Prepare
    const error = Object.assign(new Error('User is not authorized to perform dynamodb:PutItem'), {
      name: 'AccessDeniedException',
    });
    dynamodbMock.on(PutItemCommand).rejects(error);
    const log = logger();

    // Act
    const written = await writeRun(dynamodb, { table: TABLE, retentionDays: 400 }, aRecord(), log);

    // Assess
    expect(written).toBe(false);
    expect(log.warn).toHaveBeenCalledExactlyOnceWith('Run history not written', { error });
  });
});

describe('recordRun', () => {
  const settings = { table: TABLE, retentionDays: 30, environment: 'staging' };
  const place = { account: '210987654321', region: 'us-east-1' };

  it('writes the report as a record of the place and the settings environment', async () => {
    // Act
    const written = await recordRun(() => dynamodb, settings, aReport(), place, logger());

    // Assess
    expect(written).toBe(true);
    const record = JSON.parse(putItem()?.Item?.record?.S ?? '{}');
    expect(record).toMatchObject({
      service: 'infra-scaler',
      environment: 'staging',
      account: '210987654321',
      region: 'us-east-1',
      counts: { planned: 1, done: 1, skipped: 2, failed: 1 },
    });
    expect(putItem()?.Item?.expiresAt).toEqual({
      N: String(Date.parse('2026-11-30T19:00:05.000Z') / 1000 + 30 * 86_400),
    });
  });

  it('writes nothing, and makes no client, without a table', async () => {
    // Prepare
    const client = vi.fn(() => dynamodb);

    // Act
    const written = await recordRun(
      client,
      { retentionDays: 400, environment: 'unknown' },
      aReport(),
      place,
      logger(),
    );

    // Assess
    expect(written).toBe(false);
    expect(client).not.toHaveBeenCalled();
    expect(dynamodbMock.calls()).toHaveLength(0);
  });

  it('logs a report it cannot make a record of, and answers false, never throwing', async () => {
    // Prepare: a report whose totals cannot be serialised.
    const report = aReport();
    (report.totals as Record<string, unknown>).big = 10n;
    const log = logger();

    // Act
    const written = await recordRun(() => dynamodb, settings, report, place, log);

    // Assess
    expect(written).toBe(false);
    expect(log.warn).toHaveBeenCalledWith('Run history not written', {
      error: expect.any(TypeError),
    });
    expect(dynamodbMock.calls()).toHaveLength(0);
  });
});
