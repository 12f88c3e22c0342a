import { resolve } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { verifyToken } from '@nightshift/links';
import { getClient } from '@nightshift/runtime';
import { invokeBundle, startWebhookReceiver, subscribeQueue } from '@nightshift/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActionsTable } from './scenarios/chatActions.ts';
import {
  periodFrom,
  type ReconcileReport,
  schedulesText,
  seedInstance,
  seeInstance,
  TAG,
  unique,
  wallClock,
} from './scenarios/reconcile.ts';

const bundle = resolve(import.meta.dirname, '../../dist/infra-scaler/index.mjs');
const CHAT_ACTIONS_URL = 'https://abc123.lambda-url.us-east-1.on.aws/';

interface Post {
  path: string;
  body: {
    text?: string;
    attachments?: {
      blocks?: { type: string; elements?: { text?: { text?: string }; url?: string }[] }[];
    }[];
  };
}

/** A local webhook receiver standing in for Slack: every POST body is kept. */
const startReceiver = () => startWebhookReceiver<Post['body']>();

let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
});

describe('infra-scaler heads-up against the emulated account', () => {
  it('sends the heads-up of a stop due in 10 minutes once, with signed links, to Slack and the reports topic; the next run does not send it again', async () => {
    // Prepare
    const ec2 = getClient(EC2Client);
    const dynamodb = getClient(DynamoDBClient);
    const sns = getClient(SNSClient);
    const now = new Date();
    const timezone = 'Europe/Berlin';
    const name = unique('evening');
    const table = unique('actions');
    await createActionsTable(dynamodb, table);
    const secretValue = 'k'.repeat(64);
    const secret = await getClient(SecretsManagerClient).send(
      new CreateSecretCommand({ Name: unique('link-key'), SecretString: secretValue }),
    );
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: unique('reports') }));
    const reader = await subscribeQueue({ sns, sqs: getClient(SQSClient), topicArn: TopicArn });
    // Due running, its stop 10 minutes away (default notice: 30 minutes), its next start 2 hours
    // away (within MAX_SNOOZE_HOURS: "Skip tonight" is offered).
    const schedules = {
      [name]: {
        timezone,
        periods: [periodFrom(now, timezone, -2, 10 / 60), periodFrom(now, timezone, 2, 3)],
      },
    };
    const id = await seedInstance(ec2, { [TAG.schedule]: name });
    const stopAt = wallClock(new Date(now.getTime() + 10 * 60_000), timezone);
    const hook = `/slack/services/T000/B000/${name}`;
    const env = {
      SCHEDULES: schedulesText(schedules),
      ACTIONS_TABLE: table,
      LINK_KEY_SECRET: secret.ARN ?? '',
      CHAT_ACTIONS_URL,
      SLACK_WEBHOOK_URL: `${receiver.base}${hook}`,
      SNS_TOPIC_ARN: TopicArn,
    };
    const reconcile = () =>
      invokeBundle<ReconcileReport>(
        bundle,
        { action: 'reconcile' },
        { functionName: 'infra-scaler', env },
      );
    const headsUpMails = async (timeoutMs: number) =>
      (await reader.receive({ count: 3, timeoutMs })).filter(({ Subject }) =>
        Subject?.startsWith('Nightshift heads-up:'),
      );

    // Act
    const first = await reconcile();
    const firstPosts = receiver.posts.filter(({ path }) => path === hook);
    const firstMails = await headsUpMails(5_000);
    const second = await reconcile();
    const secondPosts = receiver.posts.filter(({ path }) => path === hook);
    const secondMails = await headsUpMails(2_000);

    // Assess
    expect(first.error).toBeUndefined();
    expect(second.error).toBeUndefined();
    expect((await seeInstance(ec2, id)).state).toBe('running');
    expect(first.result?.notes.filter((note) => note.startsWith('heads-up of'))).toEqual([]);
    // Sent once: one Slack message and one email, nothing from the second run.
    expect(firstPosts).toHaveLength(1);
    expect(secondPosts).toHaveLength(1);
    expect(firstMails).toHaveLength(1);
    expect(secondMails).toEqual([]);
    const local = `${stopAt.date} ${stopAt.hhmm}`;
    expect(firstMails[0]?.Subject).toBe(
      `Nightshift heads-up: ${name} stops at ${local} (${timezone})`,
    );
    expect(firstMails[0]?.Message).toContain(`- instance ${id}`);
    expect(firstPosts[0]?.body.text).toBe(
      `Heads-up: ${name} stops 1 resource at ${local} (${timezone})`,
    );
    const buttons =
      firstPosts[0]?.body.attachments?.[0]?.blocks?.find(({ type }) => type === 'actions')
        ?.elements ?? [];
    expect(buttons.map(({ text }) => text?.text)).toEqual([
      'Keep running 1 h',
      'Keep running 3 h',
      'Skip tonight',
    ]);
    const [notice] = (first.result?.headsUp ?? []) as { stopAt: string }[];
    const record = await dynamodb.send(
      new GetItemCommand({
        TableName: table,
        Key: { pk: { S: `heads-up#${name}#${notice?.stopAt}` } },
      }),
    );
    expect(record.Item?.expiresAt?.N).toMatch(/^\d+$/);
    const key = { id: secret.VersionId ?? '', secret: secretValue };
    for (const { url = '' } of buttons) {
      expect(url.startsWith(`${CHAT_ACTIONS_URL}?t=`)).toBe(true);
      const claim = verifyToken(new URL(url).searchParams.get('t') ?? '', [key], {
        now: new Date(),
      });
      expect(claim).toMatchObject({ schedule: name, resources: [`instance:${id}`] });
      expect(Date.parse(claim.expires) - now.getTime()).toBeGreaterThan(0);
      expect(Date.parse(claim.expires) - now.getTime()).toBeLessThanOrEqual(11 * 60_000);
    }
    expect(firstMails[0]?.Message).toContain(buttons[0]?.url);
  });
});
