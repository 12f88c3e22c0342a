import {
  type DBCluster,
  type DBInstance,
  paginateDescribeDBClusters,
  paginateDescribeDBInstances,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { Tag } from '@nightshift/conventions';

/** A DB instance or an Aurora cluster as Nightshift sees it. */
export interface Database {
  kind: 'instance' | 'cluster';
  /** The DB instance or cluster identifier; never empty. */
  id: string;
  arn: string;
  /** `available`, `stopped`, `backing-up`, … (`unknown` when RDS did not say). */
  status: string;
  tags: Tag[];
  /** For an instance that belongs to a cluster: the cluster. */
  clusterId?: string;
  /** The instance class (`db.t4g.micro`) of a DB instance. */
  instanceClass?: string;
  multiAz?: boolean;
  engine?: string;
}

const fromInstance = (
  db: DBInstance & { DBInstanceIdentifier: string; DBInstanceArn: string },
): Database => ({
  kind: 'instance',
  id: db.DBInstanceIdentifier,
  arn: db.DBInstanceArn,
  status: db.DBInstanceStatus ?? 'unknown',
  tags: db.TagList ?? [],
  ...(db.DBClusterIdentifier ? { clusterId: db.DBClusterIdentifier } : {}),
  ...(db.DBInstanceClass ? { instanceClass: db.DBInstanceClass } : {}),
  ...(db.MultiAZ !== undefined ? { multiAz: db.MultiAZ } : {}),
  ...(db.Engine ? { engine: db.Engine } : {}),
});

const fromCluster = (
  cluster: DBCluster & { DBClusterIdentifier: string; DBClusterArn: string },
): Database => ({
  kind: 'cluster',
  id: cluster.DBClusterIdentifier,
  arn: cluster.DBClusterArn,
  status: cluster.Status ?? 'unknown',
  tags: cluster.TagList ?? [],
  ...(cluster.MultiAZ !== undefined ? { multiAz: cluster.MultiAZ } : {}),
  ...(cluster.Engine ? { engine: cluster.Engine } : {}),
});

/**
 * Every DB instance and cluster of the Region, all pages, with their tags (no call per
 * database); records without an identifier or an ARN are left out, so neither can reach a
 * stop, a start or a tag write empty.
 *
 * @example
 * const databases = await listDatabases(rds);
 */
export const listDatabases = async (rds: RDSClient): Promise<Database[]> => {
  const databases: Database[] = [];
  for await (const page of paginateDescribeDBInstances({ client: rds, pageSize: 100 }, {})) {
    for (const db of page.DBInstances ?? [])
      if (db.DBInstanceIdentifier && db.DBInstanceArn)
        databases.push(
          fromInstance({
            ...db,
            DBInstanceIdentifier: db.DBInstanceIdentifier,
            DBInstanceArn: db.DBInstanceArn,
          }),
        );
  }
  for await (const page of paginateDescribeDBClusters({ client: rds, pageSize: 100 }, {})) {
    for (const cluster of page.DBClusters ?? [])
      if (cluster.DBClusterIdentifier && cluster.DBClusterArn)
        databases.push(
          fromCluster({
            ...cluster,
            DBClusterIdentifier: cluster.DBClusterIdentifier,
            DBClusterArn: cluster.DBClusterArn,
          }),
        );
  }
  return databases;
};
