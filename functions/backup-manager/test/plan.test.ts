import type { Database, Ec2Instance } from '@nightshift/inventory';
import { describe, expect, it } from 'vitest';
import {
  Action,
  type Inventory,
  instancesToBackUp,
  type PlanSettings,
  planBackups,
} from '../src/plan.ts';
import type { LegacyRdsSnapshot } from '../src/records.ts';
import type { BackupRecord } from '../src/retention.ts';
import { backupTags } from '../src/tags.ts';
import {
  backupRecord,
  dayOf,
  daysAgo,
  legacyCandidate,
  now,
  selectedTags,
  selector,
  stampOf,
  tags,
  today,
} from './fixtures.ts';

const settings: PlanSettings = { selector, day: today, now, retentionDays: 7, keepLast: 1 };
const instance = (id: string): Ec2Instance => ({ id, state: 'running', tags: selectedTags });
const dbInstance = (id: string, extra: Partial<Database> = {}): Database => ({
  kind: 'instance',
  id,
  arn: `arn:aws:rds:us-east-1:1:db:${id}`,
  status: 'available',
  tags: selectedTags,
  ...extra,
});
const cluster = (id: string, extra: Partial<Database> = {}): Database => ({
  ...dbInstance(id, extra),
  kind: 'cluster',
  arn: `arn:aws:rds:us-east-1:1:cluster:${id}`,
});
const backup = backupRecord;
const dbBackup = (
  sourceId: string,
  days: number,
  kind: 'rds' | 'rds-cluster' = 'rds',
): BackupRecord =>
  backup(`nightshift-${sourceId}-${dayOf(days)}`, sourceId, days, {
    kind,
    status: 'available',
    set: `nightshift-${sourceId}-${dayOf(days)}`,
  });
const inventory = (extra: Partial<Inventory> = {}): Inventory => ({
  instances: [],
  databases: [],
  clusters: [],
  databaseIds: new Set((extra.databases ?? []).map((db) => db.id)),
  ebsBackups: [],
  rdsBackups: [],
  legacyCandidates: [],
  manualSnapshots: 0,
  manualClusterSnapshots: 0,
  retentionTaggedVolumes: new Set(),
  ...extra,
});
const targets = (decisions: { action: string; target: string }[], action: Action) =>
  decisions.filter((decision) => decision.action === action).map((decision) => decision.target);
const entries = (decisions: { action: string; target: string; reason: string }[]) =>
  decisions.map(({ target, action, reason }) => ({ id: target, action, reason }));

describe('Planning a backup run', () => {
  it('keeps the action strings of the report', () => {
    expect(Action).toEqual({ BackUp: 'back up', Delete: 'delete', Keep: 'keep' });
  });

  it('backs up each instance, database and cluster without a backup of the day, tagged and named for it', () => {
    // Act
    const plan = planBackups(
      inventory({
        instances: [{ ...instance('i-1'), tags: [...selectedTags, { Key: 'Name', Value: 'web' }] }],
        databases: [dbInstance('orders')],
        clusters: [cluster('billing')],
      }),
      settings,
    );

    // Assess
    expect(plan.changes).toEqual([
      expect.objectContaining({
        action: 'back up',
        target: 'i-1',
        reason: 'tagged Environment=production and Backup=true',
        kind: 'ebs',
        day: today,
        description: `Nightshift backup of i-1 (web) on ${today}`,
        tags: expect.arrayContaining([
          { Key: 'Name', Value: `nightshift-web-${today}` },
          { Key: 'InstanceId', Value: 'i-1' },
        ]),
      }),
      expect.objectContaining({
        target: 'orders',
        kind: 'rds',
        snapshotId: `nightshift-orders-${today}`,
      }),
      expect.objectContaining({
        target: 'billing',
        kind: 'rds-cluster',
        snapshotId: `nightshift-billing-${today}`,
      }),
    ]);
    expect(plan.skips).toEqual([]);
  });

  it('tags a DB or cluster backup with the tags of its own, and nothing of an instance', () => {
    // Act
    const plan = planBackups(
      inventory({ databases: [dbInstance('orders')], clusters: [cluster('billing')] }),
      settings,
    );

    // Assess
    const tagsOf = (id: string) =>
      backupTags({
        name: id,
        environmentKey: 'Environment',
        environment: 'production',
        sourceId: id,
        day: today,
      });
    expect(plan.changes).toEqual([
      expect.objectContaining({ target: 'orders', tags: tagsOf('orders') }),
      expect.objectContaining({ target: 'billing', tags: tagsOf('billing') }),
    ]);
  });

  it('backs up no database or cluster with a backup of the day, counting only a backup of its own kind', () => {
    // Act: `analytics` is a cluster; the DB snapshot of the day named after it is a DB instance's.
    const plan = planBackups(
      inventory({
        databases: [dbInstance('orders')],
        clusters: [cluster('billing'), cluster('analytics')],
        rdsBackups: [
          dbBackup('orders', 0),
          dbBackup('billing', 0, 'rds-cluster'),
          dbBackup('analytics', 0),
        ],
      }),
      settings,
    );

    // Assess
    expect(plan.changes).toEqual([
      expect.objectContaining({ action: 'back up', target: 'analytics', kind: 'rds-cluster' }),
    ]);
    expect(entries(plan.skips)).toEqual([
      {
        id: 'orders',
        action: 'back up',
        reason: `already backed up on ${today} (nightshift-orders-${today})`,
      },
      {
        id: 'billing',
        action: 'back up',
        reason: `already backed up on ${today} (nightshift-billing-${today})`,
      },
    ]);
  });

  it('deletes a second set of the day once, naming the set that stays, and leaves it out of retention', () => {
    // Prepare: a retry, near the end of its window, of yesterday's run, with a retention of
    // one day: both sets of yesterday are past retention.
    const yesterday = dayOf(1);
    const at = (minutes: number) => new Date(daysAgo(1).getTime() - 60 * 60_000 + minutes * 60_000);
    const ofSet = (id: string, set: string, minutes: number) =>
      backup(id, 'i-1', 1, { set, createdAt: at(minutes) });

    // Act
    const plan = planBackups(
      inventory({
        ebsBackups: [
          ofSet('snap-a1', 'set-a', 0),
          ofSet('snap-a2', 'set-a', 0),
          ofSet('snap-b1', 'set-b', 1),
        ],
      }),
      { ...settings, day: yesterday, retentionDays: 1 },
    );

    // Assess
    const reason = `a second set of i-1 on ${yesterday}, made at the same time as snap-a1, snap-a2, which stays`;
    expect(plan.changes).toEqual([
      expect.objectContaining({ action: 'delete', target: 'snap-b1', reason, doneReason: reason }),
    ]);
    expect(entries(plan.skips)).toEqual([
      { id: 'snap-a1', action: 'keep', reason: 'newest finished backup of i-1' },
      { id: 'snap-a2', action: 'keep', reason: 'newest finished backup of i-1' },
    ]);
  });

  it('says so of an instance whose volume tags stay off its backup', () => {
    // Act
    const plan = planBackups(
      inventory({ instances: [instance('i-1')], retentionTaggedVolumes: new Set(['i-1']) }),
      settings,
    );

    // Assess
    expect(plan.changes).toEqual([
      expect.objectContaining({
        target: 'i-1',
        reason:
          'tagged Environment=production and Backup=true; volume tags not copied: a volume is tagged Retention',
        retentionTaggedVolume: true,
      }),
    ]);
  });

  it('reads the volume tags only of the instances to back up', () => {
    // Act
    const ids = instancesToBackUp(
      [instance('i-1'), instance('i-2')],
      [backup('snap-today', 'i-1', 0)],
      today,
    );

    // Assess
    expect(ids).toEqual(['i-2']);
  });

  it('counts a day done when one of its sets is whole, beside one that failed', () => {
    // Act
    const plan = planBackups(
      inventory({
        instances: [instance('i-1')],
        ebsBackups: [
          backup('snap-data-failed', 'i-1', 0, { status: 'error', finished: false, set: 'first' }),
          backup('snap-root-first', 'i-1', 0, { set: 'first' }),
          backup('snap-root-again', 'i-1', 0, { set: 'second' }),
          backup('snap-data-again', 'i-1', 0, {
            status: 'pending',
            finished: false,
            set: 'second',
          }),
        ],
      }),
      settings,
    );

    // Assess
    expect(targets(plan.changes, Action.BackUp)).toEqual([]);
    expect(entries(plan.skips)).toContainEqual({
      id: 'i-1',
      action: 'back up',
      reason: `already backed up on ${today} (snap-root-again, snap-data-again)`,
    });
  });

  it('counts a pending set of the day as done, and a failed or partly failed one not', () => {
    // Act
    const plan = planBackups(
      inventory({
        instances: [instance('i-1'), instance('i-2'), instance('i-3')],
        ebsBackups: [
          backup('snap-pending', 'i-1', 0, { status: 'pending', finished: false }),
          backup('snap-failed', 'i-2', 0, { status: 'error', finished: false }),
          backup('snap-root-done', 'i-3', 0, { set: 'i-3-today' }),
          backup('snap-data-failed', 'i-3', 0, {
            status: 'error',
            finished: false,
            set: 'i-3-today',
          }),
        ],
      }),
      settings,
    );

    // Assess
    expect(targets(plan.changes, Action.BackUp)).toEqual(['i-2', 'i-3']);
    expect(entries(plan.skips)).toContainEqual({
      id: 'i-1',
      action: 'back up',
      reason: `already backed up on ${today} (snap-pending)`,
    });
  });

  it('reports an Aurora member of a cluster not tagged for backup as not backed up', () => {
    // Act
    const plan = planBackups(
      inventory({
        databases: [
          dbInstance('aurora-1', { clusterId: 'billing' }),
          dbInstance('aurora-2', { clusterId: 'analytics' }),
        ],
        // analytics is not tagged Backup=true: the listing leaves it out.
        clusters: [cluster('billing')],
      }),
      settings,
    );

    // Assess
    expect(entries(plan.skips)).toEqual([
      {
        id: 'aurora-1',
        action: 'back up',
        reason: 'member of cluster billing: backed up with the cluster',
      },
      {
        id: 'aurora-2',
        action: 'back up',
        reason:
          'member of cluster analytics, which is not tagged Environment=production and Backup=true: not backed up',
      },
    ]);
    expect(plan.changes).toEqual([
      expect.objectContaining({ target: 'billing', kind: 'rds-cluster' }),
    ]);
  });

  it('skips a database or cluster that is not available, with its status', () => {
    // Act
    const plan = planBackups(
      inventory({
        databases: [dbInstance('reports', { status: 'stopped' })],
        clusters: [cluster('billing', { status: 'backing-up' })],
      }),
      settings,
    );

    // Assess
    expect(plan.changes).toEqual([]);
    expect(entries(plan.skips)).toEqual([
      { id: 'reports', action: 'back up', reason: 'status is stopped, not available' },
      { id: 'billing', action: 'back up', reason: 'status is backing-up, not available' },
    ]);
  });

  it('plans the retention deletes with their reasons, and what it keeps', () => {
    // Act
    const plan = planBackups(
      inventory({
        instances: [instance('i-1')],
        ebsBackups: [backup('snap-old', 'i-1', 10), backup('snap-recent', 'i-1', 2)],
        rdsBackups: [dbBackup('orders', 12), dbBackup('orders', 2)],
      }),
      settings,
    );

    // Assess
    expect(entries(plan.changes.filter((change) => change.action === 'delete'))).toEqual([
      {
        id: `nightshift-orders-${dayOf(12)}`,
        action: 'delete',
        reason: `made by Nightshift, older than 7 days (backup of orders on ${dayOf(12)})`,
      },
      {
        id: 'snap-old',
        action: 'delete',
        reason: `made by Nightshift, older than 7 days (backup of i-1 on ${dayOf(10)})`,
      },
    ]);
    expect(plan.changes).toContainEqual(
      expect.objectContaining({
        target: 'snap-old',
        doneReason: 'made by Nightshift, older than 7 days',
      }),
    );
    expect(plan.adopted).toBe(0);
  });

  describe('of the backups the original backup script made', () => {
    it('adopts a DB snapshot by the database it was made from, of a database of the environment only', () => {
      // Prepare: `db` and `db-backup` are production's; `other-db` is staging's.
      const legacyCandidates: LegacyRdsSnapshot[] = [
        legacyCandidate('db', 20), // db-backup-<stamp>, made from db: adopted
        // Named like a backup of db, but made from db-backup: not the original's.
        legacyCandidate('db', 21, { sourceId: 'db-backup' }),
        legacyCandidate('db-backup', 22), // db-backup-backup-<stamp>, made from db-backup
        // Named like a backup of db-backup, but made from db.
        legacyCandidate('db-backup', 23, { sourceId: 'db' }),
        legacyCandidate('db', 24, { id: 'db-backup-x' }),
        legacyCandidate('other-db', 25),
      ];

      // Act
      const plan = planBackups(
        inventory({
          databases: [dbInstance('db'), dbInstance('db-backup')],
          databaseIds: new Set(['db', 'db-backup', 'other-db']),
          rdsBackups: [dbBackup('db', 1), dbBackup('db-backup', 1)],
          legacyCandidates,
        }),
        settings,
      );

      // Assess
      expect(targets(plan.changes, Action.Delete).sort()).toEqual(
        [`db-backup-${stampOf(20)}`, `db-backup-backup-${stampOf(22)}`].sort(),
      );
      expect(plan.adopted).toBe(2);
      const mentioned = [...plan.changes, ...plan.skips].map((decision) => decision.target);
      for (const id of [
        `db-backup-${stampOf(21)}`,
        `db-backup-backup-${stampOf(23)}`,
        'db-backup-x',
        `other-db-backup-${stampOf(25)}`,
      ]) {
        expect(mentioned).not.toContain(id);
      }
    });

    it('keeps, and names, one of a database that no longer exists unless it carries the environment’s tags', () => {
      // Prepare: `gone` and `tagged-gone` were deleted; the latter copied its tags to its snapshots.
      const copied = tags({ Environment: 'production', Backup: 'true' });

      // Act
      const plan = planBackups(
        inventory({
          legacyCandidates: [
            legacyCandidate('gone', 30),
            legacyCandidate('gone', 20),
            legacyCandidate('gone', 3),
            legacyCandidate('tagged-gone', 30, { tags: copied }),
            legacyCandidate('tagged-gone', 20, { tags: copied }),
          ],
        }),
        settings,
      );

      // Assess
      expect(targets(plan.changes, Action.Delete)).toEqual([`tagged-gone-backup-${stampOf(30)}`]);
      expect(entries(plan.skips)).toContainEqual({
        id: `tagged-gone-backup-${stampOf(20)}`,
        action: 'keep',
        reason: 'newest finished backup of tagged-gone',
      });
      const unknown = (days: number) => ({
        id: `gone-backup-${stampOf(days)}`,
        action: 'keep',
        reason:
          "named like the original backup script's backups of gone, which no longer exists, and not tagged Environment=production and Backup=true: its environment is unknown",
      });
      expect(entries(plan.skips).filter((entry) => entry.id.startsWith('gone-'))).toEqual([
        unknown(30),
        unknown(20),
      ]);
    });

    it('names one of unknown environment only once it is older than the retention, strictly', () => {
      // Prepare: one made exactly 7 days ago, one a second before.
      const exactly = legacyCandidate('gone', 7);
      const older = legacyCandidate('gone', 7, {
        id: 'gone-backup-20261121-005959',
        createdAt: new Date(daysAgo(7).getTime() - 1_000),
      });

      // Act
      const plan = planBackups(inventory({ legacyCandidates: [exactly, older] }), settings);

      // Assess
      expect(targets(plan.skips, Action.Keep)).toEqual([older.id]);
      expect(plan.changes).toEqual([]);
    });
  });
});
