import type { Snapshot } from '@aws-sdk/client-ec2';
import { ValidationError } from '@nightshift/middleware';
import { describe, expect, it } from 'vitest';
import { ageInDays, planCleanup, retentionFor, type SnapshotRetentionPolicy } from '../src/plan.ts';

const now = new Date('2026-11-28T03:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
let serial = 0;
const snap = (days: number, extra: Partial<Snapshot> = {}): Snapshot => {
  serial += 1;
  return {
    SnapshotId: `snap-${serial}`,
    VolumeId: `vol-${serial}`,
    VolumeSize: 8,
    State: 'completed',
    StartTime: daysAgo(days),
    ...extra,
  };
};
const policy: SnapshotRetentionPolicy = {
  retentionDays: 30,
  keepTags: [{ key: 'Retention', value: 'permanent' }],
  excludeTags: [],
  keepLatestPerVolume: false,
};
const plan = (
  snapshots: Snapshot[],
  overrides: Partial<SnapshotRetentionPolicy> = {},
  amis = new Map<string, string[]>(),
) => planCleanup({ snapshots, amisBySnapshot: amis, policy: { ...policy, ...overrides }, now });
const ids = (snapshots: Snapshot[]) => snapshots.map((snapshot) => snapshot.SnapshotId);

describe('Plan a cleanup', () => {
  it('deletes only snapshots older than the retention, oldest first', () => {
    // Prepare
    const young = snap(29);
    const old = snap(31);
    const older = snap(400);

    // Act
    const result = plan([young, old, older]);

    // Assess
    expect(ids(result.due)).toEqual([older.SnapshotId, old.SnapshotId]);
    expect(result.notDue).toBe(1);
    expect(result.kept).toEqual([]);
  });

  it('keeps a snapshot exactly at the retention boundary and one with no start time', () => {
    // Act
    const result = plan([snap(30), snap(0, { StartTime: undefined })]);

    // Assess
    expect(result.due).toEqual([]);
    expect(result.notDue).toBe(2);
  });

  it.each([
    [
      'the keep tag',
      { Tags: [{ Key: 'Retention', Value: 'permanent' }] },
      'tagged Retention=permanent',
    ],
    [
      'the keep tag in another case',
      { Tags: [{ Key: 'retention', Value: 'Permanent' }] },
      'tagged Retention=permanent',
    ],
    [
      'AWS Backup',
      { Tags: [{ Key: 'aws:backup:source-resource', Value: 'arn:aws:ec2:...:volume/vol-1' }] },
      'managed by AWS Backup',
    ],
    [
      'Data Lifecycle Manager',
      { Tags: [{ Key: 'aws:dlm:lifecycle-policy-id', Value: 'policy-1' }] },
      'managed by Data Lifecycle Manager',
    ],
    [
      'backup-manager',
      {
        Tags: [
          { Key: 'CreatedBy', Value: 'nightshift' },
          { Key: 'AutomatedBackup', Value: 'true' },
        ],
      },
      'managed by backup-manager',
    ],
    ['an unfinished state', { State: 'pending' as const }, 'state is pending'],
  ])('keeps an old snapshot because of %s', (_rule, extra, reason) => {
    // Act
    const result = plan([snap(90, extra)]);

    // Assess
    expect(result.due).toEqual([]);
    expect(result.kept.map((kept) => kept.reasons)).toEqual([[reason]]);
  });

  it('keeps an old snapshot used by any AMI and names the AMIs', () => {
    // Prepare
    const used = snap(90);
    const amis = new Map([[used.SnapshotId ?? '', ['ami-1', 'ami-2']]]);

    // Act
    const result = plan([used, snap(90)], {}, amis);

    // Assess
    expect(result.kept).toEqual([{ snapshot: used, reasons: ['used by AMI ami-1, ami-2'] }]);
    expect(result.due).toHaveLength(1);
  });

  it('keeps snapshots tagged with any of the keep tags', () => {
    // Act
    const result = plan(
      [
        snap(90, { Tags: [{ Key: 'Retention', Value: 'permanent' }] }),
        snap(90, { Tags: [{ Key: 'Keep', Value: 'forever' }] }),
        snap(90, { Tags: [{ Key: 'Keep', Value: 'no' }] }),
      ],
      {
        keepTags: [
          { key: 'Retention', value: 'permanent' },
          { key: 'Keep', value: 'forever' },
        ],
      },
    );

    // Assess
    expect(result.kept.map((kept) => kept.reasons)).toEqual([
      ['tagged Retention=permanent'],
      ['tagged Keep=forever'],
    ]);
    expect(result.due).toHaveLength(1);
  });

  it('does not let a pending or failed snapshot stand in for the last completed one', () => {
    // Prepare
    const lastGood = snap(60, { VolumeId: 'vol-c' });
    const pending = snap(1, { VolumeId: 'vol-c', State: 'pending' });
    const failed = snap(2, { VolumeId: 'vol-c', State: 'error' });

    // Act
    const result = plan([lastGood, pending, failed], { keepLatestPerVolume: true });

    // Assess
    expect(result.due).toEqual([]);
    expect(result.kept).toEqual([{ snapshot: lastGood, reasons: ['newest snapshot of vol-c'] }]);
  });

  it('applies the operator exclusions, by key alone or key and value', () => {
    // Prepare
    const excludeTags = [{ key: 'Team', value: 'db' }, { key: 'LegalHold' }];

    // Act
    const result = plan(
      [
        snap(90, { Tags: [{ Key: 'Team', Value: 'db' }] }),
        snap(90, { Tags: [{ Key: 'Team', Value: 'web' }] }),
        snap(90, { Tags: [{ Key: 'LegalHold', Value: 'case-7' }] }),
      ],
      { excludeTags },
    );

    // Assess
    expect(result.kept.map((kept) => kept.reasons)).toEqual([
      ['excluded by tag Team=db'],
      ['excluded by tag LegalHold'],
    ]);
    expect(result.due).toHaveLength(1);
  });

  it('keeps the newest snapshot of each volume when asked, however old', () => {
    // Prepare
    const oldest = snap(300, { VolumeId: 'vol-a' });
    const newestOfA = snap(200, { VolumeId: 'vol-a' });
    const copied = snap(200, { VolumeId: 'vol-ffffffff' });
    const recentOfB = snap(1, { VolumeId: 'vol-b' });
    const oldOfB = snap(100, { VolumeId: 'vol-b' });

    // Act
    const result = plan([oldest, newestOfA, copied, recentOfB, oldOfB], {
      keepLatestPerVolume: true,
    });

    // Assess
    expect(result.kept).toEqual([{ snapshot: newestOfA, reasons: ['newest snapshot of vol-a'] }]);
    expect(ids(result.due)).toEqual([oldest.SnapshotId, copied.SnapshotId, oldOfB.SnapshotId]);
  });

  it('never lets a snapshot that another tool manages stand for the newest of its volume', () => {
    // Prepare: the volume's newest snapshot is backup-manager's, which its retention may delete.
    const manual = snap(200, { VolumeId: 'vol-a' });
    const backup = snap(100, {
      VolumeId: 'vol-a',
      Tags: [
        { Key: 'CreatedBy', Value: 'nightshift' },
        { Key: 'AutomatedBackup', Value: 'true' },
      ],
    });

    // Act
    const result = plan([manual, backup], { keepLatestPerVolume: true });

    // Assess
    expect(result.due).toEqual([]);
    expect(result.kept).toEqual([
      { snapshot: manual, reasons: ['newest snapshot of vol-a'] },
      { snapshot: backup, reasons: ['managed by backup-manager'] },
    ]);
  });

  it('lists every reason that keeps a snapshot', () => {
    // Prepare
    const both = snap(90, {
      Tags: [
        { Key: 'Retention', Value: 'permanent' },
        { Key: 'aws:dlm:managed', Value: 'true' },
      ],
    });

    // Act & Assess
    expect(plan([both]).kept[0]?.reasons).toEqual([
      'tagged Retention=permanent',
      'managed by Data Lifecycle Manager',
    ]);
  });
});

describe('Plan a cleanup, from incomplete answers', () => {
  it('reads a tag without a key as no tag', () => {
    // Prepare
    const old = snap(90, { Tags: [{ Value: 'orphan' }] });

    // Act & Assess
    expect(ids(plan([old]).due)).toEqual([old.SnapshotId]);
  });

  it('finds AWS Backup’s tag among others', () => {
    // Prepare
    const old = snap(90, {
      Tags: [
        { Key: 'Name', Value: 'db' },
        { Key: 'aws:backup:source-resource', Value: 'vol-1' },
      ],
    });

    // Act & Assess
    expect(plan([old]).kept).toEqual([{ snapshot: old, reasons: ['managed by AWS Backup'] }]);
  });

  it('names a missing state as unknown', () => {
    // Prepare
    const old = snap(90, { State: undefined });

    // Act & Assess
    expect(plan([old]).kept).toEqual([{ snapshot: old, reasons: ['state is unknown'] }]);
  });

  it('keeps a snapshot without an id that is the newest of its volume', () => {
    // Prepare
    const older = snap(90, { VolumeId: 'vol-a' });
    const newest = snap(60, { VolumeId: 'vol-a', SnapshotId: undefined });

    // Act
    const result = plan([older, newest], { keepLatestPerVolume: true });

    // Assess
    expect(ids(result.due)).toEqual([older.SnapshotId]);
    expect(result.kept).toEqual([{ snapshot: newest, reasons: ['newest snapshot of vol-a'] }]);
  });
});

describe('Age of a snapshot', () => {
  it('counts whole days since it started', () => {
    // Act & Assess
    expect(ageInDays(snap(41.9), now)).toBe(41);
    expect(ageInDays(snap(0.5), now)).toBe(0);
    expect(ageInDays({ StartTime: new Date(now.getTime() + 86_400_000) }, now)).toBe(-1);
  });

  it('is 0 for a snapshot without a start time', () => {
    expect(ageInDays({ SnapshotId: 'snap-x' }, now)).toBe(0);
  });
});

describe('Retention of one run', () => {
  it('is the configured retention when the event sets none', () => {
    expect(retentionFor(undefined, 30)).toBe(30);
  });

  it.each([30, 31, 365])('takes an event retention of %j days, not shorter than 30', (days) => {
    expect(retentionFor(days, 30)).toBe(days);
  });

  it.each([29, 7, 1])(
    'refuses an event retention of %j days, shorter than 30, naming the field',
    (days) => {
      // Act
      const attempt = () => retentionFor(days, 30);

      // Assess
      expect(attempt).toThrow(ValidationError);
      expect(attempt).toThrow(
        `Invalid event: retentionDays: is ${days}, shorter than the configured RETENTION_DAYS (30): an event may make retention longer, never shorter`,
      );
    },
  );
});
