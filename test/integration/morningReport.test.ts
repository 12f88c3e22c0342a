import { resolve } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { readRuns } from '@nightshift/history';
import type { Report } from '@nightshift/runtime';
import { connectMoto, invokeBundle, subscribeQueue } from '@nightshift/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MorningReportResult } from '../../functions/morning-report/src/run.ts';
import { launchUnprotected } from '../../scripts/demo/report.ts';
import { seedAccount } from '../../scripts/demo/seed.ts';
import { createRunsTable } from './scenarios/chatActions.ts';

const moto = connectMoto(inject('moto'));
const dist = (name: string) => resolve(import.meta.dirname, '../../dist', name, 'index.mjs');
const HISTORY = 'nightshift-history-test';
const REGION = 'eu-west-1';
const HOUR_MS = 3_600_000;
/** On-demand list prices the test puts in the cache (the emulator has no Price List API). */
const PRICES = { ec2: 0.0208, rds: 0.016, snapshot: 0.05 };

// The demo's account lives in eu-west-1.
const region = process.env.AWS_REGION;
beforeAll(() => {
  process.env.AWS_REGION = REGION;
});
afterAll(() => {
  process.env.AWS_REGION = region;
});

/**
 * Runs a function's bundle as Lambda would, `hoursAgo` in the past on its own clock
 * (libfaketime): the night passes in seconds, the run history sees the hours.
 */
const at = <R>(hoursAgo: number, name: string, event: object, env: Record<string, string> = {}) =>
  invokeBundle<R>(dist(name), event, {
    functionName: name,
    env: {
      AWS_REGION: REGION,
      HISTORY_TABLE: HISTORY,
      NIGHTSHIFT_ENVIRONMENT: 'demo',
      ...(hoursAgo > 0
        ? {
            LD_PRELOAD: process.env.NS_FAKETIME_LIB ?? '',
            FAKETIME: `-${hoursAgo * 60}m`,
            FAKETIME_DONT_FAKE_MONOTONIC: '1',
          }
        : {}),
      ...env,
    },
  });

/** A cached price, fresh for three more days. */
const cachePrice = (dynamodb: DynamoDBClient, sk: string, usd: number) =>
  dynamodb.send(
    new PutItemCommand({
      TableName: HISTORY,
      Item: {
        pk: { S: `price#${REGION}` },
        sk: { S: sk },
        usd: { N: String(usd) },
        unit: { S: sk.startsWith('ebs-snapshot') ? 'GB-Mo' : 'Hrs' },
        fetchedAt: { S: new Date().toISOString() },
        expiresAt: { N: String(Math.floor(Date.now() / 1000) + 3 * 86_400) },
      },
    }),
  );

const hoursBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / HOUR_MS;

describe('morning-report after a night of the demo account', () => {
  it('reports the hours stopped, the money they saved, the GiB deleted and the one missing backup', async () => {
    // Prepare: the demo's account, the history table with prices, and one database server
    // tagged Backup=true that no job backs up (another environment's).
    const account = await seedAccount(moto);
    const dynamodb = new DynamoDBClient({ region: REGION });
    await createRunsTable(dynamodb, HISTORY);
    await cachePrice(dynamodb, 'ec2#t3.small#-', PRICES.ec2);
    await cachePrice(dynamodb, 'rds#db.t4g.micro#postgres', PRICES.rds);
    await cachePrice(dynamodb, 'ebs-snapshot#-#-', PRICES.snapshot);
    const unprotected = await launchUnprotected();

    // Act: the night, each job at its hour.
    const down = await at<Report>(12, 'infra-scaler', {
      action: 'scale_down',
      environment: 'staging',
    });
    const backup = await at<Report>(7, 'backup-manager', {
      backup_type: 'all',
      environment: 'production',
    });
    const cleanup = await at<Report>(5, 'snapshot-cleanup', {});
    const up = await at<Report>(1, 'infra-scaler', { action: 'scale_up', environment: 'staging' });
    const check = await at<Report>(0.5, 'infra-scaler', {
      action: 'check',
      environment: 'staging',
    });
    const reports = await subscribeQueue({
      sns: new SNSClient({ region: REGION }),
      sqs: new SQSClient({ region: REGION }),
      topicArn: account.reportsTopic,
    });
    const morning = await at<MorningReportResult>(
      0,
      'morning-report',
      {},
      {
        SNS_TOPIC_ARN: account.reportsTopic,
        DASHBOARD_NAME: 'nightshift-demo',
      },
    );

    // Assess: every job ran and wrote its record.
    for (const run of [down, backup, cleanup, up, check, morning])
      expect(run.error).toBeUndefined();
    const { records } = await readRuns(dynamodb, HISTORY, {
      from: new Date(Date.now() - 24 * HOUR_MS),
      to: new Date(),
    });
    expect(records.map((record) => record.service)).toEqual([
      'infra-scaler',
      'backup-manager',
      'snapshot-cleanup',
      'infra-scaler',
      'infra-scaler',
    ]);
    const report = morning.result?.report;
    if (!report || !down.result?.finishedAt || !up.result?.finishedAt) throw new Error('no report');

    // Stopped from the end of scale_down to the end of scale_up (about 11 hours): two
    // instances, the group's three instances and the database, each one unit.
    const hours = hoursBetween(down.result.finishedAt, up.result.finishedAt);
    expect(hours).toBeGreaterThan(10.9);
    expect(down.result.done.map((entry) => entry.id).sort()).toEqual(
      [account.stagingWeb, account.stagingWorker, account.group, account.stagingDb].sort(),
    );
    expect(report.yesterday.resourceHours).toBeCloseTo(4 * hours, 6);
    expect(report.yesterday.instanceHours).toBeCloseTo(6 * hours, 6);
    expect(report.yesterday.unpricedInstanceHours).toBe(0);
    expect(report.yesterday.usd).toBeCloseTo(hours * (5 * PRICES.ec2 + PRICES.rds), 6);
    expect(report.stoppedNow).toBe(0);
    expect(report.unpriced).toEqual([]);

    // The GiB of the snapshots deleted, as snapshot-cleanup counted them, at the cached price.
    const deletedGiB = cleanup.result?.totals.sourceVolumeGiB ?? 0;
    expect(cleanup.result?.done.length).toBeGreaterThan(0);
    expect(deletedGiB).toBeGreaterThan(0);
    expect(report.yesterday.snapshotGiBDeleted).toBe(deletedGiB);
    expect(report.yesterday.snapshotUsdPerMonth).toBeCloseTo(deletedGiB * PRICES.snapshot, 6);

    // Backups: what backup-manager backed up tonight is covered; the planted server is missing.
    expect(backup.result?.done.length).toBeGreaterThan(0);
    expect(report.coverage.missing.map((item) => item.id)).toEqual([unprotected]);
    expect(report.coverage.protected).toBe(3);
    expect(report.coverage.allowedAgeHours).toBe(26);

    // Needs a person: the worker the idle check flagged (nothing failed).
    expect(report.attention).toEqual([
      expect.objectContaining({
        category: 'idle',
        id: account.stagingWorker,
        service: 'infra-scaler',
      }),
    ]);

    // The text went to the reports topic, with the missing backup in it.
    expect(morning.result?.delivered).toEqual(['sns']);
    const [mail] = await reports.receive({ count: 1, timeoutMs: 5_000 });
    expect(mail?.Subject).toMatch(/demo/);
    expect(mail?.Message).toContain(unprotected);
    expect(mail?.Message).toContain('nightshift-demo');
    const emf = morning.logs.find((line) => 'EstimatedSavings' in line);
    expect(emf).toMatchObject({ BackupsMissing: 1, SnapshotGiBDeleted: deletedGiB });
  });
});
