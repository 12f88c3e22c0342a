import {
  CreateSnapshotsCommand,
  DeleteSnapshotCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
  type Instance,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  type DBInstance,
  type DBSnapshot,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createObservability } from '@nightshift/middleware';
import type { TimeBudget } from '@nightshift/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import type { BackupEvent } from '../src/event.ts';
import type { LegacyRdsSnapshot, TargetSelector } from '../src/records.ts';
import type { BackupRecord } from '../src/retention.ts';

/*
 * What backup-manager's tests share: mocked clients, a fixed clock, resources and
 * backups as EC2 and RDS return them.
 */

export const ec2Mock = mockClient(EC2Client);
export const rdsMock = mockClient(RDSClient);
export const snsMock = mockClient(SNSClient);
export const now = new Date('2026-11-28T01:00:00Z');
export const today = '2026-11-28';
export const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
export const plenty: TimeBudget = { remainingMs: () => 600_000, isExhausted: () => false };
export const production: BackupEvent = { backup_type: 'all', environment: 'production' };
export const awsError = (name: string, message = name) =>
  Object.assign(new Error(message), { name });
export const tags = (record: Record<string, string>) =>
  Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
export const selectedTags = tags({ Environment: 'production', Backup: 'true' });
export const ourTags = (sourceId: string, day: string, environment = 'production') =>
  tags({
    Environment: environment,
    AutomatedBackup: 'true',
    CreatedBy: 'nightshift',
    'nightshift:backup-date': day,
    InstanceId: sourceId,
  });
export const dayOf = (days: number) => daysAgo(days).toISOString().slice(0, 10);
/** Our tags on a snapshot of i-1 today, in the EBS set `set`. */
export const inSetOfToday = (set: string) => [
  ...ourTags('i-1', today),
  { Key: 'nightshift:set', Value: set },
];

export const instance = (id: string, extra: Partial<Instance> = {}): Instance => ({
  InstanceId: id,
  State: { Name: 'running' },
  Tags: selectedTags,
  ...extra,
});
export const database = (id: string, extra: Partial<DBInstance> = {}): DBInstance => ({
  DBInstanceIdentifier: id,
  DBInstanceArn: `arn:aws:rds:eu-west-1:123456789012:db:${id}`,
  DBInstanceStatus: 'available',
  TagList: selectedTags,
  ...extra,
});
export const ourEbsBackup = (
  id: string,
  sourceId: string,
  days: number,
  extra: Partial<Snapshot> = {},
): Snapshot => ({
  SnapshotId: id,
  State: 'completed',
  StartTime: daysAgo(days),
  Tags: ourTags(sourceId, dayOf(days)),
  ...extra,
});
export const ourDbBackup = (
  sourceId: string,
  days: number,
  extra: Partial<DBSnapshot> = {},
): DBSnapshot => ({
  DBSnapshotIdentifier: `nightshift-${sourceId}-${dayOf(days)}`,
  DBInstanceIdentifier: sourceId,
  SnapshotCreateTime: daysAgo(days),
  Status: 'available',
  TagList: ourTags(sourceId, dayOf(days)),
  ...extra,
});

export const setup = (env: Record<string, string> = {}) => {
  const observability = createObservability('backup-manager');
  const addMetric = vi.spyOn(observability.metrics, 'addMetric');
  const deps = {
    ec2: new EC2Client({}),
    rds: new RDSClient({}),
    sns: new SNSClient({}),
    ...observability,
    now: () => now,
  };
  return {
    deps,
    config: loadConfig({ SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:1:reports', ...env }),
    addMetric,
  };
};
export const givenInstances = (...instances: Instance[]) =>
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: instances }] });
export const byAction = (entries: { id: string; action: string }[], action: string) =>
  entries.filter((entry) => entry.action === action).map((entry) => entry.id);

/**
 * Our snapshots of i-1 today as the check after a create finds them (a listing by source),
 * those of the set being made (`this-set`) tagged with the set id the create sent; the
 * run's first listing sees `before`. The answer ignores the day filter, so the check must
 * look at the tags itself.
 */
export const givenSetsOfToday = (snapshots: Snapshot[], before: Snapshot[] = []) =>
  ec2Mock.on(DescribeSnapshotsCommand).callsFake(async (input) => {
    const bySource = input.Filters?.some(
      (filter: { Name?: string }) => filter.Name === 'tag:nightshift:source',
    );
    const [create] = ec2Mock.commandCalls(CreateSnapshotsCommand);
    const setId = create?.args[0].input.TagSpecifications?.[0]?.Tags?.find(
      (tag) => tag.Key === 'nightshift:set',
    )?.Value;
    const withSet = snapshots.map((snapshot) => ({
      ...snapshot,
      Tags: (snapshot.Tags ?? []).map((tag) =>
        tag.Value === 'this-set' ? { ...tag, Value: setId } : tag,
      ),
    }));
    return { Snapshots: bySource ? withSet : before };
  });
export const ofToday = (
  id: string,
  state: Snapshot['State'] = 'pending',
  set = 'this-set',
  startTime = now,
) => ourEbsBackup(id, 'i-1', 0, { State: state, Tags: inSetOfToday(set), StartTime: startTime });

/** The original backup script's `%Y%m%d-%H%M%S` stamp, `days` ago. */
export const stampOf = (days: number) =>
  daysAgo(days).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
/** An EBS snapshot the original backup script made of a volume of `instanceId`. */
export const legacyEbsBackup = (
  id: string,
  instanceId: string,
  days: number,
  { environment = 'production', ...extra }: Partial<Snapshot> & { environment?: string } = {},
): Snapshot => ({
  SnapshotId: id,
  State: 'completed',
  StartTime: daysAgo(days),
  Tags: tags({
    Name: `web-backup-${stampOf(days).slice(0, 8)}`,
    Environment: environment,
    InstanceId: instanceId,
    VolumeId: 'vol-1',
    AutomatedBackup: 'true',
    CreatedBy: 'lambda-backup-automation',
  }),
  ...extra,
});
/** A DB snapshot the original backup script made of `databaseId`, untagged as it left them. */
export const legacyDbBackup = (
  databaseId: string,
  days: number,
  extra: Partial<DBSnapshot> = {},
): DBSnapshot => ({
  DBSnapshotIdentifier: `${databaseId}-backup-${stampOf(days)}`,
  DBInstanceIdentifier: databaseId,
  SnapshotCreateTime: daysAgo(days),
  Status: 'available',
  ...extra,
});
/** The same snapshot as the RDS adapter hands it to the planner. */
export const legacyCandidate = (
  databaseId: string,
  days: number,
  extra: Partial<LegacyRdsSnapshot> = {},
): LegacyRdsSnapshot => ({
  id: `${databaseId}-backup-${stampOf(days)}`,
  sourceId: databaseId,
  createdAt: daysAgo(days),
  status: 'available',
  tags: [],
  ...extra,
});
export const ADOPTED_EXPIRY = 'made by the original backup script, older than 7 days';

/** Every mocked call answers as an empty account does; creates and deletes succeed. */
export const resetMocks = () => {
  ec2Mock.reset();
  rdsMock.reset();
  snsMock.reset();
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  ec2Mock.on(DescribeVolumesCommand).resolves({ Volumes: [] });
  ec2Mock.on(CreateSnapshotsCommand).callsFake(async (input) => ({
    Snapshots: [{ SnapshotId: `snap-of-${input.InstanceSpecification.InstanceId}` }],
  }));
  ec2Mock.on(DeleteSnapshotCommand).resolves({});
  rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
  rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
  rdsMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: [] });
  rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({ DBClusterSnapshots: [] });
  rdsMock.on(CreateDBSnapshotCommand).resolves({});
  rdsMock.on(CreateDBClusterSnapshotCommand).resolves({});
  rdsMock.on(DeleteDBSnapshotCommand).resolves({});
  rdsMock.on(DeleteDBClusterSnapshotCommand).resolves({});
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
};

/** The EBS snapshots deleted, in order. */
export const deletedSnapshots = () =>
  ec2Mock.commandCalls(DeleteSnapshotCommand).map((call) => call.args[0].input.SnapshotId);

/** The DB snapshots deleted, in order. */
export const deletedDbSnapshots = () =>
  rdsMock
    .commandCalls(DeleteDBSnapshotCommand)
    .map((call) => call.args[0].input.DBSnapshotIdentifier);

/** The names of the calls sent to EC2 and RDS, in order. */
export const sentCalls = () =>
  [...ec2Mock.calls(), ...rdsMock.calls()].map(
    (call) => (call.args[0] as { constructor: { name: string } }).constructor.name,
  );

/** What a run for production backs up: tagged Environment=production and Backup=true. */
export const selector: TargetSelector = {
  environmentKey: 'Environment',
  environment: 'production',
  backupKey: 'Backup',
  backupValue: 'true',
};

/** A finished EBS backup of `sourceId`, `days` old, as the listings read it. */
export const backupRecord = (
  id: string,
  sourceId: string,
  days: number,
  extra: Partial<BackupRecord> = {},
): BackupRecord => ({
  id,
  kind: 'ebs',
  sourceId,
  day: dayOf(days),
  set: `set-${dayOf(days)}`,
  createdAt: daysAgo(days),
  status: 'completed',
  finished: true,
  permanent: false,
  ...extra,
});
