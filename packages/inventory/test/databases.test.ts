import {
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { listDatabases } from '../src/databases.ts';

const rdsMock = mockClient(RDSClient);

describe('List databases', () => {
  beforeEach(() => rdsMock.reset());

  it('maps DB instances and clusters, members with their cluster, and leaves out records without an id or an ARN', async () => {
    // Prepare
    rdsMock
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({
        DBInstances: [
          {
            DBInstanceIdentifier: 'orders',
            DBInstanceArn: 'arn:orders',
            DBInstanceStatus: 'available',
            DBInstanceClass: 'db.t4g.micro',
            MultiAZ: true,
            Engine: 'postgres',
          },
        ],
        Marker: 'next',
      })
      .resolvesOnce({
        DBInstances: [
          {
            DBInstanceIdentifier: 'aurora-1',
            DBInstanceArn: 'arn:aurora-1',
            DBClusterIdentifier: 'aurora',
            TagList: [],
          },
          { DBInstanceStatus: 'available' },
          { DBInstanceIdentifier: 'no-arn', DBInstanceStatus: 'available' },
        ],
      });
    rdsMock.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        { DBClusterIdentifier: 'aurora', DBClusterArn: 'arn:aurora', Status: 'stopped' },
        { Status: 'available' },
        { DBClusterIdentifier: 'no-arn', Status: 'available' },
      ],
    });

    // Act
    const databases = await listDatabases(new RDSClient({}));

    // Assess
    expect(databases).toEqual([
      {
        kind: 'instance',
        id: 'orders',
        arn: 'arn:orders',
        status: 'available',
        tags: [],
        instanceClass: 'db.t4g.micro',
        multiAz: true,
        engine: 'postgres',
      },
      {
        kind: 'instance',
        id: 'aurora-1',
        arn: 'arn:aurora-1',
        status: 'unknown',
        tags: [],
        clusterId: 'aurora',
      },
      { kind: 'cluster', id: 'aurora', arn: 'arn:aurora', status: 'stopped', tags: [] },
    ]);
    expect(rdsMock.commandCalls(DescribeDBInstancesCommand)).toHaveLength(2);
  });

  it('reads pages without instances or clusters as empty', async () => {
    // Prepare
    rdsMock.on(DescribeDBInstancesCommand).resolves({});
    rdsMock.on(DescribeDBClustersCommand).resolves({});

    // Act & Assess
    expect(await listDatabases(new RDSClient({}))).toEqual([]);
  });
});
