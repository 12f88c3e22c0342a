import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateTagsCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand } from '@aws-sdk/client-sns';
import { clearSigningKeyCache } from '@nightshift/links';
import { createObservability } from '@nightshift/middleware';
import { DEFAULT_SAFETY_MARGIN_MS, ValidationError } from '@nightshift/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { reconcile } from '../../src/reconcile/run.ts';
import type { Deps } from '../../src/run.ts';
import {
  allMocks,
  clients,
  ec2Mock,
  givenInstances,
  instance,
  now,
  plenty,
  sleep,
  snsMock,
  tags,
} from '../fixtures.ts';

const dynamodbMock = mockClient(DynamoDBClient);
const secretsMock = mockClient(SecretsManagerClient);

// The run's clock (fixtures): Friday 2026-11-27, 19:00 UTC.
const SCHEDULES = JSON.stringify({
  schedules: {
    // Over at 18:00: due stopped.
    day: { periods: [{ start: '07:00', stop: '18:00' }] },
    // Stops at 19:20, within the default 30-minute notice.
    soon: { periods: [{ start: '07:00', stop: '19:20' }] },
  },
});
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:reports';
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:link-key';
/** Every setting the heads-up messages need: the table, the key secret, the links' URL, a chat. */
const HEADS_UP_ENV = {
  ACTIONS_TABLE: 'actions',
  LINK_KEY_SECRET: SECRET,
  CHAT_ACTIONS_URL: 'https://abc.lambda-url.us-east-1.on.aws/',
  SLACK_WEBHOOK_URL: ['https://hooks.slack.com', 'services', 'T0', 'B0', 'x'].join('/'),
};
const STOP_AT = '2026-11-27T19:20:00.000Z';

const on = (schedule: string, extra: Record<string, string> = {}) =>
  tags({ 'nightshift:schedule': schedule, ...extra });
/** A running instance of `soon`, started this morning: in its due state, its stop due soon. */
const soonInstance = () =>
  instance(
    'i-soon',
    'running',
    [],
    on('soon', { 'nightshift:last-action': 'start@2026-11-27T07:00:00.000Z' }),
  );

/** The deps of a run: the mocked clients (the heads-up's too), a post spy, the logger. */
const depsOf = (overrides: Partial<Deps> = {}) => {
  const observability = createObservability('infra-scaler');
  const post = vi.fn(async () => undefined);
  const deps: Deps = {
    ...clients(),
    sleep,
    post,
    ...observability,
    ...overrides,
  };
  return {
    deps,
    post,
    info: vi.spyOn(observability.logger, 'info'),
    warn: vi.spyOn(observability.logger, 'warn'),
  };
};

const run = (deps: Deps, env: Record<string, string>, dryRun = false) =>
  reconcile(deps, loadConfig({ SNS_TOPIC_ARN: TOPIC, ...env }), dryRun, plenty, () => now);

/** The commands the heads-up's own clients (DynamoDB, Secrets Manager) were sent. */
const headsUpCalls = () => dynamodbMock.calls().length + secretsMock.calls().length;

beforeEach(() => {
  clearSigningKeyCache();
  dynamodbMock.reset();
  secretsMock.reset();
  dynamodbMock.on(UpdateItemCommand).resolves({});
  secretsMock
    .on(GetSecretValueCommand)
    .resolves({ VersionId: 'v-current', SecretString: 'k'.repeat(64) });
});

describe('reconcile', () => {
  it('refuses a bad schedules document, naming its path, before any AWS call', async () => {
    // Prepare
    const { deps } = depsOf();
    const bad = JSON.stringify({
      schedules: {
        day: { timezone: 'Mars/Olympus', periods: [{ start: '07:00', stop: '18:00' }] },
      },
    });

    // Act
    const error = await run(deps, { SCHEDULES: bad, ...HEADS_UP_ENV }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map(({ path }) => path)).toEqual([
      'schedules.day.timezone',
    ]);
    for (const mock of [...allMocks, dynamodbMock, secretsMock])
      expect(mock.calls()).toHaveLength(0);
  });

  it('opens the report with the number of schedules it reconciles, on the clock it is given', async () => {
    // Prepare
    const { deps } = depsOf();

    // Act
    const report = await run(deps, { SCHEDULES });

    // Assess
    expect(report.notes[0]).toBe('reconcile of 2 schedules');
    expect(report.startedAt).toBe(now.toISOString());
    expect(report.service).toBe('infra-scaler');
  });

  it('brings a resource to its due state and publishes the report to the reports topic', async () => {
    // Prepare
    givenInstances(instance('i-day', 'running', [], on('day')));
    ec2Mock.on(StopInstancesCommand).resolves({});
    ec2Mock.on(CreateTagsCommand).resolves({});
    const { deps } = depsOf();

    // Act
    const report = await run(deps, { SCHEDULES });

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(StopInstancesCommand, { InstanceIds: ['i-day'] });
    expect(report.done.map(({ id, action }) => [id, action])).toEqual([['i-day', 'stop']]);
    expect(report.dryRun).toBe(false);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, { TopicArn: TOPIC });
    expect(report.headsUp).toEqual([]);
  });

  it('changes nothing in a dry run, and reports the plan', async () => {
    // Prepare
    givenInstances(instance('i-day', 'running', [], on('day')));
    const { deps } = depsOf();

    // Act
    const report = await run(deps, { SCHEDULES }, true);

    // Assess
    expect(report.dryRun).toBe(true);
    expect(report.planned.map(({ id, action }) => [id, action])).toEqual([['i-day', 'stop']]);
    expect(report.done).toEqual([]);
    expect(ec2Mock.commandCalls(StopInstancesCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(CreateTagsCommand)).toHaveLength(0);
  });

  it('returns and logs each stop due soon, and only logs it without the heads-up settings', async () => {
    // Prepare
    givenInstances(soonInstance());
    const { deps, post, info } = depsOf();

    // Act
    const report = await run(deps, { SCHEDULES });

    // Assess
    const notice = {
      schedule: 'soon',
      timezone: 'UTC',
      stopAt: STOP_AT,
      localStopAt: '2026-11-27 19:20',
      resources: [{ kind: 'instance', id: 'i-soon' }],
    };
    expect(report.headsUp).toEqual([expect.objectContaining(notice)]);
    expect(info).toHaveBeenCalledWith('Heads-up', { headsUp: report.headsUp[0] });
    expect(headsUpCalls()).toBe(0);
    expect(post).not.toHaveBeenCalled();
  });

  it('sends each stop due soon once, through the clients it is given, the links signed with the secret key', async () => {
    // Prepare
    givenInstances(soonInstance());
    const { deps, post } = depsOf();
    const dynamodbSend = vi.spyOn(deps.dynamodb as DynamoDBClient, 'send');
    const secretsSend = vi.spyOn(deps.secretsManager as SecretsManagerClient, 'send');

    // Act
    const report = await run(deps, { SCHEDULES, ...HEADS_UP_ENV });

    // Assess: the key read, the heads-up claimed, posted to Slack, mailed, then marked sent.
    expect(secretsSend).toHaveBeenCalledTimes(1);
    expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, {
      SecretId: SECRET,
      VersionStage: 'AWSCURRENT',
    });
    expect(dynamodbSend).toHaveBeenCalledTimes(2);
    expect(dynamodbMock).toHaveReceivedNthCommandWith(UpdateItemCommand, 1, {
      TableName: 'actions',
      Key: { pk: { S: `heads-up#soon#${STOP_AT}` } },
    });
    expect(post).toHaveBeenCalledTimes(1);
    expect(post).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'slack', kind: 'slack' }),
      expect.anything(),
    );
    expect(JSON.stringify(post.mock.calls)).toContain(
      'https://abc.lambda-url.us-east-1.on.aws/?t=',
    );
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Message: expect.stringContaining('i-soon'),
    });
    expect(report.headsUp).toHaveLength(1);
    expect(report.notes.filter((note) => note.startsWith('heads-up of'))).toEqual([]);
  });

  it("claims a heads-up until the invocation's end: the time left and the margin kept for the report", async () => {
    // Prepare
    givenInstances(soonInstance());
    const { deps } = depsOf();
    const budget = { remainingMs: () => 120_000, isExhausted: () => false };

    // Act
    await reconcile(deps, loadConfig({ SCHEDULES, ...HEADS_UP_ENV }), false, budget, () => now);

    // Assess
    const claim = dynamodbMock.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    expect(claim?.ExpressionAttributeValues?.[':lease']).toEqual({
      N: String(now.getTime() + 120_000 + DEFAULT_SAFETY_MARGIN_MS),
    });
    expect(claim?.ExpressionAttributeValues?.[':now']).toEqual({ N: String(now.getTime()) });
  });

  it('sends no heads-up in a dry run, and returns it all the same', async () => {
    // Prepare
    givenInstances(soonInstance());
    const { deps, post } = depsOf();

    // Act
    const report = await run(deps, { SCHEDULES, ...HEADS_UP_ENV }, true);

    // Assess
    expect(report.headsUp).toHaveLength(1);
    expect(headsUpCalls()).toBe(0);
    expect(post).not.toHaveBeenCalled();
  });

  it.each(['ACTIONS_TABLE', 'LINK_KEY_SECRET', 'CHAT_ACTIONS_URL'] as const)(
    'sends no heads-up without %s, and returns it all the same',
    async (unset) => {
      // Prepare
      givenInstances(soonInstance());
      const { deps, post } = depsOf();
      const env: Record<string, string> = { SCHEDULES, ...HEADS_UP_ENV };
      delete env[unset];

      // Act
      const report = await run(deps, env);

      // Assess
      expect(report.headsUp).toHaveLength(1);
      expect(headsUpCalls()).toBe(0);
      expect(post).not.toHaveBeenCalled();
      expect(report.notes.filter((note) => note.startsWith('heads-up'))).toEqual([
        'heads-up: soon stops i-soon at 2026-11-27 19:20 (UTC)',
      ]);
    },
  );

  it('reads no key and claims nothing when no stop is due soon', async () => {
    // Prepare
    givenInstances(instance('i-day', 'stopped', [], on('day')));
    const { deps, post } = depsOf();

    // Act
    const report = await run(deps, { SCHEDULES, ...HEADS_UP_ENV });

    // Assess
    expect(report.headsUp).toEqual([]);
    expect(headsUpCalls()).toBe(0);
    expect(post).not.toHaveBeenCalled();
  });

  it('makes a heads-up that cannot be sent a note of the report, never a failed run', async () => {
    // Prepare
    givenInstances(soonInstance());
    secretsMock
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const { deps, post } = depsOf();

    // Act
    const report = await run(deps, { SCHEDULES, ...HEADS_UP_ENV });

    // Assess
    expect(report.notes).toContain(
      'heads-up of soon at 2026-11-27 19:20 (UTC) not sent: AccessDeniedException: denied',
    );
    expect(report.failed).toEqual([]);
    expect(dynamodbMock.calls()).toHaveLength(0);
    expect(post).not.toHaveBeenCalled();
  });

  it('signs with the keys it is given instead of reading the secret', async () => {
    // Prepare
    givenInstances(soonInstance());
    const loadKeys = vi.fn(async () => [{ id: 'v-given', secret: 'g'.repeat(64) }]);
    const { deps, post } = depsOf({ loadKeys });

    // Act
    await run(deps, { SCHEDULES, ...HEADS_UP_ENV });

    // Assess
    expect(loadKeys).toHaveBeenCalledTimes(1);
    expect(secretsMock.calls()).toHaveLength(0);
    expect(post).toHaveBeenCalledTimes(1);
  });

  it('says nothing of heads-ups when no stop is due soon', async () => {
    // Prepare
    givenInstances(instance('i-day', 'stopped', [], on('day')));
    const { deps } = depsOf();

    // Act
    const report = await run(deps, { SCHEDULES, ...HEADS_UP_ENV });

    // Assess
    expect(report.notes.filter((note) => note.includes('heads-up'))).toEqual([]);
  });
});
