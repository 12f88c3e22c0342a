import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local stand-in for Slack and Teams webhooks: every JSON POST is kept, path and body. */
export interface WebhookReceiver<B> {
  /** `http://127.0.0.1:<port>`: a webhook URL is this plus any path. */
  base: string;
  posts: { path: string; body: B }[];
  close: () => Promise<void>;
}

/**
 * Starts a receiver on 127.0.0.1 that answers every JSON request 200 and keeps its path and
 * body (an empty body as `{}`); a body that is not JSON is answered 400 and not kept.
 *
 * @example
 * const receiver = await startWebhookReceiver<{ text?: string }>();
 * env.SLACK_WEBHOOK_URL = `${receiver.base}/slack/services/T0/B0/x`;
 */
export const startWebhookReceiver = async <B = unknown>(): Promise<WebhookReceiver<B>> => {
  const posts: { path: string; body: B }[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
    });
    request.on('end', () => {
      // Decoded once, whole: a character split across chunks stays one character.
      const text = Buffer.concat(chunks).toString('utf8');
      let body: B;
      try {
        body = JSON.parse(text || '{}') as B;
      } catch {
        // Not JSON: no webhook takes that, so it is refused and not kept.
        response.writeHead(400).end();
        return;
      }
      posts.push({ path: request.url ?? '', body });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    posts,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
};
