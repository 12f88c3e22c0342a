import {
  type BackupClient,
  type ProtectedResource as ProtectedResourceSummary,
  paginateListProtectedResources,
} from '@aws-sdk/client-backup';
import { type EC2Client, paginateDescribeSnapshots } from '@aws-sdk/client-ec2';
import {
  paginateDescribeDBClusterSnapshots,
  paginateDescribeDBSnapshots,
  type RDSClient,
} from '@aws-sdk/client-rds';
import {
  BACKUP_TAG,
  INSTANCE_ID_KEY,
  NAME_KEY,
  SET_KEY,
  SOURCE_KEY,
  tagValue,
} from '@nightshift/conventions';
import { type Database, listDatabases, listInstances } from '@nightshift/inventory';
import { asError, HOUR_MS } from '@nightshift/runtime';
import type { Coverage } from './model.ts';

/** Where a backup is, as the report names it. */
export const SOURCE = {
  ebs: 'EBS snapshots',
  rds: 'RDS snapshot',
  cluster: 'RDS cluster snapshot',
  awsBackup: 'AWS Backup',
} as const;

/** `BACKUP_INTERVAL_HOURS` when not set: backup-manager runs once a day. */
export const DEFAULT_BACKUP_INTERVAL_HOURS = 24;
/** How late a backup may be past its interval before it counts as missing. */
export const GRACE_HOURS = 2;

/** A resource tagged for backup (`Backup=true`). */
export interface ProtectedResource {
  account: string;
  region: string;
  kind: Coverage['kind'];
  id: string;
  /** Its ARN, as AWS Backup names it. */
  arn: string;
  name?: string;
}

/** A completed backup of a resource. */
export interface BackupSeen {
  kind: Coverage['kind'];
  id: string;
  /** ISO time the backup was taken. */
  at: string;
  source: string;
}

/** What `readCoverage` read: the resources, their completed backups, and what it could not read. */
export interface CoverageReading {
  resources: ProtectedResource[];
  backups: BackupSeen[];
  notes: string[];
}

/** The instance states that can still be backed up (every state but terminated). */
const INSTANCE_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'] as const;
const EC2_PAGE_SIZE = 1000;
const RDS_PAGE_SIZE = 100;

const NOTE_ERROR_CHARS = 160;

/** An error in a few words for a note: its name and the first line of its message, cut short. */
const briefly = (error: unknown): string => {
  const { name, message } = asError(error);
  const end = message.indexOf('\n');
  const line = (end === -1 ? message : message.slice(0, end)).trim();
  const text = line ? `${name}: ${line}` : name;
  return text.length > NOTE_ERROR_CHARS ? `${text.slice(0, NOTE_ERROR_CHARS - 1)}…` : text;
};
const keyOf = (kind: string, id: string) => `${kind}#${id}`;

/** Every EC2 instance and RDS database or cluster tagged for backup, with their ARNs. */
const readResources = async (
  { ec2, rds }: { ec2: EC2Client; rds: RDSClient },
  { account, region, partition, tag }: Required<CoverageTarget>,
): Promise<ProtectedResource[]> => {
  const [instances, databases] = await Promise.all([
    listInstances(ec2, { tags: { [tag.Key]: tag.Value }, states: INSTANCE_STATES }),
    listDatabases(rds),
  ]);
  const tagged = (tags: Parameters<typeof tagValue>[0]) => tagValue(tags, tag.Key) === tag.Value;
  const resources: ProtectedResource[] = [];
  for (const instance of instances) {
    // The filter already says so; checked again, as the tag is the opt-in.
    if (!tagged(instance.tags)) continue;
    const name = tagValue(instance.tags, NAME_KEY);
    resources.push({
      account,
      region,
      kind: 'instance',
      id: instance.id,
      arn: `arn:${partition}:ec2:${region}:${account}:instance/${instance.id}`,
      ...(name ? { name } : {}),
    });
  }
  const clusters = new Map<string, Database>();
  for (const db of databases) if (db.kind === 'cluster') clusters.set(db.id, db);
  // A cluster member is backed up with its cluster: a tagged member stands for its cluster.
  const clustersToAssess = new Set<Database>();
  for (const db of databases) {
    if (!tagged(db.tags)) continue;
    const cluster = db.kind === 'cluster' ? db : clusters.get(db.clusterId ?? '');
    if (cluster) clustersToAssess.add(cluster);
    else resources.push({ account, region, kind: 'db-instance', id: db.id, arn: db.arn });
  }
  for (const { id, arn } of clustersToAssess)
    resources.push({ account, region, kind: 'db-cluster', id, arn });
  return resources;
};

/**
 * The completed EBS snapshots that name their instance (`nightshift:source` or
 * `InstanceId`), all pages. A snapshot of a set (`nightshift:set`) counts only when every
 * snapshot of its set is completed: a set with a volume still pending or failed is no
 * backup of the instance yet.
 */
const readEbsBackups = async (ec2: EC2Client): Promise<BackupSeen[]> => {
  const completed: { id: string; at: string; set: string | undefined }[] = [];
  const unfinishedSets = new Set<string | undefined>();
  const pages = paginateDescribeSnapshots(
    { client: ec2, pageSize: EC2_PAGE_SIZE },
    { OwnerIds: ['self'], Filters: [{ Name: 'tag-key', Values: [SOURCE_KEY, INSTANCE_ID_KEY] }] },
  );
  for await (const page of pages) {
    for (const snapshot of page.Snapshots ?? []) {
      const id = tagValue(snapshot.Tags, SOURCE_KEY) ?? tagValue(snapshot.Tags, INSTANCE_ID_KEY);
      const set = tagValue(snapshot.Tags, SET_KEY);
      if (snapshot.State !== 'completed') {
        unfinishedSets.add(set);
        continue;
      }
      if (id && snapshot.StartTime)
        completed.push({ id, at: snapshot.StartTime.toISOString(), set });
    }
  }
  return completed
    .filter(({ set }) => set === undefined || !unfinishedSets.has(set))
    .map(({ id, at }) => ({ kind: 'instance', id, at, source: SOURCE.ebs }));
};

/** The available DB snapshots (manual and automated) and DB cluster snapshots, all pages. */
const readRdsBackups = async (rds: RDSClient): Promise<BackupSeen[]> => {
  const backups: BackupSeen[] = [];
  for await (const page of paginateDescribeDBSnapshots(
    { client: rds, pageSize: RDS_PAGE_SIZE },
    {},
  )) {
    for (const snapshot of page.DBSnapshots ?? [])
      if (
        snapshot.Status === 'available' &&
        snapshot.DBInstanceIdentifier &&
        snapshot.SnapshotCreateTime
      )
        backups.push({
          kind: 'db-instance',
          id: snapshot.DBInstanceIdentifier,
          at: snapshot.SnapshotCreateTime.toISOString(),
          source: SOURCE.rds,
        });
  }
  for await (const page of paginateDescribeDBClusterSnapshots(
    { client: rds, pageSize: RDS_PAGE_SIZE },
    {},
  )) {
    for (const snapshot of page.DBClusterSnapshots ?? [])
      if (
        snapshot.Status === 'available' &&
        snapshot.DBClusterIdentifier &&
        snapshot.SnapshotCreateTime
      )
        backups.push({
          kind: 'db-cluster',
          id: snapshot.DBClusterIdentifier,
          at: snapshot.SnapshotCreateTime.toISOString(),
          source: SOURCE.cluster,
        });
  }
  return backups;
};

/** AWS Backup's protected resources, all pages: each ARN and its `LastBackupTime`. */
const readAwsBackup = async (backup: BackupClient): Promise<ProtectedResourceSummary[]> => {
  const results: ProtectedResourceSummary[] = [];
  for await (const page of paginateListProtectedResources({ client: backup }, {}))
    results.push(...(page.Results ?? []));
  return results;
};

/** The account and Region read, and the tag that opts a resource into backups. */
export interface CoverageTarget {
  account: string;
  region: string;
  /** `aws` unless said (`aws-cn`, `aws-us-gov`): builds the EC2 instance ARNs. */
  partition?: string;
  /** `Backup=true` unless said. */
  tag?: { Key: string; Value: string };
}

/**
 * Every resource of the account and Region tagged for backup, and every completed backup
 * there: EBS snapshots naming their instance, available DB and DB cluster snapshots, and
 * AWS Backup's last backup of each protected resource. A fixed number of paginated
 * listings, never a call per resource. When AWS Backup cannot be read (not in use, not
 * allowed, not offered), the rest is still read and a note says so; any other failure
 * is thrown.
 *
 * @example
 * const { resources, backups, notes } = await readCoverage({ ec2, rds, backup }, { account: '123456789012', region: 'eu-west-1' });
 */
export const readCoverage = async (
  { ec2, rds, backup }: { ec2: EC2Client; rds: RDSClient; backup: BackupClient },
  { account, region, partition = 'aws', tag = BACKUP_TAG }: CoverageTarget,
): Promise<CoverageReading> => {
  const notes: string[] = [];
  const [resources, ebs, snapshots, awsBackup] = await Promise.all([
    readResources({ ec2, rds }, { account, region, partition, tag }),
    readEbsBackups(ec2),
    readRdsBackups(rds),
    readAwsBackup(backup).catch((error: unknown) => {
      notes.push(
        `AWS Backup could not be read in ${account} ${region} (${briefly(error)}): coverage counts EBS and RDS snapshots only`,
      );
      return [];
    }),
  ]);
  const byArn = new Map(resources.map((resource) => [resource.arn, resource]));
  const fromAwsBackup: BackupSeen[] = awsBackup.flatMap(({ ResourceArn, LastBackupTime }) => {
    const resource = byArn.get(ResourceArn ?? '');
    return resource && LastBackupTime
      ? [
          {
            kind: resource.kind,
            id: resource.id,
            at: LastBackupTime.toISOString(),
            source: SOURCE.awsBackup,
          },
        ]
      : [];
  });
  return { resources, backups: [...ebs, ...snapshots, ...fromAwsBackup], notes };
};

/**
 * Each resource with its newest completed backup and that backup's age; missing when it
 * has none, or the newest is older than `intervalHours` + 2 hours. Of two backups as new,
 * the one listed first is named (snapshots come before AWS Backup).
 *
 * @example
 * assessCoverage(resources, backups, { now: new Date(), intervalHours: 24 });
 * // [{ kind: 'instance', id: 'i-0abc', newestBackupAt: '…', source: 'EBS snapshots', ageHours: 3.5, missing: false, … }]
 */
export const assessCoverage = (
  resources: readonly ProtectedResource[],
  backups: readonly BackupSeen[],
  { now, intervalHours }: { now: Date; intervalHours: number },
): Coverage[] => {
  const newest = new Map<string, BackupSeen>();
  for (const backup of backups) {
    const key = keyOf(backup.kind, backup.id);
    const seen = newest.get(key);
    if (!seen || Date.parse(backup.at) > Date.parse(seen.at)) newest.set(key, backup);
  }
  return resources.map(({ account, region, kind, id, name }) => {
    const base = { account, region, kind, id, ...(name ? { name } : {}) };
    const backup = newest.get(keyOf(kind, id));
    if (!backup) return { ...base, missing: true };
    const ageHours = (now.getTime() - Date.parse(backup.at)) / HOUR_MS;
    return {
      ...base,
      newestBackupAt: backup.at,
      source: backup.source,
      ageHours,
      missing: ageHours > intervalHours + GRACE_HOURS,
    };
  });
};
