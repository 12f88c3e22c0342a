import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createRdsBackup,
  deleteRdsBackup,
  listRdsBackups,
  listRdsTargets,
} from '../src/rdsBackups.ts';
import {
  awsError,
  database,
  dayOf,
  legacyCandidate,
  legacyDbBackup,
  ourDbBackup,
  rdsMock,
  resetMocks,
  selectedTags,
  selector,
  tags,
} from './fixtures.ts';

const rds = new RDSClient({});

describe('RDS targets', () => {
  beforeEach(resetMocks);

  it('are the DB instances and clusters tagged with the environment and the backup tag, exactly; every DB instance is named', async () => {
    // Prepare
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        database('orders'),
        database('orders-staging', { TagList: tags({ Environment: 'staging', Backup: 'true' }) }),
        database('untagged', { TagList: [] }),
        database('aurora-1', { DBClusterIdentifier: 'billing' }),
      ],
    });
    rdsMock.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        {
          DBClusterIdentifier: 'billing',
          DBClusterArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:billing',
          Status: 'available',
          TagList: selectedTags,
        },
        {
          DBClusterIdentifier: 'analytics',
          Status: 'available',
          TagList: tags({ Environment: 'production' }),
        },
      ],
    });

    // Act
    const { instances, clusters, databases } = await listRdsTargets(rds, selector);

    // Assess
    expect(instances.map((db) => [db.id, db.clusterId])).toEqual([
      ['orders', undefined],
      ['aurora-1', 'billing'],
    ]);
    expect(clusters.map((cluster) => cluster.id)).toEqual(['billing']);
    expect([...databases]).toEqual(['orders', 'orders-staging', 'untagged', 'aurora-1']);
  });
});

describe('RDS backups', () => {
  beforeEach(resetMocks);

  it('creates a DB snapshot, or a cluster snapshot, under the day identifier with the tags given', async () => {
    // Act
    const made = await createRdsBackup(rds, {
      kind: 'rds',
      sourceId: 'orders',
      snapshotId: 'nightshift-orders-2026-11-28',
      tags: selectedTags,
    });
    const clusterMade = await createRdsBackup(rds, {
      kind: 'rds-cluster',
      sourceId: 'billing',
      snapshotId: 'nightshift-billing-2026-11-28',
      tags: selectedTags,
    });

    // Assess
    expect([made, clusterMade]).toEqual(['created', 'created']);
    expect(rdsMock).toHaveReceivedCommandWith(CreateDBSnapshotCommand, {
      DBInstanceIdentifier: 'orders',
      DBSnapshotIdentifier: 'nightshift-orders-2026-11-28',
      Tags: selectedTags,
    });
    expect(rdsMock).toHaveReceivedCommandWith(CreateDBClusterSnapshotCommand, {
      DBClusterIdentifier: 'billing',
      DBClusterSnapshotIdentifier: 'nightshift-billing-2026-11-28',
      Tags: selectedTags,
    });
  });

  it('counts a snapshot that exists already as made, and throws any other error', async () => {
    // Prepare
    rdsMock
      .on(CreateDBClusterSnapshotCommand)
      .rejects(awsError('DBClusterSnapshotAlreadyExistsFault'));
    rdsMock.on(CreateDBSnapshotCommand).rejects(awsError('SnapshotQuotaExceeded', 'quota'));
    const backup = { sourceId: 'x', snapshotId: 'nightshift-x-2026-11-28', tags: [] };

    // Act & Assess
    await expect(createRdsBackup(rds, { kind: 'rds-cluster', ...backup })).resolves.toBe('exists');
    await expect(createRdsBackup(rds, { kind: 'rds', ...backup })).rejects.toThrow('quota');
  });

  it('deletes a snapshot; one already gone is not a failure, one a retried call found gone was most likely deleted', async () => {
    // Prepare
    rdsMock
      .on(DeleteDBSnapshotCommand, { DBSnapshotIdentifier: 'gone' })
      .rejects(awsError('DBSnapshotNotFoundFault'))
      .on(DeleteDBSnapshotCommand, { DBSnapshotIdentifier: 'lost-answer' })
      .rejects(Object.assign(awsError('DBSnapshotNotFoundFault'), { $metadata: { attempts: 2 } }));
    rdsMock.on(DeleteDBClusterSnapshotCommand).rejects(awsError('AccessDenied', 'denied'));

    // Act & Assess
    await expect(deleteRdsBackup(rds, { kind: 'rds', id: 'old' })).resolves.toBe('deleted');
    await expect(deleteRdsBackup(rds, { kind: 'rds', id: 'gone' })).resolves.toBe('already-gone');
    await expect(deleteRdsBackup(rds, { kind: 'rds', id: 'lost-answer' })).resolves.toBe(
      'gone-after-retry',
    );
    await expect(deleteRdsBackup(rds, { kind: 'rds-cluster', id: 'c' })).rejects.toThrow('denied');
  });
});

describe('Legacy RDS candidates', () => {
  beforeEach(resetMocks);

  it('are the DB snapshots named like the original script’s, as the planner reads them', async () => {
    // Prepare
    const copied = tags({ Environment: 'production', Backup: 'true' });
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        legacyDbBackup('orders', 20),
        legacyDbBackup('billing', 21, { Status: undefined, TagList: copied }),
        // Nightshift's own, and a name that is not the original's: not candidates.
        ourDbBackup('orders', 1),
        { ...legacyDbBackup('orders', 22), DBSnapshotIdentifier: 'orders-backup-x' },
        // Without what the planner needs: an identifier, a database, a creation time.
        { ...legacyDbBackup('orders', 23), DBSnapshotIdentifier: undefined },
        { ...legacyDbBackup('orders', 24), DBInstanceIdentifier: undefined },
        { ...legacyDbBackup('orders', 25), SnapshotCreateTime: undefined },
      ],
    });

    // Act
    const adopting = await listRdsBackups(rds, { ...selector, adoptLegacy: true });
    const leaving = await listRdsBackups(rds, { ...selector, adoptLegacy: false });

    // Assess
    expect(adopting.legacyCandidates).toEqual([
      legacyCandidate('orders', 20),
      legacyCandidate('billing', 21, { status: 'unknown', tags: copied }),
    ]);
    expect(adopting.backups.map((backup) => backup.id)).toEqual([`nightshift-orders-${dayOf(1)}`]);
    expect(adopting.manualSnapshots).toBe(7);
    expect(leaving.legacyCandidates).toEqual([]);
  });
});
