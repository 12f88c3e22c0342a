import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback SNS that answers Publish at once and counts what it was sent. */
export interface InstantSns {
  endpoint: string;
  /** Publish calls answered, and the bytes of their request bodies. */
  published(): { messages: number; bodyBytes: number };
  stop(): Promise<void>;
}

/**
 * An endpoint for `AWS_ENDPOINT_URL_SNS` that answers every Query-protocol `Publish` with
 * a message id, without the emulator's own time per request, so that a benchmark of the
 * handler measures the handler and the SDK, not the emulator. Any other action gets a
 * 400, which the SDK throws.
 *
 * @example
 * const sns = await startInstantSns();
 * env.AWS_ENDPOINT_URL_SNS = sns.endpoint;
 */
export const startInstantSns = async (): Promise<InstantSns> => {
  let messages = 0;
  let bodyBytes = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const action = new URLSearchParams(body.toString('utf8')).get('Action');
      response.setHeader('content-type', 'text/xml');
      if (action !== 'Publish') {
        response.statusCode = 400;
        response.end(
          `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>only Publish is answered here, not ${action}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        );
        return;
      }
      messages += 1;
      bodyBytes += body.length;
      response.end(
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    published: () => ({ messages, bodyBytes }),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
