import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { invokeBundle } from '@nightshift/testing';
import { afterEach, describe, expect, it } from 'vitest';

const bundle = resolve(import.meta.dirname, '../../dist/deploy-notifier/index.mjs');
const event = (name: string) =>
  JSON.parse(
    readFileSync(
      resolve(import.meta.dirname, `../../functions/deploy-notifier/events/${name}.json`),
      'utf8',
    ),
  );

/** A local stand-in for Slack and Teams: records what is posted, answers with `status`. */
const receivers: ReturnType<typeof createServer>[] = [];
const startReceiver = async (status = 200) => {
  const posts: { path: string; body: Record<string, unknown> }[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      posts.push({ path: request.url ?? '', body: JSON.parse(body) });
      response.writeHead(status).end();
    });
  });
  receivers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts };
};
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

describe('deploy-notifier through the built bundle', () => {
  it('posts a failed action to Slack and Teams, without the webhook secrets in its logs', async () => {
    // Prepare
    const receiver = await startReceiver();
    const env = {
      SLACK_WEBHOOK_URL: `${receiver.base}/slack/T000/B000/slack-secret-path`,
      TEAMS_WEBHOOK_URL: `${receiver.base}/teams/workflows/teams-secret-path?sig=teams-signature`,
    };

    // Act
    const { result, error, output } = await invokeBundle(bundle, event('action-failed'), {
      env,
      functionName: 'deploy-notifier',
    });

    // Assess
    expect(error).toBeUndefined();
    expect(result).toMatchObject({
      pipeline: 'payments-api',
      state: 'FAILED',
      notified: ['slack', 'teams'],
      failed: [],
    });
    const slack = receiver.posts.find((post) => post.path.startsWith('/slack/'));
    const teams = receiver.posts.find((post) => post.path.startsWith('/teams/'));
    expect(receiver.posts).toHaveLength(2);
    expect(slack?.body).toMatchObject({
      text: 'payments-api / Build / UnitTests: failed',
      attachments: [{ color: '#d72b3f' }],
    });
    expect(JSON.stringify(slack?.body)).toContain('Build terminated with state: FAILED');
    expect(teams?.body).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }],
    });
    expect(output).not.toMatch(/slack-secret-path|teams-secret-path|teams-signature/);
  });

  it('fails the invocation when a webhook is gone, naming the destination', async () => {
    // Prepare
    const receiver = await startReceiver(404);

    // Act
    const { error, output } = await invokeBundle(bundle, event('pipeline-failed'), {
      env: { SLACK_WEBHOOK_URL: `${receiver.base}/slack/revoked-secret-path` },
    });

    // Assess
    expect(error).toEqual({
      name: 'Error',
      message: 'Delivery failed: slack: webhook answered 404 Not Found',
    });
    expect(receiver.posts).toHaveLength(1);
    expect(output).not.toContain('revoked-secret-path');
  });
});
