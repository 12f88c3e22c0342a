import {
  AttachVolumeCommand,
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  CreateVolumeCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  type Instance,
  RunInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import {
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { getClient } from '@nightshift/middleware';
import type { Moto } from '@nightshift/testing';

/** The UTC day `days` ago, read from the clock when called, never at module load. */
export const dayBefore = (days: number) =>
  new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
export const toTags = (tags: Record<string, string>): Tag[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
export const nightshiftTags = (environment: string, sourceId: string, day: string) =>
  toTags({
    Environment: environment,
    AutomatedBackup: 'true',
    CreatedBy: 'nightshift',
    'nightshift:backup-date': day,
    'nightshift:source': sourceId,
  });

/**
 * Two production instances (one with an extra volume tagged Retention=permanent), a
 * staging one, an untagged one; two databases (orders tagged Retention=permanent and
 * copying its tags to snapshots); old snapshots: Nightshift's of production and of
 * staging, one kept for good, and some made by hand.
 */
export const seedAccount = async (moto: Moto) => {
  const tenDaysAgo = dayBefore(10);
  const twentyDaysAgo = dayBefore(20);
  const ec2 = getClient(EC2Client);
  const rds = getClient(RDSClient);
  const launch = async (
    tags: Record<string, string>,
    extraVolume?: Record<string, string>,
  ): Promise<Instance> => {
    const { Instances = [] } = await ec2.send(
      new RunInstancesCommand({
        ImageId: 'ami-12c6146b',
        MinCount: 1,
        MaxCount: 1,
        InstanceType: 't3.micro',
        BlockDeviceMappings: extraVolume
          ? [{ DeviceName: '/dev/sdb', Ebs: { VolumeSize: 20 } }]
          : undefined,
        TagSpecifications: [{ ResourceType: 'instance', Tags: toTags(tags) }],
      }),
    );
    const instance = Instances[0];
    if (!instance) throw new Error('RunInstances returned no instance');
    if (extraVolume) {
      const { VolumeId } = await ec2.send(
        new CreateVolumeCommand({
          AvailabilityZone: 'us-east-1a',
          Size: 20,
          TagSpecifications: [{ ResourceType: 'volume', Tags: toTags(extraVolume) }],
        }),
      );
      await ec2.send(
        new AttachVolumeCommand({ VolumeId, InstanceId: instance.InstanceId, Device: '/dev/sdf' }),
      );
    }
    return instance;
  };
  const database = async (id: string, environment: string, extra: Record<string, string> = {}) =>
    rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: id,
        Engine: 'postgres',
        DBInstanceClass: 'db.t3.micro',
        AllocatedStorage: 20,
        MasterUsername: 'admin',
        MasterUserPassword: 'not-a-secret-1',
        CopyTagsToSnapshot: true,
        Tags: toTags({ Environment: environment, Backup: 'true', ...extra }),
      }),
    );

  moto.setClockOffset('-20d');
  await database('orders', 'production', { Retention: 'permanent' });
  await rds.send(
    new CreateDBSnapshotCommand({
      DBInstanceIdentifier: 'orders',
      DBSnapshotIdentifier: `nightshift-orders-${twentyDaysAgo}`,
      Tags: [
        ...nightshiftTags('production', 'orders', twentyDaysAgo),
        { Key: 'Retention', Value: 'permanent' },
      ],
    }),
  );
  moto.setClockOffset('-10d');
  const web = await launch(
    { Name: 'web', Environment: 'production', Backup: 'true' },
    { Retention: 'permanent' },
  );
  const worker = await launch({ Environment: 'production', Backup: 'true' });
  const staging = await launch({ Environment: 'staging', Backup: 'true' });
  const untagged = await launch({ Environment: 'production' });
  await database('orders-staging', 'staging');
  // Ten days ago: a Nightshift backup of web and of orders, and snapshots someone else made.
  const { Snapshots: oldWebSet = [] } = await ec2.send(
    new CreateSnapshotsCommand({
      InstanceSpecification: { InstanceId: web.InstanceId },
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: nightshiftTags('production', web.InstanceId ?? '', tenDaysAgo),
        },
      ],
    }),
  );
  const { SnapshotId: foreignEbs = '' } = await ec2.send(
    new CreateSnapshotCommand({ VolumeId: oldWebSet[0]?.VolumeId, Description: 'made by hand' }),
  );
  await rds.send(
    new CreateDBSnapshotCommand({
      DBInstanceIdentifier: 'orders',
      DBSnapshotIdentifier: `nightshift-orders-${tenDaysAgo}`,
      Tags: nightshiftTags('production', 'orders', tenDaysAgo),
    }),
  );
  await rds.send(
    new CreateDBSnapshotCommand({
      DBInstanceIdentifier: 'orders',
      DBSnapshotIdentifier: 'before-upgrade',
    }),
  );
  // Ten days ago too: Nightshift's backups of staging, which a production run never touches.
  const { Snapshots: stagingSet = [] } = await ec2.send(
    new CreateSnapshotsCommand({
      InstanceSpecification: { InstanceId: staging.InstanceId },
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: nightshiftTags('staging', staging.InstanceId ?? '', tenDaysAgo),
        },
      ],
    }),
  );
  await rds.send(
    new CreateDBSnapshotCommand({
      DBInstanceIdentifier: 'orders-staging',
      DBSnapshotIdentifier: `nightshift-orders-staging-${tenDaysAgo}`,
      Tags: nightshiftTags('staging', 'orders-staging', tenDaysAgo),
    }),
  );
  moto.setClockOffset('+0');

  return {
    ec2,
    rds,
    web: web.InstanceId ?? '',
    worker: worker.InstanceId ?? '',
    staging: staging.InstanceId ?? '',
    untagged: untagged.InstanceId ?? '',
    oldWebSet: oldWebSet.map((snapshot) => snapshot.SnapshotId ?? ''),
    stagingSet: stagingSet.map((snapshot) => snapshot.SnapshotId ?? ''),
    foreignEbs,
    tenDaysAgo,
    twentyDaysAgo,
  };
};

export const ebsSnapshots = async (ec2: EC2Client) => {
  const { Snapshots = [] } = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
  return Snapshots;
};
export const dbSnapshotIds = async (rds: RDSClient) => {
  const { DBSnapshots = [] } = await rds.send(
    new DescribeDBSnapshotsCommand({ SnapshotType: 'manual' }),
  );
  return DBSnapshots.map((snapshot) => snapshot.DBSnapshotIdentifier).sort();
};
export const tag = (tags: Tag[] | undefined, key: string) =>
  tags?.find((t) => t.Key === key)?.Value;

/** Nightshift's EBS snapshots of an instance for a day, by set id. */
export const setsOfDay = async (ec2: EC2Client, instanceId: string, day: string) => {
  const sets = new Map<string, string[]>();
  for (const snapshot of await ebsSnapshots(ec2)) {
    if (
      tag(snapshot.Tags, 'CreatedBy') !== 'nightshift' ||
      tag(snapshot.Tags, 'InstanceId') !== instanceId ||
      tag(snapshot.Tags, 'nightshift:backup-date') !== day
    )
      continue;
    const set = tag(snapshot.Tags, 'nightshift:set') ?? '(none)';
    sets.set(set, [...(sets.get(set) ?? []), snapshot.SnapshotId ?? ''].sort());
  }
  return sets;
};

type Account = Awaited<ReturnType<typeof seedAccount>>;

/** The account's backups with ids replaced by what they are, comparable between runs. */
export const backupState = async (account: Account) => {
  const roles = new Map<string, string>([
    [account.web, 'web'],
    [account.worker, 'worker'],
    [account.staging, 'staging'],
    [account.untagged, 'untagged'],
    [account.foreignEbs, 'by hand'],
    ...account.oldWebSet.map((id): [string, string] => [id, 'old web backup']),
    ...account.stagingSet.map((id): [string, string] => [id, 'staging backup']),
  ]);
  const ebs = (await ebsSnapshots(account.ec2)).map(
    (snapshot) =>
      roles.get(snapshot.SnapshotId ?? '') ??
      `backup of ${roles.get(tag(snapshot.Tags, 'InstanceId') ?? '') ?? 'unknown'} on ${tag(snapshot.Tags, 'nightshift:backup-date')}`,
  );
  return { ebs: ebs.sort(), rds: await dbSnapshotIds(account.rds) };
};
