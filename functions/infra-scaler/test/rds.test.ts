import {
  DescribeDBClustersCommand,
  RDSClient,
  RemoveTagsFromResourceCommand,
  StartDBClusterCommand,
  StopDBClusterCommand,
} from '@aws-sdk/client-rds';
import type { Database } from '@nightshift/inventory';
import { describe, expect, it } from 'vitest';
import { startDatabase, stopDatabase } from '../src/rds.ts';
import { awsError, now, rdsMock } from './fixtures.ts';

const rds = new RDSClient({});
const cluster = (status: string): Database => ({
  kind: 'cluster',
  id: 'aurora',
  arn: 'arn:aurora',
  status,
  tags: [],
});

describe('stopDatabase and startDatabase of a cluster', () => {
  it('keeps the mark of a cluster whose stop failed when the read answers for another cluster', async () => {
    // Prepare
    rdsMock.on(StopDBClusterCommand).rejects(awsError('InternalFailure', 'try again'));
    rdsMock.on(DescribeDBClustersCommand).resolves({
      DBClusters: [{ DBClusterIdentifier: 'other', Status: 'stopped' }],
    });

    // Act
    const error = await stopDatabase(rds, cluster('available'), now).catch((e: Error) => e);

    // Assess
    expect(error).toMatchObject({
      name: 'InternalFailure',
      message: 'try again; its status could not be read again, so it keeps its mark',
    });
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
  });

  it('keeps the mark of a cluster whose start answered no cluster and that cannot be read', async () => {
    // Prepare
    rdsMock.on(StartDBClusterCommand).resolves({});
    rdsMock.on(DescribeDBClustersCommand).rejects(awsError('ThrottlingException'));

    // Act
    const outcome = await startDatabase(rds, cluster('stopped'));

    // Assess
    expect(outcome).toEqual({
      unmarked: false,
      reason:
        'its status could not be read again, so it keeps its mark until a scale_up finds it available',
    });
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
  });

  it('unmarks a cluster its start answered as starting', async () => {
    // Prepare
    rdsMock.on(StartDBClusterCommand).resolves({ DBCluster: { Status: 'starting' } });

    // Act
    const outcome = await startDatabase(rds, cluster('stopped'));

    // Assess
    expect(outcome).toEqual({ unmarked: true, status: 'starting' });
    expect(rdsMock).not.toHaveReceivedCommand(DescribeDBClustersCommand);
    expect(rdsMock).toHaveReceivedCommandWith(RemoveTagsFromResourceCommand, {
      ResourceName: 'arn:aurora',
    });
  });
});
