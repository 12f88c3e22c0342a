import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CREDENTIALS_REFRESH_MS,
  clearTargetCredentials,
  MAX_CACHED_CREDENTIALS,
  partitionOf,
  SESSION_DURATION_SECONDS,
  sessionNameFor,
  spokeRoleArn,
  TargetError,
  targetCredentials,
  toSessionName,
} from '../src/credentials.ts';

const SELF = '999999999999';
const TARGET = { accountId: '222222222222', region: 'eu-west-1' };
const stsMock = mockClient(STSClient);
const sts = new STSClient({ region: 'eu-west-1' });
const NOW = Date.parse('2026-11-30T08:00:00Z');
const options = {
  roleName: 'nightshift-prod-spoke',
  sessionName: sessionNameFor('snapshot-cleanup'),
  selfAccountId: SELF,
  now: () => NOW,
};

/** STS's answer: credentials expiring one hour from NOW, numbered. */
const assumed = (n: number, expiresInMs = 3_600_000) => ({
  Credentials: {
    AccessKeyId: `ASIA${n}`,
    SecretAccessKey: `secret-${n}`,
    SessionToken: `token-${n}`,
    Expiration: new Date(NOW + expiresInMs),
  },
});

const accessDenied = () =>
  new STSServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message:
      'User: arn:aws:sts::999999999999:assumed-role/hub/fn is not authorized to perform: sts:AssumeRole',
  });

beforeEach(() => {
  stsMock.reset();
  clearTargetCredentials();
});

describe('targetCredentials', () => {
  it('assumes the spoke role of the target account for one hour as nightshift-<function>', async () => {
    // Prepare
    stsMock.on(AssumeRoleCommand).resolves(assumed(1));

    // Act
    const credentials = await targetCredentials(sts, TARGET, options);

    // Assess
    expect(credentials).toEqual({
      accessKeyId: 'ASIA1',
      secretAccessKey: 'secret-1',
      sessionToken: 'token-1',
      expiration: new Date(NOW + 3_600_000),
    });
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 1);
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws:iam::222222222222:role/nightshift-prod-spoke',
      RoleSessionName: 'nightshift-snapshot-cleanup',
      DurationSeconds: 3600,
    });
    expect(SESSION_DURATION_SECONDS).toBe(3600);
  });

  it('assumes nothing in the caller’s own account: its own role does the work', async () => {
    // Act
    const credentials = await targetCredentials(
      sts,
      { accountId: SELF, region: 'us-east-1' },
      options,
    );

    // Assess
    expect(credentials).toBeUndefined();
    expect(stsMock.calls()).toHaveLength(0);
  });

  it.each([
    ['cn-north-1', 'arn:aws-cn:iam::222222222222:role/nightshift-prod-spoke'],
    ['us-gov-west-1', 'arn:aws-us-gov:iam::222222222222:role/nightshift-prod-spoke'],
    ['us-east-1', 'arn:aws:iam::222222222222:role/nightshift-prod-spoke'],
  ])('names the role in the partition of %s', async (region, roleArn) => {
    // Prepare
    stsMock.on(AssumeRoleCommand).resolves(assumed(1));

    // Act
    await targetCredentials(sts, { ...TARGET, region }, options);

    // Assess
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, { RoleArn: roleArn });
  });

  it('takes the partition it is given over the region’s', async () => {
    // Prepare
    stsMock.on(AssumeRoleCommand).resolves(assumed(1));

    // Act
    await targetCredentials(sts, TARGET, { ...options, partition: 'aws-us-gov' });

    // Assess
    expect(stsMock).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: 'arn:aws-us-gov:iam::222222222222:role/nightshift-prod-spoke',
    });
  });

  it('makes any session name valid for STS: 2 to 64 of its characters', async () => {
    // Prepare
    stsMock.on(AssumeRoleCommand).resolves(assumed(1));
    const long = `nightshift-${'very long function name/with:odd*chars'.repeat(3)}`;

    // Act
    await targetCredentials(sts, TARGET, { ...options, sessionName: long });

    // Assess
    const name = stsMock.commandCalls(AssumeRoleCommand)[0]?.args[0].input.RoleSessionName;
    expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(name).toHaveLength(64);
    expect(name?.startsWith('nightshift-very-long-function-name-with-odd-chars')).toBe(true);
  });

  it('turns AccessDenied into a TargetError naming the account, the region and the role ARN', async () => {
    // Prepare
    const denied = accessDenied();
    stsMock.on(AssumeRoleCommand).rejects(denied);

    // Act
    const assuming = targetCredentials(sts, TARGET, options);

    // Assess
    const error = await assuming.catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(TargetError);
    expect(error).toMatchObject({
      name: 'TargetError',
      accountId: '222222222222',
      region: 'eu-west-1',
      roleArn: 'arn:aws:iam::222222222222:role/nightshift-prod-spoke',
      cause: denied,
    });
    expect((error as Error).message).toBe(
      'Cannot reach account 222222222222 (eu-west-1): assuming ' +
        'arn:aws:iam::222222222222:role/nightshift-prod-spoke failed: AccessDenied: ' +
        'User: arn:aws:sts::999999999999:assumed-role/hub/fn is not authorized to perform: sts:AssumeRole',
    );
  });

  it('turns a thrown value that is not an Error into a TargetError too', async () => {
    // Prepare
    stsMock.on(AssumeRoleCommand).callsFake(() => Promise.reject('connection reset'));

    // Act
    const assuming = targetCredentials(sts, TARGET, options);

    // Assess
    await expect(assuming).rejects.toThrow(
      'assuming arn:aws:iam::222222222222:role/nightshift-prod-spoke failed: connection reset',
    );
  });

  it.each([
    {},
    { Credentials: { AccessKeyId: 'ASIA1', SecretAccessKey: 'secret-1' } },
    { Credentials: { AccessKeyId: 'ASIA1', SessionToken: 'token-1' } },
    { Credentials: { SecretAccessKey: 'secret-1', SessionToken: 'token-1' } },
  ])('refuses an answer without whole credentials (%o)', async (answer) => {
    // Prepare
    stsMock.on(AssumeRoleCommand).resolves(answer as never);

    // Act
    const assuming = targetCredentials(sts, TARGET, options);

    // Assess
    await expect(assuming).rejects.toThrow(TargetError);
    await expect(assuming).rejects.toThrow('STS answered without credentials');
  });

  it('gives the same credentials again until 5 minutes before they expire', async () => {
    // Prepare
    stsMock
      .on(AssumeRoleCommand)
      .resolvesOnce(assumed(1))
      .resolvesOnce(assumed(2, 2 * 3_600_000));
    let now = NOW;
    const clock = { ...options, now: () => now };

    // Act
    const first = await targetCredentials(sts, TARGET, clock);
    now = NOW + 3_600_000 - CREDENTIALS_REFRESH_MS - 1;
    const again = await targetCredentials(sts, TARGET, clock);
    now += 1;
    const renewed = await targetCredentials(sts, TARGET, clock);

    // Assess
    expect(CREDENTIALS_REFRESH_MS).toBe(5 * 60 * 1000);
    expect(again).toBe(first);
    expect(renewed?.accessKeyId).toBe('ASIA2');
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });

  it('keeps credentials apart by account and by role', async () => {
    // Prepare
    stsMock
      .on(AssumeRoleCommand)
      .resolvesOnce(assumed(1))
      .resolvesOnce(assumed(2))
      .resolvesOnce(assumed(3));

    // Act
    const first = await targetCredentials(sts, TARGET, options);
    const other = await targetCredentials(sts, { ...TARGET, accountId: '333333333333' }, options);
    const otherRole = await targetCredentials(sts, TARGET, { ...options, roleName: 'other' });
    const sameRegionAgain = await targetCredentials(
      sts,
      { ...TARGET, region: 'us-east-1' },
      options,
    );

    // Assess
    expect([first, other, otherRole].map((c) => c?.accessKeyId)).toEqual([
      'ASIA1',
      'ASIA2',
      'ASIA3',
    ]);
    expect(sameRegionAgain).toBe(first);
  });

  it('keeps the most recently used credentials only', async () => {
    // Prepare
    let n = 0;
    stsMock.on(AssumeRoleCommand).callsFake(() => {
      n += 1;
      return assumed(n);
    });
    const target = (i: number) => ({ accountId: String(100_000_000_000 + i), region: 'eu-west-1' });
    for (let i = 0; i < MAX_CACHED_CREDENTIALS; i += 1)
      await targetCredentials(sts, target(i), options);

    // Act
    await targetCredentials(sts, target(0), options); // used again: kept
    await targetCredentials(sts, target(MAX_CACHED_CREDENTIALS), options);
    const calls = stsMock.commandCalls(AssumeRoleCommand).length;
    const first = await targetCredentials(sts, target(0), options);
    const second = await targetCredentials(sts, target(1), options);

    // Assess: the least recently used, the second, was dropped and is assumed again.
    expect(calls).toBe(MAX_CACHED_CREDENTIALS + 1);
    expect(first?.accessKeyId).toBe('ASIA1');
    expect(second?.accessKeyId).toBe(`ASIA${MAX_CACHED_CREDENTIALS + 2}`);
  });

  it('assumes again each time when STS gives no expiry', async () => {
    // Prepare
    const { Expiration: _, ...noExpiry } = assumed(1).Credentials;
    stsMock.on(AssumeRoleCommand).resolves({ Credentials: noExpiry as never });

    // Act
    const first = await targetCredentials(sts, TARGET, options);
    await targetCredentials(sts, TARGET, options);

    // Assess
    expect(first).not.toHaveProperty('expiration');
    expect(stsMock).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
  });
});

describe('names', () => {
  it.each([
    ['snapshot-cleanup', 'nightshift-snapshot-cleanup'],
    ['nightshift-prod-BackupManager-AbC123', 'nightshift-nightshift-prod-BackupManager-AbC123'],
    ['a b/c:d', 'nightshift-a-b-c-d'],
    ['x'.repeat(80), `nightshift-${'x'.repeat(53)}`],
  ])('sessionNameFor(%s) is %s', (functionName, expected) => {
    // Assess
    expect(sessionNameFor(functionName)).toBe(expected);
  });

  it.each([
    ['', 'nightshift'],
    ['a', 'nightshift'],
    ['ab', 'ab'],
    ['user@example.com+a=b,c', 'user@example.com+a=b,c'],
  ])('toSessionName(%s) is %s', (text, expected) => {
    // Assess
    expect(toSessionName(text)).toBe(expected);
  });

  it.each([
    ['us-east-1', 'aws'],
    ['eu-west-1', 'aws'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['eusc-de-east-1', 'aws-eusc'],
  ])('the partition of %s is %s', (region, partition) => {
    // Assess
    expect(partitionOf(region)).toBe(partition);
  });

  it('writes the spoke role ARN, in the aws partition by default', () => {
    // Assess
    expect(spokeRoleArn('222222222222', 'nightshift-spoke')).toBe(
      'arn:aws:iam::222222222222:role/nightshift-spoke',
    );
    expect(spokeRoleArn('222222222222', 'r', 'aws-cn')).toBe('arn:aws-cn:iam::222222222222:role/r');
  });
});
