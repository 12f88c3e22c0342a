import {
  AddTagsToResourceCommand,
  type DBCluster,
  type DBInstance,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
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

/** The database's status now, read again. */
const currentStatus = async (rds: RDSClient, db: Database): Promise<string | undefined> => {
  if (db.kind === 'instance') {
    const { DBInstances = [] } = await rds.send(
      new DescribeDBInstancesCommand({ DBInstanceIdentifier: db.id }),
    );
    return DBInstances[0]?.DBInstanceStatus;
  }
  const { DBClusters = [] } = await rds.send(
    new DescribeDBClustersCommand({ DBClusterIdentifier: db.id }),
  );
  return DBClusters[0]?.Status;
};

const isStateFault = (error: unknown) =>
  ['InvalidDBInstanceStateFault', 'InvalidDBClusterStateFault'].includes(
    (error as { name?: string }).name ?? '',
  );

/**
 * Runs a stop or start; when RDS refuses it because the database is already on its way
 * (a retried call whose first attempt took effect and whose answer was lost), that counts
 * as done.
 */
const changeState = async (
  rds: RDSClient,
  db: Database,
  change: () => Promise<unknown>,
  reached: readonly string[],
): Promise<void> => {
  try {
    await change();
  } catch (error) {
    if (!isStateFault(error)) throw error;
    const status = await currentStatus(rds, db).catch(() => undefined);
    if (status === undefined || !reached.includes(status)) throw error;
  }
};

/**
 * Marks a database as stopped by scale_down, then stops it; a failed stop has its mark
 * taken back. A database already stopping or stopped by then counts as stopped.
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
    await changeState(
      rds,
      db,
      () =>
        db.kind === 'instance'
          ? rds.send(new StopDBInstanceCommand({ DBInstanceIdentifier: db.id }))
          : rds.send(new StopDBClusterCommand({ DBClusterIdentifier: db.id })),
      ['stopping', 'stopped'],
    );
  } catch (error) {
    await unmarkDatabase(rds, db).catch(() => undefined);
    throw error;
  }
};

/**
 * Starts a database that scale_down stopped (unless it is already up), then removes the
 * mark. A database already starting or available by then counts as started.
 *
 * @example
 * await startDatabase(rds, database);
 */
export const startDatabase = async (rds: RDSClient, db: Database): Promise<void> => {
  if (db.status === 'stopped') {
    await changeState(
      rds,
      db,
      () =>
        db.kind === 'instance'
          ? rds.send(new StartDBInstanceCommand({ DBInstanceIdentifier: db.id }))
          : rds.send(new StartDBClusterCommand({ DBClusterIdentifier: db.id })),
      ['starting', 'available'],
    );
  }
  await unmarkDatabase(rds, db);
};

const unmarkDatabase = async (rds: RDSClient, db: Database): Promise<void> => {
  await rds.send(
    new RemoveTagsFromResourceCommand({ ResourceName: db.arn, TagKeys: [SCALED_DOWN_KEY] }),
  );
};
