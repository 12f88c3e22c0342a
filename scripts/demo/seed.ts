// The demo's account: a small but realistic mix of what Nightshift acts on and what it
// must leave alone.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  CreateLaunchConfigurationCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  AttachVolumeCommand,
  CreateImageCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Moto } from '@nightshift/testing';

const tags = (record: Record<string, string>) =>
  Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
const IMAGE = 'ami-12c6146b';

export type DemoAccount = Awaited<ReturnType<typeof seedAccount>>;

/**
 * Seeds the emulated account and returns the ids the demo checks.
 *
 * @example
 * const account = await seedAccount(moto);
 */
export const seedAccount = async (moto: Moto) => {
  const ec2 = new EC2Client({});
  const rds = new RDSClient({});
  const sns = new SNSClient({});
  const launch = async (instanceTags: Record<string, string>) => {
    const { Instances = [] } = await ec2.send(
      new RunInstancesCommand({
        ImageId: IMAGE,
        MinCount: 1,
        MaxCount: 1,
        InstanceType: 't3.small',
        Placement: { AvailabilityZone: 'eu-west-1a' },
        TagSpecifications: [{ ResourceType: 'instance', Tags: tags(instanceTags) }],
      }),
    );
    return Instances[0]?.InstanceId ?? '';
  };
  const snapshot = async (volumeId: string, snapshotTags: Record<string, string> = {}) => {
    const { SnapshotId = '' } = await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    if (Object.keys(snapshotTags).length > 0) {
      await ec2.send(new CreateTagsCommand({ Resources: [SnapshotId], Tags: tags(snapshotTags) }));
    }
    return SnapshotId;
  };
  const database = (id: string, dbTags: Record<string, string>) =>
    rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: id,
        Engine: 'postgres',
        DBInstanceClass: 'db.t4g.micro',
        AllocatedStorage: 20,
        MasterUsername: 'app',
        MasterUserPassword: 'demo-password-1',
        Tags: tags(dbTags),
      }),
    );

  const { TopicArn: reportsTopic = '' } = await sns.send(
    new CreateTopicCommand({ Name: 'nightshift-reports' }),
  );
  const { TopicArn: alertsTopic = '' } = await sns.send(
    new CreateTopicCommand({ Name: 'nightshift-alerts' }),
  );

  // Forty days ago: an archive volume's snapshots, one of them kept forever, and a golden AMI.
  moto.setClockOffset('-40d');
  const { VolumeId: archive = '' } = await ec2.send(
    new CreateVolumeCommand({ AvailabilityZone: 'eu-west-1a', Size: 50 }),
  );
  const oldPlainSnapshots = [
    await snapshot(archive, { Name: 'archive-weekly' }),
    await snapshot(archive),
  ];
  const permanentSnapshot = await snapshot(archive, {
    Name: 'archive-before-migration',
    Retention: 'permanent',
  });
  const builder = await launch({ Name: 'image-builder' });
  const { ImageId = '' } = await ec2.send(
    new CreateImageCommand({ InstanceId: builder, Name: 'golden-2026-10' }),
  );
  moto.setClockOffset('+0');
  await snapshot(archive, { Name: 'archive-weekly' });
  const { Images = [] } = await ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId] }));
  const amiSnapshots = (Images[0]?.BlockDeviceMappings ?? []).flatMap((m) =>
    m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [],
  );

  // Staging: two instances that sleep at night, one a person stopped, a group, a database.
  const stagingWeb = await launch({
    Name: 'staging-web',
    Environment: 'staging',
    AutoScale: 'true',
  });
  const stagingWorker = await launch({
    Name: 'staging-worker',
    Environment: 'staging',
    AutoScale: 'true',
  });
  const stoppedByPerson = await launch({
    Name: 'staging-debug',
    Environment: 'staging',
    AutoScale: 'true',
  });
  await ec2.send(new StopInstancesCommand({ InstanceIds: [stoppedByPerson] }));
  const autoscaling = new AutoScalingClient({});
  await autoscaling.send(
    new CreateLaunchConfigurationCommand({
      LaunchConfigurationName: 'staging-api',
      ImageId: IMAGE,
      InstanceType: 't3.small',
    }),
  );
  const group = 'staging-api';
  await autoscaling.send(
    new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: group,
      LaunchConfigurationName: 'staging-api',
      MinSize: 2,
      MaxSize: 5,
      DesiredCapacity: 3,
      AvailabilityZones: ['eu-west-1a'],
      Tags: [{ Key: 'Environment', Value: 'staging', PropagateAtLaunch: true }],
    }),
  );
  const stagingDb = 'staging-orders';
  await database(stagingDb, { Environment: 'staging', AutoScale: 'true' });

  // Production: an API instance with a data volume and a database, both backed up nightly.
  const productionApi = await launch({
    Name: 'orders-api',
    Environment: 'production',
    Backup: 'true',
  });
  const { VolumeId: data } = await ec2.send(
    new CreateVolumeCommand({ AvailabilityZone: 'eu-west-1a', Size: 100 }),
  );
  await ec2.send(
    new AttachVolumeCommand({ VolumeId: data, InstanceId: productionApi, Device: '/dev/sdf' }),
  );
  await database('orders', { Environment: 'production', Backup: 'true' });

  // Two days of CPU: the worker idles, the web server works.
  const hourly = (instanceId: string, value: number) =>
    Array.from({ length: 48 }, (_, hour) => ({
      MetricName: 'CPUUtilization',
      Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
      Timestamp: new Date(Date.now() - (hour + 1) * 3_600_000),
      Value: value,
      Unit: 'Percent' as const,
    }));
  const cloudwatch = new CloudWatchClient({});
  await cloudwatch.send(
    new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: hourly(stagingWorker, 1.5) }),
  );
  await cloudwatch.send(
    new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: hourly(stagingWeb, 62) }),
  );

  const failedDeployment = JSON.parse(
    readFileSync(
      resolve(import.meta.dirname, '../../functions/deploy-notifier/events/action-failed.json'),
      'utf8',
    ),
  );
  const at = (second: number) => Date.parse('2026-11-28T04:17:00Z') + second * 1000;
  const logBatch = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/aws/lambda/orders-api',
    logStream: '2026/11/28/[$LATEST]0f1e2d3c',
    subscriptionFilters: ['nightshift-errors'],
    logEvents: [
      'INFO processed 512 orders in 3.1 s',
      'WARN retrying payment provider call (attempt 2)',
      'ERROR payment provider timed out after 10 s',
      'FATAL: database connection failed: password=hunter2 rejected for user app',
      'java.lang.OutOfMemoryError: Java heap space',
    ].map((message, index) => ({ id: String(index), timestamp: at(index), message })),
  };

  return {
    reportsTopic,
    alertsTopic,
    oldPlainSnapshots,
    permanentSnapshot,
    amiSnapshots,
    stagingWeb,
    stagingWorker,
    stoppedByPerson,
    group,
    stagingDb,
    productionApi,
    failedDeployment,
    logBatch,
  };
};
