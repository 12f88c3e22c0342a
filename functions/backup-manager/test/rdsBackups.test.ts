import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createRdsBackup,
  deleteRdsBackup,
  listRdsTargets,
  snapshotIdentifier,
} from '../src/rdsBackups.ts';
import {
  awsError,
  database,
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

describe('RDS snapshot identifiers', () => {
  it.each([
    ['orders', 'nightshift-orders-2026-11-28'],
    ['Orders_DB', 'nightshift-orders-db-2026-11-28'],
    ['--weird..name--', 'nightshift-weird-name-2026-11-28'],
    ['1st-db', 'nightshift-1st-db-2026-11-28'],
    ['', 'nightshift-db-2026-11-28'],
  ])('makes %j a valid identifier', (name, expected) => {
    expect(snapshotIdentifier(name, '2026-11-28')).toBe(expected);
  });

  const validIdentifier = /^[a-z](?!.*--)[a-z0-9-]{0,61}[a-z0-9]$/;

  it('keeps a name that fits whole, up to 63 characters in all', () => {
    // Act
    const id = snapshotIdentifier('d'.repeat(41), '2026-11-28');

    // Assess
    expect(id).toBe(`nightshift-${'d'.repeat(41)}-2026-11-28`);
    expect(id).toHaveLength(63);
  });

  it('shortens a 63-character DB identifier to a valid one, with a stable hash', () => {
    // Prepare: the longest DB identifier RDS allows, and one that differs only at its end.
    const longest = `orders-${'x'.repeat(55)}1`;
    const sibling = `orders-${'x'.repeat(55)}2`;

    // Act
    const id = snapshotIdentifier(longest, '2026-11-28');

    // Assess
    expect(longest).toHaveLength(63);
    expect(id.length).toBeLessThanOrEqual(63);
    expect(id).toMatch(validIdentifier);
    expect(id).toMatch(/^nightshift-orders-x+-[0-9a-f]{8}-2026-11-28$/);
    expect(snapshotIdentifier(longest, '2026-11-28')).toBe(id);
    expect(snapshotIdentifier(sibling, '2026-11-28')).not.toBe(id);
    expect(snapshotIdentifier(longest, '2026-11-29')).toBe(id.replace('2026-11-28', '2026-11-29'));
  });

  it('never ends the shortened name with a hyphen or doubles one', () => {
    // Act: the cut falls right after a hyphen.
    const id = snapshotIdentifier(`${'a'.repeat(31)}-${'b'.repeat(40)}`, '2026-11-28');

    // Assess
    expect(id.length).toBeLessThanOrEqual(63);
    expect(id).toMatch(validIdentifier);
    expect(id.endsWith('-2026-11-28')).toBe(true);
  });
});
