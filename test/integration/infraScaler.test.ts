import { resolve } from 'node:path';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeInstancesCommand,
  EC2Client,
  type Instance,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateDBInstanceCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { getClient, type Report } from '@nightshift/middleware';
import { invokeBundle } from '@nightshift/testing';
import { describe, expect, it } from 'vitest';

const bundle = resolve(import.meta.dirname, '../../dist/infra-scaler/index.mjs');
const toTags = (tags: Record<string, string>) =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

const seedAccount = async () => {
  const ec2 = getClient(EC2Client);
  const autoscaling = getClient(AutoScalingClient);
  const rds = getClient(RDSClient);
  const launch = async (tags: Record<string, string>) => {
    const { Instances = [] } = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        MinCount: 1,
        MaxCount: 1,
        InstanceType: 't3.micro',
        TagSpecifications: [{ ResourceType: 'instance', Tags: toTags(tags) }],
      }),
    );
    return Instances[0]?.InstanceId ?? '';
  };
  const staging = await launch({ Environment: 'staging', AutoScale: 'true' });
  const production = await launch({ Environment: 'production', AutoScale: 'true' });
  const stoppedByPerson = await launch({ Environment: 'staging', AutoScale: 'true' });
  await ec2.send(new StopInstancesCommand({ InstanceIds: [stoppedByPerson] }));
  await autoscaling.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: 'web',
      ImageId: 'ami-12c6146b',
      InstanceType: 't3.micro',
    }),
  );
  await autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'staging-web',
      LaunchConfigurationName: 'web',
      MinSize: 2,
      MaxSize: 5,
      DesiredCapacity: 3,
      AvailabilityZones: ['us-east-1a'],
      Tags: [{ Key: 'Environment', Value: 'staging', PropagateAtLaunch: true }],
    }),
  );
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'staging-db',
      Engine: 'postgres',
      DBInstanceClass: 'db.t3.micro',
      AllocatedStorage: 20,
      MasterUsername: 'admin',
      MasterUserPassword: 'not-a-secret-1',
      Tags: toTags({ Environment: 'staging', AutoScale: 'true' }),
    }),
  );
  return { ec2, autoscaling, rds, staging, production, stoppedByPerson };
};

type Account = Awaited<ReturnType<typeof seedAccount>>;

/** What the test looks at after each step. */
const observe = async ({
  ec2,
  autoscaling,
  rds,
  staging,
  production,
  stoppedByPerson,
}: Account) => {
  const { Reservations = [] } = await ec2.send(
    new DescribeInstancesCommand({ InstanceIds: [staging, production, stoppedByPerson] }),
  );
  const instances = new Map<string, Instance>(
    Reservations.flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId ?? '', i]),
  );
  const state = (id: string) => instances.get(id)?.State?.Name;
  const marked = (id: string) =>
    (instances.get(id)?.Tags ?? []).some((tag) => tag.Key === 'nightshift:scaled-down');
  const { AutoScalingGroups: [group] = [] } = await autoscaling.send(
    new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['staging-web'] }),
  );
  const { DBInstances: [db] = [] } = await rds.send(
    new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'staging-db' }),
  );
  return {
    staging: [state(staging), marked(staging)],
    production: [state(production), marked(production)],
    stoppedByPerson: [state(stoppedByPerson), marked(stoppedByPerson)],
    group: [group?.MinSize, group?.MaxSize, group?.DesiredCapacity],
    savedSize: group?.Tags?.find((tag) => tag.Key === 'nightshift:saved-size')?.Value,
    database: db?.DBInstanceStatus,
  };
};

const invoke = (event: object) =>
  invokeBundle<Report>(bundle, event, { functionName: 'infra-scaler' });

describe('infra-scaler against the emulated account', () => {
  it('puts staging to sleep, twice without losing the sizes, and wakes exactly what it put to sleep', async () => {
    // Prepare
    const account = await seedAccount();
    const awake = await observe(account);

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
    });
    const emf = up.logs.find((line) => 'InstancesStarted' in line);
    expect(emf).toMatchObject({ InstancesStarted: 1, GroupsScaled: 1, DatabasesStarted: 1 });
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
