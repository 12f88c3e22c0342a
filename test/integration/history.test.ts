import { resolve } from 'node:path';
import { DynamoDBClient, ScanCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { readRuns } from '@nightshift/history';
import { countReport, getClient, type Report } from '@nightshift/runtime';
import { connectMoto, invokeBundle } from '@nightshift/testing';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { createRunsTable } from './scenarios/chatActions.ts';
import { remainingIds, seedAccount } from './scenarios/snapshotCleanup.ts';

const bundle = resolve(import.meta.dirname, '../../dist/snapshot-cleanup/index.mjs');
const moto = connectMoto(inject('moto'));
const TABLE = 'nightshift-history-test';
const MINUTE = 60_000;

describe('the run history against the emulated account', () => {
  let topicArn: string;
  let dynamodb: DynamoDBClient;
  beforeEach(async () => {
    ({ TopicArn: topicArn = '' } = await getClient(SNSClient).send(
      new CreateTopicCommand({ Name: 'reports' }),
    ));
    dynamodb = getClient(DynamoDBClient);
    // The history table has the runs table's keys (pk and sk, strings), and a TTL.
    await createRunsTable(dynamodb, TABLE);
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: TABLE,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      }),
    );
  });

  const around = (startedAt: number) => ({
    from: new Date(startedAt - MINUTE),
    to: new Date(Date.now() + MINUTE),
  });

  it("records snapshot-cleanup's run: its service, origin, counts, totals and deletions match its report", async () => {
    // Prepare
    const account = await seedAccount(moto);
    const started = Date.now();

    // Act
    const { result, error } = await invokeBundle<Report>(
      bundle,
      { dryRun: false },
      {
        env: {
          SNS_TOPIC_ARN: topicArn,
          HISTORY_TABLE: TABLE,
          NIGHTSHIFT_ENVIRONMENT: 'staging',
        },
        functionName: 'snapshot-cleanup',
      },
    );
    const { records, unreadable } = await readRuns(dynamodb, TABLE, around(started));

    // Assess
    expect(error).toBeUndefined();
    expect(result?.done.map(({ id }) => id).sort()).toEqual([...account.oldPlain].sort());
    expect(unreadable).toBe(0);
    expect(records).toHaveLength(1);
    const [record] = records;
    expect(record).toMatchObject({
      service: 'snapshot-cleanup',
      environment: 'staging',
      account: '123456789012',
      region: 'us-east-1',
      dryRun: false,
      startedAt: result?.startedAt,
      finishedAt: result?.finishedAt,
      totals: result?.totals,
    });
    expect(record?.counts).toEqual(countReport(result as Report));
    expect(record?.counts).toMatchObject({ done: 2, failed: 0 });
    expect(record?.totals.sourceVolumeGiB).toBe(16);
    expect(
      record?.items.filter(({ list }) => list === 'done').map(({ id, action }) => [id, action]),
    ).toEqual(result?.done.map(({ id, action }) => [id, action]));
    // Of the skipped snapshots, only those that need a person's attention.
    expect(record?.items.filter(({ list }) => list === 'skipped').map(({ id }) => id)).toEqual(
      result?.skipped.filter(({ details }) => details?.attention).map(({ id }) => id),
    );

    // The item as stored: its day's partition, and an expiry 400 days after the run.
    const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: TABLE }));
    expect(Items).toHaveLength(1);
    const finishedAt = Date.parse(result?.finishedAt ?? '');
    expect(Items[0]?.pk?.S).toBe(`history#${new Date(finishedAt).toISOString().slice(0, 10)}`);
    expect(Items[0]?.sk?.S).toMatch(
      new RegExp(`^${result?.finishedAt}#snapshot-cleanup#123456789012#us-east-1#[0-9a-f]{8}$`),
    );
    expect(Number(Items[0]?.expiresAt?.N)).toBe(Math.floor(finishedAt / 1000) + 400 * 86_400);
  });

  it('records a dry run as one, with its counts but not its plan', async () => {
    // Prepare
    const account = await seedAccount(moto);
    const before = await remainingIds(account.ec2);
    const started = Date.now();

    // Act
    const { result, error } = await invokeBundle<Report>(
      bundle,
      { dryRun: true },
      { env: { SNS_TOPIC_ARN: topicArn, HISTORY_TABLE: TABLE, HISTORY_RETENTION_DAYS: '30' } },
    );
    const { records } = await readRuns(dynamodb, TABLE, around(started));

    // Assess
    expect(error).toBeUndefined();
    expect(await remainingIds(account.ec2)).toEqual(before);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      dryRun: true,
      environment: 'unknown',
      counts: countReport(result as Report),
    });
    expect(records[0]?.counts.planned).toBe(2);
    expect(records[0]?.items.filter(({ list }) => list === 'done')).toEqual([]);
  });

  it('finishes the run as without a history when the record cannot be written, and says so in the log', async () => {
    // Prepare
    const account = await seedAccount(moto);

    // Act
    const { result, error, logs } = await invokeBundle<Report>(
      bundle,
      {},
      { env: { SNS_TOPIC_ARN: topicArn, HISTORY_TABLE: 'no-such-table' } },
    );

    // Assess
    expect(error).toBeUndefined();
    expect(result?.done.map(({ id }) => id).sort()).toEqual([...account.oldPlain].sort());
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'WARN',
        message: 'Run history not written',
        error: expect.objectContaining({ name: 'ResourceNotFoundException' }),
      }),
    );
  });

  it('writes nothing without HISTORY_TABLE', async () => {
    // Prepare
    await seedAccount(moto);

    // Act
    const { error } = await invokeBundle<Report>(bundle, {}, { env: { SNS_TOPIC_ARN: topicArn } });

    // Assess
    expect(error).toBeUndefined();
    const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: TABLE }));
    expect(Items).toEqual([]);
  });
});
