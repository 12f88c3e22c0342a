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

  it('takes the attempts per call from AWS_MAX_ATTEMPTS, and names a bad value', async () => {
    // Prepare
    vi.stubEnv('AWS_MAX_ATTEMPTS', '3');

    // Act
    const client = getClient(SNSClient);
    resetClients();
    vi.stubEnv('AWS_MAX_ATTEMPTS', 'three');

    // Assess
    expect(await client.config.maxAttempts()).toBe(3);
    expect(() => getClient(EC2Client)).toThrow(
      'Invalid configuration: AWS_MAX_ATTEMPTS: must be a whole number of at least 1',
    );
    expect(() => getClient(EC2Client)).not.toThrow(/three/);
  });

  it('gives a client with fewer attempts for optional calls, once per service and limits', async () => {
    // Act
    const usual = getClient(SNSClient);
    const limited = getClient(SNSClient, { maxAttempts: 2, requestTimeoutMs: 3_000 });
    vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
    const again = getClient(SNSClient, { maxAttempts: 2, requestTimeoutMs: 3_000 });
    const fewerByEnv = getClient(SNSClient, { maxAttempts: 2 });

    // Assess
    expect(limited).not.toBe(usual);
    expect(again).toBe(limited);
    expect(await usual.config.maxAttempts()).toBe(8);
    expect(await limited.config.maxAttempts()).toBe(2);
    expect(await fewerByEnv.config.maxAttempts()).toBe(1);
    expect(await limited.config.retryStrategy()).toMatchObject({ mode: 'adaptive' });
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
      response
        .writeHead(400, { 'content-type': 'text/xml' })
        .end(
          '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>no</Message></Error></ErrorResponse>',
        );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
    vi.stubEnv('AWS_ENDPOINT_URL', `http://127.0.0.1:${port}`);

    // Act
    const error = await getClient(SNSClient)
      .send(new ListTopicsCommand({}))
      .catch((e: Error) => e);

    // Assess
    expect(requests).toEqual(['POST /']);
    expect(error).toMatchObject({ name: 'InvalidParameterException' });
  });

  it('retries throttled calls on its own', async ({ onTestFinished }) => {
    // Prepare: the endpoint throttles twice, then answers.
    let calls = 0;
    const server = createServer((_request, response) => {
      calls += 1;
      if (calls <= 2) {
        response
          .writeHead(400, { 'content-type': 'text/xml' })
          .end(
            '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>',
          );
        return;
      }
      response
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(
          '<ListTopicsResponse><ListTopicsResult><Topics><member><TopicArn>arn:aws:sns:us-east-1:123456789012:t</TopicArn></member></Topics></ListTopicsResult></ListTopicsResponse>',
        );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
    vi.stubEnv('AWS_ENDPOINT_URL', `http://127.0.0.1:${port}`);

    // Act
    const result = await getClient(SNSClient).send(new ListTopicsCommand({}));

    // Assess
    expect(calls).toBe(3);
    expect(result.Topics).toEqual([{ TopicArn: 'arn:aws:sns:us-east-1:123456789012:t' }]);
    expect(result.$metadata.attempts).toBe(3);
  });

  it('stops a limited client after its attempts, each cut off at its request timeout', async ({
    onTestFinished,
  }) => {
    // Prepare: the endpoint takes every request and never answers.
    let calls = 0;
    const server = createServer(() => {
      calls += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const { port } = server.address() as AddressInfo;
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
    vi.stubEnv('AWS_ENDPOINT_URL', `http://127.0.0.1:${port}`);

    // Act
    const error = await getClient(SNSClient, { maxAttempts: 2, requestTimeoutMs: 200 })
      .send(new ListTopicsCommand({}))
      .catch((e: Error) => e);

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(calls).toBe(2);
  });
});
