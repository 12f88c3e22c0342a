import { resolve } from 'node:path';
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
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { getClient, type Report } from '@nightshift/middleware';
import { connectMoto, invokeBundle } from '@nightshift/testing';
import { beforeEach, describe, expect, inject, it } from 'vitest';

const bundle = resolve(import.meta.dirname, '../../dist/backup-manager/index.mjs');
const moto = connectMoto(inject('moto'));
const today = new Date().toISOString().slice(0, 10);
const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
const toTags = (tags: Record<string, string>): Tag[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
const nightshiftTags = (environment: string, sourceId: string, day: string) =>
  toTags({
    Environment: environment,
    AutomatedBackup: 'true',
    CreatedBy: 'nightshift',
    'nightshift:backup-date': day,
    'nightshift:source': sourceId,
  });

/** Two production instances (one with an extra volume), a staging one, an untagged one; two databases; old snapshots. */
const seedAccount = async () => {
  const ec2 = getClient(EC2Client);
  const rds = getClient(RDSClient);
  const launch = async (tags: Record<string, string>, extraVolume = false): Promise<Instance> => {
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
        new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 20 }),
      );
      await ec2.send(
        new AttachVolumeCommand({ VolumeId, InstanceId: instance.InstanceId, Device: '/dev/sdf' }),
      );
    }
    return instance;
  };
  const database = async (id: string, environment: string) =>
    rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: id,
        Engine: 'postgres',
        DBInstanceClass: 'db.t3.micro',
        AllocatedStorage: 20,
        MasterUsername: 'admin',
        MasterUserPassword: 'not-a-secret-1',
        Tags: toTags({ Environment: environment, Backup: 'true' }),
      }),
    );

  moto.setClockOffset('-10d');
  const web = await launch({ Name: 'web', Environment: 'production', Backup: 'true' }, true);
  const worker = await launch({ Environment: 'production', Backup: 'true' });
  const staging = await launch({ Environment: 'staging', Backup: 'true' });
  const untagged = await launch({ Environment: 'production' });
  await database('orders', 'production');
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
  moto.setClockOffset('+0');

  return {
    ec2,
    rds,
    web: web.InstanceId ?? '',
    worker: worker.InstanceId ?? '',
    staging: staging.InstanceId ?? '',
    untagged: untagged.InstanceId ?? '',
    oldWebSet: oldWebSet.map((snapshot) => snapshot.SnapshotId ?? ''),
    foreignEbs,
  };
};

const ebsSnapshots = async (ec2: EC2Client) => {
  const { Snapshots = [] } = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
  return Snapshots;
};
const dbSnapshotIds = async (rds: RDSClient) => {
  const { DBSnapshots = [] } = await rds.send(
    new DescribeDBSnapshotsCommand({ SnapshotType: 'manual' }),
  );
  return DBSnapshots.map((snapshot) => snapshot.DBSnapshotIdentifier).sort();
};
const tag = (tags: Tag[] | undefined, key: string) => tags?.find((t) => t.Key === key)?.Value;

describe('backup-manager against the emulated account', () => {
  let env: Record<string, string>;
  beforeEach(async () => {
    const { TopicArn = '' } = await getClient(SNSClient).send(
      new CreateTopicCommand({ Name: 'reports' }),
    );
    env = { SNS_TOPIC_ARN: TopicArn };
  });

  it('backs up exactly the tagged production resources once a day and expires only its own old backups', async () => {
    // Prepare
    const account = await seedAccount();
    const event = { backup_type: 'all', environment: 'production' };

    // Act: EventBridge delivers the same day's event twice.
    const first = await invokeBundle<Report>(bundle, event, { env });
    const second = await invokeBundle<Report>(bundle, event, { env });

    // Assess: the EBS snapshots that exist afterwards, exactly.
    expect(first.error).toBeUndefined();
    expect(second.error).toBeUndefined();
    const snapshots = await ebsSnapshots(account.ec2);
    const ours = snapshots.filter((snapshot) => tag(snapshot.Tags, 'CreatedBy') === 'nightshift');
    const bySource = (id: string) =>
      ours.filter((snapshot) => tag(snapshot.Tags, 'InstanceId') === id);
    expect(snapshots.map((snapshot) => snapshot.SnapshotId).sort()).toEqual(
      [account.foreignEbs, ...ours.map((snapshot) => snapshot.SnapshotId ?? '')].sort(),
    );
    expect(bySource(account.web)).toHaveLength(2); // root and extra volume, one set
    expect(bySource(account.worker)).toHaveLength(1);
    expect(ours).toHaveLength(3);
    for (const snapshot of ours) {
      expect(tag(snapshot.Tags, 'AutomatedBackup')).toBe('true');
      expect(tag(snapshot.Tags, 'Environment')).toBe('production');
      expect(tag(snapshot.Tags, 'nightshift:backup-date')).toBe(today);
      expect(tag(snapshot.Tags, 'Name')).toMatch(
        /^nightshift-(web|i-[0-9a-f]+)-\d{4}-\d{2}-\d{2}$/,
      );
    }
    expect(ours.map((snapshot) => snapshot.SnapshotId)).not.toEqual(
      expect.arrayContaining([account.oldWebSet[0]]),
    );

    // ... and the RDS snapshots, exactly.
    expect(await dbSnapshotIds(account.rds)).toEqual([
      'before-upgrade',
      `nightshift-orders-${today}`,
    ]);

    // The first run created and expired; the second found everything done.
    expect(
      first.result?.done
        .filter((entry) => entry.action === 'back up')
        .map((entry) => entry.id)
        .sort(),
    ).toEqual([account.web, account.worker, 'orders'].sort());
    expect(
      first.result?.done
        .filter((entry) => entry.action === 'delete')
        .map((entry) => entry.id)
        .sort(),
    ).toEqual([...account.oldWebSet, `nightshift-orders-${tenDaysAgo}`].sort());
    expect(second.result?.done).toEqual([]);
    expect(second.result?.skipped.map((entry) => entry.id).sort()).toEqual(
      [account.web, account.worker, 'orders'].sort(),
    );
    expect(
      second.result?.skipped.every((entry) =>
        entry.reason.startsWith(`already backed up on ${today}`),
      ),
    ).toBe(true);
    const emf = second.logs.find((line) => 'BackupsCreated' in line);
    expect(emf).toMatchObject({
      BackupsCreated: 0,
      BackupsSkipped: 3,
      BackupsDeleted: 0,
      BackupFailures: 0,
    });
  });

  it('changes nothing in a dry run', async () => {
    // Prepare
    const account = await seedAccount();
    const before = {
      ebs: (await ebsSnapshots(account.ec2)).length,
      rds: await dbSnapshotIds(account.rds),
    };

    // Act
    const { result, error } = await invokeBundle<Report>(
      bundle,
      { backup_type: 'all', environment: 'production', dryRun: true },
      { env },
    );

    // Assess
    expect(error).toBeUndefined();
    expect((await ebsSnapshots(account.ec2)).length).toBe(before.ebs);
    expect(await dbSnapshotIds(account.rds)).toEqual(before.rds);
    expect(
      result?.planned
        .filter((entry) => entry.action === 'delete')
        .map((entry) => entry.id)
        .sort(),
    ).toEqual([...account.oldWebSet, `nightshift-orders-${tenDaysAgo}`].sort());
  });

  it('rejects an invalid event and creates nothing', async () => {
    // Prepare
    const account = await seedAccount();
    const before = (await ebsSnapshots(account.ec2)).length;

    // Act
    const { error } = await invokeBundle(bundle, { backup_type: 'tapes' }, { env });

    // Assess
    expect(error?.name).toBe('ValidationError');
    expect(error?.message).toMatch(
      /backup_type: must be one of all, ec2, rds; environment: is required/,
    );
    expect((await ebsSnapshots(account.ec2)).length).toBe(before);
  });
});
