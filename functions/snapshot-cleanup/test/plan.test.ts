import type { Snapshot } from '@aws-sdk/client-ec2';
import { ValidationError } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import {
  ageInDays,
  planCleanup,
  retentionFor,
  type SnapshotRetentionPolicy,
  volumeStatus,
} from '../src/plan.ts';

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
  keepLatestOfDeletedVolumes: false,
};
/** Every volume the snapshots name: by default the volumes of all snapshots exist. */
const volumesOf = (snapshots: Snapshot[]) =>
  new Set(snapshots.flatMap((snapshot) => (snapshot.VolumeId ? [snapshot.VolumeId] : [])));
const plan = (
  snapshots: Snapshot[],
  overrides: Partial<SnapshotRetentionPolicy> = {},
  amis = new Map<string, string[]>(),
  liveVolumes: ReadonlySet<string> = volumesOf(snapshots),
) =>
  planCleanup({
    snapshots,
    amisBySnapshot: amis,
    liveVolumes,
    policy: { ...policy, ...overrides },
    now,
  });
const ids = (snapshots: Snapshot[]) => snapshots.map((snapshot) => snapshot.SnapshotId);
/** The tags the original backup script put on its EBS snapshots. */
const legacyTags = [
  { Key: 'Name', Value: 'web-backup-20261101' },
  { Key: 'Environment', Value: 'production' },
  { Key: 'InstanceId', Value: 'i-1' },
  { Key: 'VolumeId', Value: 'vol-a' },
  { Key: 'AutomatedBackup', Value: 'true' },
  { Key: 'CreatedBy', Value: 'lambda-backup-automation' },
];
const LEGACY_REASON = "the original backup script's backup, which backup-manager expires";

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
    ['the original backup script', { Tags: legacyTags }, LEGACY_REASON],
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

  it('never lets a backup of the original backup script stand for the newest of its volume', () => {
    // Prepare: backup-manager's retention adopts and expires the original script's backups.
    const manual = snap(200, { VolumeId: 'vol-a' });
    const olderManual = snap(300, { VolumeId: 'vol-a' });
    const legacy = snap(100, { VolumeId: 'vol-a', Tags: legacyTags });

    // Act
    const result = plan([olderManual, manual, legacy], { keepLatestPerVolume: true });

    // Assess
    expect(result.kept).toEqual([
      { snapshot: manual, reasons: ['newest snapshot of vol-a'] },
      { snapshot: legacy, reasons: [LEGACY_REASON] },
    ]);
    expect(ids(result.due)).toEqual([olderManual.SnapshotId]);
  });

  it.each([
    ['another tool', { CreatedBy: 'someone-else' }],
    ['not an automated backup', { AutomatedBackup: 'false' }],
  ])('deletes an old snapshot tagged like the original script’s but by %s', (_what, change) => {
    // Prepare
    const tags = legacyTags.map((tag) => ({
      ...tag,
      Value: change[tag.Key as keyof typeof change] ?? tag.Value,
    }));
    const lookalike = snap(90, { Tags: tags });

    // Act
    const result = plan([lookalike]);

    // Assess
    expect(ids(result.due)).toEqual([lookalike.SnapshotId]);
    expect(result.kept).toEqual([]);
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

describe('The last backup of a resource', () => {
  const lastBackup: Partial<SnapshotRetentionPolicy> = { keepLatestPerVolume: true };
  const noVolumes = new Set<string>();

  it('keeps the only snapshot of a volume that exists, however old', () => {
    // Prepare
    const only = snap(400, { VolumeId: 'vol-live' });

    // Act
    const result = plan([only], lastBackup, new Map(), new Set(['vol-live']));

    // Assess
    expect(result.due).toEqual([]);
    expect(result.kept).toEqual([{ snapshot: only, reasons: ['newest snapshot of vol-live'] }]);
  });

  it('keeps the newest snapshot of a volume that exists and deletes the older ones', () => {
    // Prepare
    const oldest = snap(300, { VolumeId: 'vol-live' });
    const newest = snap(90, { VolumeId: 'vol-live' });
    const older = snap(200, { VolumeId: 'vol-live' });

    // Act
    const result = plan([oldest, newest, older], lastBackup, new Map(), new Set(['vol-live']));

    // Assess
    expect(result.kept).toEqual([{ snapshot: newest, reasons: ['newest snapshot of vol-live'] }]);
    expect(ids(result.due)).toEqual([oldest.SnapshotId, older.SnapshotId]);
  });

  it('deletes every snapshot of a volume that no longer exists once past retention, the newest too', () => {
    // Prepare
    const older = snap(200, { VolumeId: 'vol-gone' });
    const newest = snap(40, { VolumeId: 'vol-gone' });
    const young = snap(3, { VolumeId: 'vol-gone-too' });

    // Act
    const result = plan([older, newest, young], lastBackup, new Map(), noVolumes);

    // Assess
    expect(ids(result.due)).toEqual([older.SnapshotId, newest.SnapshotId]);
    expect(result.kept).toEqual([]);
    expect(result.notDue).toBe(1);
  });

  it('keeps the newest snapshot of a volume that no longer exists when asked, and only that one', () => {
    // Prepare
    const older = snap(200, { VolumeId: 'vol-gone' });
    const newest = snap(40, { VolumeId: 'vol-gone' });

    // Act
    const result = plan(
      [older, newest],
      { ...lastBackup, keepLatestOfDeletedVolumes: true },
      new Map(),
      noVolumes,
    );

    // Assess
    expect(result.kept).toEqual([{ snapshot: newest, reasons: ['newest snapshot of vol-gone'] }]);
    expect(ids(result.due)).toEqual([older.SnapshotId]);
  });

  it('takes the two settings apart: one for volumes that exist, one for volumes that are gone', () => {
    // Prepare
    const live = snap(90, { VolumeId: 'vol-live' });
    const gone = snap(90, { VolumeId: 'vol-gone' });
    const liveVolumes = new Set(['vol-live']);

    // Act
    const deletedOnly = plan(
      [live, gone],
      { keepLatestPerVolume: false, keepLatestOfDeletedVolumes: true },
      new Map(),
      liveVolumes,
    );
    const neither = plan([live, gone], {}, new Map(), liveVolumes);

    // Assess
    expect(deletedOnly.kept).toEqual([
      { snapshot: gone, reasons: ['newest snapshot of vol-gone'] },
    ]);
    expect(ids(deletedOnly.due)).toEqual([live.SnapshotId]);
    expect(ids(neither.due)).toEqual([live.SnapshotId, gone.SnapshotId]);
  });

  it.each([
    ['tagged Retention=permanent', { Tags: [{ Key: 'Retention', Value: 'permanent' }] }],
    ['managed by AWS Backup', { Tags: [{ Key: 'aws:backup:source-resource', Value: 'vol-gone' }] }],
    ['managed by Data Lifecycle Manager', { Tags: [{ Key: 'aws:dlm:managed', Value: 'true' }] }],
    [
      'managed by backup-manager',
      {
        Tags: [
          { Key: 'CreatedBy', Value: 'nightshift' },
          { Key: 'AutomatedBackup', Value: 'true' },
        ],
      },
    ],
    [LEGACY_REASON, { Tags: legacyTags }],
  ])('still keeps a snapshot of a volume that no longer exists when %s', (reason, extra) => {
    // Prepare
    const orphan = snap(400, { VolumeId: 'vol-gone', ...extra });

    // Act
    const result = plan([orphan], lastBackup, new Map(), noVolumes);

    // Assess
    expect(result.due).toEqual([]);
    expect(result.kept).toEqual([{ snapshot: orphan, reasons: [reason] }]);
  });

  it('still keeps a snapshot of a volume that no longer exists when an AMI uses it', () => {
    // Prepare
    const orphan = snap(400, { VolumeId: 'vol-gone' });
    const amis = new Map([[orphan.SnapshotId ?? '', ['ami-1']]]);

    // Act
    const result = plan([orphan], lastBackup, amis, noVolumes);

    // Assess
    expect(result.kept).toEqual([{ snapshot: orphan, reasons: ['used by AMI ami-1'] }]);
  });

  it('does not let a snapshot without a start time stand for the newest of its volume', () => {
    // Prepare
    const undated = snap(0, { VolumeId: 'vol-live', StartTime: undefined });
    const old = snap(90, { VolumeId: 'vol-live' });

    // Act
    const result = plan([undated, old], lastBackup);

    // Assess
    expect(result.kept).toEqual([{ snapshot: old, reasons: ['newest snapshot of vol-live'] }]);
    expect(result.notDue).toBe(1);
  });

  it('keeps one of two snapshots started at the same moment, the first listed', () => {
    // Prepare
    const first = snap(90, { VolumeId: 'vol-live' });
    const second = snap(90, { VolumeId: 'vol-live' });

    // Act
    const result = plan([first, second], lastBackup);

    // Assess
    expect(result.kept).toEqual([{ snapshot: first, reasons: ['newest snapshot of vol-live'] }]);
    expect(ids(result.due)).toEqual([second.SnapshotId]);
  });

  it('does not keep a snapshot that names no volume for being the newest', () => {
    // Prepare
    const first = snap(90, { VolumeId: undefined });
    const second = snap(60, { VolumeId: undefined });
    const both = { ...lastBackup, keepLatestOfDeletedVolumes: true };

    // Act & Assess
    expect(ids(plan([first, second], both, new Map(), new Set([''])).due)).toEqual([
      first.SnapshotId,
      second.SnapshotId,
    ]);
  });
});

describe('Copies from other Regions', () => {
  const lastBackup: Partial<SnapshotRetentionPolicy> = { keepLatestPerVolume: true };
  const copy = (days: number, Description?: string, extra: Partial<Snapshot> = {}) =>
    snap(days, { VolumeId: 'vol-ffffffff', Description, ...extra });

  it('keeps the newest copy of each source snapshot, read from the description CopySnapshot gives', () => {
    // Prepare
    const olderCopy = copy(200, '[Copied snap-0a1b2c3d4e5f60718 from us-east-1] nightly db');
    const newestCopy = copy(90, '[Copied snap-0a1b2c3d4e5f60718 from us-east-1] nightly db');
    const onlyCopy = copy(300, '[Copied snap-0f9e8d7c6b5a40312 from eu-west-1]');

    // Act
    const result = plan([olderCopy, newestCopy, onlyCopy], lastBackup, new Map(), new Set());

    // Assess
    expect(result.kept).toEqual([
      { snapshot: newestCopy, reasons: ['newest copy of snap-0a1b2c3d4e5f60718 from us-east-1'] },
      { snapshot: onlyCopy, reasons: ['newest copy of snap-0f9e8d7c6b5a40312 from eu-west-1'] },
    ]);
    expect(ids(result.due)).toEqual([olderCopy.SnapshotId]);
  });

  it('keeps the newest copy of each source volume when the copies carry its VolumeId tag', () => {
    // Prepare: daily copies of different snapshots of one volume, tagged as the original
    // backup script tags its snapshots.
    const tagged = (days: number, source: string) =>
      copy(days, `[Copied ${source} from us-east-1] Automated backup of web-1`, {
        Tags: [{ Key: 'VolumeId', Value: 'vol-0123456789abcdef0' }],
      });
    const [older, newest, oldest] = [
      tagged(60, 'snap-0000000000000000b'),
      tagged(40, 'snap-0000000000000000c'),
      tagged(80, 'snap-0000000000000000a'),
    ];

    // Act
    const result = plan([older, newest, oldest], lastBackup, new Map(), new Set());

    // Assess
    expect(result.kept).toEqual([
      { snapshot: newest, reasons: ['newest copy of vol-0123456789abcdef0 from us-east-1'] },
    ]);
    expect(ids(result.due)).toEqual([oldest.SnapshotId, older.SnapshotId]);
  });

  it('reads the source snapshot of an AMI copy’s backing snapshot', () => {
    // Prepare
    const description =
      'Copied for DestinationAmi ami-0d1e2f3a4b5c6d7e8 from SourceAmi ami-0123456789abcdef0 for SourceSnapshot snap-0a1b2c3d4e5f60718. Task created on 1,566,308,778,174.';
    const [older, newest] = [copy(200, description), copy(100, description)];

    // Act
    const result = plan([older, newest], lastBackup, new Map(), new Set());

    // Assess
    expect(result.kept).toEqual([
      { snapshot: newest, reasons: ['newest copy of snap-0a1b2c3d4e5f60718'] },
    ]);
    expect(ids(result.due)).toEqual([older.SnapshotId]);
  });

  it.each([
    ['no description', undefined],
    ['an import', 'Created by AWS-VMImport service for import-snap-0123456789abcdef0'],
    ['a description of its own', 'copy of the db volume'],
    ['the copy mark not at the start', 'nightly [Copied snap-0a1b2c3d4e5f60718 from us-east-1]'],
    [
      'the AMI copy mark not at the start',
      'nightly Copied for DestinationAmi ami-1a from SourceAmi ami-2b for SourceSnapshot snap-3c',
    ],
  ])('cannot tell the source of a copy with %s, so no copy rule keeps it', (_case, description) => {
    // Prepare
    const [first, second] = [copy(90, description), copy(60, description)];

    // Act
    const result = plan([first, second], lastBackup, new Map(), new Set());

    // Assess
    expect(ids(result.due)).toEqual([first.SnapshotId, second.SnapshotId]);
  });

  it.each([
    ['vol-ffffffff', 'vol-ffffffff'],
    ['no volume id', 'n/a'],
  ])('reads the source snapshot when the VolumeId tag is %s', (_case, value) => {
    // Prepare
    const withTag = (days: number, source: string) =>
      copy(days, `[Copied ${source} from us-east-1]`, {
        Tags: [{ Key: 'VolumeId', Value: value }],
      });
    const [a, b] = [withTag(90, 'snap-0a'), withTag(60, 'snap-0b')];

    // Act
    const result = plan([a, b], lastBackup, new Map(), new Set());

    // Assess
    expect(result.kept.map((kept) => kept.reasons)).toEqual([
      ['newest copy of snap-0a from us-east-1'],
      ['newest copy of snap-0b from us-east-1'],
    ]);
  });

  it('keeps the copies of a volume apart from the volume’s own snapshots', () => {
    // Prepare
    const own = snap(90, { VolumeId: 'vol-0abc' });
    const copied = copy(40, '[Copied snap-0d from us-east-1]', {
      Tags: [{ Key: 'VolumeId', Value: 'vol-0abc' }],
    });

    // Act
    const result = plan([own, copied], lastBackup, new Map(), new Set(['vol-0abc']));

    // Assess
    expect(result.kept.map((kept) => kept.snapshot)).toEqual([own, copied]);
  });

  it('keeps no copy for being the newest when KEEP_LATEST_PER_VOLUME is off', () => {
    // Prepare
    const only = copy(90, '[Copied snap-0a from us-east-1]');

    // Act & Assess
    expect(
      ids(plan([only], { keepLatestOfDeletedVolumes: true }, new Map(), new Set()).due),
    ).toEqual([only.SnapshotId]);
  });

  it('does not let an unfinished copy stand for the newest copy', () => {
    // Prepare
    const done = copy(90, '[Copied snap-0a from us-east-1]');
    const pending = copy(1, '[Copied snap-0a from us-east-1]', { State: 'pending' });

    // Act & Assess
    expect(plan([done, pending], lastBackup, new Map(), new Set()).kept).toEqual([
      { snapshot: done, reasons: ['newest copy of snap-0a from us-east-1'] },
    ]);
  });
});

describe('Status of a snapshot’s volume', () => {
  const liveVolumes = new Set(['vol-1', 'vol-ffffffff']);

  it.each([
    ['vol-1', 'exists'],
    ['vol-2', 'deleted'],
    ['vol-ffffffff', 'copy'],
    [undefined, 'unknown'],
    ['', 'unknown'],
  ])('is %j → %s', (VolumeId, status) => {
    expect(volumeStatus({ VolumeId }, liveVolumes)).toBe(status);
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
