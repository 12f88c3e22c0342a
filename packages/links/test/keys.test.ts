import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { clearSigningKeyCache, KEY_CACHE_MS, loadSigningKeys } from '../src/keys.ts';
import { CURRENT, PREVIOUS } from './fixtures.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:nightshift-links-AbCdEf';
const secrets = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });

const notFound = () =>
  new ResourceNotFoundException({
    message: "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS",
    $metadata: {},
  });

/** A secret whose current and previous versions are CURRENT and PREVIOUS. */
const withBothVersions = () => {
  secrets
    .on(GetSecretValueCommand, { SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT' })
    .resolves({ VersionId: CURRENT.id, SecretString: CURRENT.secret })
    .on(GetSecretValueCommand, { SecretId: SECRET_ARN, VersionStage: 'AWSPREVIOUS' })
    .resolves({ VersionId: PREVIOUS.id, SecretString: PREVIOUS.secret });
};

beforeEach(() => {
  secrets.reset();
  clearSigningKeyCache();
});

describe('loadSigningKeys', () => {
  it('reads only the current version when the previous one is not asked for', async () => {
    // Prepare
    withBothVersions();

    // Act
    const keys = await loadSigningKeys(client, SECRET_ARN);

    // Assess
    expect(keys).toEqual([CURRENT]);
    expect(secrets.commandCalls(GetSecretValueCommand).map((call) => call.args[0].input)).toEqual([
      { SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT' },
    ]);
  });

  it('gives the current key first, then the previous one, each named by its version id', async () => {
    // Prepare
    withBothVersions();

    // Act
    const keys = await loadSigningKeys(client, SECRET_ARN, { previous: true });

    // Assess
    expect(keys).toEqual([CURRENT, PREVIOUS]);
  });

  it('leaves the previous key out when the secret has never been rotated', async () => {
    // Prepare
    secrets
      .on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' })
      .resolves({ VersionId: CURRENT.id, SecretString: CURRENT.secret })
      .on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' })
      .rejects(notFound());

    // Act
    const keys = await loadSigningKeys(client, SECRET_ARN, { previous: true });

    // Assess
    expect(keys).toEqual([CURRENT]);
  });

  it('fails when the current version cannot be read', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).rejects(notFound());

    // Act
    const loading = loadSigningKeys(client, SECRET_ARN, { previous: true });

    // Assess
    await expect(loading).rejects.toThrow(ResourceNotFoundException);
  });

  it('fails on any other error reading the previous version', async () => {
    // Prepare
    secrets
      .on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' })
      .resolves({ VersionId: CURRENT.id, SecretString: CURRENT.secret })
      .on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' })
      .rejects(new Error('AccessDeniedException'));

    // Act
    const loading = loadSigningKeys(client, SECRET_ARN, { previous: true });

    // Assess
    await expect(loading).rejects.toThrow('AccessDeniedException');
  });

  it('refuses a version without a value', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ VersionId: CURRENT.id });

    // Act
    const loading = loadSigningKeys(client, SECRET_ARN);

    // Assess
    await expect(loading).rejects.toThrow('AWSCURRENT version of the link key secret');
  });

  it('takes a binary secret as bytes', async () => {
    // Prepare
    const bytes = Buffer.from(CURRENT.secret);
    secrets.on(GetSecretValueCommand).resolves({ VersionId: CURRENT.id, SecretBinary: bytes });

    // Act
    const [key] = await loadSigningKeys(client, SECRET_ARN);

    // Assess
    expect(key?.id).toBe(CURRENT.id);
    expect(Buffer.isBuffer(key?.secret) && key.secret.equals(bytes)).toBe(true);
  });

  it('reads the secret again only once five minutes have passed', async () => {
    // Prepare
    withBothVersions();
    let now = 1_000_000;
    const clock = { now: () => now, previous: true };

    // Act
    await loadSigningKeys(client, SECRET_ARN, clock);
    now += KEY_CACHE_MS - 1;
    await loadSigningKeys(client, SECRET_ARN, clock);
    const callsWithinFiveMinutes = secrets.commandCalls(GetSecretValueCommand).length;
    now += 1;
    await loadSigningKeys(client, SECRET_ARN, clock);

    // Assess
    expect(KEY_CACHE_MS).toBe(5 * 60 * 1000);
    expect(callsWithinFiveMinutes).toBe(2);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(4);
  });

  it('sees a rotation once the cached keys are older than five minutes', async () => {
    // Prepare
    withBothVersions();
    let now = 0;
    const clock = { now: () => now, previous: true };
    await loadSigningKeys(client, SECRET_ARN, clock);
    secrets.reset();
    const next = {
      id: 'c3f00000-0000-4000-8000-000000000003',
      secret: 'next-secret-0123456789abcdefghijk',
    };
    secrets
      .on(GetSecretValueCommand, { VersionStage: 'AWSCURRENT' })
      .resolves({ VersionId: next.id, SecretString: next.secret })
      .on(GetSecretValueCommand, { VersionStage: 'AWSPREVIOUS' })
      .resolves({ VersionId: CURRENT.id, SecretString: CURRENT.secret });

    // Act
    const cached = await loadSigningKeys(client, SECRET_ARN, clock);
    now = KEY_CACHE_MS;
    const fresh = await loadSigningKeys(client, SECRET_ARN, clock);

    // Assess
    expect(cached).toEqual([CURRENT, PREVIOUS]);
    expect(fresh).toEqual([next, CURRENT]);
  });

  it('caches the current-only and the current-and-previous lists apart', async () => {
    // Prepare
    withBothVersions();

    // Act
    const signing = await loadSigningKeys(client, SECRET_ARN);
    const verifying = await loadSigningKeys(client, SECRET_ARN, { previous: true });

    // Assess
    expect(signing).toEqual([CURRENT]);
    expect(verifying).toEqual([CURRENT, PREVIOUS]);
  });
});
