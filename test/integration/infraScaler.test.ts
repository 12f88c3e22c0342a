import { resolve } from 'node:path';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { getClient, type Report } from '@nightshift/runtime';
import { invokeBundle } from '@nightshift/testing';
import { describe, expect, it } from 'vitest';
import { observe, seedAccount, UNTOUCHED } from './scenarios/infraScaler.ts';

const bundle = resolve(import.meta.dirname, '../../dist/infra-scaler/index.mjs');
const invoke = (event: object, env: Record<string, string> = {}) =>
  invokeBundle<Report>(bundle, event, { functionName: 'infra-scaler', env });

describe('infra-scaler against the emulated account', () => {
  it('puts staging to sleep, twice without losing the sizes, and wakes exactly what it put to sleep', async () => {
    // Prepare
    const account = await seedAccount();
    const awake = await observe(account);
    expect(awake.untouched).toEqual(UNTOUCHED);

    // Act & Assess: a dry run changes nothing.
    const dry = await invoke({ action: 'scale_down', environment: 'staging', dryRun: true });
    expect(dry.error).toBeUndefined();
    expect(await observe(account)).toEqual(awake);
    expect(dry.result?.planned.map((entry) => entry.id).sort()).toEqual(
      [account.staging, 'staging-db', 'staging-web'].sort(),
    );

    // scale_down
    const down = await invoke({ action: 'scale_down', environment: 'staging' });
    expect(down.error).toBeUndefined();
    const asleep = {
      staging: ['stopped', true],
      production: ['running', false],
      stoppedByPerson: ['stopped', false],
      group: [0, 5, 0],
      savedSize: 'min=2,max=5,desired=3',
      database: 'stopped',
      databaseMarked: true,
      untouched: UNTOUCHED,
    };
    expect(await observe(account)).toEqual(asleep);

    // scale_down again: nothing is overwritten with zeros.
    const again = await invoke({ action: 'scale_down_staging' });
    expect(again.error).toBeUndefined();
    expect(await observe(account)).toEqual(asleep);
    expect(again.result?.skipped).toContainEqual(
      expect.objectContaining({
        id: 'staging-web',
        reason: 'already scaled down (saved min=2,max=5,desired=3)',
      }),
    );

    // scale_up
    const up = await invoke({ action: 'scale_up', environment: 'staging' });
    expect(up.error).toBeUndefined();
    expect(await observe(account)).toEqual({
      staging: ['running', false],
      production: ['running', false],
      stoppedByPerson: ['stopped', false],
      group: [2, 5, 3],
      savedSize: undefined,
      database: 'available',
      databaseMarked: false,
      untouched: UNTOUCHED,
    });
    const emf = up.logs.find((line) => 'InstancesStarted' in line);
    expect(emf).toMatchObject({ InstancesStarted: 1, GroupsScaled: 1, DatabasesStarted: 1 });
  });

  it('refuses a production-like or wildcard environment, and changes nothing', async () => {
    // Prepare
    const account = await seedAccount();
    const before = await observe(account);

    for (const environment of ['production', 'Prod', '*', '?roduction', 'prod*']) {
      // Act
      const { error, logs } = await invoke({ action: 'scale_down', environment });

      // Assess
      expect(error?.name).toBe('ValidationError');
      expect(error?.message).toMatch(/^Invalid event: environment: /);
      expect(logs.find((line) => 'InstancesStopped' in line)).toBeUndefined();
    }
    expect(await observe(account)).toEqual(before);
  });

  it('refuses an environment that SCALED_ENVIRONMENTS does not list, the old action names included', async () => {
    // Prepare
    const account = await seedAccount();
    const before = await observe(account);

    // Act
    const named = await invoke(
      { action: 'scale_down', environment: 'staging' },
      { SCALED_ENVIRONMENTS: 'dev' },
    );
    const alias = await invoke({ action: 'scale_down_staging' }, { SCALED_ENVIRONMENTS: 'dev' });

    // Assess
    for (const { error } of [named, alias]) {
      expect(error?.name).toBe('ValidationError');
      expect(error?.message).toMatch(/environment: staging is not one of the environments/);
    }
    expect(await observe(account)).toEqual(before);
  });

  it('leaves alone a group without AutoScale=true and what is tagged Staging rather than staging', async () => {
    // Prepare
    const account = await seedAccount();

    // Act
    const down = await invoke({ action: 'scale_down', environment: 'staging' });
    const asleep = await observe(account);
    const up = await invoke({ action: 'scale_up', environment: 'staging' });

    // Assess
    expect(down.error).toBeUndefined();
    expect(asleep.group).toEqual([0, 5, 0]);
    expect(asleep.untouched).toEqual(UNTOUCHED);
    expect(down.result?.skipped).toContainEqual({
      id: 'staging-not-opted-in',
      action: 'scale to 0',
      reason: 'not tagged AutoScale=true',
    });
    expect(up.error).toBeUndefined();
    expect((await observe(account)).untouched).toEqual(UNTOUCHED);
  });

  it('reports running instances with low CPU as idle candidates and changes nothing', async () => {
    // Prepare
    const account = await seedAccount();
    const cloudwatch = getClient(CloudWatchClient);
    const hourly = (instanceId: string, value: number) =>
      Array.from({ length: 48 }, (_, hour) => ({
        MetricName: 'CPUUtilization',
        Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
        Timestamp: new Date(Date.now() - (hour + 1) * 3_600_000),
        Value: value,
        Unit: 'Percent' as const,
      }));
    await cloudwatch.send(
      new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: hourly(account.staging, 2) }),
    );
    const before = await observe(account);

    // Act
    const { result, error, logs } = await invoke({ action: 'check', environment: 'staging' });

    // Assess
    expect(error).toBeUndefined();
    expect(result?.done).toEqual([
      expect.objectContaining({
        id: account.staging,
        action: 'flag idle',
        reason: expect.stringMatching(/^average CPU 2\.0%/),
      }),
    ]);
    expect(await observe(account)).toEqual(before);
    expect(logs.find((line) => 'IdleInstances' in line)).toMatchObject({ IdleInstances: 1 });
  });

  it('sends the original cleanup_old_snapshots to snapshot-cleanup, changing nothing', async () => {
    // Prepare
    const account = await seedAccount();
    const before = await observe(account);

    // Act
    const { error } = await invoke({ action: 'cleanup_old_snapshots' });

    // Assess
    expect(error?.name).toBe('ValidationError');
    expect(error?.message).toMatch(/action: is snapshot-cleanup's job now/);
    expect(await observe(account)).toEqual(before);
  });

  it('rejects an unknown action and changes nothing', async () => {
    // Prepare
    const account = await seedAccount();
    const before = await observe(account);

    // Act
    const { error } = await invoke({ action: 'scale_sideways' });

    // Assess
    expect(error?.name).toBe('ValidationError');
    expect(error?.message).toMatch(/action: must be one of/);
    expect(await observe(account)).toEqual(before);
  });
});
