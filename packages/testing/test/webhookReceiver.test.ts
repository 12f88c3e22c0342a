import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../src/webhookReceiver.ts';

const receivers: WebhookReceiver<unknown>[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

const start = async <B>() => {
  const receiver = await startWebhookReceiver<B>();
  receivers.push(receiver);
  return receiver;
};

const post = (url: string, body?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body }),
  });

describe('startWebhookReceiver', () => {
  it('listens on the loopback address, on a port of its own', async () => {
    // Act
    const [first, second] = [await start(), await start()];

    // Assess
    expect(first.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(second.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(second.base).not.toBe(first.base);
  });

  it('answers a post 200 and keeps its path, query string included, and its JSON body', async () => {
    // Prepare
    const receiver = await start<{ text: string }>();

    // Act
    const response = await post(
      `${receiver.base}/teams/workflows/abc?sig=signature`,
      JSON.stringify({ text: 'Deployment succeeded' }),
    );

    // Assess
    expect(response.status).toBe(200);
    expect(receiver.posts).toEqual([
      { path: '/teams/workflows/abc?sig=signature', body: { text: 'Deployment succeeded' } },
    ]);
  });

  it('keeps every post in the order they came, whatever the path', async () => {
    // Prepare
    const receiver = await start<{ n: number }>();

    // Act
    for (const [index, path] of [
      '/slack/services/T0/B0/x',
      '/teams/a',
      '/slack/services/T0/B0/x',
    ].entries()) {
      const response = await post(`${receiver.base}${path}`, JSON.stringify({ n: index }));
      expect(response.ok).toBe(true);
    }

    // Assess
    expect(receiver.posts).toEqual([
      { path: '/slack/services/T0/B0/x', body: { n: 0 } },
      { path: '/teams/a', body: { n: 1 } },
      { path: '/slack/services/T0/B0/x', body: { n: 2 } },
    ]);
  });

  it('keeps a post without a body as {}', async () => {
    // Prepare
    const receiver = await start();

    // Act
    const response = await post(`${receiver.base}/empty`);

    // Assess
    expect(response.status).toBe(200);
    expect(receiver.posts).toEqual([{ path: '/empty', body: {} }]);
  });

  it('keeps a body larger than one chunk whole', async () => {
    // Prepare
    const receiver = await start<{ blocks: string[] }>();
    const blocks = Array.from({ length: 2_000 }, (_, index) => `block ${index} ${'x'.repeat(80)}`);

    // Act
    await post(`${receiver.base}/slack/big`, JSON.stringify({ blocks }));

    // Assess
    expect(receiver.posts).toHaveLength(1);
    expect(receiver.posts[0]?.body.blocks).toEqual(blocks);
  });

  it('keeps text beyond ASCII as it was sent', async () => {
    // Prepare
    const receiver = await start<{ text: string }>();
    const text = 'Déploiement réussi — ✅ 🚀 日本語';

    // Act
    await post(`${receiver.base}/teams`, JSON.stringify({ text }));

    // Assess
    expect(receiver.posts[0]?.body.text).toBe(text);
  });

  it('keeps a character whose bytes arrive in two chunks whole', async () => {
    // Prepare
    const receiver = await start<{ text: string }>();
    const bytes = Buffer.from(JSON.stringify({ text: 'déploiement' }));
    const split = bytes.indexOf(0xc3) + 1; // inside the two bytes of é

    // Act
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest(`${receiver.base}/teams/split`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': bytes.length },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      request.on('error', reject);
      request.write(bytes.subarray(0, split));
      // A pause, so that the server reads the first part on its own.
      setTimeout(() => request.end(bytes.subarray(split)), 50);
    });

    // Assess
    expect(status).toBe(200);
    expect(receiver.posts[0]?.body.text).toBe('déploiement');
  });

  it('answers a body that is not JSON 400, keeps nothing, and goes on receiving', async () => {
    // Prepare
    const receiver = await start<{ text: string }>();

    // Act
    const refused = await post(`${receiver.base}/slack/bad`, 'not json');
    const accepted = await post(`${receiver.base}/slack/good`, JSON.stringify({ text: 'ok' }));

    // Assess
    expect(refused.status).toBe(400);
    expect(accepted.status).toBe(200);
    expect(receiver.posts).toEqual([{ path: '/slack/good', body: { text: 'ok' } }]);
  });

  it('keeps its posts in one live list, so a test can empty it and count afresh', async () => {
    // Prepare
    const receiver = await start();
    const posts = receiver.posts;
    await post(`${receiver.base}/first`, '{}');

    // Act
    receiver.posts.length = 0;
    await post(`${receiver.base}/second`, '{"a":1}');

    // Assess
    expect(receiver.posts).toBe(posts);
    expect(receiver.posts).toEqual([{ path: '/second', body: { a: 1 } }]);
  });

  it('keeps each receiver’s posts apart', async () => {
    // Prepare
    const [slack, teams] = [await start(), await start()];

    // Act
    await post(`${slack.base}/slack`, '{"to":"slack"}');

    // Assess
    expect(slack.posts).toHaveLength(1);
    expect(teams.posts).toEqual([]);
  });

  it('stops listening once closed', async () => {
    // Prepare
    const receiver = await startWebhookReceiver();

    // Act
    await receiver.close();

    // Assess
    await expect(post(`${receiver.base}/late`, '{}')).rejects.toThrow();
    expect(receiver.posts).toEqual([]);
  });
});
