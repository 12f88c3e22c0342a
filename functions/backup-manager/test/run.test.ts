import {
  CreateSnapshotsCommand,
  DeleteSnapshotCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  DescribeDBSnapshotsCommand,
} from '@aws-sdk/client-rds';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BackupEvent } from '../src/event.ts';
import { run } from '../src/run.ts';
import {
  ADOPTED_EXPIRY,
  awsError,
  byAction,
  database,
  dayOf,
  daysAgo,
  deletedDbSnapshots,
  deletedSnapshots,
  ec2Mock,
  givenInstances,
  inSetOfToday,
  instance,
  legacyDbBackup,
  legacyEbsBackup,
  now,
  ourDbBackup,
  ourEbsBackup,
  ourTags,
  plenty,
  production,
  rdsMock,
  resetMocks,
  selectedTags,
  sentCalls,
  setup,
  stampOf,
  tags,
  today,
} from './fixtures.ts';

describe('Backup run', () => {
  beforeEach(resetMocks);

  it('selects instances by tag and state on every page, and snapshots each one as a tagged set', async () => {
    // Prepare
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [
          {
            Instances: [
              instance('i-1', { Tags: [...selectedTags, { Key: 'Name', Value: 'web' }] }),
            ],
          },
        ],
        NextToken: 'p2',
      })
      .resolvesOnce({
        Reservations: [{ Instances: [instance('i-2', { State: { Name: 'stopped' } })] }],
      });
    const { deps, config } = setup();

    // Act
    const report = await run(
      deps,
      config,
      { backup_type: 'ec2', environment: 'production' },
      plenty,
    );

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 2);
    const filters = [
      { Name: 'tag:Environment', Values: ['production'] },
      { Name: 'tag:Backup', Values: ['true'] },
      { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
    ];
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeInstancesCommand, 1, {
      Filters: filters,
    });
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeInstancesCommand, 2, {
      Filters: filters,
      NextToken: 'p2',
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSnapshotsCommand, {
      InstanceSpecification: { InstanceId: 'i-1', ExcludeBootVolume: false },
      CopyTagsFromSource: 'volume',
      TagSpecifications: [
        {
          ResourceType: 'snapshot',
          Tags: [
            { Key: 'Name', Value: `nightshift-web-${today}` },
            { Key: 'Environment', Value: 'production' },
            { Key: 'InstanceId', Value: 'i-1' },
            { Key: 'AutomatedBackup', Value: 'true' },
            { Key: 'CreatedBy', Value: 'nightshift' },
            { Key: 'nightshift:backup-date', Value: today },
            { Key: 'nightshift:source', Value: 'i-1' },
            { Key: 'nightshift:set', Value: expect.stringMatching(/^[0-9a-f-]{36}$/) },
          ],
        },
      ],
    });
    expect(report.done).toEqual([
      { id: 'i-1', action: 'back up', reason: 'created snap-of-i-1' },
      { id: 'i-2', action: 'back up', reason: 'created snap-of-i-2' },
    ]);
    expect(rdsMock.calls()).toHaveLength(0); // backup_type ec2 reads no database
  });

  it('creates nothing for an instance already backed up today', async () => {
    // Prepare
    givenInstances(instance('i-1'), instance('i-2'));
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolves({ Snapshots: [ourEbsBackup('snap-today', 'i-1', 0)] });
    const { deps, config, addMetric } = setup();

    // Act
    const report = await run(deps, config, production, plenty);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSnapshotsCommand, {
      InstanceSpecification: { InstanceId: 'i-2', ExcludeBootVolume: false },
    });
    expect(report.skipped).toEqual([
      { id: 'i-1', action: 'back up', reason: `already backed up on ${today} (snap-today)` },
    ]);
    expect(addMetric).toHaveBeenCalledWith('BackupsCreated', 'Count', 1);
    expect(addMetric).toHaveBeenCalledWith('BackupsSkipped', 'Count', 1);
  });

  describe('when two deliveries of the event run at the same moment', () => {
    const second = new Date(now.getTime() + 1_000);
    const first = new Date(now.getTime() - 1_000);
    beforeEach(() => {
      givenInstances(instance('i-1'));
      ec2Mock.on(CreateSnapshotsCommand).resolves({
        Snapshots: [
          { SnapshotId: 'snap-own-a', StartTime: now },
          { SnapshotId: 'snap-own-b', StartTime: now },
        ],
      });
    });

    it('deletes the extra sets of the day a run finds at its start, keeping the one that started first', async () => {
      // Prepare: two whole sets of today from runs whose clean-up did not finish.
      const kept = ourEbsBackup('snap-first', 'i-1', 0, {
        StartTime: first,
        Tags: inSetOfToday('set-b'),
      });
      const extra = ourEbsBackup('snap-second', 'i-1', 0, {
        StartTime: second,
        Tags: inSetOfToday('set-a'),
      });
      ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [extra, kept] });
      const { deps, config } = setup();

      // Act
      const dry = await run(deps, config, { ...production, dryRun: true }, plenty);
      const dryDeletes = ec2Mock.commandCalls(DeleteSnapshotCommand).length;
      const report = await run(deps, config, production, plenty);

      // Assess
      const reason = `a second set of i-1 on ${today}, made at the same time as snap-first, which stays`;
      expect(dryDeletes).toBe(0);
      expect(dry.planned).toEqual([{ id: 'snap-second', action: 'delete', reason }]);
      expect(ec2Mock).not.toHaveReceivedCommand(CreateSnapshotsCommand);
      expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 1);
      expect(ec2Mock).toHaveReceivedCommandWith(DeleteSnapshotCommand, {
        SnapshotId: 'snap-second',
      });
      expect(report.done).toEqual([{ id: 'snap-second', action: 'delete', reason }]);
      expect(report.skipped).toEqual([
        {
          id: 'i-1',
          action: 'back up',
          reason: `already backed up on ${today} (snap-second, snap-first)`,
        },
      ]);
    });
  });

  it('snapshots plain DB instances and Aurora clusters, never an Aurora member alone, and skips what is not available', async () => {
    // Prepare
    rdsMock
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({
        DBInstances: [database('orders'), database('aurora-1', { DBClusterIdentifier: 'billing' })],
        Marker: 'm2',
      })
      .resolvesOnce({
        DBInstances: [
          database('reports', { DBInstanceStatus: 'stopped' }),
          database('other', { TagList: tags({ Environment: 'staging', Backup: 'true' }) }),
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
      ],
    });
    const { deps, config } = setup();

    // Act
    const report = await run(
      deps,
      config,
      { backup_type: 'rds', environment: 'production' },
      plenty,
    );

    // Assess
    expect(rdsMock).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 2);
    expect(rdsMock).toHaveReceivedNthCommandWith(DescribeDBInstancesCommand, 2, { Marker: 'm2' });
    expect(rdsMock).toHaveReceivedCommandTimes(CreateDBSnapshotCommand, 1);
    expect(rdsMock).toHaveReceivedCommandWith(CreateDBSnapshotCommand, {
      DBInstanceIdentifier: 'orders',
      DBSnapshotIdentifier: `nightshift-orders-${today}`,
      Tags: expect.arrayContaining([
        { Key: 'CreatedBy', Value: 'nightshift' },
        { Key: 'nightshift:source', Value: 'orders' },
      ]),
    });
    expect(rdsMock).toHaveReceivedCommandWith(CreateDBClusterSnapshotCommand, {
      DBClusterIdentifier: 'billing',
      DBClusterSnapshotIdentifier: `nightshift-billing-${today}`,
    });
    expect(report.skipped).toEqual([
      {
        id: 'aurora-1',
        action: 'back up',
        reason: 'member of cluster billing: backed up with the cluster',
      },
      { id: 'reports', action: 'back up', reason: 'status is stopped, not available' },
    ]);
    expect(ec2Mock.calls()).toHaveLength(0); // backup_type rds reads no instance
  });

  it('deletes only its own expired backups, after making today’s, and keeps the newest of each resource', async () => {
    // Prepare
    givenInstances(instance('i-1'));
    ec2Mock.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        ourEbsBackup('snap-old', 'i-1', 10),
        ourEbsBackup('snap-recent', 'i-1', 2),
        ourEbsBackup('snap-gone-instance', 'i-9', 30),
      ],
    });
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        {
          DBSnapshotIdentifier: 'nightshift-orders-2026-11-01',
          DBInstanceIdentifier: 'orders',
          SnapshotCreateTime: daysAgo(27),
          Status: 'available',
          TagList: ourTags('orders', '2026-11-01'),
        },
        {
          DBSnapshotIdentifier: 'nightshift-orders-2026-11-02',
          DBInstanceIdentifier: 'orders',
          SnapshotCreateTime: daysAgo(26),
          Status: 'available',
          TagList: ourTags('orders', '2026-11-02'),
        },
        {
          DBSnapshotIdentifier: 'by-hand',
          DBInstanceIdentifier: 'orders',
          SnapshotCreateTime: daysAgo(90),
          Status: 'available',
          TagList: [],
        },
      ],
    });
    const { deps, config } = setup();

    // Act
    const report = await run(deps, config, production, plenty);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteSnapshotCommand, { SnapshotId: 'snap-old' });
    expect(rdsMock).toHaveReceivedCommandTimes(DeleteDBSnapshotCommand, 1);
    expect(rdsMock).toHaveReceivedCommandWith(DeleteDBSnapshotCommand, {
      DBSnapshotIdentifier: 'nightshift-orders-2026-11-01',
    });
    expect(byAction(report.done, 'delete').sort()).toEqual([
      'nightshift-orders-2026-11-01',
      'snap-old',
    ]);
    expect(report.skipped).toEqual(
      expect.arrayContaining([
        { id: 'snap-gone-instance', action: 'keep', reason: 'newest finished backup of i-9' },
        {
          id: 'nightshift-orders-2026-11-02',
          action: 'keep',
          reason: 'newest finished backup of orders',
        },
      ]),
    );
    const calls = ec2Mock.calls().map((call) => call.args[0].constructor.name);
    expect(calls.indexOf('CreateSnapshotsCommand')).toBeLessThan(
      calls.indexOf('DeleteSnapshotCommand'),
    );
  });

  it('keeps the previous backup when today’s failed, and goes on with the others', async () => {
    // Prepare
    givenInstances(instance('i-1'), instance('i-2'));
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolves({ Snapshots: [ourEbsBackup('snap-old', 'i-1', 10)] });
    ec2Mock
      .on(CreateSnapshotsCommand, {
        InstanceSpecification: { InstanceId: 'i-1', ExcludeBootVolume: false },
      })
      .rejects(awsError('SnapshotCreationPerVolumeRateExceeded', 'too many snapshots'));
    const { deps, config, addMetric } = setup();

    // Act
    const report = await run(deps, config, production, plenty);

    // Assess
    expect(report.failed).toEqual([
      {
        id: 'i-1',
        action: 'back up',
        reason: 'SnapshotCreationPerVolumeRateExceeded: too many snapshots',
      },
    ]);
    expect(byAction(report.done, 'back up')).toEqual(['i-2']);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
    expect(report.skipped).toContainEqual({
      id: 'snap-old',
      action: 'keep',
      reason: 'newest finished backup of i-1',
    });
    expect(addMetric).toHaveBeenCalledWith('BackupFailures', 'Count', 1);
  });

  it('changes nothing in a dry run and plans what a real run would do', async () => {
    // Prepare
    givenInstances(instance('i-1'));
    ec2Mock.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [ourEbsBackup('snap-old', 'i-1', 10), ourEbsBackup('snap-recent', 'i-1', 2)],
    });
    rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [database('orders')] });
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [ourDbBackup('orders', 12), ourDbBackup('orders', 2)],
    });
    const { deps, config } = setup();

    // Act
    const report = await run(deps, config, { ...production, dryRun: true }, plenty);

    // Assess: only reads, of every kind of call a real run makes.
    const sent = sentCalls();
    expect(sent).toContain('DescribeSnapshotsCommand');
    expect(sent.filter((name) => !name.startsWith('Describe'))).toEqual([]);
    expect(report.planned.map((entry) => [entry.id, entry.action])).toEqual([
      ['i-1', 'back up'],
      ['orders', 'back up'],
      [`nightshift-orders-${dayOf(12)}`, 'delete'],
      ['snap-old', 'delete'],
    ]);
    expect(report.done).toEqual([]);
  });

  it('stays a dry run under DRY_RUN=true when the event says dryRun false', async () => {
    // Prepare
    givenInstances(instance('i-1'));
    ec2Mock.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [ourEbsBackup('snap-old', 'i-1', 10), ourEbsBackup('snap-recent', 'i-1', 2)],
    });
    rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [database('orders')] });
    const { deps, config } = setup({ DRY_RUN: 'true' });

    // Act
    const report = await run(deps, config, { ...production, dryRun: false }, plenty);

    // Assess
    const sent = sentCalls();
    expect(sent.filter((name) => !name.startsWith('Describe'))).toEqual([]);
    expect(report.dryRun).toBe(true);
    expect(byAction(report.planned, 'back up')).toEqual(['i-1', 'orders']);
    expect(byAction(report.planned, 'delete')).toEqual(['snap-old']);
    expect(report.done).toEqual([]);
  });

  it('takes retention from BACKUP_RETENTION_DAYS only: an event cannot shorten it', async () => {
    // Prepare: backups of 2 and 3 days, within the 7 days configured.
    givenInstances(instance('i-1'));
    ec2Mock.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [ourEbsBackup('snap-3', 'i-1', 3), ourEbsBackup('snap-2', 'i-1', 2)],
    });
    const { deps, config } = setup({ BACKUP_RETENTION_DAYS: '7' });
    const event = {
      ...production,
      retentionDays: 1,
      BACKUP_RETENTION_DAYS: 1,
      backupRetentionDays: 1,
    } as BackupEvent;

    // Act
    const report = await run(deps, config, event, plenty);

    // Assess
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
    expect(byAction(report.planned, 'delete')).toEqual([]);
  });

  it('warns when the Region nears its quota of manual DB snapshots', async () => {
    // Prepare
    const snapshots = Array.from({ length: 85 }, (_, i) => ({
      DBSnapshotIdentifier: `manual-${i}`,
      SnapshotCreateTime: daysAgo(1),
    }));
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({ DBSnapshots: snapshots });
    const { deps, config } = setup();

    // Act
    const report = await run(deps, config, production, plenty);

    // Assess
    expect(report.notes).toContainEqual(
      expect.stringMatching(/holds 85 manual DB snapshots, of a quota of 100/),
    );
    expect(report.totals.manualDbSnapshots).toBe(85);
  });

  it('never lets a backup still being made, this run’s or an earlier one’s, free the last finished one', async () => {
    // Prepare: i-1 and orders each have one finished backup, ten days old, and an
    // earlier delivery today left a DB snapshot still creating.
    givenInstances(instance('i-1'));
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolves({ Snapshots: [ourEbsBackup('snap-last-good', 'i-1', 10)] });
    rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [database('orders')] });
    rdsMock.on(DescribeDBSnapshotsCommand).resolves({
      DBSnapshots: [
        ourDbBackup('orders', 10),
        ourDbBackup('orders', 0, { Status: 'creating', SnapshotCreateTime: now }),
      ],
    });
    rdsMock.on(CreateDBSnapshotCommand).rejects(awsError('DBSnapshotAlreadyExistsFault'));
    const { deps, config } = setup();

    // Act
    const report = await run(deps, config, production, plenty);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotsCommand, 1);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
    expect(rdsMock).not.toHaveReceivedCommand(DeleteDBSnapshotCommand);
    expect(report.skipped).toEqual(
      expect.arrayContaining([
        { id: 'snap-last-good', action: 'keep', reason: 'newest finished backup of i-1' },
        {
          id: `nightshift-orders-${dayOf(10)}`,
          action: 'keep',
          reason: 'newest finished backup of orders',
        },
      ]),
    );
    expect(byAction(report.planned, 'delete')).toEqual([]);
  });

  it('never deletes a backup tagged Retention=permanent, and reports it kept', async () => {
    // Prepare
    givenInstances(instance('i-1'));
    const permanent = { Key: 'retention', Value: 'Permanent' };
    ec2Mock.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        ourEbsBackup('snap-kept', 'i-1', 30, { Tags: [...ourTags('i-1', dayOf(30)), permanent] }),
        ourEbsBackup('snap-old', 'i-1', 20),
        ourEbsBackup('snap-recent', 'i-1', 1),
      ],
    });
    rdsMock.on(DescribeDBClusterSnapshotsCommand).resolves({
      DBClusterSnapshots: [
        {
          DBClusterSnapshotIdentifier: 'nightshift-billing-2026-10-01',
          DBClusterIdentifier: 'billing',
          SnapshotCreateTime: daysAgo(58),
          Status: 'available',
          TagList: [...ourTags('billing', '2026-10-01'), { Key: 'Retention', Value: 'permanent' }],
        },
        {
          DBClusterSnapshotIdentifier: 'nightshift-billing-2026-11-27',
          DBClusterIdentifier: 'billing',
          SnapshotCreateTime: daysAgo(1),
          Status: 'available',
          TagList: ourTags('billing', '2026-11-27'),
        },
      ],
    });
    const { deps, config } = setup();

    // Act
    const report = await run(deps, config, production, plenty);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteSnapshotCommand, { SnapshotId: 'snap-old' });
    expect(rdsMock).not.toHaveReceivedCommand(DeleteDBClusterSnapshotCommand);
    expect(report.skipped).toEqual(
      expect.arrayContaining([
        { id: 'snap-kept', action: 'keep', reason: 'tagged Retention=permanent' },
        {
          id: 'nightshift-billing-2026-10-01',
          action: 'keep',
          reason: 'tagged Retention=permanent',
        },
      ]),
    );
  });

  it('does not copy the volume tags of an instance with a volume tagged Retention onto its backups', async () => {
    // Prepare
    givenInstances(instance('i-1'), instance('i-2'));
    ec2Mock
      .on(DescribeVolumesCommand)
      .resolvesOnce({
        Volumes: [
          {
            VolumeId: 'vol-1',
            Attachments: [{ InstanceId: 'i-1' }],
            Tags: tags({ Retention: 'permanent', Team: 'web' }),
          },
        ],
        NextToken: 'v2',
      })
      .resolvesOnce({
        Volumes: [{ VolumeId: 'vol-2', Attachments: [{ InstanceId: 'i-2' }], Tags: [] }],
      });
    const { deps, config } = setup();

    // Act
    const report = await run(deps, config, production, plenty);

    // Assess
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeVolumesCommand, 1, {
      Filters: [{ Name: 'attachment.instance-id', Values: ['i-1', 'i-2'] }],
    });
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeVolumesCommand, 2, { NextToken: 'v2' });
    const creates = ec2Mock.commandCalls(CreateSnapshotsCommand).map((call) => call.args[0].input);
    expect(
      creates.find((input) => input.InstanceSpecification?.InstanceId === 'i-1'),
    ).not.toHaveProperty('CopyTagsFromSource');
    expect(
      creates.find((input) => input.InstanceSpecification?.InstanceId === 'i-2'),
    ).toMatchObject({
      CopyTagsFromSource: 'volume',
    });
    expect(report.done).toContainEqual({
      id: 'i-1',
      action: 'back up',
      reason: 'created snap-of-i-1; volume tags not copied: a volume is tagged Retention',
    });
  });

  it('names the snapshot of a database with a 63-character identifier validly', async () => {
    // Prepare
    const longest = `orders-${'x'.repeat(56)}`;
    rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [database(longest)] });
    const { deps, config } = setup();

    // Act
    await run(deps, config, { backup_type: 'rds', environment: 'production' }, plenty);

    // Assess
    const [call] = rdsMock.commandCalls(CreateDBSnapshotCommand);
    const identifier = call?.args[0].input.DBSnapshotIdentifier ?? '';
    expect(longest).toHaveLength(63);
    expect(call?.args[0].input.DBInstanceIdentifier).toBe(longest);
    expect(identifier.length).toBeLessThanOrEqual(63);
    expect(identifier).toMatch(/^nightshift-orders-x+-[0-9a-f]{8}-2026-11-28$/);
    expect(identifier).toMatch(/^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/);
  });

  it.each([
    ['the schedule’s scheduledTime', { scheduledTime: '2026-11-27T23:59:00Z' }],
    ['a scheduled event’s time', { time: '2026-11-27T23:59:00Z' }],
  ])(
    'takes the backup day from %s, so a late run after midnight makes no second backup',
    async (_, schedule) => {
      // Prepare: the run starts at 01:00 on the 28th for the schedule of the 27th.
      givenInstances(instance('i-1'), instance('i-2'));
      ec2Mock.on(DescribeSnapshotsCommand).resolves({
        Snapshots: [
          ourEbsBackup('snap-27th', 'i-1', 0, {
            StartTime: new Date('2026-11-27T23:59:30Z'),
            Tags: ourTags('i-1', '2026-11-27'),
          }),
        ],
      });
      rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [database('orders')] });
      const { deps, config } = setup();

      // Act
      const report = await run(deps, config, { ...production, ...schedule }, plenty);

      // Assess
      expect(report.skipped).toContainEqual({
        id: 'i-1',
        action: 'back up',
        reason: 'already backed up on 2026-11-27 (snap-27th)',
      });
      expect(ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotsCommand, 1);
      expect(ec2Mock).toHaveReceivedCommandWith(CreateSnapshotsCommand, {
        InstanceSpecification: { InstanceId: 'i-2', ExcludeBootVolume: false },
        TagSpecifications: [
          {
            ResourceType: 'snapshot',
            Tags: expect.arrayContaining([{ Key: 'nightshift:backup-date', Value: '2026-11-27' }]),
          },
        ],
      });
      expect(rdsMock).toHaveReceivedCommandWith(CreateDBSnapshotCommand, {
        DBSnapshotIdentifier: 'nightshift-orders-2026-11-27',
      });
    },
  );

  it('warns when the Region nears its quota of manual DB cluster snapshots, counting every page', async () => {
    // Prepare
    const clusterSnapshots = (from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({
        DBClusterSnapshotIdentifier: `manual-${from + i}`,
        SnapshotCreateTime: daysAgo(1),
      }));
    rdsMock
      .on(DescribeDBClusterSnapshotsCommand)
      .resolvesOnce({ DBClusterSnapshots: clusterSnapshots(0, 50), Marker: 'c2' })
      .resolvesOnce({ DBClusterSnapshots: clusterSnapshots(50, 32) });
    const { deps, config } = setup();

    // Act
    const report = await run(deps, config, production, plenty);

    // Assess
    expect(rdsMock).toHaveReceivedNthCommandWith(DescribeDBClusterSnapshotsCommand, 2, {
      SnapshotType: 'manual',
      Marker: 'c2',
    });
    expect(report.notes).toEqual([
      expect.stringMatching(/holds 82 manual DB cluster snapshots, of a quota of 100/),
    ]);
    expect(report.totals).toMatchObject({ manualDbSnapshots: 0, manualDbClusterSnapshots: 82 });
  });

  it('leaves the resources and backups of another environment alone, on every page', async () => {
    // Prepare: every listing returns staging's things too, as if a filter were ignored.
    const staging = tags({ Environment: 'staging', Backup: 'true' });
    givenInstances(instance('i-prod'), instance('i-staging', { Tags: staging }));
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({
        Snapshots: [
          ourEbsBackup('snap-staging-old', 'i-staging', 30, {
            Tags: ourTags('i-staging', dayOf(30), 'staging'),
          }),
          ourEbsBackup('snap-staging-older', 'i-staging', 40, {
            Tags: ourTags('i-staging', dayOf(40), 'staging'),
          }),
        ],
        NextToken: 's2',
      })
      .resolvesOnce({ Snapshots: [ourEbsBackup('snap-prod-old', 'i-prod', 30)] });
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [database('orders-staging', { TagList: staging })],
    });
    rdsMock.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        {
          DBClusterIdentifier: 'billing-staging',
          DBClusterArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:billing-staging',
          Status: 'available',
          TagList: staging,
        },
      ],
    });
    rdsMock
      .on(DescribeDBSnapshotsCommand)
      .resolvesOnce({
        DBSnapshots: [
          ourDbBackup('orders-staging', 30, {
            TagList: ourTags('orders-staging', dayOf(30), 'staging'),
          }),
        ],
        Marker: 'd2',
      })
      .resolvesOnce({
        DBSnapshots: [
          ourDbBackup('orders-staging', 40, {
            TagList: ourTags('orders-staging', dayOf(40), 'staging'),
          }),
        ],
      });
    const { deps, config } = setup();

    // Act
    const report = await run(deps, config, production, plenty);

    // Assess
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeSnapshotsCommand, 2, { NextToken: 's2' });
    expect(rdsMock).toHaveReceivedNthCommandWith(DescribeDBSnapshotsCommand, 2, { Marker: 'd2' });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSnapshotsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSnapshotsCommand, {
      InstanceSpecification: { InstanceId: 'i-prod', ExcludeBootVolume: false },
    });
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
    expect(rdsMock).not.toHaveReceivedCommand(CreateDBSnapshotCommand);
    expect(rdsMock).not.toHaveReceivedCommand(CreateDBClusterSnapshotCommand);
    expect(rdsMock).not.toHaveReceivedCommand(DeleteDBSnapshotCommand);
    const mentioned = [...report.planned, ...report.done, ...report.skipped].map((e) => e.id);
    expect(mentioned.filter((id) => id.includes('staging'))).toEqual([]);
    expect(report.totals).toMatchObject({ instances: 1, databases: 0, clusters: 0 });
  });
  describe('adopting the backups the original backup script made', () => {
    /** An account as the original script left it, beside Nightshift's own backups. */
    const givenOriginalScriptBackups = () => {
      givenInstances(instance('i-1'));
      ec2Mock.on(DescribeSnapshotsCommand).resolves({
        Snapshots: [
          ourEbsBackup('snap-own-recent', 'i-1', 2),
          legacyEbsBackup('snap-legacy-older', 'i-1', 20),
          legacyEbsBackup('snap-legacy-old', 'i-1', 10),
          legacyEbsBackup('snap-legacy-recent', 'i-1', 3),
          // Of an instance that is gone: its newest stays, as Nightshift's own would.
          legacyEbsBackup('snap-legacy-gone-old', 'i-9', 30),
          legacyEbsBackup('snap-legacy-gone', 'i-9', 25),
          // Another environment's, returned as if the filter had been ignored.
          legacyEbsBackup('snap-legacy-staging', 'i-7', 30, { environment: 'staging' }),
        ],
      });
      rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [database('orders')] });
      rdsMock.on(DescribeDBSnapshotsCommand).resolves({
        DBSnapshots: [
          ourDbBackup('orders', 2),
          legacyDbBackup('orders', 20),
          legacyDbBackup('orders', 10),
          {
            DBSnapshotIdentifier: 'orders-backup-before-upgrade',
            DBInstanceIdentifier: 'orders',
            SnapshotCreateTime: daysAgo(90),
            Status: 'available',
          },
        ],
      });
    };

    it('expires them past retention like its own, keeping the newest backup of each resource', async () => {
      // Prepare
      givenOriginalScriptBackups();
      const { deps, config, addMetric } = setup();

      // Act
      const report = await run(deps, config, production, plenty);

      // Assess: one listing reads Nightshift's and the original script's EBS snapshots.
      expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeSnapshotsCommand, 1, {
        OwnerIds: ['self'],
        Filters: [
          { Name: 'tag:CreatedBy', Values: ['nightshift', 'lambda-backup-automation'] },
          { Name: 'tag:AutomatedBackup', Values: ['true'] },
          { Name: 'tag:Environment', Values: ['production'] },
        ],
      });
      const deletedEbs = deletedSnapshots();
      expect(deletedEbs.sort()).toEqual([
        'snap-legacy-gone-old',
        'snap-legacy-old',
        'snap-legacy-older',
      ]);
      const deletedDb = deletedDbSnapshots();
      expect(deletedDb.sort()).toEqual([
        `orders-backup-${stampOf(20)}`,
        `orders-backup-${stampOf(10)}`,
      ]);
      expect(report.done.filter((entry) => entry.action === 'delete')).toEqual(
        expect.arrayContaining(
          [...deletedEbs, ...deletedDb].map((id) => ({
            id,
            action: 'delete',
            reason: ADOPTED_EXPIRY,
          })),
        ),
      );
      expect(report.planned).toContainEqual({
        id: 'snap-legacy-older',
        action: 'delete',
        reason: `${ADOPTED_EXPIRY} (backup of i-1 on ${dayOf(20)})`,
      });
      expect(report.skipped).toContainEqual({
        id: 'snap-legacy-gone',
        action: 'keep',
        reason: 'newest finished backup of i-9',
      });
      const mentioned = [...report.planned, ...report.done, ...report.skipped].map((e) => e.id);
      expect(mentioned).not.toContain('snap-legacy-staging');
      expect(mentioned).not.toContain('orders-backup-before-upgrade');
      expect(report.totals).toMatchObject({ legacyBackupsAdopted: 7, backupsDeleted: 5 });
      expect(report.notes).toEqual([
        '7 backups of production made by the original backup script (EBS snapshots tagged CreatedBy=lambda-backup-automation, DB snapshots named <database>-backup-<YYYYMMDD-HHMMSS>) under this retention; BACKUP_ADOPT_LEGACY=false leaves them alone',
      ]);
      expect(addMetric).toHaveBeenCalledWith('BackupsDeleted', 'Count', 5);
    });

    it('plans the same deletes in a dry run, and makes none', async () => {
      // Prepare
      givenOriginalScriptBackups();
      const { deps, config } = setup();

      // Act
      const report = await run(deps, config, { ...production, dryRun: true }, plenty);

      // Assess
      expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
      expect(rdsMock).not.toHaveReceivedCommand(DeleteDBSnapshotCommand);
      expect(byAction(report.planned, 'delete').sort()).toEqual(
        [
          'snap-legacy-gone-old',
          'snap-legacy-old',
          'snap-legacy-older',
          `orders-backup-${stampOf(10)}`,
          `orders-backup-${stampOf(20)}`,
        ].sort(),
      );
    });

    it('leaves them alone, and reads only its own, with BACKUP_ADOPT_LEGACY=false', async () => {
      // Prepare
      givenOriginalScriptBackups();
      const { deps, config } = setup({ BACKUP_ADOPT_LEGACY: 'false' });

      // Act
      const report = await run(deps, config, production, plenty);

      // Assess
      expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeSnapshotsCommand, 1, {
        OwnerIds: ['self'],
        Filters: [
          { Name: 'tag:CreatedBy', Values: ['nightshift'] },
          { Name: 'tag:AutomatedBackup', Values: ['true'] },
          { Name: 'tag:Environment', Values: ['production'] },
        ],
      });
      expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
      expect(rdsMock).not.toHaveReceivedCommand(DeleteDBSnapshotCommand);
      const mentioned = [...report.planned, ...report.done, ...report.skipped].map((e) => e.id);
      expect(mentioned.filter((id) => id.includes('legacy') || id.includes('-backup-'))).toEqual(
        [],
      );
      expect(report.totals).toMatchObject({ legacyBackupsAdopted: 0 });
      expect(report.notes).toEqual([]);
    });

    it('never deletes one tagged Retention=permanent, managed by AWS Backup, or not finished', async () => {
      // Prepare: every one past retention, beside a newer backup of Nightshift's.
      givenInstances(instance('i-1'));
      const withTag = (days: number, key: string, value: string) => [
        ...(legacyEbsBackup('x', 'i-1', days).Tags ?? []),
        { Key: key, Value: value },
      ];
      ec2Mock.on(DescribeSnapshotsCommand).resolves({
        Snapshots: [
          ourEbsBackup('snap-own-recent', 'i-1', 1),
          legacyEbsBackup('snap-permanent', 'i-1', 30, {
            Tags: withTag(30, 'Retention', 'Permanent'),
          }),
          legacyEbsBackup('snap-aws-backup', 'i-1', 29, {
            Tags: withTag(29, 'aws:backup:source-resource', 'vol-1'),
          }),
          legacyEbsBackup('snap-dlm', 'i-1', 28, {
            Tags: withTag(28, 'aws:dlm:lifecycle-policy-id', 'policy-1'),
          }),
          legacyEbsBackup('snap-error', 'i-1', 27, { State: 'error' }),
          legacyEbsBackup('snap-pending', 'i-1', 26, { State: 'pending' }),
        ],
      });
      rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [database('orders')] });
      rdsMock.on(DescribeDBSnapshotsCommand).resolves({
        DBSnapshots: [
          ourDbBackup('orders', 1),
          // Copied from a database tagged Retention=permanent with "copy tags to snapshots".
          legacyDbBackup('orders', 30, {
            TagList: tags({ Environment: 'production', Backup: 'true', Retention: 'permanent' }),
          }),
          legacyDbBackup('orders', 29, { Status: 'failed' }),
          legacyDbBackup('orders', 28, { Status: 'creating' }),
          legacyDbBackup('orders', 27, {
            TagList: tags({ 'aws:backup:source-resource': 'orders' }),
          }),
        ],
      });
      const { deps, config } = setup();

      // Act
      const report = await run(deps, config, production, plenty);

      // Assess
      expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
      expect(rdsMock).not.toHaveReceivedCommand(DeleteDBSnapshotCommand);
      expect(report.skipped).toEqual(
        expect.arrayContaining([
          { id: 'snap-permanent', action: 'keep', reason: 'tagged Retention=permanent' },
          { id: 'snap-aws-backup', action: 'keep', reason: 'managed by AWS Backup' },
          { id: 'snap-dlm', action: 'keep', reason: 'managed by Data Lifecycle Manager' },
          {
            id: 'snap-error',
            action: 'keep',
            reason: 'failed (error), not made by Nightshift: left alone',
          },
          { id: 'snap-pending', action: 'keep', reason: 'not finished (pending)' },
          {
            id: `orders-backup-${stampOf(30)}`,
            action: 'keep',
            reason: 'tagged Retention=permanent',
          },
          {
            id: `orders-backup-${stampOf(29)}`,
            action: 'keep',
            reason: 'failed (failed), not made by Nightshift: left alone',
          },
          { id: `orders-backup-${stampOf(28)}`, action: 'keep', reason: 'not finished (creating)' },
          { id: `orders-backup-${stampOf(27)}`, action: 'keep', reason: 'managed by AWS Backup' },
        ]),
      );
    });

    it('never counts one made on the day as that day’s backup, nor deletes it as a second set', async () => {
      // Prepare: the original script still ran tonight, before Nightshift.
      givenInstances(instance('i-1'));
      ec2Mock.on(DescribeSnapshotsCommand).resolves({
        Snapshots: [legacyEbsBackup('snap-legacy-today', 'i-1', 0), ourEbsBackup('own', 'i-1', 1)],
      });
      rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [database('orders')] });
      rdsMock.on(DescribeDBSnapshotsCommand).resolves({
        DBSnapshots: [legacyDbBackup('orders', 0)],
      });
      const { deps, config } = setup();

      // Act
      const report = await run(deps, config, production, plenty);

      // Assess
      expect(ec2Mock).toHaveReceivedCommandWith(CreateSnapshotsCommand, {
        InstanceSpecification: { InstanceId: 'i-1', ExcludeBootVolume: false },
      });
      expect(rdsMock).toHaveReceivedCommandWith(CreateDBSnapshotCommand, {
        DBInstanceIdentifier: 'orders',
        DBSnapshotIdentifier: `nightshift-orders-${today}`,
      });
      expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
      expect(rdsMock).not.toHaveReceivedCommand(DeleteDBSnapshotCommand);
      expect(byAction(report.done, 'back up').sort()).toEqual(['i-1', 'orders']);
    });

    it('reads the original script’s Environment tag when ENVIRONMENT_TAG_KEY names another', async () => {
      // Prepare: Nightshift's backups carry Stage; the original script wrote Environment.
      ec2Mock.on(DescribeSnapshotsCommand).resolves({
        Snapshots: [
          ourEbsBackup('own-old', 'i-1', 30, {
            Tags: tags({
              Stage: 'production',
              AutomatedBackup: 'true',
              CreatedBy: 'nightshift',
              InstanceId: 'i-1',
            }),
          }),
          ourEbsBackup('own-new', 'i-1', 20, {
            Tags: tags({
              Stage: 'production',
              AutomatedBackup: 'true',
              CreatedBy: 'nightshift',
              InstanceId: 'i-1',
            }),
          }),
          legacyEbsBackup('legacy-old', 'i-2', 30),
          legacyEbsBackup('legacy-new', 'i-2', 20),
          legacyEbsBackup('legacy-staging-old', 'i-3', 30, {
            environment: 'staging',
            Tags: [
              ...(legacyEbsBackup('x', 'i-3', 30, { environment: 'staging' }).Tags ?? []),
              { Key: 'Stage', Value: 'production' },
            ],
          }),
          legacyEbsBackup('legacy-staging-new', 'i-3', 20, { environment: 'staging' }),
        ],
      });
      const { deps, config } = setup({ ENVIRONMENT_TAG_KEY: 'Stage' });

      // Act
      await run(deps, config, { backup_type: 'ec2', environment: 'production' }, plenty);

      // Assess: the environment is checked on each snapshot, not by the listing.
      expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeSnapshotsCommand, 1, {
        OwnerIds: ['self'],
        Filters: [
          { Name: 'tag:CreatedBy', Values: ['nightshift', 'lambda-backup-automation'] },
          { Name: 'tag:AutomatedBackup', Values: ['true'] },
        ],
      });
      const deleted = deletedSnapshots();
      expect(deleted.sort()).toEqual(['legacy-old', 'own-old']);
    });
  });
});
