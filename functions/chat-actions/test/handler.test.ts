import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createLambdaContext } from '@nightshift/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import smoke from '../events/smoke.json' with { type: 'json' };
import { CURRENT, getEvent } from './fixtures.ts';

const secretsMock = mockClient(SecretsManagerClient);

/** The handler module as Lambda loads it, with this environment. */
const loadHandler = async (env: Record<string, string | undefined>) => {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  return (await import('../src/handler.ts')).handler;
};

describe('chat-actions handler', () => {
  beforeEach(() => {
    vi.unstubAllEnvs();
    secretsMock.reset();
    secretsMock
      .on(GetSecretValueCommand)
      .resolves({ VersionId: CURRENT.id, SecretString: CURRENT.secret as string });
  });

  it('answers the smoke event (a GET without a token) with a 400 page, reading nothing', async () => {
    // Prepare
    const handler = await loadHandler({});

    // Act
    const response = await handler(smoke, createLambdaContext());

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(secretsMock.calls()).toHaveLength(0);
  });

  it('answers a bad token with a 4xx page, never an error', async () => {
    // Prepare
    const handler = await loadHandler({});

    // Act
    const response = await handler(getEvent('t=not.a-token'), createLambdaContext());

    // Assess
    expect(response.statusCode).toBe(400);
  });

  it('answers a bad setting with a logged 500 page', async () => {
    // Prepare
    const handler = await loadHandler({ MAX_SNOOZE_HOURS: 'many' });

    // Act
    const response = await handler(smoke, createLambdaContext());

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.body).toContain('the error is logged');
  });

  it('fails an invocation that is not a function URL request, naming the field', async () => {
    // Prepare
    const handler = await loadHandler({});

    // Act & Assess
    await expect(handler({ dryRun: true }, createLambdaContext())).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });
});
