import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TimeBudget } from '@nightshift/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { checkWebhookUrl, DEFAULT_WEBHOOK_HOSTS, DeliveryError, postJson } from '../src/deliver.ts';

const plenty: TimeBudget = { remainingMs: () => 60_000, isExhausted: () => false };
const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

/** A local webhook that answers each request with the next of `answers`. */
const webhook = async (answers: ((response: ServerResponse) => void)[]) => {
  const received: { body: unknown; at: number }[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ body: JSON.parse(body), at: Date.now() });
      (answers[received.length - 1] ?? answers.at(-1))?.(response);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const secretPath = '/services/T000/B000/very-secret-token';
  return {
    url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}${secretPath}`),
    received,
    secretPath,
  };
};
const status =
  (code: number, headers: Record<string, string> = {}) =>
  (response: ServerResponse) =>
    response.writeHead(code, headers).end();

describe('Webhook delivery', () => {
  it('posts the JSON body once when the webhook takes it', async () => {
    // Prepare
    const hook = await webhook([status(200)]);

    // Act
    await postJson({
      destination: 'slack',
      url: hook.url,
      body: { text: 'hi' },
      timeoutMs: 1_000,
      attempts: 3,
      budget: plenty,
    });

    // Assess
    expect(hook.received.map((request) => request.body)).toEqual([{ text: 'hi' }]);
  });

  it('retries a 429, waiting as long as Retry-After says', async () => {
    // Prepare
    const hook = await webhook([status(429, { 'retry-after': '1' }), status(200)]);

    // Act
    await postJson({
      destination: 'slack',
      url: hook.url,
      body: {},
      timeoutMs: 1_000,
      attempts: 3,
      budget: plenty,
      baseDelayMs: 10,
    });

    // Assess
    expect(hook.received).toHaveLength(2);
    expect((hook.received[1]?.at ?? 0) - (hook.received[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('retries 5xx with backoff, then fails naming the destination and status, never the URL', async () => {
    // Prepare
    const hook = await webhook([status(503)]);

    // Act
    const error = await postJson({
      destination: 'teams',
      url: hook.url,
      body: {},
      timeoutMs: 1_000,
      attempts: 3,
      budget: plenty,
      baseDelayMs: 5,
    }).catch((e: Error) => e);

    // Assess
    expect(hook.received).toHaveLength(3);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).toBe(
      'teams: webhook answered 503 Service Unavailable; gave up after retries',
    );
    expect((error as Error).message).not.toContain(hook.secretPath);
  });

  it('fails at once on another 4xx, such as a revoked webhook', async () => {
    // Prepare
    const hook = await webhook([status(404)]);

    // Act
    const error = await postJson({
      destination: 'slack',
      url: hook.url,
      body: {},
      timeoutMs: 1_000,
      attempts: 4,
      budget: plenty,
    }).catch((e: Error) => e);

    // Assess
    expect(hook.received).toHaveLength(1);
    expect(error).toMatchObject({
      name: 'DeliveryError',
      status: 404,
      message: 'slack: webhook answered 404 Not Found',
    });
  });

  it('times out a webhook that does not answer, and stops retrying when the time budget runs out', async () => {
    // Prepare
    const hook = await webhook([() => undefined]);
    let remaining = 2_000;
    const budget: TimeBudget = {
      remainingMs: () => (remaining -= 600),
      isExhausted: () => remaining <= 0,
    };

    // Act
    const error = await postJson({
      destination: 'slack',
      url: hook.url,
      body: {},
      timeoutMs: 200,
      attempts: 10,
      budget,
      baseDelayMs: 500,
    }).catch((e: Error) => e);

    // Assess
    expect((error as Error).message).toMatch(
      /^slack: no answer within 200 ms; gave up after retries$/,
    );
    expect(hook.received.length).toBeLessThan(10);
  });

  it('fails at once on a redirect, never following it', async () => {
    // Prepare: the webhook sends the post on to another receiver.
    const elsewhere = await webhook([status(200)]);
    const hook = await webhook([status(307, { location: elsewhere.url.href })]);

    // Act
    const error = await postJson({
      destination: 'slack',
      url: hook.url,
      body: { text: 'hi' },
      timeoutMs: 1_000,
      attempts: 4,
      budget: plenty,
      baseDelayMs: 5,
    }).catch((e: Error) => e);

    // Assess
    expect(error).toMatchObject({
      name: 'DeliveryError',
      message: 'slack: webhook answered with a redirect, not followed',
    });
    expect(hook.received).toHaveLength(1);
    expect(elsewhere.received).toEqual([]);
  });

  it.each([
    ['https://hooks.slack.com/services', 'T000', 'B000', 'xyz'].join('/'),
    'https://prod-23.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=x',
    'https://default1234.56.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?sig=x',
    'http://127.0.0.1:8080/x',
    'http://localhost:8080/x',
    'http://[::1]:8080/x',
    ` ${['https://hooks.slack.com/services', 'T000', 'B000', 'xyz'].join('/')} `,
  ])('accepts %s by default', (url) => {
    expect(checkWebhookUrl('slack', url, DEFAULT_WEBHOOK_HOSTS).hostname).toBe(
      new URL(url.trim()).hostname,
    );
  });

  it.each([
    [
      'http://hooks.slack.com/services/x',
      'the webhook URL must be https (plain http only to a loopback host), not http:',
    ],
    [
      'ftp://127.0.0.1/x',
      'the webhook URL must be https (plain http only to a loopback host), not ftp:',
    ],
    [
      'https://example.com/secret',
      'the webhook host example.com is not one of the allowed hosts (WEBHOOK_ALLOWED_HOSTS)',
    ],
    [
      'https://hooks.slack.com.example.com/x',
      'the webhook host hooks.slack.com.example.com is not one of the allowed hosts (WEBHOOK_ALLOWED_HOSTS)',
    ],
    [
      'https://evil-hooks.slack.com/x',
      'the webhook host evil-hooks.slack.com is not one of the allowed hosts (WEBHOOK_ALLOWED_HOSTS)',
    ],
    [
      'https://logic.azure.com/x',
      'the webhook host logic.azure.com is not one of the allowed hosts (WEBHOOK_ALLOWED_HOSTS)',
    ],
    [
      'https://x.logic.azure.com.example.com/x',
      'the webhook host x.logic.azure.com.example.com is not one of the allowed hosts (WEBHOOK_ALLOWED_HOSTS)',
    ],
    [
      'https://xlogic.azure.com/x',
      'the webhook host xlogic.azure.com is not one of the allowed hosts (WEBHOOK_ALLOWED_HOSTS)',
    ],
    [
      'https://169.254.169.254/latest/meta-data',
      'the webhook host 169.254.169.254 is not one of the allowed hosts (WEBHOOK_ALLOWED_HOSTS)',
    ],
    ['not a url with a secret', 'the webhook URL is not a URL'],
  ])('refuses %s, naming the destination and never the path', (url, reason) => {
    // Act & Assess
    expect(() => checkWebhookUrl('teams', url, DEFAULT_WEBHOOK_HOSTS)).toThrow(
      new DeliveryError('teams', reason),
    );
  });

  it('accepts the hosts that configuration adds', () => {
    // Prepare
    const hosts = [...DEFAULT_WEBHOOK_HOSTS, 'chat.example.com', '*.hooks.example.net'];

    // Act & Assess
    expect(checkWebhookUrl('ops', 'https://chat.example.com/x', hosts).hostname).toBe(
      'chat.example.com',
    );
    expect(checkWebhookUrl('ops', 'https://a.b.hooks.example.net/x', hosts).hostname).toBe(
      'a.b.hooks.example.net',
    );
    expect(() => checkWebhookUrl('ops', 'https://other.example.com/x', hosts)).toThrow(
      'not one of the allowed hosts',
    );
    expect(() => checkWebhookUrl('ops', 'https://hooks.example.net/x', hosts)).toThrow(
      'not one of the allowed hosts',
    );
  });
});
