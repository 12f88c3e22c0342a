import { resolve } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { claimOnce, createSnoozeClaim, signToken } from '@nightshift/links';
import { getClient } from '@nightshift/runtime';
import { invokeBundle } from '@nightshift/testing';
import { describe, expect, it } from 'vitest';
import {
  createActionsTable,
  createLinkKey,
  expireLeases,
  instanceTags,
  recordStates,
  type UrlResponse,
  urlEvent,
} from './scenarios/chatActions.ts';
import { launchInstance } from './scenarios/ec2.ts';
import { unique } from './scenarios/reconcile.ts';

const bundle = resolve(import.meta.dirname, '../../dist/chat-actions/index.mjs');
const SCHEDULE = 'nightshift:schedule';
const SNOOZE = 'nightshift:snooze-until';

describe('chat-actions against the emulated account', () => {
  it('keeps the scheduled instance of a used link running, refuses the link a second time, and leaves an instance off the schedule alone', async () => {
    // Prepare
    const ec2 = getClient(EC2Client);
    const dynamodb = getClient(DynamoDBClient);
    const table = unique('actions');
    await createActionsTable(dynamodb, table);
    const { arn, key } = await createLinkKey(getClient(SecretsManagerClient), unique('link-key'));
    const schedule = unique('office-hours');
    const onSchedule = await launchInstance(ec2, { [SCHEDULE]: schedule });
    const elsewhere = await launchInstance(ec2, { [SCHEDULE]: `${schedule}-other` });
    const now = Date.now();
    const claim = createSnoozeClaim({
      schedule,
      resources: [`instance:${onSchedule}`, `instance:${elsewhere}`],
      until: new Date(now + 60 * 60_000),
      expires: new Date(now + 10 * 60_000),
    });
    const token = signToken(claim, key);
    const env = { ACTIONS_TABLE: table, LINK_KEY_SECRET: arn, ENVIRONMENT: 'staging' };
    const request = (method: 'GET' | 'POST') =>
      invokeBundle<UrlResponse>(bundle, urlEvent(method, token), {
        functionName: 'chat-actions',
        env,
      });

    // Act
    const opened = await request('GET');
    const afterOpen = await instanceTags(ec2, onSchedule);
    const used = await request('POST');
    const afterUse = await instanceTags(ec2, onSchedule);
    const reused = await request('POST');
    const afterReuse = await instanceTags(ec2, onSchedule);
    const record = await dynamodb.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: `nonce#${claim.nonce}` } } }),
    );

    // Assess: opening the link changes nothing.
    expect(opened.error).toBeUndefined();
    expect(opened.result?.statusCode).toBe(200);
    expect(opened.result?.body).toContain('Keep running?');
    expect(afterOpen[SNOOZE]).toBeUndefined();
    // Using it tags the scheduled instance only, and records who used it.
    expect(used.result?.statusCode).toBe(200);
    expect(afterUse[SNOOZE]).toBe(claim.until);
    expect(await instanceTags(ec2, elsewhere)).toEqual({ [SCHEDULE]: `${schedule}-other` });
    expect(used.result?.body).toContain(`not on schedule ${schedule}`);
    expect(record.Item).toMatchObject({
      sourceIp: { S: '198.51.100.7' },
      userAgent: { S: 'integration-test/1.0' },
      schedule: { S: schedule },
      until: { S: claim.until },
    });
    expect(record.Item?.state).toEqual({ S: 'done' });
    // Using it again is refused and changes nothing.
    expect(reused.result?.statusCode).toBe(409);
    expect(reused.result?.body).toContain('Link already used');
    expect(afterReuse).toEqual(afterUse);
  });

  it('refuses a tampered link with a 4xx page and changes nothing', async () => {
    // Prepare
    const ec2 = getClient(EC2Client);
    const dynamodb = getClient(DynamoDBClient);
    const table = unique('actions');
    await createActionsTable(dynamodb, table);
    const { arn, key } = await createLinkKey(getClient(SecretsManagerClient), unique('link-key'));
    const schedule = unique('office-hours');
    const id = await launchInstance(ec2, { [SCHEDULE]: schedule });
    const now = Date.now();
    const claim = createSnoozeClaim({
      schedule,
      resources: [`instance:${id}`],
      until: new Date(now + 60 * 60_000),
      expires: new Date(now + 10 * 60_000),
    });
    const forged = signToken(claim, { id: key.id, secret: 'x'.repeat(64) });

    // Act
    const { result, error } = await invokeBundle<UrlResponse>(bundle, urlEvent('POST', forged), {
      functionName: 'chat-actions',
      env: { ACTIONS_TABLE: table, LINK_KEY_SECRET: arn },
    });
    const record = await dynamodb.send(
      new GetItemCommand({ TableName: table, Key: { pk: { S: `nonce#${claim.nonce}` } } }),
    );

    // Assess
    expect(error).toBeUndefined();
    expect(result?.statusCode).toBe(400);
    expect(record.Item).toBeUndefined();
    expect(await instanceTags(ec2, id)).toEqual({ [SCHEDULE]: schedule });
  });

  it('answers "in use" while a killed use still holds the link, and finishes that use once its lease is up', async () => {
    // Prepare: the record a use killed after its claim leaves: pending, leased a minute.
    const ec2 = getClient(EC2Client);
    const dynamodb = getClient(DynamoDBClient);
    const table = unique('actions');
    await createActionsTable(dynamodb, table);
    const { arn, key } = await createLinkKey(getClient(SecretsManagerClient), unique('link-key'));
    const schedule = unique('office-hours');
    const id = await launchInstance(ec2, { [SCHEDULE]: schedule });
    const now = Date.now();
    const claim = createSnoozeClaim({
      schedule,
      resources: [`instance:${id}`],
      until: new Date(now + 60 * 60_000),
      expires: new Date(now + 10 * 60_000),
    });
    const killedUse = await claimOnce(
      dynamodb,
      { table, key: `nonce#${claim.nonce}`, expiresAt: now + 86_400_000 },
      new Date(now),
      new Date(now + 60_000),
    );
    const use = () =>
      invokeBundle<UrlResponse>(bundle, urlEvent('POST', signToken(claim, key)), {
        functionName: 'chat-actions',
        env: { ACTIONS_TABLE: table, LINK_KEY_SECRET: arn },
      });

    // Act
    const whileHeld = await use();
    const tagsWhileHeld = await instanceTags(ec2, id);
    await expireLeases(dynamodb, table);
    const afterLease = await use();

    // Assess
    expect(killedUse).toBe('claimed');
    expect(whileHeld.result?.statusCode).toBe(409);
    expect(whileHeld.result?.body).toContain('Link in use');
    expect(tagsWhileHeld[SNOOZE]).toBeUndefined();
    expect(afterLease.result?.statusCode).toBe(200);
    expect((await instanceTags(ec2, id))[SNOOZE]).toBe(claim.until);
    expect(await recordStates(dynamodb, table)).toEqual({ [`nonce#${claim.nonce}`]: 'done' });
  });
});
