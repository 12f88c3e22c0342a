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
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateDBInstanceCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { getClient } from '@nightshift/middleware';

const toTags = (tags: Record<string, string>) =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export const seedAccount = async () => {
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

export type Account = Awaited<ReturnType<typeof seedAccount>>;

/** What the test looks at after each step. */
export const observe = async ({
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
