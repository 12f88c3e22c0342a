import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  paginateDescribeDBClusterSnapshots,
  paginateDescribeDBSnapshots,
  type RDSClient,
} from '@aws-sdk/client-rds';
import {
  BACKUP_DATE_KEY,
  isNightshiftBackup,
  isPermanent,
  type Tag,
  tagValue,
} from '@nightshift/conventions';
import { type Database, listDatabases } from '@nightshift/inventory';
import { wasRetried } from '@nightshift/runtime';
import { isLegacyRdsName } from './legacy.ts';
import type { LegacyRdsSnapshot, TargetSelector } from './records.ts';
import type { BackupRecord } from './retention.ts';
import { backupDay } from './tags.ts';

const PAGE_SIZE = 100;

/**
 * The DB instances and clusters tagged with the environment and the backup tag; their
 * tags come with the listing, so no call per database. `databases` names every DB
 * instance of the Region, tagged or not.
 *
 * @example
 * const { instances, clusters, databases } = await listRdsTargets(rds, selector);
 */
export const listRdsTargets = async (
  rds: RDSClient,
  selector: TargetSelector,
): Promise<{ instances: Database[]; clusters: Database[]; databases: Set<string> }> => {
  const all = await listDatabases(rds);
  const selected = (db: Database) =>
    tagValue(db.tags, selector.environmentKey) === selector.environment &&
    tagValue(db.tags, selector.backupKey) === selector.backupValue;
  const instances = all.filter((db) => db.kind === 'instance');
  return {
    instances: instances.filter(selected),
    clusters: all.filter((db) => db.kind === 'cluster' && selected(db)),
    databases: new Set(instances.map((db) => db.id)),
  };
};

/** A DB or DB cluster snapshot Nightshift made, as a backup of its database. */
const ownRecord = (
  kind: 'rds' | 'rds-cluster',
  {
    id,
    sourceId,
    createdAt,
    Status: status,
    TagList: tags,
  }: { id: string; sourceId: string; createdAt: Date; Status?: string; TagList?: Tag[] },
): BackupRecord => ({
  id,
  kind,
  sourceId,
  day: tagValue(tags, BACKUP_DATE_KEY) ?? backupDay(createdAt),
  set: id,
  createdAt,
  status: status ?? 'unknown',
  finished: status === 'available',
  permanent: isPermanent(tags),
});

/**
 * Every manual RDS snapshot Nightshift made for this environment (by its tags), and how
 * many manual DB snapshots and manual DB cluster snapshots the Region holds in all (each
 * has its own quota per Region). With `adoptLegacy`, also the manual DB snapshots named
 * like the original backup script's (`<database>-backup-<YYYYMMDD-HHMMSS>` for the
 * database each was made from), as they were read: which of them the run adopts depends
 * on the databases (`legacyRdsOwner`).
 *
 * @example
 * const { backups, legacyCandidates, manualSnapshots, manualClusterSnapshots } = await listRdsBackups(rds, { environmentKey: 'Environment', environment: 'production', adoptLegacy: true });
 */
export const listRdsBackups = async (
  rds: RDSClient,
  {
    environmentKey,
    environment,
    adoptLegacy,
  }: Pick<TargetSelector, 'environmentKey' | 'environment'> & { adoptLegacy: boolean },
): Promise<{
  backups: BackupRecord[];
  legacyCandidates: LegacyRdsSnapshot[];
  manualSnapshots: number;
  manualClusterSnapshots: number;
}> => {
  const backups: BackupRecord[] = [];
  const legacyCandidates: LegacyRdsSnapshot[] = [];
  let manualSnapshots = 0;
  let manualClusterSnapshots = 0;
  const ours = (tags: readonly Tag[] | undefined) =>
    isNightshiftBackup(tags) && tagValue(tags, environmentKey) === environment;

  const instancePages = paginateDescribeDBSnapshots(
    { client: rds, pageSize: PAGE_SIZE },
    { SnapshotType: 'manual' },
  );
  for await (const page of instancePages) {
    for (const snapshot of page.DBSnapshots ?? []) {
      manualSnapshots += 1;
      const {
        DBSnapshotIdentifier: id,
        DBInstanceIdentifier: sourceId,
        SnapshotCreateTime: createdAt,
      } = snapshot;
      if (
        adoptLegacy &&
        id &&
        sourceId &&
        createdAt &&
        !isNightshiftBackup(snapshot.TagList) &&
        isLegacyRdsName(id, sourceId)
      ) {
        legacyCandidates.push({
          id,
          sourceId,
          createdAt,
          status: snapshot.Status ?? 'unknown',
          tags: snapshot.TagList ?? [],
        });
      }
      if (!ours(snapshot.TagList) || !id || !sourceId || !createdAt) continue;
      backups.push(ownRecord('rds', { id, sourceId, createdAt, ...snapshot }));
    }
  }
  const clusterPages = paginateDescribeDBClusterSnapshots(
    { client: rds, pageSize: PAGE_SIZE },
    { SnapshotType: 'manual' },
  );
  for await (const page of clusterPages) {
    for (const snapshot of page.DBClusterSnapshots ?? []) {
      manualClusterSnapshots += 1;
      const {
        DBClusterSnapshotIdentifier: id,
        DBClusterIdentifier: sourceId,
        SnapshotCreateTime: createdAt,
      } = snapshot;
      if (!ours(snapshot.TagList) || !id || !sourceId || !createdAt) continue;
      backups.push(ownRecord('rds-cluster', { id, sourceId, createdAt, ...snapshot }));
    }
  }
  return { backups, legacyCandidates, manualSnapshots, manualClusterSnapshots };
};

const isNamed = (error: unknown, ...names: string[]) =>
  names.includes((error as { name?: string }).name ?? '');

/**
 * Snapshots a DB instance or an Aurora cluster under its identifier for the day, tags
 * included. One that already exists (a second delivery of the same day's event) is done.
 *
 * @example
 * await createRdsBackup(rds, { kind: 'rds', sourceId: 'orders', snapshotId, tags }); // 'created'
 */
export const createRdsBackup = async (
  rds: RDSClient,
  {
    kind,
    sourceId,
    snapshotId,
    tags,
  }: {
    kind: 'rds' | 'rds-cluster';
    sourceId: string;
    snapshotId: string;
    tags: { Key: string; Value: string }[];
  },
): Promise<'created' | 'exists'> => {
  try {
    if (kind === 'rds') {
      await rds.send(
        new CreateDBSnapshotCommand({
          DBInstanceIdentifier: sourceId,
          DBSnapshotIdentifier: snapshotId,
          Tags: tags,
        }),
      );
    } else {
      await rds.send(
        new CreateDBClusterSnapshotCommand({
          DBClusterIdentifier: sourceId,
          DBClusterSnapshotIdentifier: snapshotId,
          Tags: tags,
        }),
      );
    }
    return 'created';
  } catch (error) {
    if (isNamed(error, 'DBSnapshotAlreadyExistsFault', 'DBClusterSnapshotAlreadyExistsFault'))
      return 'exists';
    throw error;
  }
};

/**
 * Deletes an RDS snapshot Nightshift made or adopted; one already gone is not a failure, and one
 * a retried call found gone was most likely deleted by an earlier attempt.
 *
 * @example
 * await deleteRdsBackup(rds, { kind: 'rds', id: 'nightshift-orders-2026-11-01' }); // 'deleted'
 */
export const deleteRdsBackup = async (
  rds: RDSClient,
  { kind, id }: { kind: 'rds' | 'rds-cluster'; id: string },
): Promise<'deleted' | 'already-gone' | 'gone-after-retry'> => {
  try {
    if (kind === 'rds') await rds.send(new DeleteDBSnapshotCommand({ DBSnapshotIdentifier: id }));
    else await rds.send(new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: id }));
    return 'deleted';
  } catch (error) {
    if (isNamed(error, 'DBSnapshotNotFoundFault', 'DBClusterSnapshotNotFoundFault')) {
      return wasRetried(error) ? 'gone-after-retry' : 'already-gone';
    }
    throw error;
  }
};
