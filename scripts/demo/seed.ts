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
  DeleteVolumeCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateDBInstanceCommand, CreateDBSnapshotCommand, RDSClient } from '@aws-sdk/client-rds';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { type Moto, originalBackupStamp } from '@nightshift/testing';

const tags = (record: Record<string, string>) =>
  Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
const IMAGE = 'ami-12c6146b';

/**
 * Launches one small running instance in the demo's zone with the given tags; its id.
 *
 * @example
 * const id = await launchDemoInstance({ Name: 'dev-api', Environment: 'dev' });
 */
export const launchDemoInstance = async (
  instanceTags: Record<string, string> = {},
  ec2 = new EC2Client({}),
): Promise<string> => {
  const { Instances = [] } = await ec2.send(
    new RunInstancesCommand({
      ImageId: IMAGE,
      MinCount: 1,
      MaxCount: 1,
      InstanceType: 't3.small',
      Placement: { AvailabilityZone: 'eu-west-1a' },
      ...(Object.keys(instanceTags).length > 0
        ? { TagSpecifications: [{ ResourceType: 'instance', Tags: tags(instanceTags) }] }
        : {}),
    }),
  );
  return Instances[0]?.InstanceId ?? '';
};

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
  const launch = (instanceTags: Record<string, string>) => launchDemoInstance(instanceTags, ec2);
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
  // A scratch volume, snapshotted before it was deleted: its snapshot is all that is left.
  const { VolumeId: scratch = '' } = await ec2.send(
    new CreateVolumeCommand({ AvailabilityZone: 'eu-west-1a', Size: 20 }),
  );
  const orphanSnapshot = await snapshot(scratch, { Name: 'scratch-before-resize' });
  await ec2.send(new DeleteVolumeCommand({ VolumeId: scratch }));
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
      Tags: [
        { Key: 'Environment', Value: 'staging', PropagateAtLaunch: true },
        { Key: 'AutoScale', Value: 'true', PropagateAtLaunch: false },
      ],
    }),
  );
  const stagingDb = 'staging-orders';
  await database(stagingDb, { Environment: 'staging', AutoScale: 'true' });

  // Production, three weeks old: an API instance with a data volume and a database, both
  // tagged for nightly backups, which the original backup script made 20 and 10 days ago.
  moto.setClockOffset('-21d');
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
  const productionDb = 'orders';
  await database(productionDb, { Environment: 'production', Backup: 'true' });
  const { Reservations = [] } = await ec2.send(
    new DescribeInstancesCommand({ InstanceIds: [productionApi] }),
  );
  const productionVolumes = Reservations.flatMap((r) => r.Instances ?? [])
    .flatMap((i) => i.BlockDeviceMappings ?? [])
    .flatMap((m) => (m.Ebs?.VolumeId ? [m.Ebs.VolumeId] : []));
  /** One night of the original script, with its calls and tags, `days` ago. */
  const originalBackup = async (days: number) => {
    moto.setClockOffset(`-${days}d`);
    const stamp = originalBackupStamp(days);
    const ebs: string[] = [];
    for (const volumeId of productionVolumes) {
      const { SnapshotId = '' } = await ec2.send(
        new CreateSnapshotCommand({
          VolumeId: volumeId,
          Description: `Automated backup of orders-api (${productionApi}) - ${stamp}`,
        }),
      );
      await ec2.send(
        new CreateTagsCommand({
          Resources: [SnapshotId],
          Tags: tags({
            Name: `orders-api-backup-${stamp.slice(0, 8)}`,
            Environment: 'production',
            InstanceId: productionApi,
            VolumeId: volumeId,
            AutomatedBackup: 'true',
            CreatedBy: 'lambda-backup-automation',
          }),
        }),
      );
      ebs.push(SnapshotId);
    }
    const rdsSnapshot = `${productionDb}-backup-${stamp}`;
    await rds.send(
      new CreateDBSnapshotCommand({
        DBSnapshotIdentifier: rdsSnapshot,
        DBInstanceIdentifier: productionDb,
      }),
    );
    return { ebs, rds: rdsSnapshot };
  };
  // The older night expires; the newer is each resource's last finished backup when
  // backup-manager runs (its own of tonight is not finished yet), so it stays.
  const originalBackups = { old: await originalBackup(20), last: await originalBackup(10) };
  moto.setClockOffset('+0');

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

  // Per-resource schedules (the document is built at run time, around the demo's clock):
  // dev instances on office hours in Berlin, one of them snoozed, one on a team's holiday,
  // and a stopped batch runner whose night window is open.
  const officeWeb = await launch({
    Name: 'dev-web',
    Environment: 'dev',
    'nightshift:schedule': 'office-hours',
  });
  const snoozed = await launch({
    Name: 'dev-debug',
    Environment: 'dev',
    'nightshift:schedule': 'office-hours',
    'nightshift:snooze-until': new Date(Date.now() + 2 * 3_600_000).toISOString(),
  });
  const onHoliday = await launch({
    Name: 'dev-berlin-team',
    Environment: 'dev',
    'nightshift:schedule': 'berlin-team',
  });
  const batch = await launch({
    Name: 'dev-batch',
    Environment: 'dev',
    'nightshift:schedule': 'night-batch',
  });
  await ec2.send(new StopInstancesCommand({ InstanceIds: [batch] }));

  return {
    reportsTopic,
    alertsTopic,
    oldPlainSnapshots,
    orphanSnapshot,
    scratchVolume: scratch,
    permanentSnapshot,
    amiSnapshots,
    stagingWeb,
    stagingWorker,
    stoppedByPerson,
    group,
    stagingDb,
    productionApi,
    productionDb,
    scheduled: { officeWeb, snoozed, onHoliday, batch },
    originalBackups,
    failedDeployment,
    logBatch,
  };
};
