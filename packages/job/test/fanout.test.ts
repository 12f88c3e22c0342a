import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ConfigError, createReport, resetClients, ValidationError } from '@nightshift/runtime';
import { clearTargetClients, clearTargetCredentials } from '@nightshift/targets';
import { createLambdaContext } from '@nightshift/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import {
  clearOwnAccount,
  fanoutJobHandler,
  isSqsEvent,
  loadFanout,
  runIdFor,
} from '../src/fanout.ts';

const OWN = '111111111111';
const OTHER = '222222222222';
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/111111111111/nightshift-test-job-targets';
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:111111111111:reports';
const FANOUT_ENV = {
  AWS_REGION: 'eu-west-1',
  TARGET_ACCOUNTS: `self,${OTHER}`,
  TARGET_REGIONS: 'eu-west-1,us-east-1',
  SPOKE_ROLE_NAME: 'nightshift-staging-spoke',
  FANOUT_QUEUE_URL: QUEUE_URL,
  RUNS_TABLE: 'nightshift-runs',
  SNS_TOPIC_ARN: TOPIC_ARN,
};

const sts = mockClient(STSClient);
const sqs = mockClient(SQSClient);
const dynamodb = mockClient(DynamoDBClient);
const organizations = mockClient(OrganizationsClient);
const sns = mockClient(SNSClient);

const EventSchema = z.strictObject({ dryRun: z.optional(z.boolean()) });
type Config = { snsTopicArn?: string | undefined; home?: boolean };

/** A job whose run records the region and credentials of the client it was given. */
const testJob = (
  report = createReport('test-job', { dryRun: false }),
  settingTotals?: string[],
) => {
  const runs: {
    region: string;
    accessKeyId: string | undefined;
    config: Config;
    ownRegion?: string;
  }[] = [];
  const forTarget = vi.fn((config: Config, _target: unknown, home: boolean) => ({
    ...config,
    snsTopicArn: undefined,
    home,
  }));
  const handler = fanoutJobHandler({
    service: 'test-job',
    loadConfig: (): Config => ({ snsTopicArn: TOPIC_ARN }),
    eventSchema: EventSchema,
    clients: (make) => ({ ec2: make.resource(EC2Client), sqs: make.own(SQSClient) }),
    run: async ({ ec2, sqs: own }, config) => {
      const credentials = await ec2.config.credentials();
      runs.push({
        region: await ec2.config.region(),
        accessKeyId: credentials.accessKeyId,
        config,
        ownRegion: await own.config.region(),
      });
      return report;
    },
    fanout: { forTarget, ...(settingTotals ? { settingTotals } : {}) },
  });
  return { handler, runs, forTarget };
};

const sqsRecord = (target: { accountId: string; region: string }, messageId = 'm-1') => ({
  messageId,
  eventSource: 'aws:sqs',
  body: JSON.stringify({
    v: 1,
    kind: 'target',
    runId: 'test-job/req-1',
    function: 'test-job',
    target,
    event: { dryRun: true },
    deadline: '2026-11-30T09:00:00.000Z',
  }),
  attributes: { ApproximateReceiveCount: '1' },
});

beforeEach(() => {
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  for (const mock of [sts, sqs, dynamodb, organizations, sns]) mock.reset();
  resetClients();
  clearOwnAccount();
  clearTargetClients();
  clearTargetCredentials();
  sts.on(GetCallerIdentityCommand).resolves({ Account: OWN });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIASPOKE',
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
  dynamodb.on(UpdateItemCommand).resolves({});
  dynamodb.on(GetItemCommand).resolves({});
  dynamodb.on(TransactWriteItemsCommand).resolves({});
  sqs.on(SendMessageBatchCommand).callsFake(({ Entries = [] }) => ({
    Successful: Entries.map(({ Id }: SendMessageBatchRequestEntry) => ({
      Id,
      MessageId: `id-${Id}`,
      MD5OfMessageBody: 'x',
    })),
    Failed: [],
  }));
  sqs.on(SendMessageCommand).resolves({ MessageId: 'deadline' });
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

/** The environment of a test: the function's own credentials, and `env`. */
const stubEnv = (env: Record<string, string>) => {
  for (const name of Object.keys(FANOUT_ENV)) vi.stubEnv(name, '');
  for (const name of ['HISTORY_TABLE', 'HISTORY_RETENTION_DAYS', 'NIGHTSHIFT_ENVIRONMENT']) {
    vi.stubEnv(name, '');
  }
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAOWNROLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'own-secret');
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
};

/** The issues of an environment `loadFanout` refuses, as `path: message` lines. */
const refusal = (env: Record<string, string | undefined>): string[] => {
  try {
    loadFanout(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map(({ path, message }) => `${path}: ${message}`);
  }
  throw new Error('the fan-out settings were accepted');
};

describe('loadFanout', () => {
  it.each([
    ['nothing set', { AWS_REGION: 'eu-west-1' }],
    ['nothing set, not even the region', {}],
    ['self', { AWS_REGION: 'eu-west-1', TARGET_ACCOUNTS: 'self' }],
    ['self in its own region', { AWS_REGION: 'eu-west-1', TARGET_REGIONS: 'eu-west-1' }],
  ])('keeps the single-account run with %s', (_, env) => {
    // Act & Assess
    expect(loadFanout(env)).toBeUndefined();
  });

  it('reads the queue, the table, the topic and the defaults of retries and deadline', () => {
    // Act
    const fanout = loadFanout(FANOUT_ENV);

    // Assess
    expect(fanout).toMatchObject({
      queueUrl: QUEUE_URL,
      table: 'nightshift-runs',
      topicArn: TOPIC_ARN,
      maxReceiveCount: 3,
      deadlineMinutes: 60,
      targets: { regions: ['eu-west-1', 'us-east-1'], roleName: 'nightshift-staging-spoke' },
    });
  });

  it('names every setting a fan-out needs and is missing, in a ConfigError', () => {
    // Act
    const load = () => loadFanout({ AWS_REGION: 'eu-west-1', TARGET_REGIONS: 'us-east-1' });

    // Assess
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(
      /FANOUT_QUEUE_URL: is required but not set \(needed to run on the other accounts or Regions.*RUNS_TABLE: is required but not set \(needed.*SNS_TOPIC_ARN: is required but not set \(needed/,
    );
  });

  it('takes a blank queue, table or topic as missing', () => {
    // Act
    const issues = refusal({
      ...FANOUT_ENV,
      FANOUT_QUEUE_URL: ' ',
      RUNS_TABLE: '',
      SNS_TOPIC_ARN: '\t',
    });

    // Assess
    expect(issues).toEqual([
      'FANOUT_QUEUE_URL: is required but not set (needed to run on the other accounts or Regions TARGET_ACCOUNTS and TARGET_REGIONS name)',
      'RUNS_TABLE: is required but not set (needed to run on the other accounts or Regions TARGET_ACCOUNTS and TARGET_REGIONS name)',
      'SNS_TOPIC_ARN: is required but not set (needed to run on the other accounts or Regions TARGET_ACCOUNTS and TARGET_REGIONS name)',
    ]);
  });

  it('refuses a bad number of deliveries, naming the variable', () => {
    // Act & Assess
    expect(() => loadFanout({ ...FANOUT_ENV, FANOUT_MAX_RECEIVE_COUNT: '0' })).toThrow(
      /FANOUT_MAX_RECEIVE_COUNT/,
    );
  });

  it.each([
    ['FANOUT_MAX_RECEIVE_COUNT', '1001', 'must be at most 1000'],
    ['FANOUT_DEADLINE_MINUTES', '0', 'must be at least 1'],
    ['FANOUT_DEADLINE_MINUTES', '1441', 'must be at most 1440'],
    ['FANOUT_DEADLINE_MINUTES', 'an hour', 'must be a whole number'],
  ])('refuses %s=%s in a ConfigError', (variable, value, message) => {
    // Act
    const issues = refusal({ ...FANOUT_ENV, [variable]: value });

    // Assess
    expect(issues).toEqual([`${variable}: ${message}`]);
  });

  it('reads the number of deliveries and the deadline', () => {
    // Act
    const fanout = loadFanout({
      ...FANOUT_ENV,
      FANOUT_MAX_RECEIVE_COUNT: '1000',
      FANOUT_DEADLINE_MINUTES: '1440',
    });

    // Assess
    expect(fanout).toMatchObject({ maxReceiveCount: 1000, deadlineMinutes: 1440 });
  });

  it.each([
    ['a bad role name', { SPOKE_ROLE_NAME: 'a:b' }],
    ['no own region', { AWS_REGION: undefined }],
    ['no queue, table or topic', { FANOUT_QUEUE_URL: '', RUNS_TABLE: '', SNS_TOPIC_ARN: '' }],
  ])('checks nothing when no target is set, not even with %s', (_, env) => {
    // Act & Assess
    expect(
      loadFanout({ ...FANOUT_ENV, TARGET_ACCOUNTS: ' self ', TARGET_REGIONS: ' ', ...env }),
    ).toBeUndefined();
  });

  it('checks the queue, table and topic only when the targets are not the default', () => {
    // Act & Assess
    expect(
      loadFanout({ AWS_REGION: 'eu-west-1', TARGET_ACCOUNTS: 'self', TARGET_REGIONS: 'eu-west-1' }),
    ).toBeUndefined();
  });

  it('refuses bad targets in a ConfigError naming every bad variable at once', () => {
    // Act
    const issues = refusal({
      AWS_REGION: 'eu-west-1',
      TARGET_ACCOUNTS: 'self,123',
      TARGET_REGIONS: 'us-east-1,',
      SPOKE_ROLE_NAME: 'a:b',
    });

    // Assess
    expect(issues).toEqual([
      'TARGET_ACCOUNTS: "123" is not self or an account id (12 digits)',
      'TARGET_REGIONS: item 2 of 2 is empty (a comma too many?)',
      'SPOKE_ROLE_NAME: "a:b" is not an IAM role name (1 to 64 letters, digits and +=,.@_-)',
    ]);
  });

  it('requires TARGET_REGIONS for other accounts when the own region is not known', () => {
    // Act
    const issues = refusal({ ...FANOUT_ENV, AWS_REGION: undefined, TARGET_REGIONS: undefined });

    // Assess
    expect(issues).toEqual([
      'TARGET_REGIONS: is required but not set (its default is the own Region, and neither AWS_REGION nor AWS_DEFAULT_REGION is set)',
    ]);
  });
});

describe('isSqsEvent and runIdFor', () => {
  it.each([
    [{ Records: [{ eventSource: 'aws:sqs' }] }, true],
    [{ Records: [{ eventSource: 'aws:sqs' }, { eventSource: 'aws:kinesis' }] }, false],
    [{ Records: [] }, false],
    [{ dryRun: true }, false],
    [null, false],
    [{ Records: [null] }, false],
  ])('tells a queue batch from a scheduled event: %j is %s', (event, expected) => {
    // Act & Assess
    expect(isSqsEvent(event)).toBe(expected);
  });

  it('names a run by its scheduled time when the event has one, else by the request id', () => {
    // Act & Assess
    expect(runIdFor('test-job', { scheduledTime: '2026-11-30T08:00:00Z' }, 'req-1')).toBe(
      'test-job/2026-11-30T08:00:00.000Z',
    );
    expect(runIdFor('test-job', { scheduledTime: 'soon' }, 'req-1')).toBe('test-job/req-1');
    expect(runIdFor('test-job', {}, 'req-1')).toBe('test-job/req-1');
    expect(runIdFor('test-job', { scheduledTime: 1_764_460_800_000 }, 'req-1')).toBe(
      'test-job/req-1',
    );
    expect(runIdFor('test-job', null, 'req-1')).toBe('test-job/req-1');
  });
});

describe('jobHandler with a fan-out', () => {
  it('runs as today with the default targets: no STS, no queue', async () => {
    // Prepare
    stubEnv({ AWS_REGION: 'eu-west-1' });
    const { handler, runs } = testJob();

    // Act
    const report = await handler({}, createLambdaContext({ functionName: 'test-job' }));

    // Assess
    expect(report).toMatchObject({ service: 'test-job' });
    expect(runs).toEqual([
      {
        region: 'eu-west-1',
        accessKeyId: 'AKIAOWNROLE',
        config: { snsTopicArn: TOPIC_ARN },
        ownRegion: 'eu-west-1',
      },
    ]);
    expect(sts.calls()).toHaveLength(0);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('dispatches a scheduled event: one message per account and region, and the deadline', async () => {
    // Prepare
    stubEnv(FANOUT_ENV);
    const { handler, runs } = testJob();
    const context = createLambdaContext({ functionName: 'test-job' });

    // Act
    const result = await handler({ dryRun: true }, context);

    // Assess
    expect(result).toMatchObject({
      service: 'test-job',
      runId: `test-job/${context.awsRequestId}`,
      status: 'dispatched',
      targets: 4,
      enqueued: 4,
    });
    const bodies = sqs
      .commandCalls(SendMessageBatchCommand)
      .flatMap((call) => call.args[0].input.Entries ?? [])
      .map((entry) => JSON.parse(entry.MessageBody ?? '{}'));
    expect(bodies.map(({ target }) => `${target.accountId}/${target.region}`)).toEqual([
      `${OWN}/eu-west-1`,
      `${OWN}/us-east-1`,
      `${OTHER}/eu-west-1`,
      `${OTHER}/us-east-1`,
    ]);
    expect(bodies[0]).toMatchObject({
      kind: 'target',
      function: 'test-job',
      event: { dryRun: true },
    });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    expect(runs).toEqual([]);
  });

  it('fails at cold start with a ConfigError naming what a fan-out is missing, before any call', () => {
    // Prepare
    stubEnv({ AWS_REGION: 'eu-west-1', TARGET_ACCOUNTS: OTHER });

    // Act
    const creating = () => testJob();

    // Assess
    expect(creating).toThrow(ConfigError);
    expect(creating).toThrow(
      'Invalid configuration: FANOUT_QUEUE_URL: is required but not set (needed to run on the other accounts or Regions TARGET_ACCOUNTS and TARGET_REGIONS name); ' +
        'RUNS_TABLE: is required but not set (needed to run on the other accounts or Regions TARGET_ACCOUNTS and TARGET_REGIONS name); ' +
        'SNS_TOPIC_ARN: is required but not set (needed to run on the other accounts or Regions TARGET_ACCOUNTS and TARGET_REGIONS name)',
    );
    expect(sts.calls()).toHaveLength(0);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('checks a scheduled event before it sends anything', async () => {
    // Prepare
    stubEnv(FANOUT_ENV);
    const { handler } = testJob();

    // Act
    const result = handler({ dryRun: 'yes' }, createLambdaContext({ functionName: 'test-job' }));

    // Assess
    await expect(result).rejects.toThrow(ValidationError);
    expect(sqs.calls()).toHaveLength(0);
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it("runs another account's target through its spoke role, in its region, without a report of its own", async () => {
    // Prepare
    stubEnv(FANOUT_ENV);
    const { handler, runs, forTarget } = testJob();

    // Act
    const result = await handler(
      { Records: [sqsRecord({ accountId: OTHER, region: 'us-east-1' })] },
      createLambdaContext({ functionName: 'test-job' }),
    );

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      {
        RoleArn: `arn:aws:iam::${OTHER}:role/nightshift-staging-spoke`,
        RoleSessionName: 'nightshift-test-job',
        DurationSeconds: 3600,
      },
    ]);
    expect(runs).toEqual([
      {
        region: 'us-east-1',
        accessKeyId: 'ASIASPOKE',
        config: { home: false },
        ownRegion: 'eu-west-1',
      },
    ]);
    expect(forTarget).toHaveBeenCalledWith(
      { snsTopicArn: TOPIC_ARN },
      { accountId: OTHER, region: 'us-east-1' },
      false,
    );
    expect(dynamodb.commandCalls(TransactWriteItemsCommand)).toHaveLength(1);
  });

  it("runs its own account's home target with its own role", async () => {
    // Prepare
    stubEnv(FANOUT_ENV);
    const { handler, runs } = testJob();

    // Act
    await handler(
      { Records: [sqsRecord({ accountId: OWN, region: 'eu-west-1' })] },
      createLambdaContext({ functionName: 'test-job' }),
    );

    // Assess
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(runs).toEqual([
      {
        region: 'eu-west-1',
        accessKeyId: 'AKIAOWNROLE',
        config: { home: true },
        ownRegion: 'eu-west-1',
      },
    ]);
  });

  it("records a target's counts, without the totals that are settings", async () => {
    // Prepare
    stubEnv(FANOUT_ENV);
    const report = createReport('test-job', { dryRun: false });
    report.totals = { deleted: 3, retentionDays: 30 };
    const { handler } = testJob(report, ['retentionDays']);

    // Act
    await handler(
      { Records: [sqsRecord({ accountId: OTHER, region: 'eu-west-1' })] },
      createLambdaContext({ functionName: 'test-job' }),
    );

    // Assess
    const written = JSON.stringify(
      dynamodb.commandCalls(TransactWriteItemsCommand)[0]?.args[0].input,
    );
    expect(written).toContain('deleted');
    expect(written).not.toContain('retentionDays');
  });

  it('runs its own account in another Region with its own role, but not as home', async () => {
    // Prepare
    stubEnv(FANOUT_ENV);
    const { handler, runs } = testJob();

    // Act
    await handler(
      { Records: [sqsRecord({ accountId: OWN, region: 'us-east-1' })] },
      createLambdaContext({ functionName: 'test-job' }),
    );

    // Assess: the heads-up's links work only in the home account and Region.
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(runs).toEqual([
      {
        region: 'us-east-1',
        accessKeyId: 'AKIAOWNROLE',
        config: { home: false },
        ownRegion: 'eu-west-1',
      },
    ]);
  });

  it("records a failed target's failed items", async () => {
    // Prepare
    stubEnv(FANOUT_ENV);
    const report = createReport('test-job', { dryRun: false });
    report.failed.push({ id: 'snap-1', action: 'delete', reason: 'InvalidSnapshot.InUse' });
    const { handler } = testJob(report);

    // Act
    await handler(
      { Records: [sqsRecord({ accountId: OTHER, region: 'eu-west-1' })] },
      createLambdaContext({ functionName: 'test-job' }),
    );

    // Assess
    const written = JSON.stringify(dynamodb.calls().map((call) => call.args[0].input));
    expect(written).toContain('snap-1');
    expect(written).toContain('InvalidSnapshot.InUse');
  });

  it("holds the run for the dispatch until the invocation's own end", async () => {
    // Prepare
    stubEnv(FANOUT_ENV);
    const { handler } = testJob();
    const context = createLambdaContext({ functionName: 'test-job', timeoutMs: 60_000 });
    const before = Date.now();

    // Act
    await handler({}, context);

    // Assess
    const header = dynamodb.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    const lease = Number(header?.ExpressionAttributeValues?.[':lease']?.N);
    expect(lease).toBeGreaterThan(before + 50_000);
    expect(lease).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it('answers a target whose run failed items for SQS to deliver again', async () => {
    // Prepare
    stubEnv(FANOUT_ENV);
    const report = createReport('test-job', { dryRun: false });
    report.failed.push({ id: 'snap-1', action: 'delete', reason: 'InvalidSnapshot.InUse' });
    const { handler } = testJob(report);

    // Act
    const result = await handler(
      { Records: [sqsRecord({ accountId: OTHER, region: 'eu-west-1' }, 'm-7')] },
      createLambdaContext({ functionName: 'test-job' }),
    );

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-7' }] });
  });

  it('fails the target alone when its spoke role cannot be assumed', async () => {
    // Prepare
    stubEnv(FANOUT_ENV);
    sts.on(AssumeRoleCommand).rejects(new Error('AccessDenied'));
    const { handler, runs } = testJob();

    // Act
    const result = await handler(
      {
        Records: [
          sqsRecord({ accountId: OTHER, region: 'eu-west-1' }, 'm-other'),
          sqsRecord({ accountId: OWN, region: 'eu-west-1' }, 'm-own'),
        ],
      },
      createLambdaContext({ functionName: 'test-job' }),
    );

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-other' }] });
    expect(runs.map(({ config }) => config.home)).toEqual([true]);
  });
});

describe('The run history of a fanned-out job', () => {
  const HISTORY_ENV = {
    ...FANOUT_ENV,
    HISTORY_TABLE: 'nightshift-history-staging',
    NIGHTSHIFT_ENVIRONMENT: 'staging',
  };
  const historyPuts = () =>
    dynamodb
      .commandCalls(PutItemCommand)
      .filter(({ args: [command] }) => command.input.TableName === 'nightshift-history-staging');
  const recordsWritten = () =>
    historyPuts().map(({ args: [command] }) => JSON.parse(command.input.Item?.record?.S ?? '{}'));

  beforeEach(() => {
    dynamodb.on(PutItemCommand).resolves({});
  });

  it("writes each target's record with the target's account and Region, through the function's own client", async () => {
    // Prepare
    stubEnv(HISTORY_ENV);
    const report = createReport('test-job', { dryRun: false });
    report.done.push({ id: 'snap-1', action: 'delete', reason: 'old' });
    const { handler } = testJob(report);

    // Act
    const result = await handler(
      { Records: [sqsRecord({ accountId: OTHER, region: 'us-east-1' })] },
      createLambdaContext({ functionName: 'test-job' }),
    );

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(recordsWritten()).toEqual([
      expect.objectContaining({
        service: 'test-job',
        environment: 'staging',
        account: OTHER,
        region: 'us-east-1',
        counts: { planned: 0, done: 1, skipped: 0, failed: 0 },
      }),
    ]);
    const client = historyPuts()[0]?.thisValue as DynamoDBClient;
    expect(await client.config.region()).toBe('eu-west-1');
    expect((await client.config.credentials()).accessKeyId).toBe('AKIAOWNROLE');
  });

  it("writes a failed target's record, and still answers it for SQS to deliver again", async () => {
    // Prepare
    stubEnv(HISTORY_ENV);
    const report = createReport('test-job', { dryRun: false });
    report.failed.push({ id: 'snap-1', action: 'delete', reason: 'InvalidSnapshot.InUse' });
    const { handler } = testJob(report);

    // Act
    const result = await handler(
      { Records: [sqsRecord({ accountId: OTHER, region: 'eu-west-1' }, 'm-7')] },
      createLambdaContext({ functionName: 'test-job' }),
    );

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-7' }] });
    expect(recordsWritten().map(({ counts, account }) => [account, counts.failed])).toEqual([
      [OTHER, 1],
    ]);
  });

  it('records a target done when its history write fails', async () => {
    // Prepare
    stubEnv(HISTORY_ENV);
    dynamodb.on(PutItemCommand).rejects(new Error('AccessDeniedException'));
    const { handler, runs } = testJob();

    // Act
    const result = await handler(
      { Records: [sqsRecord({ accountId: OTHER, region: 'eu-west-1' })] },
      createLambdaContext({ functionName: 'test-job' }),
    );

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(runs).toHaveLength(1);
    expect(historyPuts()).toHaveLength(1);
    const written = JSON.stringify(
      dynamodb.commandCalls(TransactWriteItemsCommand)[0]?.args[0].input,
    );
    expect(written).toContain('"status":{"S":"done"}');
  });

  it('writes no record for the dispatch', async () => {
    // Prepare
    stubEnv(HISTORY_ENV);
    const { handler } = testJob();

    // Act
    await handler({}, createLambdaContext({ functionName: 'test-job' }));

    // Assess
    expect(sqs.commandCalls(SendMessageBatchCommand)).not.toHaveLength(0);
    expect(historyPuts()).toHaveLength(0);
  });

  it('writes no record without HISTORY_TABLE', async () => {
    // Prepare
    stubEnv(FANOUT_ENV);
    const { handler } = testJob();

    // Act
    await handler(
      { Records: [sqsRecord({ accountId: OTHER, region: 'eu-west-1' })] },
      createLambdaContext({ functionName: 'test-job' }),
    );

    // Assess
    expect(dynamodb.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('writes the record of a run with the default targets as jobHandler does', async () => {
    // Prepare
    stubEnv({ AWS_REGION: 'eu-west-1', HISTORY_TABLE: 'nightshift-history-staging' });
    const { handler } = testJob();

    // Act
    await handler({}, createLambdaContext({ functionName: 'test-job', region: 'eu-west-1' }));

    // Assess
    expect(recordsWritten()).toEqual([
      expect.objectContaining({
        account: '123456789012',
        region: 'eu-west-1',
        environment: 'unknown',
      }),
    ]);
  });
});
