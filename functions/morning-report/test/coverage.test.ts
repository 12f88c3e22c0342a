import { BackupClient, ListProtectedResourcesCommand } from '@aws-sdk/client-backup';
import {
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  type Instance,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import {
  type DBCluster,
  type DBClusterSnapshot,
  type DBInstance,
  type DBSnapshot,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { assertPagedRequests } from '@nightshift/testing/unit';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  assessCoverage,
  type BackupSeen,
  type ProtectedResource,
  readCoverage,
} from '../src/coverage.ts';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
/** The report's clock in every coverage test. */
const NOW = new Date('2026-11-30T07:00:00.000Z');

/** The time `hours` before `NOW`. */
const hoursAgo = (hours: number): Date => new Date(NOW.getTime() - hours * 3_600_000);

const BACKUP = { Key: 'Backup', Value: 'true' };

const instance = (
  id: string,
  {
    name,
    backup = true,
    state = 'running',
  }: { name?: string; backup?: boolean; state?: string } = {},
): Instance => ({
  InstanceId: id,
  State: { Name: state as never },
  InstanceType: 't3.micro',
  Tags: [
    ...(backup ? [BACKUP] : []),
    ...(name ? [{ Key: 'Name', Value: name }] : []),
    { Key: 'Environment', Value: 'production' },
  ],
});

/** An EBS snapshot of `instanceId`, tagged as backup-manager tags its sets, or as the original script did. */
const ebsSnapshot = (
  id: string,
  instanceId: string,
  {
    hours,
    state = 'completed',
    set,
    legacy = false,
  }: { hours: number; state?: Snapshot['State']; set?: string; legacy?: boolean },
): Snapshot => ({
  SnapshotId: id,
  StartTime: hoursAgo(hours),
  State: state,
  VolumeId: `vol-${id}`,
  Tags: legacy
    ? [
        { Key: 'InstanceId', Value: instanceId },
        { Key: 'CreatedBy', Value: 'lambda-backup-automation' },
        { Key: 'AutomatedBackup', Value: 'true' },
      ]
    : [
        { Key: 'nightshift:source', Value: instanceId },
        { Key: 'CreatedBy', Value: 'nightshift' },
        { Key: 'AutomatedBackup', Value: 'true' },
        ...(set ? [{ Key: 'nightshift:set', Value: set }] : []),
      ],
});

const dbInstance = (
  id: string,
  { backup = true, clusterId }: { backup?: boolean; clusterId?: string } = {},
): DBInstance => ({
  DBInstanceIdentifier: id,
  DBInstanceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:${id}`,
  DBInstanceStatus: 'available',
  DBInstanceClass: 'db.t3.micro',
  Engine: clusterId ? 'aurora-postgresql' : 'postgres',
  ...(clusterId ? { DBClusterIdentifier: clusterId } : {}),
  TagList: backup ? [BACKUP] : [],
});

const dbCluster = (id: string, { backup = true }: { backup?: boolean } = {}): DBCluster => ({
  DBClusterIdentifier: id,
  DBClusterArn: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:${id}`,
  Status: 'available',
  Engine: 'aurora-postgresql',
  TagList: backup ? [BACKUP] : [],
});

const dbSnapshot = (
  id: string,
  dbId: string,
  {
    hours,
    status = 'available',
    type = 'manual',
  }: { hours: number; status?: string; type?: string },
): DBSnapshot => ({
  DBSnapshotIdentifier: id,
  DBInstanceIdentifier: dbId,
  SnapshotCreateTime: hoursAgo(hours),
  Status: status,
  SnapshotType: type,
});

const clusterSnapshot = (
  id: string,
  clusterId: string,
  { hours, status = 'available' }: { hours: number; status?: string },
): DBClusterSnapshot => ({
  DBClusterSnapshotIdentifier: id,
  DBClusterIdentifier: clusterId,
  SnapshotCreateTime: hoursAgo(hours),
  Status: status,
  SnapshotType: 'automated',
});

/** Mocked EC2, RDS and Backup clients that answer every listing with nothing until told. */
const coverageMocks = () => {
  const ec2 = mockClient(EC2Client);
  const rds = mockClient(RDSClient);
  const backup = mockClient(BackupClient);
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  ec2.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
  rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
  rds.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
  rds.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [] });
  backup.on(ListProtectedResourcesCommand).resolves({ Results: [] });
  const clients = {
    ec2: new EC2Client({ region: REGION }),
    rds: new RDSClient({ region: REGION }),
    backup: new BackupClient({ region: REGION }),
  };
  return { ec2, rds, backup, clients };
};

const TARGET = { account: ACCOUNT, region: REGION };
const INTERVAL = { now: NOW, intervalHours: 24 };
const where = { account: ACCOUNT, region: REGION };

let mocks: ReturnType<typeof coverageMocks>;
beforeEach(() => {
  mocks = coverageMocks();
});

const assess = async () => {
  const reading = await readCoverage(mocks.clients, TARGET);
  return { ...reading, coverage: assessCoverage(reading.resources, reading.backups, INTERVAL) };
};

const byId = (coverage: { id: string }[], id: string) => coverage.find((entry) => entry.id === id);

describe('readCoverage and assessCoverage, EC2', () => {
  it('counts a fresh nightshift backup, misses one 27 h old, not one exactly 26 h old, misses an instance with none', async () => {
    mocks.ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance('i-fresh', { name: 'web-1' }),
            instance('i-late'),
            instance('i-edge', { state: 'stopped' }),
            instance('i-none'),
          ],
        },
      ],
    });
    mocks.ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        ebsSnapshot('snap-fresh', 'i-fresh', { hours: 3, set: 'set-fresh' }),
        ebsSnapshot('snap-fresh-old', 'i-fresh', { hours: 27, set: 'set-old' }),
        ebsSnapshot('snap-late', 'i-late', { hours: 27, legacy: true }),
        ebsSnapshot('snap-late-pending', 'i-late', { hours: 1, legacy: true, state: 'pending' }),
        ebsSnapshot('snap-edge', 'i-edge', { hours: 26 }),
      ],
    });

    const { coverage, notes } = await assess();

    expect(notes).toEqual([]);
    expect(coverage).toEqual([
      {
        ...where,
        kind: 'instance',
        id: 'i-fresh',
        name: 'web-1',
        newestBackupAt: '2026-11-30T04:00:00.000Z',
        source: 'EBS snapshots',
        ageHours: 3,
        missing: false,
      },
      {
        ...where,
        kind: 'instance',
        id: 'i-late',
        newestBackupAt: '2026-11-29T04:00:00.000Z',
        source: 'EBS snapshots',
        ageHours: 27,
        missing: true,
      },
      {
        ...where,
        kind: 'instance',
        id: 'i-edge',
        newestBackupAt: '2026-11-29T05:00:00.000Z',
        source: 'EBS snapshots',
        ageHours: 26,
        missing: false,
      },
      { ...where, kind: 'instance', id: 'i-none', missing: true },
    ]);
  });

  it('asks for instances tagged Backup=true in every state but terminated, and snapshots naming their instance', async () => {
    await assess();

    expect(mocks.ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input).toMatchObject({
      Filters: [
        { Name: 'tag:Backup', Values: ['true'] },
        {
          Name: 'instance-state-name',
          Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'],
        },
      ],
    });
    expect(mocks.ec2.commandCalls(DescribeSnapshotsCommand)[0]?.args[0].input).toMatchObject({
      OwnerIds: ['self'],
      Filters: [{ Name: 'tag-key', Values: ['nightshift:source', 'InstanceId'] }],
    });
  });

  it('leaves out an instance whose Backup tag is not true, even when the listing returns it', async () => {
    mocks.ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [instance('i-opted-out', { backup: false }), instance('i-in')] }],
    });

    const { coverage } = await assess();

    expect(coverage.map((entry) => entry.id)).toEqual(['i-in']);
  });

  it('ignores a newer snapshot still pending: the older completed one is the newest backup', async () => {
    mocks.ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [instance('i-pending')] }],
    });
    mocks.ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        ebsSnapshot('snap-new', 'i-pending', { hours: 1, state: 'pending', set: 'set-new' }),
        ebsSnapshot('snap-err', 'i-pending', { hours: 2, state: 'error', set: 'set-err' }),
        ebsSnapshot('snap-old', 'i-pending', { hours: 30, set: 'set-old' }),
      ],
    });

    const { coverage } = await assess();

    expect(coverage).toEqual([
      {
        ...where,
        kind: 'instance',
        id: 'i-pending',
        newestBackupAt: '2026-11-29T01:00:00.000Z',
        source: 'EBS snapshots',
        ageHours: 30,
        missing: true,
      },
    ]);
  });

  it('ignores a completed snapshot without a start time or without the instance it was made of', async () => {
    mocks.ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [instance('i-1')] }],
    });
    mocks.ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        { ...ebsSnapshot('snap-no-time', 'i-1', { hours: 1 }), StartTime: undefined },
        { ...ebsSnapshot('snap-no-source', 'i-1', { hours: 1 }), Tags: [] },
      ],
    });

    const { coverage, backups } = await assess();

    expect(backups).toEqual([]);
    expect(coverage).toEqual([{ ...where, kind: 'instance', id: 'i-1', missing: true }]);
  });

  it('does not count a set while one of its volume snapshots is still pending', async () => {
    mocks.ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [instance('i-two-volumes')] }],
    });
    mocks.ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        ebsSnapshot('snap-root', 'i-two-volumes', { hours: 1, set: 'set-today' }),
        ebsSnapshot('snap-data', 'i-two-volumes', { hours: 1, state: 'pending', set: 'set-today' }),
        ebsSnapshot('snap-yesterday', 'i-two-volumes', { hours: 25, set: 'set-yesterday' }),
      ],
    });

    const { coverage } = await assess();

    expect(byId(coverage, 'i-two-volumes')).toMatchObject({
      newestBackupAt: '2026-11-29T06:00:00.000Z',
      ageHours: 25,
      missing: false,
    });
  });
});

describe('readCoverage and assessCoverage, RDS', () => {
  it('counts an automated DB snapshot, not a newer one still creating', async () => {
    mocks.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [dbInstance('db-app')] });
    mocks.rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        dbSnapshot('rds:db-app-2026-11-30-02-00', 'db-app', { hours: 5, type: 'automated' }),
        dbSnapshot('db-app-manual', 'db-app', { hours: 1, status: 'creating' }),
        dbSnapshot('db-other', 'db-other', { hours: 1 }),
      ],
    });

    const { coverage } = await assess();

    expect(coverage).toEqual([
      {
        ...where,
        kind: 'db-instance',
        id: 'db-app',
        newestBackupAt: '2026-11-30T02:00:00.000Z',
        source: 'RDS snapshot',
        ageHours: 5,
        missing: false,
      },
    ]);
  });

  it('covers a cluster by its cluster snapshot and does not list its tagged member separately', async () => {
    mocks.rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        dbInstance('aurora-a', { clusterId: 'aurora' }),
        dbInstance('aurora-b', { clusterId: 'aurora', backup: false }),
        dbInstance('db-untagged', { backup: false }),
      ],
    });
    mocks.rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [dbCluster('aurora')] });
    mocks.rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        clusterSnapshot('rds:aurora-1', 'aurora', { hours: 10 }),
        clusterSnapshot('aurora-failed', 'aurora', { hours: 1, status: 'failed' }),
      ],
    });

    const { coverage } = await assess();

    expect(coverage).toEqual([
      {
        ...where,
        kind: 'db-cluster',
        id: 'aurora',
        newestBackupAt: '2026-11-29T21:00:00.000Z',
        source: 'RDS cluster snapshot',
        ageHours: 10,
        missing: false,
      },
    ]);
  });

  it('assesses the cluster of a tagged member whose cluster is not tagged (its backups are the cluster snapshots)', async () => {
    mocks.rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [dbInstance('aurora-a', { clusterId: 'aurora' })],
    });
    mocks.rds.on(DescribeDBClustersCommand).resolves({
      DBClusters: [dbCluster('aurora', { backup: false }), dbCluster('other', { backup: false })],
    });

    const { coverage } = await assess();

    expect(coverage).toEqual([{ ...where, kind: 'db-cluster', id: 'aurora', missing: true }]);
  });

  it('assesses a tagged member of a cluster the listing does not show on its own, even when a DB instance bears the cluster’s name', async () => {
    mocks.rds.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        dbInstance('orders', { backup: false }),
        dbInstance('orders-a', { clusterId: 'orders' }),
      ],
    });

    const { coverage } = await assess();

    expect(coverage).toEqual([{ ...where, kind: 'db-instance', id: 'orders-a', missing: true }]);
  });

  it('does not take a DB snapshot for a cluster of the same name, or the other way round', async () => {
    mocks.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [dbInstance('shared')] });
    mocks.rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [dbCluster('shared-c')] });
    mocks.rds.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [clusterSnapshot('c1', 'shared', { hours: 1 })],
    });
    mocks.rds.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [dbSnapshot('s1', 'shared-c', { hours: 1 })],
    });

    const { coverage } = await assess();

    expect(coverage).toEqual([
      { ...where, kind: 'db-instance', id: 'shared', missing: true },
      { ...where, kind: 'db-cluster', id: 'shared-c', missing: true },
    ]);
  });
});

describe('readCoverage and assessCoverage, AWS Backup', () => {
  it('takes AWS Backup’s LastBackupTime when it is newer than the snapshots, matched by ARN', async () => {
    mocks.ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [instance('i-ab'), instance('i-snap')] }],
    });
    mocks.ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        ebsSnapshot('snap-ab', 'i-ab', { hours: 30 }),
        ebsSnapshot('snap-snap', 'i-snap', { hours: 4 }),
      ],
    });
    mocks.rds
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [dbInstance('db-ab'), dbInstance('db-never')] });
    mocks.backup.on(ListProtectedResourcesCommand).resolves({
      Results: [
        {
          ResourceArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-ab`,
          ResourceType: 'EC2',
          LastBackupTime: hoursAgo(2),
        },
        {
          ResourceArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-snap`,
          ResourceType: 'EC2',
          LastBackupTime: hoursAgo(48),
        },
        {
          ResourceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:db-ab`,
          ResourceType: 'RDS',
          LastBackupTime: hoursAgo(6),
        },
        { ResourceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:db-never`, ResourceType: 'RDS' },
        { ResourceType: 'EC2', LastBackupTime: hoursAgo(1) },
        {
          ResourceArn: `arn:aws:ec2:${REGION}:210987654321:instance/i-none`,
          ResourceType: 'EC2',
          LastBackupTime: hoursAgo(1),
        },
      ],
    });

    const { coverage, notes, backups } = await assess();

    expect(notes).toEqual([]);
    expect(backups).toEqual([
      { kind: 'instance', id: 'i-ab', at: '2026-11-29T01:00:00.000Z', source: 'EBS snapshots' },
      { kind: 'instance', id: 'i-snap', at: '2026-11-30T03:00:00.000Z', source: 'EBS snapshots' },
      { kind: 'instance', id: 'i-ab', at: '2026-11-30T05:00:00.000Z', source: 'AWS Backup' },
      { kind: 'instance', id: 'i-snap', at: '2026-11-28T07:00:00.000Z', source: 'AWS Backup' },
      { kind: 'db-instance', id: 'db-ab', at: '2026-11-30T01:00:00.000Z', source: 'AWS Backup' },
    ]);
    expect(coverage).toEqual([
      {
        ...where,
        kind: 'instance',
        id: 'i-ab',
        newestBackupAt: '2026-11-30T05:00:00.000Z',
        source: 'AWS Backup',
        ageHours: 2,
        missing: false,
      },
      {
        ...where,
        kind: 'instance',
        id: 'i-snap',
        newestBackupAt: '2026-11-30T03:00:00.000Z',
        source: 'EBS snapshots',
        ageHours: 4,
        missing: false,
      },
      {
        ...where,
        kind: 'db-instance',
        id: 'db-ab',
        newestBackupAt: '2026-11-30T01:00:00.000Z',
        source: 'AWS Backup',
        ageHours: 6,
        missing: false,
      },
      { ...where, kind: 'db-instance', id: 'db-never', missing: true },
    ]);
  });

  it('builds EC2 ARNs in the partition given', async () => {
    mocks.ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [instance('i-cn')] }],
    });
    mocks.backup.on(ListProtectedResourcesCommand).resolves({
      Results: [
        {
          ResourceArn: `arn:aws-cn:ec2:${REGION}:${ACCOUNT}:instance/i-cn`,
          LastBackupTime: hoursAgo(1),
        },
      ],
    });

    const reading = await readCoverage(mocks.clients, { ...TARGET, partition: 'aws-cn' });

    expect(reading.resources).toEqual([
      {
        ...where,
        kind: 'instance',
        id: 'i-cn',
        arn: `arn:aws-cn:ec2:${REGION}:${ACCOUNT}:instance/i-cn`,
      },
    ]);
    expect(reading.backups).toEqual([
      { kind: 'instance', id: 'i-cn', at: '2026-11-30T06:00:00.000Z', source: 'AWS Backup' },
    ]);
  });

  it('goes on without AWS Backup when it fails, with a note, and still assesses the rest', async () => {
    mocks.ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [instance('i-1')] }],
    });
    mocks.ec2.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [ebsSnapshot('snap-1', 'i-1', { hours: 5 })],
    });
    mocks.rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [dbInstance('db-1')] });
    mocks.backup.on(ListProtectedResourcesCommand).rejects(
      Object.assign(
        new Error('User is not authorized to perform: backup:ListProtectedResources\nmore'),
        {
          name: 'AccessDeniedException',
        },
      ),
    );

    const { coverage, notes, backups } = await assess();

    expect(backups).toEqual([
      { kind: 'instance', id: 'i-1', at: '2026-11-30T02:00:00.000Z', source: 'EBS snapshots' },
    ]);
    expect(notes).toEqual([
      `AWS Backup could not be read in ${ACCOUNT} ${REGION} (AccessDeniedException: User is not authorized to perform: backup:ListProtectedResources): coverage counts EBS and RDS snapshots only`,
    ]);
    expect(coverage).toEqual([
      {
        ...where,
        kind: 'instance',
        id: 'i-1',
        newestBackupAt: '2026-11-30T02:00:00.000Z',
        source: 'EBS snapshots',
        ageHours: 5,
        missing: false,
      },
      { ...where, kind: 'db-instance', id: 'db-1', missing: true },
    ]);
  });

  it.each([
    [
      Object.assign(new Error('  Service unavailable  \n  details'), {
        name: 'ServiceUnavailable',
      }),
      'ServiceUnavailable: Service unavailable',
    ],
    [Object.assign(new Error(''), { name: 'UnknownError' }), 'UnknownError'],
    [new Error('x'.repeat(153)), `Error: ${'x'.repeat(153)}`],
    ['not an Error', 'Error: not an Error'],
  ])('names the error in the note in a few words: %s', async (error, named) => {
    mocks.backup.on(ListProtectedResourcesCommand).rejects(error);

    const { notes } = await assess();

    expect(notes).toEqual([
      `AWS Backup could not be read in ${ACCOUNT} ${REGION} (${named}): coverage counts EBS and RDS snapshots only`,
    ]);
  });

  it('cuts a long error short in the note', async () => {
    mocks.backup.on(ListProtectedResourcesCommand).rejects(new Error('x'.repeat(500)));

    const { notes } = await assess();

    expect(notes).toEqual([
      `AWS Backup could not be read in ${ACCOUNT} ${REGION} (Error: ${'x'.repeat(152)}…): coverage counts EBS and RDS snapshots only`,
    ]);
  });

  it('throws when EC2 cannot be read: coverage without the instances would say nothing is missing', async () => {
    mocks.ec2.on(DescribeSnapshotsCommand).rejects(new Error('throttled'));

    await expect(readCoverage(mocks.clients, TARGET)).rejects.toThrow('throttled');
  });
});

describe('readCoverage pagination', () => {
  it('takes a page without its list as empty', async () => {
    mocks.ec2.on(DescribeInstancesCommand).resolves({});
    mocks.ec2.on(DescribeSnapshotsCommand).resolves({});
    mocks.rds.on(DescribeDBInstancesCommand).resolves({});
    mocks.rds.on(DescribeDBClustersCommand).resolves({});
    mocks.rds.on(DescribeDBSnapshotsCommand).resolves({});
    mocks.rds.on(DescribeDBClusterSnapshotsCommand).resolves({});
    mocks.backup.on(ListProtectedResourcesCommand).resolves({});

    expect(await assess()).toEqual({ resources: [], backups: [], notes: [], coverage: [] });
  });

  it('reads every page of every listing, with one listing per kind whatever the number of resources', async () => {
    mocks.ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: [instance('i-p1')] }], NextToken: 'i2' })
      .resolves({ Reservations: [{ Instances: [instance('i-p2')] }] });
    mocks.ec2
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({ Snapshots: [ebsSnapshot('s1', 'i-p1', { hours: 1 })], NextToken: 's2' })
      .resolves({ Snapshots: [ebsSnapshot('s2', 'i-p2', { hours: 2 })] });
    mocks.rds
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [dbInstance('db-p1')], Marker: 'd2' })
      .resolves({ DBInstances: [dbInstance('db-p2')] });
    mocks.rds
      .on(DescribeDBClustersCommand)
      .resolvesOnce({ DBClusters: [dbCluster('c-p1')], Marker: 'c2' })
      .resolves({ DBClusters: [dbCluster('c-p2')] });
    mocks.rds
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({ DBSnapshots: [dbSnapshot('ds1', 'db-p1', { hours: 3 })], Marker: 'ds2' })
      .resolves({ DBSnapshots: [dbSnapshot('ds2', 'db-p2', { hours: 4 })] });
    mocks.rds
      .on(DescribeDBClusterSnapshotsCommand)
      .resolvesOnce({
        DBClusterSnapshots: [clusterSnapshot('cs1', 'c-p1', { hours: 5 })],
        Marker: 'cs2',
      })
      .resolves({ DBClusterSnapshots: [clusterSnapshot('cs2', 'c-p2', { hours: 6 })] });
    mocks.backup
      .on(ListProtectedResourcesCommand)
      .resolvesOnce({ Results: [], NextToken: 'b2' })
      .resolves({
        Results: [
          {
            ResourceArn: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-p2`,
            LastBackupTime: hoursAgo(0.5),
          },
        ],
      });

    const { coverage } = await assess();

    expect(
      coverage.map(({ kind, id, ageHours, source }) => ({ kind, id, ageHours, source })),
    ).toEqual([
      { kind: 'instance', id: 'i-p1', ageHours: 1, source: 'EBS snapshots' },
      { kind: 'instance', id: 'i-p2', ageHours: 0.5, source: 'AWS Backup' },
      { kind: 'db-instance', id: 'db-p1', ageHours: 3, source: 'RDS snapshot' },
      { kind: 'db-instance', id: 'db-p2', ageHours: 4, source: 'RDS snapshot' },
      { kind: 'db-cluster', id: 'c-p1', ageHours: 5, source: 'RDS cluster snapshot' },
      { kind: 'db-cluster', id: 'c-p2', ageHours: 6, source: 'RDS cluster snapshot' },
    ]);
    assertPagedRequests(mocks.ec2, DescribeInstancesCommand, {}, ['i2']);
    assertPagedRequests(mocks.ec2, DescribeSnapshotsCommand, { OwnerIds: ['self'] }, ['s2']);
    assertPagedRequests(mocks.backup, ListProtectedResourcesCommand, {}, ['b2']);
    for (const [command, marker] of [
      [DescribeDBInstancesCommand, 'd2'],
      [DescribeDBClustersCommand, 'c2'],
      [DescribeDBSnapshotsCommand, 'ds2'],
      [DescribeDBClusterSnapshotsCommand, 'cs2'],
    ] as const) {
      const calls = mocks.rds.commandCalls(command);
      expect(calls).toHaveLength(2);
      expect(calls.at(-1)?.args[0].input).toMatchObject({ Marker: marker });
    }
    expect(mocks.ec2.calls()).toHaveLength(4);
    expect(mocks.rds.calls()).toHaveLength(8);
    expect(mocks.backup.calls()).toHaveLength(2);
  });
});

describe('assessCoverage', () => {
  const resource = (id: string): ProtectedResource => ({
    ...where,
    kind: 'instance',
    id,
    arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${id}`,
  });
  const seen = (id: string, hours: number, source = 'EBS snapshots'): BackupSeen => ({
    kind: 'instance',
    id,
    at: hoursAgo(hours).toISOString(),
    source,
  });

  it('takes the newest backup whatever the order they come in', () => {
    const coverage = assessCoverage(
      [resource('i-1')],
      [seen('i-1', 40), seen('i-1', 2, 'AWS Backup'), seen('i-1', 20)],
      INTERVAL,
    );

    expect(coverage).toEqual([
      {
        ...where,
        kind: 'instance',
        id: 'i-1',
        newestBackupAt: '2026-11-30T05:00:00.000Z',
        source: 'AWS Backup',
        ageHours: 2,
        missing: false,
      },
    ]);
  });

  it('names the first source listed when two backups are as new', () => {
    const coverage = assessCoverage(
      [resource('i-1')],
      [seen('i-1', 3), seen('i-1', 3, 'AWS Backup')],
      INTERVAL,
    );

    expect(coverage[0]?.source).toBe('EBS snapshots');
  });

  it('allows the interval + 2 hours: with 12 h, 14 h old is not missing, 14 h and a minute is', () => {
    const coverage = assessCoverage(
      [resource('i-ok'), resource('i-late')],
      [seen('i-ok', 14), seen('i-late', 14 + 1 / 60)],
      { now: NOW, intervalHours: 12 },
    );

    expect(coverage.map(({ id, missing }) => ({ id, missing }))).toEqual([
      { id: 'i-ok', missing: false },
      { id: 'i-late', missing: true },
    ]);
  });

  it('does not take a backup of another kind with the same id', () => {
    const coverage = assessCoverage(
      [resource('same')],
      [{ kind: 'db-instance', id: 'same', at: hoursAgo(1).toISOString(), source: 'RDS snapshot' }],
      INTERVAL,
    );

    expect(coverage).toEqual([{ ...where, kind: 'instance', id: 'same', missing: true }]);
  });
});
