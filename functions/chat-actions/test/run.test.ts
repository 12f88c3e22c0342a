import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateTagsCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { clearSigningKeyCache, type SigningKey } from '@nightshift/links';
import { createObservability } from '@nightshift/middleware';
import type { TimeBudget } from '@nightshift/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type Config, loadConfig } from '../src/config.ts';
import type { FunctionUrlEvent } from '../src/event.ts';
import { answer, type Deps, run } from '../src/run.ts';
import {
  aClaim,
  aToken,
  CURRENT,
  getEvent,
  NOW,
  PREVIOUS,
  postEvent,
  RETIRED,
  SECRET_ARN,
  TABLE,
  TOPIC_ARN,
} from './fixtures.ts';

const ec2Mock = mockClient(EC2Client);
const dynamoMock = mockClient(DynamoDBClient);
const secretsMock = mockClient(SecretsManagerClient);
const snsMock = mockClient(SNSClient);
const asgMock = mockClient(AutoScalingClient);
const rdsMock = mockClient(RDSClient);

const budget: TimeBudget = { remainingMs: () => 60_000 } as TimeBudget;
const config: Config = loadConfig({
  ACTIONS_TABLE: TABLE,
  LINK_KEY_SECRET: SECRET_ARN,
  SNS_TOPIC_ARN: TOPIC_ARN,
  ENVIRONMENT: 'staging',
  SLACK_WEBHOOK_URL: ['https://hooks.slack.com', 'services', 'T000', 'B000', 'XXXX'].join('/'),
});

const { logger, metrics } = createObservability('chat-actions');
const post = vi.fn(async () => undefined);
const deps = (now = NOW): Deps => ({
  ec2: new EC2Client({ region: 'eu-west-1' }),
  autoScaling: new AutoScalingClient({ region: 'eu-west-1' }),
  rds: new RDSClient({ region: 'eu-west-1' }),
  dynamodb: new DynamoDBClient({ region: 'eu-west-1' }),
  secrets: new SecretsManagerClient({ region: 'eu-west-1' }),
  sns: new SNSClient({ region: 'eu-west-1' }),
  logger,
  metrics,
  now: () => now,
  post,
});

/** The secret's versions: the current key, and the previous one when given. */
const keysInSecret = (current: SigningKey, previous?: SigningKey) => {
  secretsMock
    .on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' })
    .resolves({ VersionId: current.id, SecretString: current.secret as string });
  if (previous)
    secretsMock
      .on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' })
      .resolves({ VersionId: previous.id, SecretString: previous.secret as string });
  else
    secretsMock
      .on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' })
      .rejects(new ResourceNotFoundException({ message: 'no AWSPREVIOUS', $metadata: {} }));
};

const onSchedule = (id: string, schedule = 'office-hours') => ({
  InstanceId: id,
  State: { Name: 'running' as const },
  Tags: [{ Key: 'nightshift:schedule', Value: schedule }],
});

/** Every call that changes anything: the nonce record, a tag, a note. */
const writes = () => [
  ...dynamoMock.commandCalls(UpdateItemCommand),
  ...ec2Mock.commandCalls(CreateTagsCommand),
  ...snsMock.commandCalls(PublishCommand),
  ...post.mock.calls,
];

const invoke = (event: FunctionUrlEvent, now = NOW) => run(deps(now), config, event, budget);

beforeEach(() => {
  vi.restoreAllMocks();
  for (const mock of [ec2Mock, dynamoMock, secretsMock, snsMock, asgMock, rdsMock]) mock.reset();
  post.mockClear();
  clearSigningKeyCache();
  keysInSecret(CURRENT, PREVIOUS);
  ec2Mock.on(DescribeInstancesCommand).resolves({
    Reservations: [
      {
        Instances: [onSchedule('i-0aaaaaaaaaaaaaaaa'), onSchedule('i-0bbbbbbbbbbbbbbbb', 'nights')],
      },
    ],
  });
  ec2Mock.on(CreateTagsCommand).resolves({});
  dynamoMock.on(UpdateItemCommand).resolves({});
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('run: GET', () => {
  it('shows the confirmation page of a valid link and changes nothing', async () => {
    // Act
    const response = await invoke(getEvent(`t=${aToken()}`));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(`<input type="hidden" name="t" value="${aToken()}">`);
    expect(writes()).toEqual([]);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(0);
  });

  it('changes nothing on HEAD either', async () => {
    // Prepare
    const event = getEvent(`t=${aToken()}`);
    event.requestContext.http.method = 'HEAD';

    // Act
    const response = await invoke(event);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(writes()).toEqual([]);
  });

  it.each([
    ['no token', '', 400],
    ['two tokens', `t=${aToken()}&t=${aToken()}`, 400],
    ['a token of another key', `t=${aToken(aClaim(), RETIRED)}`, 400],
    ['a token cut short', `t=${aToken().slice(0, -3)}`, 400],
  ])('refuses %s with a 4xx page', async (_, query, status) => {
    // Act
    const response = await invoke(getEvent(query));

    // Assess
    expect(response.statusCode).toBe(status);
    expect(response.body).toContain('Nothing was changed.');
    expect(writes()).toEqual([]);
  });
});

describe('run: POST', () => {
  it('claims the nonce, conditionally, with who used it, tags only what is on the schedule, then marks it done', async () => {
    // Act
    const response = await run(
      { ...deps(), leaseMs: 25_000 },
      config,
      postEvent(`t=${aToken()}`),
      budget,
    );

    // Assess
    expect(response.statusCode).toBe(200);
    const [claim, done] = dynamoMock
      .commandCalls(UpdateItemCommand)
      .map((call) => call.args[0].input);
    expect(claim).toMatchObject({
      TableName: TABLE,
      Key: { pk: { S: 'nonce#AAECAwQFBgcICQoLDA0ODw' } },
      ConditionExpression: 'attribute_not_exists(pk) OR (#state = :pending AND leaseUntil < :now)',
    });
    const values = Object.values(claim?.ExpressionAttributeValues ?? {});
    expect(claim?.ExpressionAttributeValues).toMatchObject({
      ':lease': { N: String(NOW.getTime() + 25_000) },
      // The link's expiry (18:00) and a day.
      ':expires': { N: String(Date.parse('2026-03-03T18:00:00.000Z') / 1000) },
    });
    expect(
      Object.fromEntries(
        Object.entries(claim?.ExpressionAttributeNames ?? {})
          .filter(([placeholder]) => placeholder !== '#state')
          .map(([placeholder, name]) => [
            name,
            claim?.ExpressionAttributeValues?.[placeholder.replace('#', ':')],
          ]),
      ),
    ).toEqual({
      at: { S: NOW.toISOString() },
      sourceIp: { S: '198.51.100.7' },
      userAgent: { S: expect.stringContaining('Mozilla/5.0') },
      schedule: { S: 'office-hours' },
      until: { S: '2026-03-02T19:00:00.000Z' },
      resources: {
        L: [{ S: 'instance:i-0aaaaaaaaaaaaaaaa' }, { S: 'instance:i-0bbbbbbbbbbbbbbbb' }],
      },
    });
    expect(values).toContainEqual({ S: 'pending' });
    expect(done).toMatchObject({
      Key: { pk: { S: 'nonce#AAECAwQFBgcICQoLDA0ODw' } },
      UpdateExpression: expect.stringMatching(/^SET #state = :done, doneAt = :at, #d0 = :d0/),
      ExpressionAttributeNames: { '#d0': 'kept' },
      ExpressionAttributeValues: { ':done': { S: 'done' }, ':d0': { N: '1' } },
    });
    expect(ec2Mock.commandCalls(CreateTagsCommand).map((call) => call.args[0].input)).toEqual([
      {
        Resources: ['i-0aaaaaaaaaaaaaaaa'],
        Tags: [{ Key: 'nightshift:snooze-until', Value: '2026-03-02T19:00:00.000Z' }],
      },
    ]);
    expect(response.body).toContain('not on schedule office-hours');
  });

  it('verifies before anything else: a tampered token writes no nonce', async () => {
    // Prepare: the payload of a 3-hour snooze with the MAC of the 1-hour one.
    const oneHour = aToken();
    const threeHours = aToken(aClaim({ until: '2026-03-02T21:00:00.000Z' }));
    const tampered = `${threeHours.split('.')[0]}.${oneHour.split('.')[1]}`;

    // Act
    const response = await invoke(postEvent(`t=${tampered}`));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(writes()).toEqual([]);
  });

  it('refuses an expired link with 410 and changes nothing', async () => {
    // Act
    const response = await invoke(postEvent(`t=${aToken()}`), new Date('2026-03-02T18:00:00.000Z'));

    // Assess
    expect(response.statusCode).toBe(410);
    expect(response.body).toContain('Link expired');
    expect(writes()).toEqual([]);
  });

  it('refuses a link asking for more than MAX_SNOOZE_HOURS with 400 and changes nothing', async () => {
    // Prepare
    const tooLong = aToken(aClaim({ until: '2026-03-03T06:00:00.000Z' }));
    const shortMax = { ...config, maxSnoozeHours: 1 };

    // Act
    const refusedByDefault = await invoke(postEvent(`t=${tooLong}`));
    const refusedBySetting = await run(deps(), shortMax, postEvent(`t=${aToken()}`), budget);

    // Assess
    expect(refusedByDefault.statusCode).toBe(400);
    expect(refusedByDefault.body).toContain('Link asks for too much');
    expect(refusedBySetting.statusCode).toBe(400);
    expect(writes()).toEqual([]);
  });

  it.each([
    ['used before', 'done', 'Link already used'],
    ['being used by another request', 'pending', 'Link in use'],
  ])('refuses a link %s with 409 and changes nothing', async (_, state, title) => {
    // Prepare
    dynamoMock.on(UpdateItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: { pk: { S: 'nonce#AAECAwQFBgcICQoLDA0ODw' }, state: { S: state } },
      }),
    );

    // Act
    const response = await invoke(postEvent(`t=${aToken()}`));

    // Assess
    expect(response.statusCode).toBe(409);
    expect(response.body).toContain(title);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(CreateTagsCommand)).toHaveLength(0);
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    expect(post).not.toHaveBeenCalled();
  });

  it('accepts a link signed with the previous key after a rotation', async () => {
    // Prepare: rotated once: the link's key is now AWSPREVIOUS.
    secretsMock.reset();
    keysInSecret(RETIRED, CURRENT);

    // Act
    const response = await invoke(postEvent(`t=${aToken()}`));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(ec2Mock.commandCalls(CreateTagsCommand)).toHaveLength(1);
  });

  it('refuses a link signed with a key two rotations old, and changes nothing', async () => {
    // Prepare
    secretsMock.reset();
    keysInSecret(RETIRED, PREVIOUS);

    // Act
    const response = await invoke(postEvent(`t=${aToken()}`));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(writes()).toEqual([]);
  });

  it('works with a secret that has never been rotated', async () => {
    // Prepare
    secretsMock.reset();
    keysInSecret(CURRENT);

    // Act
    const response = await invoke(postEvent(`t=${aToken()}`));

    // Assess
    expect(response.statusCode).toBe(200);
  });

  it('takes a form body passed as text as well as base64', async () => {
    // Act
    const response = await invoke(postEvent(`t=${aToken()}`, { base64: false }));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(ec2Mock.commandCalls(CreateTagsCommand)).toHaveLength(1);
  });

  it('tells the reports topic and the chat who kept what running until when', async () => {
    // Act
    await invoke(postEvent(`t=${aToken()}`));

    // Assess
    const [publish] = snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input);
    expect(publish?.TopicArn).toBe(TOPIC_ARN);
    expect(publish?.Subject).toBe(
      'Nightshift: office-hours kept running until 2026-03-02 19:00 UTC',
    );
    expect(publish?.Message).toContain('by 198.51.100.7 (Mozilla/5.0');
    expect(publish?.Message).toContain('kept: instance:i-0aaaaaaaaaaaaaaaa');
    expect(publish?.Message).toContain('left alone: instance:i-0bbbbbbbbbbbbbbbb');
    expect(post).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(post.mock.calls[0])).toContain('office-hours');
  });

  it('still shows the result when a note cannot be sent', async () => {
    // Prepare
    snsMock.on(PublishCommand).rejects(new Error('AuthorizationError'));
    post.mockRejectedValueOnce(new Error('webhook answered 500'));

    // Act
    const response = await invoke(postEvent(`t=${aToken()}`));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(ec2Mock.commandCalls(CreateTagsCommand)).toHaveLength(1);
  });

  it('sends no note when nothing was kept running', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });

    // Act
    const response = await invoke(postEvent(`t=${aToken()}`));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Nothing was kept running.');
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
    expect(post).not.toHaveBeenCalled();
  });

  it('answers 500 when a tag write fails, and leaves the link to be tried again once its lease is up', async () => {
    // Prepare
    ec2Mock.on(CreateTagsCommand).rejects(new Error('UnauthorizedOperation'));

    // Act
    const response = await invoke(postEvent(`t=${aToken()}`));

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.body).toContain('Could not be kept running');
    expect(response.body).toContain('open the link again in a minute');
    // Claimed, never marked done.
    expect(dynamoMock.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });

  it('shows the result even when the use cannot be marked done (it stays pending until its lease is up)', async () => {
    // Prepare
    dynamoMock
      .on(UpdateItemCommand)
      .resolvesOnce({})
      .rejectsOnce(new Error('ProvisionedThroughputExceededException'));
    const warn = vi.spyOn(logger, 'warn');

    // Act
    const response = await invoke(postEvent(`t=${aToken()}`));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(ec2Mock.commandCalls(CreateTagsCommand)).toHaveLength(1);
    expect(warn).toHaveBeenCalledWith(
      'Link use not marked done; it can be used again once its lease is up',
      { error: expect.stringContaining('ProvisionedThroughputExceededException') },
    );
  });

  it('leases the record for the function timeout when the remaining time is not given', async () => {
    // Act
    await invoke(postEvent(`t=${aToken()}`));

    // Assess
    const claim = dynamoMock.commandCalls(UpdateItemCommand)[0]?.args[0].input;
    expect(claim?.ExpressionAttributeValues?.[':lease']).toEqual({
      N: String(NOW.getTime() + 30_000),
    });
  });

  it('refuses other methods with 405', async () => {
    // Prepare
    const event = postEvent(`t=${aToken()}`);
    event.requestContext.http.method = 'DELETE';

    // Act
    const response = await invoke(event);

    // Assess
    expect(response.statusCode).toBe(405);
    expect(response.headers.allow).toBe('GET, POST');
    expect(writes()).toEqual([]);
  });
});

describe('run: what it records, logs and counts', () => {
  it('fails (for a 500 page), not 409, when the nonce cannot be written for another reason', async () => {
    // Prepare
    dynamoMock.on(UpdateItemCommand).rejects(new Error('ProvisionedThroughputExceededException'));

    // Act
    const running = invoke(postEvent(`t=${aToken()}`));

    // Assess
    await expect(running).rejects.toThrow('ProvisionedThroughputExceededException');
    expect(ec2Mock.commandCalls(CreateTagsCommand)).toHaveLength(0);
  });

  it('keeps at most 256 characters of the user agent in the record and the note', async () => {
    // Prepare
    const event = postEvent(`t=${aToken()}`);
    event.requestContext.http.userAgent = 'u'.repeat(300);

    // Act
    await invoke(event);

    // Assess
    const values =
      dynamoMock.commandCalls(UpdateItemCommand)[0]?.args[0].input.ExpressionAttributeValues;
    expect(Object.values(values ?? {})).toContainEqual({ S: 'u'.repeat(256) });
    const message = snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
    expect(message).toContain(`(${'u'.repeat(256)})`);
    expect(message).not.toContain('u'.repeat(257));
  });

  it('logs the resources it could not keep running, with their errors', async () => {
    // Prepare
    ec2Mock.on(CreateTagsCommand).rejects(new Error('UnauthorizedOperation'));
    const error = vi.spyOn(logger, 'error');

    // Act
    await invoke(postEvent(`t=${aToken()}`));

    // Assess
    expect(error).toHaveBeenCalledWith(
      'Resources could not be kept running',
      expect.objectContaining({
        schedule: 'office-hours',
        failed: [{ name: 'instance:i-0aaaaaaaaaaaaaaaa', error: 'UnauthorizedOperation' }],
      }),
    );
    expect(snsMock.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('logs the use of a link, and a note that could not be sent', async () => {
    // Prepare
    snsMock.on(PublishCommand).rejects(new Error('AuthorizationError'));
    const info = vi.spyOn(logger, 'info');
    const warn = vi.spyOn(logger, 'warn');

    // Act
    await invoke(postEvent(`t=${aToken()}`));

    // Assess
    expect(info).toHaveBeenCalledWith(
      'Link used',
      expect.objectContaining({ kept: ['instance:i-0aaaaaaaaaaaaaaaa'], sourceIp: '198.51.100.7' }),
    );
    expect(warn).toHaveBeenCalledWith('Note not sent everywhere', {
      failed: [{ destination: 'reports topic', reason: 'AuthorizationError' }],
    });
  });

  it('counts links used, resources kept and links refused', async () => {
    // Prepare
    const added = vi.spyOn(metrics, 'addMetric');

    // Act
    await invoke(postEvent(`t=${aToken()}`));
    await invoke(getEvent('t=x.y'));

    // Assess
    expect(added.mock.calls.map(([name, , value]) => [name, value])).toEqual([
      ['LinksUsed', 1],
      ['ResourcesKept', 1],
      ['LinksRefused', 1],
    ]);
  });
});

describe('answer', () => {
  it('turns an AWS failure into a logged 500 page', async () => {
    // Prepare
    secretsMock.reset();
    secretsMock.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));
    const error = vi.spyOn(logger, 'error');

    // Act
    const response = await answer(deps(), () => invoke(getEvent(`t=${aToken()}`)));

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(error).toHaveBeenCalledWith('Link could not be handled', expect.any(Error));
    expect(writes()).toEqual([]);
  });
});
