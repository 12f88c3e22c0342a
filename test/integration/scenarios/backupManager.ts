import {
  AttachVolumeCommand,
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  type Instance,
  RunInstancesCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import {
  CreateDBInstanceCommand,
  CreateDBSnapshotCommand,
  DeleteDBInstanceCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  ListTagsForResourceCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { getClient } from '@nightshift/runtime';
import { type Moto, originalBackupStamp } from '@nightshift/testing';
import { launchInstance, toTags } from './ec2.ts';

/** The UTC day `days` ago, read from the clock when called, never at module load. */
export const dayBefore = (days: number) =>
  new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
export { toTags };
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

/**
 * One run of the original backup script's backup part (`backup_ec2_instances` and
 * `backup_rds_instances` of `backup-automation.py`), with the same calls: a snapshot per
 * volume of every instance tagged `Environment=<environment>` and `Backup=true`, tagged
 * after creation; a manual DB snapshot named `<database>-backup-<YYYYMMDD-HHMMSS>`, untagged,
 * of every database tagged likewise. `stamp` is when it ran (the emulator's clock must be
 * set to then).
 */
const runOriginalScript = async (
  { ec2, rds }: { ec2: EC2Client; rds: RDSClient },
  environment: string,
  stamp: string,
) => {
  const { Reservations = [] } = await ec2.send(
    new DescribeInstancesCommand({
      Filters: [
        { Name: 'tag:Environment', Values: [environment] },
        { Name: 'tag:Backup', Values: ['true'] },
        { Name: 'instance-state-name', Values: ['running', 'stopped'] },
      ],
    }),
  );
  const made = { ebs: [] as string[], rds: [] as string[] };
  for (const instance of Reservations.flatMap((reservation) => reservation.Instances ?? [])) {
    const instanceId = instance.InstanceId ?? '';
    const name = tag(instance.Tags, 'Name') ?? instanceId;
    for (const device of instance.BlockDeviceMappings ?? []) {
      const volumeId = device.Ebs?.VolumeId ?? '';
      const { SnapshotId = '' } = await ec2.send(
        new CreateSnapshotCommand({
          VolumeId: volumeId,
          Description: `Automated backup of ${name} (${instanceId}) - ${stamp}`,
        }),
      );
      await ec2.send(
        new CreateTagsCommand({
          Resources: [SnapshotId],
          Tags: toTags({
            Name: `${name}-backup-${stamp.slice(0, 8)}`,
            Environment: environment,
            InstanceId: instanceId,
            VolumeId: volumeId,
            AutomatedBackup: 'true',
            CreatedBy: 'lambda-backup-automation',
          }),
        }),
      );
      made.ebs.push(SnapshotId);
    }
  }
  const { DBInstances = [] } = await rds.send(new DescribeDBInstancesCommand({}));
  for (const db of DBInstances) {
    const { TagList = [] } = await rds.send(
      new ListTagsForResourceCommand({ ResourceName: db.DBInstanceArn }),
    );
    if (tag(TagList, 'Environment') !== environment || tag(TagList, 'Backup') !== 'true') continue;
    const snapshotId = `${db.DBInstanceIdentifier}-backup-${stamp}`;
    await rds.send(
      new CreateDBSnapshotCommand({
        DBSnapshotIdentifier: snapshotId,
        DBInstanceIdentifier: db.DBInstanceIdentifier,
      }),
    );
    made.rds.push(snapshotId);
  }
  return made;
};

type OriginalRun = Awaited<ReturnType<typeof runOriginalScript>>;

/**
 * An account the original backup script backed up for 20 days, then stopped: its
 * snapshots of production from 20 and 10 days ago (EBS of `app`; RDS of `billing`, of
 * `orders`, which copies its tags, Retention=permanent among them, to its snapshots, and
 * of `reports`, deleted since), and of staging (`app-staging`, `billing-staging`); and a
 * DB snapshot made by hand with a name close to the script's.
 */
export const seedOriginalScriptAccount = async (moto: Moto) => {
  const ec2 = getClient(EC2Client);
  const rds = getClient(RDSClient);
  const launch = (tags: Record<string, string>) => launchInstance(ec2, tags);
  const database = (id: string, environment: string, extra: Record<string, string> = {}) =>
    rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: id,
        Engine: 'postgres',
        DBInstanceClass: 'db.t3.micro',
        AllocatedStorage: 20,
        MasterUsername: 'admin',
        MasterUserPassword: 'not-a-secret-1',
        CopyTagsToSnapshot: id === 'orders',
        Tags: toTags({ Environment: environment, Backup: 'true', ...extra }),
      }),
    );

  moto.setClockOffset('-21d');
  const app = await launch({ Name: 'app', Environment: 'production', Backup: 'true' });
  const appStaging = await launch({ Name: 'app', Environment: 'staging', Backup: 'true' });
  await database('billing', 'production');
  await database('orders', 'production', { Retention: 'permanent' });
  await database('reports', 'production');
  await database('billing-staging', 'staging');
  const runs: { days: number; stamp: string; production: OriginalRun; staging: OriginalRun }[] = [];
  for (const days of [20, 10]) {
    moto.setClockOffset(`-${days}d`);
    const stamp = originalBackupStamp(days);
    runs.push({
      days,
      stamp,
      production: await runOriginalScript({ ec2, rds }, 'production', stamp),
      staging: await runOriginalScript({ ec2, rds }, 'staging', stamp),
    });
  }
  await rds.send(
    new CreateDBSnapshotCommand({
      DBSnapshotIdentifier: 'billing-backup-before-migration',
      DBInstanceIdentifier: 'billing',
    }),
  );
  await rds.send(
    new DeleteDBInstanceCommand({ DBInstanceIdentifier: 'reports', SkipFinalSnapshot: true }),
  );
  moto.setClockOffset('+0');

  const runOf = (days: number) => {
    const run = runs.find((each) => each.days === days);
    if (!run) throw new Error(`the original script did not run ${days} days ago`);
    return run;
  };
  return {
    ec2,
    rds,
    app,
    appStaging,
    /** What the original script's run `days` ago made for `environment`. */
    of: (environment: 'production' | 'staging', days: number) => runOf(days)[environment],
    /** The name the original script's run `days` ago gave its snapshot of `database`. */
    dbBackup: (database: string, days: number) => `${database}-backup-${runOf(days).stamp}`,
  };
};
