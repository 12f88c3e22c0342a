import { CLIENT_DEFAULTS, type ClientDefaults } from '@nightshift/runtime';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  clearTargetClients,
  clientConfigFor,
  MAX_CACHED_CLIENTS,
  type TargetClientConfig,
  targetClient,
} from '../src/clients.ts';

const TARGET = { accountId: '222222222222', region: 'eu-west-1' };
const CREDENTIALS = { accessKeyId: 'ASIA1', secretAccessKey: 'secret-1', sessionToken: 'token-1' };

/** A client class that keeps the configuration it was built with. */
class FakeClient {
  readonly config: ClientDefaults & TargetClientConfig;

  constructor(config: ClientDefaults & TargetClientConfig) {
    this.config = config;
  }
}
class OtherClient extends FakeClient {}

beforeEach(() => {
  clearTargetClients();
});

describe('clientConfigFor', () => {
  it('gives the target’s region and credentials', () => {
    // Assess
    expect(clientConfigFor(TARGET, CREDENTIALS)).toEqual({
      region: 'eu-west-1',
      credentials: CREDENTIALS,
    });
  });

  it('gives the region alone for the own account, so the function’s own role is used', () => {
    // Assess
    expect(clientConfigFor(TARGET)).toStrictEqual({ region: 'eu-west-1' });
  });
});

describe('targetClient', () => {
  it('builds a client with the defaults, the target’s region and its credentials', () => {
    // Prepare
    vi.stubEnv('AWS_MAX_ATTEMPTS', undefined);

    // Act
    const client = targetClient(FakeClient, TARGET, CREDENTIALS);

    // Assess
    expect(client).toBeInstanceOf(FakeClient);
    expect(client.config).toStrictEqual({
      ...CLIENT_DEFAULTS,
      region: 'eu-west-1',
      credentials: CREDENTIALS,
    });
  });

  it('takes AWS_MAX_ATTEMPTS when it is set, as getClient does', () => {
    // Prepare
    vi.stubEnv('AWS_MAX_ATTEMPTS', '2');

    // Act
    const client = targetClient(FakeClient, TARGET);

    // Assess
    expect(client.config.maxAttempts).toBe(2);
    expect(client.config).not.toHaveProperty('credentials');
  });

  it('takes AWS_MAX_ATTEMPTS of 1', () => {
    // Prepare
    vi.stubEnv('AWS_MAX_ATTEMPTS', '1');

    // Act
    const client = targetClient(FakeClient, TARGET);

    // Assess
    expect(client.config.maxAttempts).toBe(1);
  });

  it.each(['0', 'many', '', '2.5'])(
    'keeps the default attempts when AWS_MAX_ATTEMPTS is %o',
    (value) => {
      // Prepare
      vi.stubEnv('AWS_MAX_ATTEMPTS', value);

      // Act
      const client = targetClient(FakeClient, TARGET);

      // Assess
      expect(client.config.maxAttempts).toBe(CLIENT_DEFAULTS.maxAttempts);
    },
  );

  it('builds each client once per class and target while the credentials stay the same', () => {
    // Act
    const first = targetClient(FakeClient, TARGET, CREDENTIALS);
    const again = targetClient(FakeClient, { ...TARGET }, { ...CREDENTIALS });
    const otherClass = targetClient(OtherClient, TARGET, CREDENTIALS);
    const otherRegion = targetClient(FakeClient, { ...TARGET, region: 'us-east-1' }, CREDENTIALS);
    const otherAccount = targetClient(
      FakeClient,
      { ...TARGET, accountId: '333333333333' },
      CREDENTIALS,
    );

    // Assess
    expect(again).toBe(first);
    expect(otherClass).toBeInstanceOf(OtherClient);
    expect(new Set([first, otherClass, otherRegion, otherAccount]).size).toBe(4);
    expect(otherRegion.config.region).toBe('us-east-1');
  });

  it('builds a new client when the target’s credentials are renewed', () => {
    // Prepare
    const renewed = { ...CREDENTIALS, accessKeyId: 'ASIA2', sessionToken: 'token-2' };

    // Act
    const first = targetClient(FakeClient, TARGET, CREDENTIALS);
    const next = targetClient(FakeClient, TARGET, renewed);
    const own = targetClient(FakeClient, TARGET);
    const ownAgain = targetClient(FakeClient, TARGET);
    const assumedAgain = targetClient(FakeClient, TARGET, renewed);

    // Assess
    expect(next).not.toBe(first);
    expect(next.config.credentials).toBe(renewed);
    expect(own).not.toBe(next);
    expect(own.config).not.toHaveProperty('credentials');
    expect(ownAgain).toBe(own);
    expect(assumedAgain).not.toBe(own);
    expect(assumedAgain.config.credentials).toBe(renewed);
  });

  it('keeps the most recently used clients only', () => {
    // Prepare
    const target = (n: number) => ({ accountId: String(n).padStart(12, '0'), region: 'eu-west-1' });
    const first = targetClient(FakeClient, target(0));
    const second = targetClient(FakeClient, target(1));

    // Act
    for (let n = 2; n <= MAX_CACHED_CLIENTS; n += 1) {
      if (n === MAX_CACHED_CLIENTS) targetClient(FakeClient, target(0)); // used again: kept
      targetClient(FakeClient, target(n));
    }

    // Assess: the least recently used one, the second, was dropped and is built again.
    expect(targetClient(FakeClient, target(0))).toBe(first);
    expect(targetClient(FakeClient, target(1))).not.toBe(second);
  });
});
