import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TimeBudget } from '@nightshift/runtime';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../src/deliver.ts';
import { webhookPost } from '../src/post.ts';

const plenty: TimeBudget = { remainingMs: () => 60_000, isExhausted: () => false };
const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))),
  );
});

/** A local webhook that takes every post with 200 and keeps the bodies. */
const webhook = async () => {
  const received: unknown[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push(JSON.parse(body));
      response.writeHead(200).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
};

describe('webhookPost', () => {
  it("posts the body to the destination's URL", async () => {
    // Prepare
    const hook = await webhook();
    const post = webhookPost(
      { allowedHosts: ['127.0.0.1'], timeoutMs: 1_000, attempts: 2 },
      plenty,
    );

    // Act
    await post({ name: 'ops', kind: 'slack', url: hook.url }, { text: 'morning' });

    // Assess
    expect(hook.received).toEqual([{ text: 'morning' }]);
  });

  it('refuses a host that is not allowed, naming the destination, before any request', async () => {
    // Prepare
    const post = webhookPost(
      { allowedHosts: ['hooks.slack.com'], timeoutMs: 1_000, attempts: 2 },
      plenty,
    );

    // Act
    const error = await post(
      { name: 'ops', kind: 'slack', url: 'https://hooks.example.com/x' },
      {},
    ).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(DeliveryError);
    expect(String(error)).toContain('ops');
    expect(String(error)).toContain('hooks.example.com is not one of the allowed hosts');
  });
});
