import { DescribeInstancesCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { ValidationError } from '@nightshift/runtime';
import { createLambdaContext } from '@nightshift/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import daily from '../events/daily-production.json' with { type: 'json' };
import { loadBackupConfig } from '../src/config.ts';
import { type BackupEvent, BackupEventSchema, scheduledAt } from '../src/event.ts';

const ec2Mock = mockClient(EC2Client);
const rdsMock = mockClient(RDSClient);

const loadHandler = async (env: Record<string, string | undefined> = {}) => {
  vi.stubEnv('SNS_TOPIC_ARN', undefined);
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  return (await import('../src/handler.ts')).handler;
};

describe('backup-manager handler', () => {
  beforeEach(() => {
    ec2Mock.reset();
    rdsMock.reset();
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  });

  it.each([
    [
      { backup_type: 'tapes', environment: 'production' },
      /backup_type: must be one of all, ec2, rds/,
    ],
    [{ backup_type: 'all' }, /environment: is required/],
    [{ backup_type: 'all', environment: '  ' }, /environment: must not be empty/],
    [
      { backup_type: 'ec2', environment: 'production', dryRun: 'no' },
      /dryRun: must be true or false/,
    ],
    [
      { backup_type: 'all', environment: 'production', scheduledTime: 'last night' },
      /scheduledTime: must be an ISO 8601 date and time/,
    ],
  ])('rejects %j naming the field, and reads or creates nothing', async (event, message) => {
    // Prepare
    const handler = await loadHandler();

    // Act & Assess
    await expect(handler(event, createLambdaContext())).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(message),
    });
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(rdsMock.calls()).toHaveLength(0);
  });

  it('runs the daily event', async () => {
    // Prepare
    const handler = await loadHandler();

    // Act
    const report = await handler({ ...daily, backup_type: 'ec2' }, createLambdaContext());

    // Assess
    expect(report).toMatchObject({ service: 'backup-manager', dryRun: false, failed: [] });
    expect(ec2Mock).toHaveReceivedCommand(DescribeInstancesCommand);
  });
  it('backs up every kind of resource when the event leaves backup_type out, as the original script did', async () => {
    // Prepare
    const handler = await loadHandler();
    rdsMock.onAnyCommand().resolves({});

    // Act
    const report = await handler({ environment: 'production' }, createLambdaContext());

    // Assess
    expect(report).toMatchObject({ service: 'backup-manager', failed: [] });
    expect(ec2Mock).toHaveReceivedCommand(DescribeInstancesCommand);
    expect(rdsMock.calls().length).toBeGreaterThan(0);
  });

  it('refuses an event without environment, though the original script took production, so that a test event never reaches another environment', async () => {
    // Prepare
    const handler = await loadHandler();

    // Act & Assess
    await expect(handler({ test: true }, createLambdaContext())).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringMatching(/environment: is required.*name it/),
    });
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(rdsMock.calls()).toHaveLength(0);
  });

  it('changes nothing when the scheduled time is in the future', async () => {
    // Prepare
    const handler = await loadHandler();

    // Act
    const invocation = handler(
      { ...daily, scheduledTime: '2099-01-01T00:00:00Z' },
      createLambdaContext(),
    );

    // Assess
    await expect(invocation).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('scheduledTime: is 2099-01-01T00:00:00Z'),
    });
    expect(ec2Mock.calls()).toEqual([]);
  });

  it('changes nothing when the scheduled time is past the 24-hour retry window', async () => {
    // Prepare
    const handler = await loadHandler();
    const stale = new Date(Date.now() - 25 * 3_600_000).toISOString();

    // Act
    const invocation = handler({ ...daily, scheduledTime: stale }, createLambdaContext());

    // Assess
    await expect(invocation).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining(`scheduledTime: is ${stale}, earlier than`),
    });
    expect(ec2Mock.calls()).toEqual([]);
    expect(rdsMock.calls()).toEqual([]);
  });
});

describe('backup-manager scheduled time', () => {
  it.each([
    [{ scheduledTime: '2026-11-27T23:59:00Z' }, '2026-11-27'],
    [{ time: '2026-11-27T23:59:00+00:00' }, '2026-11-27'],
    [{ scheduledTime: '2026-11-27T23:59:00Z', time: '2026-11-28T00:10:00Z' }, '2026-11-27'],
  ])('reads the day to back up from %j', (schedule, day) => {
    // Prepare
    const event = BackupEventSchema.parse({
      backup_type: 'all',
      environment: 'production',
      ...schedule,
    });

    // Act
    const at = scheduledAt(event, new Date('2026-11-28T01:00:00Z'));

    // Assess
    expect(at.toISOString().slice(0, 10)).toBe(day);
  });

  it.each([
    [{ scheduledTime: '2062-11-28T01:00:00Z' }, 'scheduledTime: is 2062-11-28T01:00:00Z'],
    [{ time: '2026-11-28T01:16:00Z' }, 'time: is 2026-11-28T01:16:00Z'],
  ])('refuses a scheduled time in the future, %j, naming the field', (schedule, named) => {
    // Prepare
    const event = BackupEventSchema.parse({
      backup_type: 'all',
      environment: 'production',
      ...schedule,
    });

    // Act & Assess
    expect(() => scheduledAt(event, new Date('2026-11-28T01:00:00Z'))).toThrow(ValidationError);
    expect(() => scheduledAt(event, new Date('2026-11-28T01:00:00Z'))).toThrow(named);
  });

  it('takes a time up to 15 minutes ahead (clock skew) and up to 24 hours behind (retries)', () => {
    // Prepare
    const now = new Date('2026-11-28T01:00:00Z');
    const parse = (scheduledTime: string) =>
      BackupEventSchema.parse({ backup_type: 'all', environment: 'production', scheduledTime });

    // Act & Assess
    expect(scheduledAt(parse('2026-11-28T01:15:00Z'), now)).toEqual(
      new Date('2026-11-28T01:15:00Z'),
    );
    expect(scheduledAt(parse('2026-11-27T01:00:00Z'), now)).toEqual(
      new Date('2026-11-27T01:00:00Z'),
    );
  });

  it.each([
    [{ scheduledTime: '2026-11-27T00:59:59Z' }, 'scheduledTime: is 2026-11-27T00:59:59Z'],
    [{ scheduledTime: '2026-10-01T01:00:00Z' }, 'scheduledTime: is 2026-10-01T01:00:00Z'],
    [{ time: '2026-11-26T23:00:00Z' }, 'time: is 2026-11-26T23:00:00Z'],
  ])(
    'refuses a scheduled time more than 24 hours past, %j, naming the field',
    (schedule, named) => {
      // Prepare
      const event = BackupEventSchema.parse({
        backup_type: 'all',
        environment: 'production',
        ...schedule,
      });
      const attempt = () => scheduledAt(event, new Date('2026-11-28T01:00:00Z'));

      // Act & Assess
      expect(attempt).toThrow(ValidationError);
      expect(attempt).toThrow(
        `${named}, earlier than the function's clock (2026-11-28T01:00:00.000Z) by more than 24 hours: past the retry window`,
      );
    },
  );

  it('falls back to the clock for an event sent by hand', () => {
    // Act
    const at = scheduledAt(daily as BackupEvent, new Date('2026-11-28T01:00:00Z'));

    // Assess
    expect(at).toEqual(new Date('2026-11-28T01:00:00Z'));
  });
});

describe('backup-manager configuration', () => {
  it('runs with nothing set', () => {
    expect(loadBackupConfig({})).toMatchObject({
      BACKUP_RETENTION_DAYS: 7,
      BACKUP_KEEP_LAST: 1,
      BACKUP_ADOPT_LEGACY: true,
      DRY_RUN: false,
      BACKUP_TAG_KEY: 'Backup',
      ENVIRONMENT_TAG_KEY: 'Environment',
    });
  });

  it('turns adopting the original backup script’s backups off with BACKUP_ADOPT_LEGACY=false', () => {
    expect(loadBackupConfig({ BACKUP_ADOPT_LEGACY: 'false' }).BACKUP_ADOPT_LEGACY).toBe(false);
    expect(() => loadBackupConfig({ BACKUP_ADOPT_LEGACY: 'maybe' })).toThrow(
      /BACKUP_ADOPT_LEGACY: must be true or false/,
    );
  });

  it('names every invalid variable', () => {
    expect(() => loadBackupConfig({ BACKUP_RETENTION_DAYS: '0', BACKUP_KEEP_LAST: 'all' })).toThrow(
      /BACKUP_RETENTION_DAYS: must be at least 1; BACKUP_KEEP_LAST: must be a whole number/,
    );
  });
});
