import {
  AddTagsToResourceCommand,
  type DBCluster,
  type DBInstance,
  paginateDescribeDBClusters,
  paginateDescribeDBInstances,
  type RDSClient,
  RemoveTagsFromResourceCommand,
  StartDBClusterCommand,
  StartDBInstanceCommand,
  StopDBClusterCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { SCALED_DOWN_KEY } from './marks.ts';

/** A DB instance or cluster, as far as stopping and starting goes. */
export interface Database {
  kind: 'instance' | 'cluster';
  id: string;
  arn: string;
  status: string;
  tags: { Key?: string; Value?: string }[];
  /** For an instance that belongs to a cluster: the cluster. */
  clusterId?: string;
}

const fromInstance = (db: DBInstance): Database => ({
  kind: 'instance',
  id: db.DBInstanceIdentifier ?? '',
  arn: db.DBInstanceArn ?? '',
  status: db.DBInstanceStatus ?? 'unknown',
  tags: db.TagList ?? [],
  ...(db.DBClusterIdentifier ? { clusterId: db.DBClusterIdentifier } : {}),
});
const fromCluster = (cluster: DBCluster): Database => ({
  kind: 'cluster',
  id: cluster.DBClusterIdentifier ?? '',
  arn: cluster.DBClusterArn ?? '',
  status: cluster.Status ?? 'unknown',
  tags: cluster.TagList ?? [],
});

/**
 * Every DB instance and cluster, all pages, with their tags (no call per database).
 *
 * @example
 * const databases = await listDatabases(rds);
 */
export const listDatabases = async (rds: RDSClient): Promise<Database[]> => {
  const databases: Database[] = [];
  for await (const page of paginateDescribeDBInstances({ client: rds, pageSize: 100 }, {})) {
    databases.push(...(page.DBInstances ?? []).map(fromInstance));
  }
  for await (const page of paginateDescribeDBClusters({ client: rds, pageSize: 100 }, {})) {
    databases.push(...(page.DBClusters ?? []).map(fromCluster));
  }
  return databases;
};

/**
 * Marks a database as stopped by scale_down, then stops it; a failed stop has its mark
 * taken back.
 *
 * @example
 * await stopDatabase(rds, database, new Date());
 */
export const stopDatabase = async (rds: RDSClient, db: Database, now: Date): Promise<void> => {
  await rds.send(
    new AddTagsToResourceCommand({
      ResourceName: db.arn,
      Tags: [{ Key: SCALED_DOWN_KEY, Value: now.toISOString() }],
    }),
  );
  try {
    if (db.kind === 'instance')
      await rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: db.id }));
    else await rds.send(new StopDBClusterCommand({ DBClusterIdentifier: db.id }));
  } catch (error) {
    await unmarkDatabase(rds, db).catch(() => undefined);
    throw error;
  }
};

/**
 * Starts a database that scale_down stopped (unless it is already up), then removes the mark.
 *
 * @example
 * await startDatabase(rds, database);
 */
export const startDatabase = async (rds: RDSClient, db: Database): Promise<void> => {
  if (db.status === 'stopped') {
    if (db.kind === 'instance')
      await rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: db.id }));
    else await rds.send(new StartDBClusterCommand({ DBClusterIdentifier: db.id }));
  }
  await unmarkDatabase(rds, db);
};

const unmarkDatabase = (rds: RDSClient, db: Database) =>
  rds.send(new RemoveTagsFromResourceCommand({ ResourceName: db.arn, TagKeys: [SCALED_DOWN_KEY] }));
