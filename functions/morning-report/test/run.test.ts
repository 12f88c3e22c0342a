import { BackupClient, ListProtectedResourcesCommand } from '@aws-sdk/client-backup';
import {
  type AttributeValue,
  BatchGetItemCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import {
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Post } from '@nightshift/delivery';
import type { RunRecord } from '@nightshift/history';
import { createObservability } from '@nightshift/middleware';
import type { TimeBudget } from '@nightshift/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { dashboardUrl, NO_HISTORY_NOTE, run } from '../src/run.ts';

const dynamoMock = mockClient(DynamoDBClient);
const ec2Mock = mockClient(EC2Client);
const rdsMock = mockClient(RDSClient);
const backupMock = mockClient(BackupClient);
const pricingMock = mockClient(PricingClient);
const snsMock = mockClient(SNSClient);

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const TABLE = 'nightshift-history-staging';
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:nightshift-reports';
/** 08:00 UTC on 1 December: the last 24 hours start at 08:00 on 30 November, the month at midnight. */
const NOW = new Date('2026-12-01T08:00:00Z');
const plenty: TimeBudget = { remainingMs: () => 300_000, isExhausted: () => false };

const record = (overrides: Partial<RunRecord>): RunRecord => ({
  service: 'infra-scaler',
  environment: 'staging',
  account: ACCOUNT,
  region: REGION,
  startedAt: '2026-11-30T19:00:00.000Z',
  finishedAt: '2026-11-30T19:00:00.000Z',
  dryRun: false,
  counts: { planned: 0, done: 0, skipped: 0, failed: 0 },
  totals: {},
  items: [],
  ...overrides,
});

/** A night: web (t3.micro) stopped 19:00–07:00; 50 GiB of snapshots deleted at 03:00; a failed stop. */
const NIGHT: RunRecord[] = [
  record({
    counts: { planned: 0, done: 1, skipped: 0, failed: 1 },
    items: [
      {
        list: 'done',
        id: 'i-0web',
        action: 'stop',
        reason: 'stopped',
        details: { kind: 'instance', instanceType: 't3.micro' },
      },
      {
        list: 'failed',
        id: 'i-0api',
        action: 'stop',
        reason: 'UnauthorizedOperation: not allowed',
        details: { kind: 'instance', instanceType: 't3.large' },
      },
    ],
  }),
  record({
    service: 'snapshot-cleanup',
    startedAt: '2026-12-01T03:00:00.000Z',
    finishedAt: '2026-12-01T03:00:00.000Z',
    totals: { deleted: 2, sourceVolumeGiB: 50 },
  }),
  record({
    startedAt: '2026-12-01T07:00:00.000Z',
    finishedAt: '2026-12-01T07:00:00.000Z',
    items: [
      {
        list: 'done',
        id: 'i-0web',
        action: 'start',
        reason: 'started',
        details: { kind: 'instance', instanceType: 't3.micro' },
      },
    ],
  }),
];

/** The history table: records by their day's partition, and the price cache. */
const history = (
  records: RunRecord[],
  prices: Record<string, number> = { 'ec2#t3.micro#-': 0.0104, 'ebs-snapshot#-#-': 0.05 },
) => {
  dynamoMock
    .on(QueryCommand)
    .callsFake((input: { ExpressionAttributeValues: Record<string, AttributeValue> }) => {
      const pk = input.ExpressionAttributeValues[':pk']?.S;
      return {
        Items: records
          .filter((item) => `history#${item.finishedAt.slice(0, 10)}` === pk)
          .map((item) => ({
            pk: { S: pk },
            sk: { S: item.finishedAt },
            record: { S: JSON.stringify(item) },
          })),
      };
    });
  dynamoMock
    .on(BatchGetItemCommand)
    .callsFake(
      (input: { RequestItems: Record<string, { Keys: Record<string, AttributeValue>[] }> }) => ({
        Responses: {
          [TABLE]: (input.RequestItems[TABLE]?.Keys ?? []).flatMap((key) => {
            const usd = key.pk?.S === `price#${REGION}` ? prices[key.sk?.S ?? ''] : undefined;
            return usd === undefined
              ? []
              : [
                  {
                    ...key,
                    usd: { N: String(usd) },
                    expiresAt: { N: String(NOW.getTime() / 1000 + 86_400) },
                  },
                ];
          }),
        },
      }),
    );
  dynamoMock.on(PutItemCommand).resolves({});
};

/** One instance tagged Backup=true, with no backup at all. */
const unprotectedInstance = () => {
  ec2Mock.on(DescribeInstancesCommand).resolves({
    Reservations: [
      {
        Instances: [
          {
            InstanceId: 'i-0db',
            State: { Name: 'running' },
            Tags: [{ Key: 'Backup', Value: 'true' }],
          },
        ],
      },
    ],
  });
  ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
  rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
  rdsMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
  rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [] });
  backupMock.on(ListProtectedResourcesCommand).resolves({ Results: [] });
};

const depsWith = (post: Post = vi.fn(async () => undefined)) => ({
  dynamodb: new DynamoDBClient({}),
  ec2: new EC2Client({}),
  rds: new RDSClient({}),
  backup: new BackupClient({}),
  pricing: new PricingClient({}),
  sns: new SNSClient({}),
  account: ACCOUNT,
  region: REGION,
  now: () => NOW,
  post,
  ...createObservability('morning-report-test'),
});

const settings = (env: Record<string, string> = {}) =>
  loadConfig({
    HISTORY_TABLE: TABLE,
    NIGHTSHIFT_ENVIRONMENT: 'staging',
    DASHBOARD_NAME: 'nightshift-staging',
    SNS_TOPIC_ARN: TOPIC,
    SLACK_WEBHOOK_URL: ['https://hooks.slack.com', 'services', 'T0', 'B0', 'x'].join('/'),
    TEAMS_WEBHOOK_URL: 'https://example.webhook.office.com/workflows/x',
    WEBHOOK_ALLOWED_HOSTS: 'hooks.slack.com,*.webhook.office.com',
    ...env,
  });

describe('morning-report run', () => {
  beforeEach(() => {
    for (const mock of [dynamoMock, ec2Mock, rdsMock, backupMock, pricingMock, snsMock])
      mock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    pricingMock.on(GetProductsCommand).rejects(new Error('not in this test'));
    unprotectedInstance();
  });

  it('adds up the night from the history: hours, money, snapshots, a missing backup, a failure', async () => {
    // Prepare
    history(NIGHT);
    const deps = depsWith();
    const addMetric = vi.spyOn(deps.metrics, 'addMetric');

    // Act
    const { report } = await run(deps, settings(), {}, plenty);

    // Assess: 12 h × $0.0104 in the last 24 hours; 7 h since midnight in the month.
    expect(report.yesterday).toMatchObject({
      resourceHours: 12,
      instanceHours: 12,
      unpricedInstanceHours: 0,
      snapshotGiBDeleted: 50,
      snapshotUsdPerMonth: 2.5,
    });
    expect(report.yesterday.usd).toBeCloseTo(0.1248, 10);
    expect(report.month.instanceHours).toBe(7);
    expect(report.month.usd).toBeCloseTo(0.0728, 10);
    expect(report.month.from).toBe('2026-12-01T00:00:00.000Z');
    expect(report.stoppedNow).toBe(0);
    expect(report.coverage).toEqual({
      protected: 1,
      missing: [expect.objectContaining({ id: 'i-0db', missing: true })],
      allowedAgeHours: 26,
    });
    expect(report.attention).toEqual([
      expect.objectContaining({ category: 'failed', id: 'i-0api', service: 'infra-scaler' }),
    ]);
    expect(report.runs).toEqual({ total: 3, withFailures: 1 });
    expect(report.dashboardUrl).toBe(dashboardUrl(REGION, 'nightshift-staging'));
    expect(report.environment).toBe('staging');
    // The figures go to the dashboard, for the last 24 hours.
    expect(addMetric).toHaveBeenCalledWith('EstimatedSavings', expect.anything(), 0.12);
    expect(addMetric).toHaveBeenCalledWith('InstanceHoursStopped', expect.anything(), 12);
    expect(addMetric).toHaveBeenCalledWith('SnapshotGiBDeleted', expect.anything(), 50);
    expect(addMetric).toHaveBeenCalledWith('BackupsMissing', expect.anything(), 1);
  });

  it('without a history table reads no history, still reports the backups, and says why', async () => {
    // Prepare
    history(NIGHT);

    // Act
    const { report } = await run(
      depsWith(),
      settings({ HISTORY_TABLE: '' }),
      { dryRun: true },
      plenty,
    );

    // Assess
    expect(dynamoMock.calls()).toHaveLength(0);
    expect(report.notes).toContain(NO_HISTORY_NOTE);
    expect(report.runs).toEqual({ total: 0, withFailures: 0 });
    expect(report.yesterday).toMatchObject({ instanceHours: 0, snapshotGiBDeleted: 0 });
    expect(report.attention).toEqual([]);
    expect(report.coverage.missing).toEqual([expect.objectContaining({ id: 'i-0db' })]);
  });

  it('says nothing of a missing history when the table is set', async () => {
    // Prepare
    history(NIGHT);

    // Act
    const { report } = await run(depsWith(), settings(), { dryRun: true }, plenty);

    // Assess
    expect(report.notes).not.toContain(NO_HISTORY_NOTE);
  });

  it('reads the history from a month before the earlier window, so a long stop is found', async () => {
    // Prepare
    history([]);

    // Act
    await run(depsWith(), settings(), { dryRun: true }, plenty);

    // Assess: 30 November 08:00 − 31 days … 1 December: one query per UTC day.
    const days = dynamoMock
      .commandCalls(QueryCommand)
      .map((call) => call.args[0].input.ExpressionAttributeValues?.[':pk']?.S);
    expect(days[0] ?? '').toBe('history#2026-10-30');
    // Quiet runs (nothing done, failed or to look at) stay on the server.
    expect(dynamoMock.commandCalls(QueryCommand)[0]?.args[0].input.FilterExpression).toBe(
      '#notable > :quiet',
    );
    expect(new Set(days).size).toBe(33);
    expect(days).toContain('history#2026-12-01');
  });

  it('sends nothing in a dry run, and adds nothing to the dashboard', async () => {
    // Prepare
    history(NIGHT);
    const post = vi.fn(async () => undefined);
    const deps = depsWith(post);
    const addMetric = vi.spyOn(deps.metrics, 'addMetric');

    // Act
    const result = await run(deps, settings(), { dryRun: true }, plenty);

    // Assess
    expect(result).toMatchObject({ dryRun: true, delivered: [], failed: [] });
    expect(addMetric).not.toHaveBeenCalled();
    expect(post).not.toHaveBeenCalled();
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('renders once per kind: Block Kit to Slack, a card to Teams, text to the topic', async () => {
    // Prepare
    history(NIGHT);
    const post = vi.fn(async () => undefined);

    // Act
    const result = await run(depsWith(post), settings(), {}, plenty);

    // Assess
    expect(result.delivered.sort()).toEqual(['slack', 'sns', 'teams']);
    const bodies = Object.fromEntries(
      post.mock.calls
        .map((call) => [(call as unknown[])[0] as { kind: string }, (call as unknown[])[1]])
        .map(([destination, body]) => [(destination as { kind: string }).kind, body]),
    ) as Record<string, { blocks?: unknown[]; attachments?: unknown[] }>;
    expect(bodies.slack?.blocks?.length).toBeGreaterThan(0);
    expect(bodies.teams?.attachments?.length).toBe(1);
    const [publish] = snsMock.commandCalls(PublishCommand);
    expect(publish?.args[0].input).toMatchObject({ TopicArn: TOPIC });
    expect(publish?.args[0].input.Subject).toMatch(/staging/);
    expect(publish?.args[0].input.Message).toContain('i-0db');
  });

  it('routes by the name morning-report, as deploy-notifier routes by pipeline', async () => {
    // Prepare
    history(NIGHT);
    const post = vi.fn(async () => undefined);
    const config = settings({
      ROUTES: JSON.stringify([{ pipeline: 'morning-*', destinations: ['teams'] }]),
      SNS_TOPIC_ARN: '',
    });

    // Act
    const result = await run(depsWith(post), { ...config, snsTopicArn: undefined }, {}, plenty);

    // Assess
    expect(result.delivered).toEqual(['teams']);
  });

  it('still sends to the others when one destination fails, then fails naming it', async () => {
    // Prepare
    history(NIGHT);
    const post = vi.fn(async (destination: { name: string }) => {
      if (destination.name === 'slack') throw new Error('slack answered 500');
    });

    // Act
    const outcome = run(depsWith(post), settings(), {}, plenty);

    // Assess
    await expect(outcome).rejects.toThrow(/did not reach slack \(.*slack answered 500/);
    expect(post).toHaveBeenCalledTimes(2);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it('fails naming the topic when the text could not be published', async () => {
    // Prepare
    history(NIGHT);
    snsMock
      .on(PublishCommand)
      .rejects(Object.assign(new Error('no access'), { name: 'AuthorizationError' }));

    // Act & Assess
    await expect(run(depsWith(), settings(), {}, plenty)).rejects.toThrow(/did not reach sns/);
  });

  it('goes nowhere, and says so, without a destination or a topic', async () => {
    // Prepare
    history(NIGHT);
    const deps = depsWith();
    const warn = vi.spyOn(deps.logger, 'warn');
    const config = loadConfig({ HISTORY_TABLE: TABLE });

    // Act
    const result = await run(deps, config, {}, plenty);

    // Assess
    expect(result.delivered).toEqual([]);
    expect(warn).toHaveBeenCalledWith('No destination configured: the report went nowhere');
  });

  it('gives hours only, and says which types, when prices cannot be read', async () => {
    // Prepare: an empty cache, and a Price List API that refuses.
    history(NIGHT, {});

    // Act
    const { report } = await run(depsWith(), settings(), { dryRun: true }, plenty);

    // Assess
    expect(report.yesterday).toMatchObject({
      instanceHours: 12,
      usd: 0,
      unpricedInstanceHours: 12,
    });
    expect(report.yesterday).not.toHaveProperty('snapshotUsdPerMonth');
    expect(report.unpriced).toEqual(expect.arrayContaining([expect.stringContaining('t3.micro')]));
    expect(report.notes.join('\n')).toMatch(
      /Price List API could not be read \(Error\) for ec2 t3.micro in eu-west-1/,
    );
  });

  it('says when records left items out to fit the item size', async () => {
    // Prepare
    history([...NIGHT, record({ finishedAt: '2026-12-01T05:00:00.000Z', truncated: 120 })]);

    // Act
    const { report } = await run(depsWith(), settings(), { dryRun: true }, plenty);

    // Assess
    expect(report.notes).toContain(
      "1 run records left out 120 items to fit the history's item size: stops and starts among them are not counted",
    );
  });

  it('counts an unreadable record in the notes and reads the rest', async () => {
    // Prepare
    history(NIGHT);
    const inner = dynamoMock.commandCalls(QueryCommand);
    expect(inner).toHaveLength(0);
    dynamoMock
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': { S: 'history#2026-11-29' } } })
      .resolves({
        Items: [{ pk: { S: 'history#2026-11-29' }, sk: { S: 'x' }, record: { S: '{not json' } }],
      });

    // Act
    const { report } = await run(depsWith(), settings(), { dryRun: true }, plenty);

    // Assess
    expect(report.notes).toContain('1 run records could not be read and were left out');
    expect(report.yesterday.instanceHours).toBe(12);
  });
});
