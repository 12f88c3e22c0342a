import { resolve } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { verifyToken } from '@nightshift/links';
import { getClient } from '@nightshift/runtime';
import { invokeBundle, startWebhookReceiver } from '@nightshift/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createActionsTable,
  createLinkKey,
  type UrlResponse,
  urlEvent,
} from './scenarios/chatActions.ts';
import {
  entryOf,
  linesOf,
  periodFrom,
  type ReconcileReport,
  reportOf,
  schedulesText,
  seedInstance,
  seeInstance,
  TAG,
  tagInstances,
  unique,
} from './scenarios/reconcile.ts';

const scaler = resolve(import.meta.dirname, '../../dist/infra-scaler/index.mjs');
const chatActions = resolve(import.meta.dirname, '../../dist/chat-actions/index.mjs');
const CHAT_ACTIONS_URL = 'https://abc123.lambda-url.us-east-1.on.aws/';

interface SlackPost {
  path: string;
  body: {
    attachments?: {
      blocks?: { type: string; elements?: { text?: { text?: string }; url?: string }[] }[];
    }[];
  };
}

/** A local webhook receiver standing in for Slack: every POST body is kept. */
const startReceiver = () => startWebhookReceiver<SlackPost['body']>();

/** The url of the button labelled `label` in a Slack message (empty when absent). */
const buttonUrl = (post: SlackPost | undefined, label: string): string =>
  post?.body.attachments
    ?.flatMap(({ blocks = [] }) => blocks)
    .flatMap(({ elements = [] }) => elements)
    .find(({ text }) => text?.text === label)?.url ?? '';

let receiver: Awaited<ReturnType<typeof startReceiver>>;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
});

describe('a snooze link from the heads-up, against the emulated account', () => {
  it('keeps the instance running over its stop once the link is used, refuses the link a second time, and stops the instance once the snooze has passed', async () => {
    // Prepare
    const ec2 = getClient(EC2Client);
    const dynamodb = getClient(DynamoDBClient);
    const table = unique('actions');
    await createActionsTable(dynamodb, table);
    const { arn, key } = await createLinkKey(getClient(SecretsManagerClient), unique('link-key'));
    const timezone = 'Europe/Berlin';
    const name = unique('evening');
    const id = await seedInstance(ec2, { [TAG.schedule]: name });
    const hook = `/slack/services/T000/B000/${name}`;
    const scalerEnv = {
      ACTIONS_TABLE: table,
      LINK_KEY_SECRET: arn,
      CHAT_ACTIONS_URL,
      SLACK_WEBHOOK_URL: `${receiver.base}${hook}`,
    };
    /** A reconcile run with one every-day period of `name`, from `from` to `to` hours from now. */
    const reconcile = (from: number, to: number) => {
      const now = new Date();
      const schedules = { [name]: { timezone, periods: [periodFrom(now, timezone, from, to)] } };
      return invokeBundle<ReconcileReport>(
        scaler,
        { action: 'reconcile' },
        {
          functionName: 'infra-scaler',
          env: { ...scalerEnv, SCHEDULES: schedulesText(schedules) },
        },
      );
    };
    const request = (method: 'GET' | 'POST', token: string) =>
      invokeBundle<UrlResponse>(chatActions, urlEvent(method, token), {
        functionName: 'chat-actions',
        env: { ACTIONS_TABLE: table, LINK_KEY_SECRET: arn },
      });
    const nonceRecord = async (nonce: string) =>
      (
        await dynamodb.send(
          new GetItemCommand({ TableName: table, Key: { pk: { S: `nonce#${nonce}` } } }),
        )
      ).Item;

    // Act: the heads-up of a stop due in 10 minutes; the "Keep running 1 h" link opened, then used.
    const headsUp = await reconcile(-2, 10 / 60);
    const posts = receiver.posts.filter(({ path }) => path === hook);
    const link = buttonUrl(posts[0], 'Keep running 1 h');
    const token = new URL(link).searchParams.get('t') ?? '';
    const claim = verifyToken(token, [key], { now: new Date() });
    const opened = await request('GET', token);
    const afterOpen = await seeInstance(ec2, id);
    const recordAfterOpen = await nonceRecord(claim.nonce);
    const used = await request('POST', token);
    const afterUse = await seeInstance(ec2, id);
    const recordAfterUse = await nonceRecord(claim.nonce);
    const reused = await request('POST', token);
    const afterReuse = await seeInstance(ec2, id);
    const recordAfterReuse = await nonceRecord(claim.nonce);
    // The stop is due (a few minutes past): the snooze keeps the instance running.
    const snoozedRun = await reconcile(-2, -5 / 60);
    const afterStopTime = await seeInstance(ec2, id);
    // The snooze passes (its time set a minute in the past): the stop is acted on.
    await tagInstances(ec2, [id], {
      [TAG.snoozeUntil]: new Date(Date.now() - 60_000).toISOString(),
    });
    const expiredRun = await reconcile(-2, -5 / 60);
    const afterExpiry = await seeInstance(ec2, id);

    // Assess: one heads-up, its link for this instance until an hour after the stop.
    expect(headsUp.error).toBeUndefined();
    expect(posts).toHaveLength(1);
    expect(link.startsWith(`${CHAT_ACTIONS_URL}?t=`)).toBe(true);
    expect(claim).toMatchObject({ schedule: name, resources: [`instance:${id}`] });
    expect(Date.parse(claim.until) - Date.parse(claim.expires)).toBe(60 * 60_000);
    // Opening the link changes nothing.
    expect(opened.error).toBeUndefined();
    expect(opened.result?.statusCode).toBe(200);
    expect(opened.result?.body).toContain('Keep running?');
    expect(afterOpen.tags[TAG.snoozeUntil]).toBeUndefined();
    expect(recordAfterOpen).toBeUndefined();
    // Using it sets the snooze on the instance.
    expect(used.error).toBeUndefined();
    expect(used.result?.statusCode).toBe(200);
    expect(afterUse.state).toBe('running');
    expect(afterUse.tags[TAG.snoozeUntil]).toBe(claim.until);
    expect(recordAfterUse).toMatchObject({ schedule: { S: name }, until: { S: claim.until } });
    // Using it again is refused and changes nothing.
    expect(reused.error).toBeUndefined();
    expect(reused.result?.statusCode).toBe(409);
    expect(afterReuse).toEqual(afterUse);
    expect(recordAfterReuse).toEqual(recordAfterUse);
    // Past the stop time, the snoozed instance is left running, and the report says why.
    expect(snoozedRun.error).toBeUndefined();
    expect(afterStopTime.state).toBe('running');
    expect(afterStopTime.tags[TAG.snoozeUntil]).toBe(claim.until);
    const snoozedUntil = new Date(claim.until).toISOString().replace('.', '\\.');
    expect(linesOf(reportOf(snoozedRun), id)).toEqual([
      expect.stringMatching(
        new RegExp(`^skipped: leave: snoozed until ${snoozedUntil} \\(due stopped: `),
      ),
    ]);
    // Once the snooze has passed, the instance is stopped and the tag comes off.
    expect(expiredRun.error).toBeUndefined();
    expect(afterExpiry.state).toBe('stopped');
    expect(afterExpiry.tags[TAG.snoozeUntil]).toBeUndefined();
    expect(afterExpiry.tags[TAG.lastAction]).toMatch(/^stop@/);
    expect(entryOf(reportOf(expiredRun), 'done', id)?.action).toBe('stop');
  });
});
