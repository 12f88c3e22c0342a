import {
  CreateSnapshotsCommand,
  DeleteSnapshotCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBSnapshotCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { decide, recordInto } from '@nightshift/job';
import { createReport, GONE_AFTER_RETRY, type TimeBudget } from '@nightshift/runtime';
import { beforeEach, describe, expect, it } from 'vitest';
import { applyChanges, emptyTally } from '../src/apply.ts';
import { Action, type Change, type CreateDecision, type DeleteDecision } from '../src/plan.ts';
import type { BackupRecord } from '../src/retention.ts';
import { backupTags } from '../src/tags.ts';
import {
  awsError,
  backupRecord,
  byAction,
  dayOf,
  deletedSnapshots,
  ec2Mock,
  givenSetsOfToday,
  now,
  ofToday,
  ourEbsBackup,
  ourTags,
  plenty,
  rdsMock,
  resetMocks,
  today,
} from './fixtures.ts';

const selection = 'tagged Environment=production and Backup=true';
const tagsOf = (name: string, sourceId: string) =>
  backupTags({
    name,
    environmentKey: 'Environment',
    environment: 'production',
    sourceId,
    day: today,
  });

/** The decision to back up instance `id` today. */
const backUp = (id: string): CreateDecision => ({
  ...decide(Action.BackUp, id, selection),
  kind: 'ebs',
  day: today,
  tags: tagsOf(id, id),
  description: `Nightshift backup of ${id} (${id}) on ${today}`,
  retentionTaggedVolume: false,
});

/** The decision to back up DB instance (or, with `kind`, DB cluster) `id` today. */
const backUpDatabase = (id: string, kind: 'rds' | 'rds-cluster' = 'rds'): CreateDecision => ({
  ...decide(Action.BackUp, id, selection),
  kind,
  day: today,
  snapshotId: `nightshift-${id}-${today}`,
  tags: tagsOf(id, id),
  description: `nightshift-${id}-${today}`,
  retentionTaggedVolume: false,
});

/** A finished backup of `sourceId`, `days` old, a set of its own. */
const record = (id: string, sourceId: string, days: number, kind: BackupRecord['kind'] = 'ebs') =>
  backupRecord(id, sourceId, days, {
    kind,
    set: id,
    status: kind === 'ebs' ? 'completed' : 'available',
  });

/** The decision to delete `backup` past retention. */
const expire = (backup: BackupRecord): DeleteDecision => {
  const doneReason = 'made by Nightshift, older than 7 days';
  return {
    ...decide(
      Action.Delete,
      backup.id,
      `${doneReason} (backup of ${backup.sourceId} on ${backup.day})`,
    ),
    backup,
    doneReason,
  };
};

/** Applies `changes` as a real run does, into a report of its own. */
const applyAll = async (
  changes: Change[],
  { concurrency = 5, budget = plenty }: { concurrency?: number; budget?: TimeBudget } = {},
) => {
  const report = createReport('backup-manager', { dryRun: false, now });
  const tally = emptyTally();
  await applyChanges(
    { ec2: new EC2Client({}), rds: new RDSClient({}) },
    changes,
    recordInto<Action>(report),
    { concurrency, budget, tally, now: () => now },
  );
  return { report, tally };
};

describe('Applying a backup run', () => {
  beforeEach(resetMocks);

  it('makes the backups before it deletes, and counts what it made and deleted', async () => {
    // Act
    const { report, tally } = await applyAll([
      expire(record('snap-old', 'i-1', 10)),
      backUp('i-1'),
      backUpDatabase('orders'),
    ]);

    // Assess
    const calls = ec2Mock.calls().map((call) => call.args[0].constructor.name);
    expect(calls.indexOf('CreateSnapshotsCommand')).toBeLessThan(
      calls.indexOf('DeleteSnapshotCommand'),
    );
    expect(rdsMock).toHaveReceivedCommandWith(CreateDBSnapshotCommand, {
      DBInstanceIdentifier: 'orders',
      DBSnapshotIdentifier: `nightshift-orders-${today}`,
    });
    expect(report.done).toEqual([
      { id: 'i-1', action: 'back up', reason: 'created snap-of-i-1' },
      { id: 'orders', action: 'back up', reason: `created nightshift-orders-${today}` },
      { id: 'snap-old', action: 'delete', reason: 'made by Nightshift, older than 7 days' },
    ]);
    expect(tally).toEqual({ created: 2, rdsCreated: 1, clusterCreated: 0, deleted: 1 });
  });

  it('leaves the volume tags off an instance with a volume tagged Retention, and says so', async () => {
    // Act
    const { report } = await applyAll([{ ...backUp('i-1'), retentionTaggedVolume: true }]);

    // Assess
    expect(ec2Mock.commandCalls(CreateSnapshotsCommand)[0]?.args[0].input).not.toHaveProperty(
      'CopyTagsFromSource',
    );
    expect(report.done).toEqual([
      {
        id: 'i-1',
        action: 'back up',
        reason: 'created snap-of-i-1; volume tags not copied: a volume is tagged Retention',
      },
    ]);
  });

  it('keeps a snapshot found in use, and reports the failure of a delete', async () => {
    // Prepare
    ec2Mock
      .on(DeleteSnapshotCommand, { SnapshotId: 'snap-in-use' })
      .rejects(awsError('InvalidSnapshot.InUse'))
      .on(DeleteSnapshotCommand, { SnapshotId: 'snap-denied' })
      .rejects(awsError('UnauthorizedOperation', 'not allowed'));

    // Act
    const { report, tally } = await applyAll([
      expire(record('snap-in-use', 'i-1', 10)),
      expire(record('snap-denied', 'i-1', 11)),
    ]);

    // Assess
    expect(report.skipped).toEqual([
      { id: 'snap-in-use', action: 'keep', reason: 'in use (InvalidSnapshot.InUse)' },
    ]);
    expect(report.failed).toEqual([
      { id: 'snap-denied', action: 'delete', reason: 'UnauthorizedOperation: not allowed' },
    ]);
    expect(tally.deleted).toBe(0);
  });

  describe('when CreateSnapshots had to be sent more than once', () => {
    beforeEach(() => {
      ec2Mock.on(CreateSnapshotsCommand).resolves({
        Snapshots: [{ SnapshotId: 'snap-answered-a' }, { SnapshotId: 'snap-answered-b' }],
        $metadata: { attempts: 2 },
      });
    });

    it('deletes the second set an unanswered attempt made, and says so', async () => {
      // Prepare
      givenSetsOfToday([
        ofToday('snap-answered-a'),
        ofToday('snap-answered-b'),
        ofToday('snap-unanswered-a'),
        ofToday('snap-unanswered-b', 'completed'),
        ofToday('snap-failed-earlier', 'error', 'an-earlier-set'),
        ofToday('snap-earlier-partly-failed-set', 'completed', 'an-earlier-set'),
      ]);

      // Act
      const { report } = await applyAll([backUp('i-1')]);

      // Assess
      expect(ec2Mock).toHaveReceivedCommandWith(DescribeSnapshotsCommand, {
        Filters: expect.arrayContaining([
          { Name: 'tag:nightshift:source', Values: ['i-1'] },
          { Name: 'tag:nightshift:backup-date', Values: [today] },
        ]),
      });
      expect(deletedSnapshots()).toEqual(['snap-unanswered-a', 'snap-unanswered-b']);
      expect(report.failed).toEqual([]);
      expect(report.done).toContainEqual({
        id: 'i-1',
        action: 'back up',
        reason:
          'created snap-answered-a, snap-answered-b; deleted snap-unanswered-a, snap-unanswered-b, a second set made by an attempt whose answer was lost',
      });
    });

    it('fails the backup of the instance, naming the duplicate, when it cannot delete it', async () => {
      // Prepare
      givenSetsOfToday([ofToday('snap-answered-a'), ofToday('snap-unanswered-a')]);
      ec2Mock.on(DeleteSnapshotCommand).rejects(awsError('UnauthorizedOperation', 'not allowed'));
      // Act
      const { report } = await applyAll([backUp('i-1')]);

      // Assess
      expect(report.failed).toEqual([
        {
          id: 'i-1',
          action: 'back up',
          reason: expect.stringContaining(
            'could not delete snap-unanswered-a, a second set of i-1 on 2026-11-28 left by an attempt whose answer was lost: not allowed',
          ),
        },
      ]);
    });

    it('deletes nothing when the set it made is the only one of the day', async () => {
      // Prepare
      ec2Mock.on(CreateSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-1' }] });
      givenSetsOfToday([ofToday('snap-1', 'pending')]);

      // Act
      const { report } = await applyAll([backUp('i-1')]);

      // Assess
      expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
      expect(report.done).toEqual([{ id: 'i-1', action: 'back up', reason: 'created snap-1' }]);
    });
  });

  describe('when two deliveries of the event run at the same moment', () => {
    const second = new Date(now.getTime() + 1_000);
    const first = new Date(now.getTime() - 1_000);
    beforeEach(() => {
      ec2Mock.on(CreateSnapshotsCommand).resolves({
        Snapshots: [
          { SnapshotId: 'snap-own-a', StartTime: now },
          { SnapshotId: 'snap-own-b', StartTime: now },
        ],
      });
    });

    it('keeps its own set when it started first, deletes the other run’s set, and says so', async () => {
      // Prepare
      givenSetsOfToday([
        ofToday('snap-own-a'),
        ofToday('snap-own-b'),
        ofToday('snap-other-a', 'pending', 'other-set', second),
        ofToday('snap-other-b', 'pending', 'other-set', second),
      ]);

      // Act
      const { report, tally } = await applyAll([backUp('i-1')]);

      // Assess
      expect(deletedSnapshots()).toEqual(['snap-other-a', 'snap-other-b']);
      expect(report.failed).toEqual([]);
      expect(report.done).toEqual([
        {
          id: 'i-1',
          action: 'back up',
          reason: `created snap-own-a, snap-own-b; deleted snap-other-a, snap-other-b, a second set of ${today} made at the same time by another delivery of this event`,
        },
      ]);
      expect(tally.created).toBe(1);
    });

    it('deletes its own set when the other run’s started first, and counts the day as backed up by that set', async () => {
      // Prepare
      givenSetsOfToday([
        ofToday('snap-own-a'),
        ofToday('snap-own-b'),
        ofToday('snap-other-a', 'pending', 'other-set', first),
      ]);

      // Act
      const { report, tally } = await applyAll([backUp('i-1')]);

      // Assess
      expect(deletedSnapshots()).toEqual(['snap-own-a', 'snap-own-b']);
      expect(report.failed).toEqual([]);
      expect(report.done).toEqual([
        {
          id: 'i-1',
          action: 'back up',
          reason: `already backed up on ${today} (snap-other-a): that set, made at the same time by another delivery of this event, stays; deleted snap-own-a, snap-own-b, the other sets of the day, this run's among them`,
        },
      ]);
      expect(tally.created).toBe(0);
    });

    it('names every snapshot of the other run’s set when that set stands for the day', async () => {
      // Prepare: the other run's set, of two volumes, started first.
      givenSetsOfToday([
        ofToday('snap-own-a'),
        ofToday('snap-own-b'),
        ofToday('snap-other-a', 'pending', 'other-set', first),
        ofToday('snap-other-b', 'pending', 'other-set', first),
      ]);

      // Act
      const { report } = await applyAll([backUp('i-1')]);

      // Assess
      expect(report.done[0]?.reason).toBe(
        `already backed up on ${today} (snap-other-a, snap-other-b): that set, made at the same time by another delivery of this event, stays; deleted snap-own-a, snap-own-b, the other sets of the day, this run's among them`,
      );
    });

    it('takes its own set from the answer when the listing does not show it yet', async () => {
      // Prepare: only the other run's set is listed, and it started later.
      givenSetsOfToday([ofToday('snap-other-a', 'pending', 'other-set', second)]);

      // Act
      const { report } = await applyAll([backUp('i-1')]);

      // Assess
      expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 1);
      expect(ec2Mock).toHaveReceivedCommandWith(DeleteSnapshotCommand, {
        SnapshotId: 'snap-other-a',
      });
      expect(report.done[0]?.reason).toMatch(
        /^created snap-own-a, snap-own-b; deleted snap-other-a/,
      );
    });

    it('takes the start of its own set from the run’s clock when the answer does not give it', async () => {
      // Prepare: the other run's set started a second after this run's clock.
      ec2Mock.on(CreateSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-own-a' }] });
      givenSetsOfToday([ofToday('snap-other-a', 'pending', 'other-set', second)]);

      // Act
      const { report } = await applyAll([backUp('i-1')]);

      // Assess
      expect(deletedSnapshots()).toEqual(['snap-other-a']);
      expect(report.done[0]?.reason).toMatch(/^created snap-own-a; deleted snap-other-a/);
    });

    it('neither keeps nor deletes a set of the day with a failed snapshot', async () => {
      // Prepare: an earlier set failed; it is left to retention.
      givenSetsOfToday([
        ofToday('snap-own-a'),
        ofToday('snap-own-b'),
        ofToday('snap-failed', 'error', 'failed-set', first),
        ofToday('snap-failed-sibling', 'completed', 'failed-set', first),
      ]);

      // Act
      const { report } = await applyAll([backUp('i-1')]);

      // Assess
      expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
      expect(report.done[0]?.reason).toBe('created snap-own-a, snap-own-b');
    });

    it('leaves alone what a listing returns of another day, instance or tool', async () => {
      // Prepare
      givenSetsOfToday([
        ofToday('snap-own-a'),
        ourEbsBackup('snap-yesterday', 'i-1', 1, {
          StartTime: first,
          Tags: [...ourTags('i-1', dayOf(1)), { Key: 'nightshift:set', Value: 'set-0' }],
        }),
        ourEbsBackup('snap-other-instance', 'i-2', 0, {
          StartTime: first,
          Tags: [...ourTags('i-2', today), { Key: 'nightshift:set', Value: 'set-0' }],
        }),
        ourEbsBackup('snap-by-hand', 'i-1', 0, {
          StartTime: first,
          Tags: [
            ...ourTags('i-1', today).filter((tag) => tag.Key !== 'AutomatedBackup'),
            { Key: 'nightshift:set', Value: 'set-0' },
          ],
        }),
      ]);

      // Act
      const { report } = await applyAll([backUp('i-1')]);

      // Assess
      expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
      expect(report.done[0]?.reason).toBe('created snap-own-a, snap-own-b');
    });

    it('fails the backup of the instance, naming the snapshot, when it cannot delete the other set', async () => {
      // Prepare
      givenSetsOfToday([
        ofToday('snap-own-a'),
        ofToday('snap-other-a', 'pending', 'other-set', second),
      ]);
      ec2Mock.on(DeleteSnapshotCommand).rejects(awsError('UnauthorizedOperation', 'not allowed'));
      // Act
      const { report } = await applyAll([backUp('i-1')]);

      // Assess
      expect(report.failed).toEqual([
        {
          id: 'i-1',
          action: 'back up',
          reason: expect.stringContaining(
            `could not delete snap-other-a, a second set of i-1 on ${today} made at the same time as snap-own-a, snap-own-b, which stays: not allowed`,
          ),
        },
      ]);
    });

    it('counts a set another run deleted first as gone, not as a failure', async () => {
      // Prepare
      givenSetsOfToday([
        ofToday('snap-own-a'),
        ofToday('snap-other-a', 'pending', 'other-set', second),
      ]);
      ec2Mock.on(DeleteSnapshotCommand).rejects(awsError('InvalidSnapshot.NotFound'));
      // Act
      const { report } = await applyAll([backUp('i-1')]);

      // Assess
      expect(report.failed).toEqual([]);
      expect(report.done[0]?.reason).toMatch(/deleted snap-other-a, a second set/);
    });

    it('fails, naming the snapshot, when the set to delete is in use', async () => {
      // Prepare
      givenSetsOfToday([
        ofToday('snap-own-a'),
        ofToday('snap-other-a', 'pending', 'other-set', second),
      ]);
      ec2Mock.on(DeleteSnapshotCommand).rejects(awsError('InvalidSnapshot.InUse'));
      // Act
      const { report } = await applyAll([backUp('i-1')]);

      // Assess
      expect(report.failed[0]?.reason).toMatch(
        /could not delete snap-other-a, .*: in use \(InvalidSnapshot\.InUse\)$/,
      );
    });
  });

  it('counts a snapshot that already exists under the day identifier as done', async () => {
    // Prepare
    rdsMock.on(CreateDBSnapshotCommand).rejects(awsError('DBSnapshotAlreadyExistsFault'));

    // Act
    const { report, tally } = await applyAll([backUpDatabase('orders')]);

    // Assess
    expect(report.failed).toEqual([]);
    expect(report.done).toEqual([
      {
        id: 'orders',
        action: 'back up',
        reason: `already backed up on ${today} (nightshift-orders-${today})`,
      },
    ]);
    expect(tally.created).toBe(0);
  });

  it('counts the DB snapshots and DB cluster snapshots it made apart, for the quota warning', async () => {
    // Prepare: the snapshot of the day of `analytics` exists already.
    rdsMock
      .on(CreateDBClusterSnapshotCommand, { DBClusterIdentifier: 'analytics' })
      .rejects(awsError('DBClusterSnapshotAlreadyExistsFault'));

    // Act
    const { report, tally } = await applyAll([
      backUp('i-1'),
      backUpDatabase('orders'),
      backUpDatabase('billing', 'rds-cluster'),
      backUpDatabase('analytics', 'rds-cluster'),
    ]);

    // Assess
    expect(rdsMock).toHaveReceivedCommandWith(CreateDBClusterSnapshotCommand, {
      DBClusterIdentifier: 'billing',
      DBClusterSnapshotIdentifier: `nightshift-billing-${today}`,
    });
    expect(report.failed).toEqual([]);
    expect(tally).toEqual({ created: 3, rdsCreated: 1, clusterCreated: 1, deleted: 0 });
  });

  it('counts an expired backup that a retried delete found gone as deleted, and one gone before as skipped', async () => {
    // Prepare: the SDK counts its attempts on the error it finally throws.
    const retried = (name: string) => Object.assign(awsError(name), { $metadata: { attempts: 3 } });
    ec2Mock
      .on(DeleteSnapshotCommand, { SnapshotId: 'snap-lost-answer' })
      .rejects(retried('InvalidSnapshot.NotFound'))
      .on(DeleteSnapshotCommand, { SnapshotId: 'snap-gone-before' })
      .rejects(awsError('InvalidSnapshot.NotFound'));
    rdsMock.on(DeleteDBSnapshotCommand).rejects(retried('DBSnapshotNotFoundFault'));

    // Act
    const { report, tally } = await applyAll([
      expire(record('snap-lost-answer', 'i-1', 11)),
      expire(record('snap-gone-before', 'i-1', 10)),
      expire(record(`nightshift-orders-${dayOf(12)}`, 'orders', 12, 'rds')),
    ]);

    // Assess
    expect(report.failed).toEqual([]);
    expect(byAction(report.done, 'delete').sort()).toEqual([
      `nightshift-orders-${dayOf(12)}`,
      'snap-lost-answer',
    ]);
    expect(report.done).toContainEqual({
      id: 'snap-lost-answer',
      action: 'delete',
      reason: expect.stringContaining(GONE_AFTER_RETRY),
    });
    expect(report.skipped).toContainEqual({
      id: 'snap-gone-before',
      action: 'delete',
      reason: 'already gone',
    });
    expect(tally.deleted).toBe(2);
  });

  it('stops starting backups when the time budget runs out', async () => {
    // Prepare
    let started = 0;
    ec2Mock.on(CreateSnapshotsCommand).callsFake(async () => {
      started += 1;
      return { Snapshots: [{ SnapshotId: `snap-${started}` }] };
    });
    const budget: TimeBudget = { remainingMs: () => 0, isExhausted: () => started >= 1 };

    // Act
    const { report } = await applyAll([backUp('i-1'), backUp('i-2'), backUp('i-3')], {
      concurrency: 1,
      budget,
    });

    // Assess
    expect(byAction(report.done, 'back up')).toEqual(['i-1']);
    expect(report.skipped).toEqual([
      { id: 'i-2', action: 'back up', reason: 'out of time for this run; the next run continues' },
      { id: 'i-3', action: 'back up', reason: 'out of time for this run; the next run continues' },
    ]);
  });
});
