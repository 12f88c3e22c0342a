import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Destination } from '@nightshift/delivery';
import { verifyToken } from '@nightshift/links';
import { parseSchedules } from '@nightshift/schedules';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type HeadsUpContext,
  type HeadsUpSettings,
  headsUpKey,
  headsUpLinks,
  sendHeadsUps,
} from '../../src/reconcile/headsUp.ts';
import type { HeadsUp } from '../../src/reconcile/types.ts';

const dynamodb = mockClient(DynamoDBClient);
const sns = mockClient(SNSClient);

const KEY = { id: 'v-current', secret: 'k'.repeat(64) };
const BASE = 'https://abc.lambda-url.eu-west-1.on.aws/';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:reports';
// Mondays to Fridays 08:00 to 19:00 in Berlin; Monday 2026-11-30 19:00 is 18:00 UTC.
const { schedules } = parseSchedules({
  schedules: {
    office: {
      timezone: 'Europe/Berlin',
      periods: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '08:00', stop: '19:00' }],
    },
  },
});
const OFFICE = schedules.office as NonNullable<typeof schedules.office>;
const NOW = new Date('2026-11-30T17:50:00Z');
const STOP_AT = '2026-11-30T18:00:00.000Z';
const LEASE = new Date('2026-11-30T18:00:00Z');

const notice = (
  resources: HeadsUp['resources'] = [{ kind: 'instance', id: 'i-0a1' }],
): HeadsUp => ({
  schedule: 'office',
  timezone: 'Europe/Berlin',
  stopAt: STOP_AT,
  localStopAt: '2026-11-30 19:00',
  resources,
});

const slack: Destination = { name: 'slack', kind: 'slack', url: 'https://hooks.slack.com/x' };
const teams: Destination = { name: 'teams', kind: 'teams', url: 'https://x.logic.azure.com/y' };

const settings = (overrides: Partial<HeadsUpSettings> = {}): HeadsUpSettings => ({
  actionsTable: 'actions',
  chatActionsUrl: BASE,
  maxSnoozeHours: 16,
  topicArn: TOPIC,
  chat: {
    destinations: new Map([
      ['slack', slack],
      ['teams', teams],
    ]),
    routes: [],
    defaults: ['slack', 'teams'],
  },
  ...overrides,
});

const context = (overrides: Partial<HeadsUpContext> = {}) => {
  const posts: { destination: string; body: unknown }[] = [];
  const warn = vi.fn();
  const value: HeadsUpContext = {
    dynamodb: new DynamoDBClient({}),
    sns: new SNSClient({}),
    logger: { info: vi.fn(), warn },
    loadKeys: async () => [KEY],
    post: async (destination, body) => {
      posts.push({ destination: destination.name, body });
    },
    now: NOW,
    leaseUntil: LEASE,
    ...overrides,
  };
  return { value, posts, warn };
};

const tokenOf = (url: string) => {
  expect(url.startsWith(`${BASE}?t=`)).toBe(true);
  return new URL(url).searchParams.get('t') ?? '';
};

beforeEach(() => {
  dynamodb.reset();
  sns.reset();
  dynamodb.on(UpdateItemCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

describe('heads-up links', () => {
  it('signs three links, each verified: the schedule, the resources as <kind>:<id>, until, expiring at the stop', () => {
    // Act
    const links = headsUpLinks(
      notice(),
      OFFICE,
      [
        { kind: 'instance', id: 'i-0a1' },
        { kind: 'db-cluster', id: 'reports' },
      ],
      KEY,
      { chatActionsUrl: BASE, maxSnoozeHours: 16 },
      NOW,
    );

    // Assess
    expect(links.map(({ title }) => title)).toEqual([
      'Keep running 1 h',
      'Keep running 3 h',
      'Skip tonight',
    ]);
    const claims = links.map(({ url }) =>
      verifyToken(tokenOf(url), [KEY], { now: NOW, maxSnoozeMs: 16 * 3_600_000 }),
    );
    for (const claim of claims) {
      expect(claim).toMatchObject({
        schedule: 'office',
        resources: ['db-cluster:reports', 'instance:i-0a1'],
        expires: STOP_AT,
      });
    }
    expect(claims.map(({ until }) => until)).toEqual([
      '2026-11-30T19:00:00.000Z',
      '2026-11-30T21:00:00.000Z',
      // Tuesday 08:00 in Berlin: the next start after the stop.
      '2026-12-01T07:00:00.000Z',
    ]);
    expect(new Set(claims.map(({ nonce }) => nonce)).size).toBe(3);
  });

  it('leaves "Skip tonight" out when the next start is beyond MAX_SNOOZE_HOURS from now', () => {
    // Act: 12 hours from 17:50 UTC is 05:50 UTC; the next start is 07:00 UTC.
    const twelve = headsUpLinks(
      notice(),
      OFFICE,
      notice().resources,
      KEY,
      { chatActionsUrl: BASE, maxSnoozeHours: 12 },
      NOW,
    );
    // Friday's stop: the next start is on Monday.
    const friday = new Date('2026-12-04T17:50:00Z');
    const weekend = headsUpLinks(
      { ...notice(), stopAt: '2026-12-04T18:00:00.000Z' },
      OFFICE,
      notice().resources,
      KEY,
      { chatActionsUrl: BASE, maxSnoozeHours: 16 },
      friday,
    );
    // Two hours at most: only "Keep running 1 h" fits.
    const two = headsUpLinks(
      notice(),
      OFFICE,
      notice().resources,
      KEY,
      { chatActionsUrl: BASE, maxSnoozeHours: 2 },
      NOW,
    );

    // Assess
    expect(twelve.map(({ title }) => title)).toEqual(['Keep running 1 h', 'Keep running 3 h']);
    expect(weekend.map(({ title }) => title)).toEqual(['Keep running 1 h', 'Keep running 3 h']);
    expect(two.map(({ title }) => title)).toEqual(['Keep running 1 h']);
  });
});

describe('sendHeadsUps', () => {
  it('claims the heads-up, sends it to Slack, Teams and the reports topic, then marks it sent', async () => {
    // Prepare
    const { value, posts } = context();

    // Act
    const result = await sendHeadsUps([notice()], schedules, value, settings());

    // Assess
    expect(result).toEqual({ sent: ['office'], notes: [] });
    const [claim, done] = dynamodb.commandCalls(UpdateItemCommand).map(({ args }) => args[0].input);
    expect(claim).toMatchObject({
      TableName: 'actions',
      Key: { pk: { S: `heads-up#office#${STOP_AT}` } },
      ConditionExpression: 'attribute_not_exists(pk) OR (#state = :pending AND leaseUntil < :now)',
      ExpressionAttributeValues: {
        ':pending': { S: 'pending' },
        ':lease': { N: String(LEASE.getTime()) },
        ':now': { N: String(NOW.getTime()) },
        ':expires': { N: String(Date.parse(STOP_AT) / 1000 + 86_400) },
      },
    });
    expect(done).toMatchObject({
      TableName: 'actions',
      Key: { pk: { S: `heads-up#office#${STOP_AT}` } },
      ExpressionAttributeValues: { ':done': { S: 'done' } },
    });
    expect(headsUpKey(notice())).toBe(`heads-up#office#${STOP_AT}`);
    expect(posts.map(({ destination }) => destination)).toEqual(['slack', 'teams']);
    expect(JSON.stringify(posts[0]?.body)).toContain('"type":"actions"');
    expect(JSON.stringify(posts[1]?.body)).toContain('"type":"Action.OpenUrl"');
    const publish = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(publish).toMatchObject({
      TopicArn: TOPIC,
      Subject: 'Nightshift heads-up: office stops at 2026-11-30 19:00 (Europe/Berlin)',
    });
    expect(publish?.Message).toContain(`Keep running 1 h:\n${BASE}?t=`);
  });

  it.each([
    ['sent already', 'done', 'Heads-up sent already'],
    ['being sent by another run', 'pending', 'Heads-up being sent by another run'],
  ])('sends nothing when the heads-up was %s', async (_, state, message) => {
    // Prepare
    dynamodb.on(UpdateItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'exists',
        $metadata: {},
        Item: { state: { S: state } },
      }),
    );
    const { value, posts } = context();

    // Act
    const result = await sendHeadsUps([notice()], schedules, value, settings());

    // Assess
    expect(result).toEqual({ sent: [], notes: [] });
    expect(posts).toEqual([]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(value.logger.info).toHaveBeenCalledWith(message, { schedule: 'office' });
  });

  it('leaves a heads-up that reached no destination unmarked, for a later run to send', async () => {
    // Prepare
    sns.on(PublishCommand).rejects(new Error('topic gone'));
    const { value } = context({
      post: async () => {
        throw new Error('webhook answered 500');
      },
    });

    // Act
    const result = await sendHeadsUps([notice()], schedules, value, settings());

    // Assess
    expect(result.sent).toEqual([]);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(1);
  });

  it('notes a heads-up sent but not marked: a later run may send it again', async () => {
    // Prepare
    dynamodb
      .on(UpdateItemCommand)
      .resolvesOnce({})
      .rejectsOnce(new Error('ProvisionedThroughputExceededException'));
    const { value, posts } = context();

    // Act
    const result = await sendHeadsUps([notice()], schedules, value, settings());

    // Assess
    expect(posts).toHaveLength(2);
    expect(result.notes).toEqual([
      'heads-up of office at 2026-11-30 19:00 (Europe/Berlin) failed: not marked sent (a later run may send it again): Error: ProvisionedThroughputExceededException',
    ]);
  });

  it('sends 120 resources as 3 messages of at most 50, each with links over its own resources', async () => {
    // Prepare
    const resources = Array.from({ length: 120 }, (_, index) => ({
      kind: 'instance' as const,
      id: `i-${String(index).padStart(17, '0')}`,
    }));
    const { value, posts } = context();

    // Act
    const result = await sendHeadsUps(
      [notice(resources)],
      schedules,
      value,
      settings({
        chat: { destinations: new Map([['slack', slack]]), routes: [], defaults: ['slack'] },
      }),
    );

    // Assess
    expect(result.sent).toEqual(['office']);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(2);
    expect(posts).toHaveLength(3);
    const published = sns
      .commandCalls(PublishCommand)
      .map(({ args }) => args[0].input.Message ?? '');
    expect(published).toHaveLength(3);
    const named = published.map((message) => {
      const [url] = message.split('\n').filter((line) => line.startsWith(BASE));
      return verifyToken(tokenOf(url ?? ''), [KEY], { now: NOW, maxSnoozeMs: 16 * 3_600_000 })
        .resources.length;
    });
    expect(named).toEqual([50, 50, 20]);
    expect(published[2]).toContain('(message 3 of 3)');
  });

  it('routes by the schedule name: only the destinations of the matching route', async () => {
    // Prepare
    const { value, posts } = context();

    // Act
    await sendHeadsUps(
      [notice()],
      schedules,
      value,
      settings({
        chat: { ...settings().chat, routes: [{ pipeline: 'off*', destinations: ['teams'] }] },
      }),
    );

    // Assess
    expect(posts.map(({ destination }) => destination)).toEqual(['teams']);
  });

  it('reports a failed send in the notes and a warning, and still sends to the others', async () => {
    // Prepare
    sns.on(PublishCommand).rejects(new Error('topic gone'));
    const { value, posts, warn } = context({
      post: async (destination, body) => {
        if (destination.kind === 'slack') throw new Error('webhook answered 404');
        posts.push({ destination: destination.name, body });
      },
    });

    // Act
    const result = await sendHeadsUps([notice()], schedules, value, settings());

    // Assess
    expect(result.sent).toEqual([]);
    expect(result.notes).toEqual([
      'heads-up of office at 2026-11-30 19:00 (Europe/Berlin) failed: slack: Error: webhook answered 404; email: Error: topic gone',
    ]);
    expect(posts.map(({ destination }) => destination)).toEqual(['teams']);
    // Teams has it: marked sent, so no destination gets it twice.
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(2);
    expect(warn).toHaveBeenCalledWith(
      'Heads-up not sent',
      expect.objectContaining({ schedule: 'office' }),
    );
  });

  it('records nothing when the keys cannot be read, and says so', async () => {
    // Prepare
    const { value, posts } = context({
      loadKeys: async () => {
        throw new Error('AccessDeniedException');
      },
    });

    // Act
    const result = await sendHeadsUps([notice()], schedules, value, settings());

    // Assess
    expect(result.notes).toEqual([
      'heads-up of office at 2026-11-30 19:00 (Europe/Berlin) not sent: Error: AccessDeniedException',
    ]);
    expect(dynamodb.commandCalls(UpdateItemCommand)).toHaveLength(0);
    expect(posts).toEqual([]);
  });

  it('notes a claim that fails for another reason, sending nothing for it', async () => {
    // Prepare
    dynamodb.on(UpdateItemCommand).rejects(new Error('ResourceNotFoundException'));
    const { value, posts } = context();

    // Act
    const result = await sendHeadsUps([notice()], schedules, value, settings());

    // Assess
    expect(result.notes).toEqual([
      'heads-up of office at 2026-11-30 19:00 (Europe/Berlin) not sent: Error: ResourceNotFoundException',
    ]);
    expect(posts).toEqual([]);
  });

  it('makes no call without heads-ups', async () => {
    // Prepare
    const loadKeys = vi.fn(async () => [KEY]);
    const { value } = context({ loadKeys });

    // Act
    const result = await sendHeadsUps([], schedules, value, settings());

    // Assess
    expect(result).toEqual({ sent: [], notes: [] });
    expect(loadKeys).not.toHaveBeenCalled();
    expect(dynamodb.calls()).toHaveLength(0);
  });
});
