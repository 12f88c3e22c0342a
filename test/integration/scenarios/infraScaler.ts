import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DescribeInstancesCommand,
  EC2Client,
  type Instance,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateDBInstanceCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { getClient } from '@nightshift/runtime';
import { launchInstance, toTags } from './ec2.ts';

export const seedAccount = async () => {
  const ec2 = getClient(EC2Client);
  const autoscaling = getClient(AutoScalingClient);
  const rds = getClient(RDSClient);
  const launch = (tags: Record<string, string>) => launchInstance(ec2, tags);
  const staging = await launch({ Environment: 'staging', AutoScale: 'true' });
  const production = await launch({ Environment: 'production', AutoScale: 'true' });
  const stoppedByPerson = await launch({ Environment: 'staging', AutoScale: 'true' });
  // Tagged for an environment whose name differs from staging only in case.
  const upperCase = await launch({ Environment: 'Staging', AutoScale: 'true' });
  await ec2.send(new StopInstancesCommand({ InstanceIds: [stoppedByPerson] }));
  await autoscaling.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: 'web',
      ImageId: 'ami-12c6146b',
      InstanceType: 't3.micro',
    }),
  );
  const group = (name: string, tags: Record<string, string>) =>
    autoscaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: name,
        LaunchConfigurationName: 'web',
        MinSize: 2,
        MaxSize: 5,
        DesiredCapacity: 3,
        AvailabilityZones: ['us-east-1a'],
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: true })),
      }),
    );
  await group('staging-web', { Environment: 'staging', AutoScale: 'true' });
  // Tagged with the environment only: Auto Scaling groups opt in with AutoScale=true too.
  await group('staging-not-opted-in', { Environment: 'staging' });
  await group('upper-case-web', { Environment: 'Staging', AutoScale: 'true' });
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
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: 'upper-case-db',
      Engine: 'postgres',
      DBInstanceClass: 'db.t3.micro',
      AllocatedStorage: 20,
      MasterUsername: 'admin',
      MasterUserPassword: 'not-a-secret-1',
      Tags: toTags({ Environment: 'Staging', AutoScale: 'true' }),
    }),
  );
  return { ec2, autoscaling, rds, staging, production, stoppedByPerson, upperCase };
};

export type Account = Awaited<ReturnType<typeof seedAccount>>;

/** What the test looks at after each step. */
export const observe = async ({
  ec2,
  autoscaling,
  rds,
  staging,
  production,
  stoppedByPerson,
  upperCase,
}: Account) => {
  const { Reservations = [] } = await ec2.send(
    new DescribeInstancesCommand({
      InstanceIds: [staging, production, stoppedByPerson, upperCase],
    }),
  );
  const instances = new Map<string, Instance>(
    Reservations.flatMap((r) => r.Instances ?? []).map((i) => [i.InstanceId ?? '', i]),
  );
  const state = (id: string) => instances.get(id)?.State?.Name;
  const marked = (id: string) =>
    (instances.get(id)?.Tags ?? []).some((tag) => tag.Key === 'nightshift:scaled-down');
  const { AutoScalingGroups = [] } = await autoscaling.send(
    new DescribeAutoScalingGroupsCommand({
      AutoScalingGroupNames: ['staging-web', 'staging-not-opted-in', 'upper-case-web'],
    }),
  );
  const groups = new Map(AutoScalingGroups.map((g) => [g.AutoScalingGroupName ?? '', g]));
  const sizes = (name: string) => {
    const g = groups.get(name);
    return [g?.MinSize, g?.MaxSize, g?.DesiredCapacity];
  };
  const savedSize = (name: string) =>
    groups.get(name)?.Tags?.find((tag) => tag.Key === 'nightshift:saved-size')?.Value;
  const { DBInstances = [] } = await rds.send(new DescribeDBInstancesCommand({}));
  const dbStatus = (id: string) =>
    DBInstances.find((db) => db.DBInstanceIdentifier === id)?.DBInstanceStatus;
  const dbMarked = (id: string) =>
    (DBInstances.find((db) => db.DBInstanceIdentifier === id)?.TagList ?? []).some(
      (tag) => tag.Key === 'nightshift:scaled-down',
    );
  return {
    staging: [state(staging), marked(staging)],
    production: [state(production), marked(production)],
    stoppedByPerson: [state(stoppedByPerson), marked(stoppedByPerson)],
    group: sizes('staging-web'),
    savedSize: savedSize('staging-web'),
    database: dbStatus('staging-db'),
    databaseMarked: dbMarked('staging-db'),
    /** What must never change: not opted in, or tagged for another environment. */
    untouched: {
      upperCaseInstance: [state(upperCase), marked(upperCase)],
      notOptedInGroup: [...sizes('staging-not-opted-in'), savedSize('staging-not-opted-in')],
      upperCaseGroup: [...sizes('upper-case-web'), savedSize('upper-case-web')],
      upperCaseDatabase: [dbStatus('upper-case-db'), dbMarked('upper-case-db')],
    },
  };
};

/** What `observe` sees for the resources no staging run may touch. */
export const UNTOUCHED = {
  upperCaseInstance: ['running', false],
  notOptedInGroup: [2, 5, 3, undefined],
  upperCaseGroup: [2, 5, 3, undefined],
  upperCaseDatabase: ['available', false],
};
