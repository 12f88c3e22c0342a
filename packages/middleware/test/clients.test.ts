import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getClient, resetClients } from '../src/clients.ts';

describe('AWS client factory', () => {
  afterEach(() => resetClients());

  it('returns one client per service for the life of the container', () => {
    // Act
    const first = getClient(EC2Client);
    const second = getClient(EC2Client);
    const other = getClient(SNSClient);

    // Assess
    expect(second).toBe(first);
    expect(other).toBeInstanceOf(SNSClient);
    expect(other).not.toBe(first as unknown);
  });

  it('uses adaptive retries and the region from the environment', async () => {
    // Prepare
    vi.stubEnv('AWS_REGION', 'eu-west-3');

    // Act
    const client = getClient(SNSClient);

    // Assess
    expect(await client.config.region()).toBe('eu-west-3');
    expect(await client.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
    expect(await client.config.maxAttempts()).toBe(8);
  });

  it('falls back to AWS_DEFAULT_REGION when AWS_REGION is not set', async () => {
    // Prepare
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_DEFAULT_REGION', 'ap-south-1');

    // Act & Assess
    expect(await getClient(EC2Client).config.region()).toBe('ap-south-1');
  });

  it('sends requests to AWS_ENDPOINT_URL when set, with no code of its own for it', async ({
    onTestFinished,
  }) => {
    // Prepare
    const requests: string[] = [];
    const server = createServer((request, response) => {
      requests.push(`${request.method} ${request.headers['x-amz-target'] ?? request.url}`);
      response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
    vi.stubEnv('AWS_ENDPOINT_URL', `http://127.0.0.1:${port}`);
    const client = new SNSClient({ maxAttempts: 1 });
    onTestFinished(() => client.destroy());

    // Act
    await client.send(new ListTopicsCommand({})).catch(() => undefined);

    // Assess
    expect(requests).toHaveLength(1);
    expect(getClient(SNSClient)).not.toBe(client);
  });
});
