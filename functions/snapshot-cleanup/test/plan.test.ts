import type { EbsSnapshot } from '@nightshift/inventory';
import { ValidationError } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import {
  Action,
  ageInDays,
  type CleanupPlan,
  capPerRun,
  planCleanup,
  retentionFor,
  type SnapshotRetentionPolicy,
  volumeStatus,
} from '../src/plan.ts';

const now = new Date('2026-11-28T03:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);
let serial = 0;
const snap = (days: number, extra: Partial<EbsSnapshot> = {}): EbsSnapshot => {
  serial += 1;
  return {
    id: `snap-${serial}`,
    volumeId: `vol-${serial}`,
    volumeSizeGiB: 8,
    state: 'completed',
    startTime: daysAgo(days),
    tags: [],
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
const volumesOf = (snapshots: EbsSnapshot[]) =>
  new Set(snapshots.flatMap((snapshot) => (snapshot.volumeId ? [snapshot.volumeId] : [])));
const plan = (
  snapshots: EbsSnapshot[],
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
const ids = (decisions: { target: string }[]) => decisions.map((decision) => decision.target);
/** The snapshots a rule keeps, and the reason the report gives. */
const keptOf = (result: CleanupPlan) =>
  result.kept.map(({ target, reason }) => ({ id: target, reason }));
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
    expect(ids(result.due)).toEqual([older.id, old.id]);
    expect(result.notDue).toBe(1);
    expect(keptOf(result)).toEqual([]);
  });

  it('keeps a snapshot exactly at the retention boundary and one with no start time', () => {
    // Act
    const result = plan([snap(30), snap(0, { startTime: undefined })]);

    // Assess
    expect(result.due).toEqual([]);
    expect(result.notDue).toBe(2);
  });

  it.each([
    [
      'the keep tag',
      { tags: [{ Key: 'Retention', Value: 'permanent' }] },
      'tagged Retention=permanent',
    ],
    [
      'the keep tag in another case',
      { tags: [{ Key: 'retention', Value: 'Permanent' }] },
      'tagged Retention=permanent',
    ],
    [
      'AWS Backup',
      { tags: [{ Key: 'aws:backup:source-resource', Value: 'arn:aws:ec2:...:volume/vol-1' }] },
      'managed by AWS Backup',
    ],
    [
      'Data Lifecycle Manager',
      { tags: [{ Key: 'aws:dlm:lifecycle-policy-id', Value: 'policy-1' }] },
      'managed by Data Lifecycle Manager',
    ],
    [
      'backup-manager',
      {
        tags: [
          { Key: 'CreatedBy', Value: 'nightshift' },
          { Key: 'AutomatedBackup', Value: 'true' },
        ],
      },
      'managed by backup-manager',
    ],
    ['the original backup script', { tags: legacyTags }, LEGACY_REASON],
    ['an unfinished state', { state: 'pending' as const }, 'state is pending'],
  ])('keeps an old snapshot because of %s', (_rule, extra, reason) => {
    // Act
    const result = plan([snap(90, extra)]);

    // Assess
    expect(result.due).toEqual([]);
    expect(result.kept.map((kept) => kept.reason)).toEqual([reason]);
  });

  it('keeps an old snapshot used by any AMI and names the AMIs', () => {
    // Prepare
    const used = snap(90);
    const amis = new Map([[used.id, ['ami-1', 'ami-2']]]);

    // Act
    const result = plan([used, snap(90)], {}, amis);

    // Assess
    expect(keptOf(result)).toEqual([{ id: used.id, reason: 'used by AMI ami-1, ami-2' }]);
    expect(result.due).toHaveLength(1);
  });

  it('keeps snapshots tagged with any of the keep tags', () => {
    // Act
    const result = plan(
      [
        snap(90, { tags: [{ Key: 'Retention', Value: 'permanent' }] }),
        snap(90, { tags: [{ Key: 'Keep', Value: 'forever' }] }),
        snap(90, { tags: [{ Key: 'Keep', Value: 'no' }] }),
      ],
      {
        keepTags: [
          { key: 'Retention', value: 'permanent' },
          { key: 'Keep', value: 'forever' },
        ],
      },
    );

    // Assess
    expect(result.kept.map((kept) => kept.reason)).toEqual([
      'tagged Retention=permanent',
      'tagged Keep=forever',
    ]);
    expect(result.due).toHaveLength(1);
  });

  it('does not let a pending or failed snapshot stand in for the last completed one', () => {
    // Prepare
    const lastGood = snap(60, { volumeId: 'vol-c' });
    const pending = snap(1, { volumeId: 'vol-c', state: 'pending' });
    const failed = snap(2, { volumeId: 'vol-c', state: 'error' });

    // Act
    const result = plan([lastGood, pending, failed], { keepLatestPerVolume: true });

    // Assess
    expect(result.due).toEqual([]);
    expect(keptOf(result)).toEqual([{ id: lastGood.id, reason: 'newest snapshot of vol-c' }]);
  });

  it('applies the operator exclusions, by key alone or key and value', () => {
    // Prepare
    const excludeTags = [{ key: 'Team', value: 'db' }, { key: 'LegalHold' }];

    // Act
    const result = plan(
      [
        snap(90, { tags: [{ Key: 'Team', Value: 'db' }] }),
        snap(90, { tags: [{ Key: 'Team', Value: 'web' }] }),
        snap(90, { tags: [{ Key: 'LegalHold', Value: 'case-7' }] }),
      ],
      { excludeTags },
    );

    // Assess
    expect(result.kept.map((kept) => kept.reason)).toEqual([
      'excluded by tag Team=db',
      'excluded by tag LegalHold',
    ]);
    expect(result.due).toHaveLength(1);
  });

  it('keeps the newest snapshot of each volume when asked, however old', () => {
    // Prepare
    const oldest = snap(300, { volumeId: 'vol-a' });
    const newestOfA = snap(200, { volumeId: 'vol-a' });
    const copied = snap(200, { volumeId: 'vol-ffffffff' });
    const recentOfB = snap(1, { volumeId: 'vol-b' });
    const oldOfB = snap(100, { volumeId: 'vol-b' });

    // Act
    const result = plan([oldest, newestOfA, copied, recentOfB, oldOfB], {
      keepLatestPerVolume: true,
    });

    // Assess
    expect(keptOf(result)).toEqual([{ id: newestOfA.id, reason: 'newest snapshot of vol-a' }]);
    expect(ids(result.due)).toEqual([oldest.id, copied.id, oldOfB.id]);
  });

  it('never lets a snapshot that another tool manages stand for the newest of its volume', () => {
    // Prepare: the volume's newest snapshot is backup-manager's, which its retention may delete.
    const manual = snap(200, { volumeId: 'vol-a' });
    const backup = snap(100, {
      volumeId: 'vol-a',
      tags: [
        { Key: 'CreatedBy', Value: 'nightshift' },
        { Key: 'AutomatedBackup', Value: 'true' },
      ],
    });

    // Act
    const result = plan([manual, backup], { keepLatestPerVolume: true });

    // Assess
    expect(result.due).toEqual([]);
    expect(keptOf(result)).toEqual([
      { id: manual.id, reason: 'newest snapshot of vol-a' },
      { id: backup.id, reason: 'managed by backup-manager' },
    ]);
  });

  it('never lets a backup of the original backup script stand for the newest of its volume', () => {
    // Prepare: backup-manager's retention adopts and expires the original script's backups.
    const manual = snap(200, { volumeId: 'vol-a' });
    const olderManual = snap(300, { volumeId: 'vol-a' });
    const legacy = snap(100, { volumeId: 'vol-a', tags: legacyTags });

    // Act
    const result = plan([olderManual, manual, legacy], { keepLatestPerVolume: true });

    // Assess
    expect(keptOf(result)).toEqual([
      { id: manual.id, reason: 'newest snapshot of vol-a' },
      { id: legacy.id, reason: LEGACY_REASON },
    ]);
    expect(ids(result.due)).toEqual([olderManual.id]);
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
    const lookalike = snap(90, { tags: tags });

    // Act
    const result = plan([lookalike]);

    // Assess
    expect(ids(result.due)).toEqual([lookalike.id]);
    expect(keptOf(result)).toEqual([]);
  });

  it('lists every reason that keeps a snapshot', () => {
    // Prepare
    const both = snap(90, {
      tags: [
        { Key: 'Retention', Value: 'permanent' },
        { Key: 'aws:dlm:managed', Value: 'true' },
      ],
    });

    // Act & Assess
    expect(plan([both]).kept[0]?.reason).toBe(
      'tagged Retention=permanent; managed by Data Lifecycle Manager',
    );
  });
});

describe('The last backup of a resource', () => {
  const lastBackup: Partial<SnapshotRetentionPolicy> = { keepLatestPerVolume: true };
  const noVolumes = new Set<string>();

  it('keeps the only snapshot of a volume that exists, however old', () => {
    // Prepare
    const only = snap(400, { volumeId: 'vol-live' });

    // Act
    const result = plan([only], lastBackup, new Map(), new Set(['vol-live']));

    // Assess
    expect(result.due).toEqual([]);
    expect(keptOf(result)).toEqual([{ id: only.id, reason: 'newest snapshot of vol-live' }]);
  });

  it('keeps the newest snapshot of a volume that exists and deletes the older ones', () => {
    // Prepare
    const oldest = snap(300, { volumeId: 'vol-live' });
    const newest = snap(90, { volumeId: 'vol-live' });
    const older = snap(200, { volumeId: 'vol-live' });

    // Act
    const result = plan([oldest, newest, older], lastBackup, new Map(), new Set(['vol-live']));

    // Assess
    expect(keptOf(result)).toEqual([{ id: newest.id, reason: 'newest snapshot of vol-live' }]);
    expect(ids(result.due)).toEqual([oldest.id, older.id]);
  });

  it('deletes every snapshot of a volume that no longer exists once past retention, the newest too', () => {
    // Prepare
    const older = snap(200, { volumeId: 'vol-gone' });
    const newest = snap(40, { volumeId: 'vol-gone' });
    const young = snap(3, { volumeId: 'vol-gone-too' });

    // Act
    const result = plan([older, newest, young], lastBackup, new Map(), noVolumes);

    // Assess
    expect(ids(result.due)).toEqual([older.id, newest.id]);
    expect(keptOf(result)).toEqual([]);
    expect(result.notDue).toBe(1);
  });

  it('keeps the newest snapshot of a volume that no longer exists when asked, and only that one', () => {
    // Prepare
    const older = snap(200, { volumeId: 'vol-gone' });
    const newest = snap(40, { volumeId: 'vol-gone' });

    // Act
    const result = plan(
      [older, newest],
      { ...lastBackup, keepLatestOfDeletedVolumes: true },
      new Map(),
      noVolumes,
    );

    // Assess
    expect(keptOf(result)).toEqual([
      { id: newest.id, reason: 'newest snapshot of vol-gone; volume vol-gone no longer exists' },
    ]);
    expect(ids(result.due)).toEqual([older.id]);
  });

  it('takes the two settings apart: one for volumes that exist, one for volumes that are gone', () => {
    // Prepare
    const live = snap(90, { volumeId: 'vol-live' });
    const gone = snap(90, { volumeId: 'vol-gone' });
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
    expect(keptOf(deletedOnly)).toEqual([
      { id: gone.id, reason: 'newest snapshot of vol-gone; volume vol-gone no longer exists' },
    ]);
    expect(ids(deletedOnly.due)).toEqual([live.id]);
    expect(ids(neither.due)).toEqual([live.id, gone.id]);
  });

  it.each([
    ['tagged Retention=permanent', { tags: [{ Key: 'Retention', Value: 'permanent' }] }],
    ['managed by AWS Backup', { tags: [{ Key: 'aws:backup:source-resource', Value: 'vol-gone' }] }],
    ['managed by Data Lifecycle Manager', { tags: [{ Key: 'aws:dlm:managed', Value: 'true' }] }],
    [
      'managed by backup-manager',
      {
        tags: [
          { Key: 'CreatedBy', Value: 'nightshift' },
          { Key: 'AutomatedBackup', Value: 'true' },
        ],
      },
    ],
    [LEGACY_REASON, { tags: legacyTags }],
  ])('still keeps a snapshot of a volume that no longer exists when %s', (reason, extra) => {
    // Prepare
    const orphan = snap(400, { volumeId: 'vol-gone', ...extra });

    // Act
    const result = plan([orphan], lastBackup, new Map(), noVolumes);

    // Assess
    expect(result.due).toEqual([]);
    expect(keptOf(result)).toEqual([
      { id: orphan.id, reason: `${reason}; volume vol-gone no longer exists` },
    ]);
  });

  it('still keeps a snapshot of a volume that no longer exists when an AMI uses it', () => {
    // Prepare
    const orphan = snap(400, { volumeId: 'vol-gone' });
    const amis = new Map([[orphan.id, ['ami-1']]]);

    // Act
    const result = plan([orphan], lastBackup, amis, noVolumes);

    // Assess
    expect(keptOf(result)).toEqual([
      { id: orphan.id, reason: 'used by AMI ami-1; volume vol-gone no longer exists' },
    ]);
  });

  it('does not let a snapshot without a start time stand for the newest of its volume', () => {
    // Prepare
    const undated = snap(0, { volumeId: 'vol-live', startTime: undefined });
    const old = snap(90, { volumeId: 'vol-live' });

    // Act
    const result = plan([undated, old], lastBackup);

    // Assess
    expect(keptOf(result)).toEqual([{ id: old.id, reason: 'newest snapshot of vol-live' }]);
    expect(result.notDue).toBe(1);
  });

  it('keeps one of two snapshots started at the same moment, the first listed', () => {
    // Prepare
    const first = snap(90, { volumeId: 'vol-live' });
    const second = snap(90, { volumeId: 'vol-live' });

    // Act
    const result = plan([first, second], lastBackup);

    // Assess
    expect(keptOf(result)).toEqual([{ id: first.id, reason: 'newest snapshot of vol-live' }]);
    expect(ids(result.due)).toEqual([second.id]);
  });

  it('does not keep a snapshot that names no volume for being the newest', () => {
    // Prepare
    const first = snap(90, { volumeId: undefined });
    const second = snap(60, { volumeId: undefined });
    const both = { ...lastBackup, keepLatestOfDeletedVolumes: true };

    // Act & Assess
    expect(ids(plan([first, second], both, new Map(), new Set([''])).due)).toEqual([
      first.id,
      second.id,
    ]);
  });
});

describe('Copies from other Regions', () => {
  const lastBackup: Partial<SnapshotRetentionPolicy> = { keepLatestPerVolume: true };
  const copy = (days: number, description?: string, extra: Partial<EbsSnapshot> = {}) =>
    snap(days, { volumeId: 'vol-ffffffff', description, ...extra });

  it('keeps the newest copy of each source snapshot, read from the description CopySnapshot gives', () => {
    // Prepare
    const olderCopy = copy(200, '[Copied snap-0a1b2c3d4e5f60718 from us-east-1] nightly db');
    const newestCopy = copy(90, '[Copied snap-0a1b2c3d4e5f60718 from us-east-1] nightly db');
    const onlyCopy = copy(300, '[Copied snap-0f9e8d7c6b5a40312 from eu-west-1]');

    // Act
    const result = plan([olderCopy, newestCopy, onlyCopy], lastBackup, new Map(), new Set());

    // Assess
    expect(keptOf(result)).toEqual([
      { id: newestCopy.id, reason: 'newest copy of snap-0a1b2c3d4e5f60718 from us-east-1' },
      { id: onlyCopy.id, reason: 'newest copy of snap-0f9e8d7c6b5a40312 from eu-west-1' },
    ]);
    expect(ids(result.due)).toEqual([olderCopy.id]);
  });

  it('keeps the newest copy of each source volume when the copies carry its VolumeId tag', () => {
    // Prepare: daily copies of different snapshots of one volume, tagged as the original
    // backup script tags its snapshots.
    const tagged = (days: number, source: string) =>
      copy(days, `[Copied ${source} from us-east-1] Automated backup of web-1`, {
        tags: [{ Key: 'VolumeId', Value: 'vol-0123456789abcdef0' }],
      });
    const [older, newest, oldest] = [
      tagged(60, 'snap-0000000000000000b'),
      tagged(40, 'snap-0000000000000000c'),
      tagged(80, 'snap-0000000000000000a'),
    ];

    // Act
    const result = plan([older, newest, oldest], lastBackup, new Map(), new Set());

    // Assess
    expect(keptOf(result)).toEqual([
      { id: newest.id, reason: 'newest copy of vol-0123456789abcdef0 from us-east-1' },
    ]);
    expect(ids(result.due)).toEqual([oldest.id, older.id]);
  });

  it('reads the source snapshot of an AMI copy’s backing snapshot', () => {
    // Prepare
    const description =
      'Copied for DestinationAmi ami-0d1e2f3a4b5c6d7e8 from SourceAmi ami-0123456789abcdef0 for SourceSnapshot snap-0a1b2c3d4e5f60718. Task created on 1,566,308,778,174.';
    const [older, newest] = [copy(200, description), copy(100, description)];

    // Act
    const result = plan([older, newest], lastBackup, new Map(), new Set());

    // Assess
    expect(keptOf(result)).toEqual([
      { id: newest.id, reason: 'newest copy of snap-0a1b2c3d4e5f60718' },
    ]);
    expect(ids(result.due)).toEqual([older.id]);
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
    expect(ids(result.due)).toEqual([first.id, second.id]);
  });

  it.each([
    ['vol-ffffffff', 'vol-ffffffff'],
    ['no volume id', 'n/a'],
  ])('reads the source snapshot when the VolumeId tag is %s', (_case, value) => {
    // Prepare
    const withTag = (days: number, source: string) =>
      copy(days, `[Copied ${source} from us-east-1]`, {
        tags: [{ Key: 'VolumeId', Value: value }],
      });
    const [a, b] = [withTag(90, 'snap-0a'), withTag(60, 'snap-0b')];

    // Act
    const result = plan([a, b], lastBackup, new Map(), new Set());

    // Assess
    expect(result.kept.map((kept) => kept.reason)).toEqual([
      'newest copy of snap-0a from us-east-1',
      'newest copy of snap-0b from us-east-1',
    ]);
  });

  it('keeps the copies of a volume apart from the volume’s own snapshots', () => {
    // Prepare
    const own = snap(90, { volumeId: 'vol-0abc' });
    const copied = copy(40, '[Copied snap-0d from us-east-1]', {
      tags: [{ Key: 'VolumeId', Value: 'vol-0abc' }],
    });

    // Act
    const result = plan([own, copied], lastBackup, new Map(), new Set(['vol-0abc']));

    // Assess
    expect(result.kept.map((kept) => kept.target)).toEqual([own.id, copied.id]);
  });

  it('keeps no copy for being the newest when KEEP_LATEST_PER_VOLUME is off', () => {
    // Prepare
    const only = copy(90, '[Copied snap-0a from us-east-1]');

    // Act & Assess
    expect(
      ids(plan([only], { keepLatestOfDeletedVolumes: true }, new Map(), new Set()).due),
    ).toEqual([only.id]);
  });

  it('does not let an unfinished copy stand for the newest copy', () => {
    // Prepare
    const done = copy(90, '[Copied snap-0a from us-east-1]');
    const pending = copy(1, '[Copied snap-0a from us-east-1]', { state: 'pending' });

    // Act & Assess
    expect(keptOf(plan([done, pending], lastBackup, new Map(), new Set()))).toEqual([
      { id: done.id, reason: 'newest copy of snap-0a from us-east-1' },
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
  ])('is %j → %s', (volumeId, status) => {
    expect(volumeStatus({ volumeId }, liveVolumes)).toBe(status);
  });
});

describe('Plan a cleanup, from incomplete answers', () => {
  it('reads a tag without a key as no tag', () => {
    // Prepare
    const old = snap(90, { tags: [{ Value: 'orphan' }] });

    // Act & Assess
    expect(ids(plan([old]).due)).toEqual([old.id]);
  });

  it('finds AWS Backup’s tag among others', () => {
    // Prepare
    const old = snap(90, {
      tags: [
        { Key: 'Name', Value: 'db' },
        { Key: 'aws:backup:source-resource', Value: 'vol-1' },
      ],
    });

    // Act & Assess
    expect(keptOf(plan([old]))).toEqual([{ id: old.id, reason: 'managed by AWS Backup' }]);
  });

  it('names a missing state as unknown', () => {
    // Prepare
    const old = snap(90, { state: undefined });

    // Act & Assess
    expect(keptOf(plan([old]))).toEqual([{ id: old.id, reason: 'state is unknown' }]);
  });

  it('names a missing volume and start time as empty in the details', () => {
    // Prepare
    const old = snap(90, { volumeId: undefined, volumeSizeGiB: 0 });

    // Act & Assess
    expect(plan([old]).due[0]?.details).toEqual({
      volumeId: '',
      volume: 'unknown',
      volumeSizeGiB: 0,
      ageDays: 90,
      startTime: daysAgo(90).toISOString(),
    });
  });
});

describe('Decisions of a plan', () => {
  it('decides each snapshot by its id, with the details the report shows', () => {
    // Prepare
    const old = snap(41.5, { volumeId: 'vol-live', volumeSizeGiB: 100 });
    const kept = snap(90, {
      volumeId: 'vol-gone',
      tags: [{ Key: 'Retention', Value: 'permanent' }],
    });

    // Act
    const result = plan([old, kept], {}, new Map(), new Set(['vol-live']));

    // Assess
    expect(result.due).toEqual([
      {
        action: 'delete',
        target: old.id,
        reason: 'older than 30 days',
        basis: 'older than 30 days',
        details: {
          volumeId: 'vol-live',
          volume: 'exists',
          volumeSizeGiB: 100,
          ageDays: 41,
          startTime: daysAgo(41.5).toISOString(),
        },
      },
    ]);
    expect(result.kept).toEqual([
      {
        action: 'keep',
        target: kept.id,
        reason: 'tagged Retention=permanent; volume vol-gone no longer exists',
        details: {
          volumeId: 'vol-gone',
          volume: 'deleted',
          volumeSizeGiB: 8,
          ageDays: 90,
          startTime: daysAgo(90).toISOString(),
        },
      },
    ]);
  });

  it('ends the reason of a snapshot whose volume is gone with that, the deletion’s basis without it', () => {
    // Prepare
    const orphan = snap(90, { volumeId: 'vol-gone' });

    // Act
    const [deletion] = plan([orphan], {}, new Map(), new Set()).due;

    // Assess
    expect(deletion?.reason).toBe('older than 30 days; volume vol-gone no longer exists');
    expect(deletion?.basis).toBe('older than 30 days');
  });
});

describe('The per-run cap', () => {
  const OVER_CAP = 'over the cap of 2 deletions per run; the next run continues';

  it('deletes the oldest due snapshots up to the cap and reports the rest, after the kept ones, for the next run', () => {
    // Prepare
    const snapshots = [
      snap(35),
      snap(90),
      snap(50, { volumeId: 'vol-gone' }),
      snap(70),
      snap(80, { tags: [{ Key: 'Retention', Value: 'permanent' }] }),
    ];
    const liveVolumes = new Set(
      snapshots.flatMap((snapshot) =>
        snapshot.volumeId && snapshot.volumeId !== 'vol-gone' ? [snapshot.volumeId] : [],
      ),
    );

    // Act
    const capped = capPerRun(plan(snapshots, {}, new Map(), liveVolumes), 2);

    // Assess
    expect(ids(capped.changes)).toEqual([snapshots[1]?.id, snapshots[3]?.id]);
    expect(capped.skips.map(({ action, target, reason }) => ({ action, target, reason }))).toEqual([
      { action: Action.Keep, target: snapshots[4]?.id, reason: 'tagged Retention=permanent' },
      {
        action: Action.Delete,
        target: snapshots[2]?.id,
        reason: `${OVER_CAP}; volume vol-gone no longer exists`,
      },
      { action: Action.Delete, target: snapshots[0]?.id, reason: OVER_CAP },
    ]);
    expect(capped.skips[1]?.details).toMatchObject({ volumeId: 'vol-gone', volume: 'deleted' });
    expect(capped.problems).toEqual([]);
    expect(capped.notes).toEqual([]);
  });

  it('plans every due snapshot when they fit under the cap', () => {
    // Prepare
    const snapshots = [snap(35), snap(90)];

    // Act
    const capped = capPerRun(plan(snapshots), 2);

    // Assess
    expect(ids(capped.changes)).toEqual([snapshots[1]?.id, snapshots[0]?.id]);
    expect(capped.skips).toEqual([]);
  });
});

describe('Age of a snapshot', () => {
  it('counts whole days since it started', () => {
    // Act & Assess
    expect(ageInDays(snap(41.9), now)).toBe(41);
    expect(ageInDays(snap(0.5), now)).toBe(0);
    expect(ageInDays({ startTime: new Date(now.getTime() + 86_400_000) }, now)).toBe(-1);
  });

  it('is 0 for a snapshot without a start time', () => {
    expect(ageInDays(snap(0, { startTime: undefined }), now)).toBe(0);
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

describe('A snapshot a person should look at', () => {
  const keepBoth = { keepLatestPerVolume: true, keepLatestOfDeletedVolumes: true };
  const gone = new Set<string>();
  const attentionOf = (result: CleanupPlan) =>
    result.kept.map(({ target, details }) => [target, details.attention]);

  it('says so on a snapshot kept only as the last backup of a volume that is gone', () => {
    // Prepare
    const older = snap(200, { volumeId: 'vol-gone' });
    const newest = snap(40, { volumeId: 'vol-gone' });

    // Act
    const result = plan([older, newest], keepBoth, new Map(), gone);

    // Assess
    expect(result.kept).toEqual([
      {
        action: 'keep',
        target: newest.id,
        reason: 'newest snapshot of vol-gone; volume vol-gone no longer exists',
        details: {
          volumeId: 'vol-gone',
          volume: 'deleted',
          volumeSizeGiB: 8,
          ageDays: 40,
          startTime: newest.startTime?.toISOString(),
          attention: 'kept only as the last backup of deleted volume vol-gone',
        },
      },
    ]);
    expect(ids(result.due)).toEqual([older.id]);
    expect(result.due[0]?.details).not.toHaveProperty('attention');
  });

  it('says nothing when another reason keeps it too, or its volume exists', () => {
    // Prepare
    const tagged = snap(90, {
      volumeId: 'vol-tagged',
      tags: [{ Key: 'Retention', Value: 'permanent' }],
    });
    const used = snap(90, { volumeId: 'vol-used' });
    const live = snap(90, { volumeId: 'vol-live' });
    const pending = snap(90, { volumeId: 'vol-pending', state: 'pending' });
    const amis = new Map([[used.id, ['ami-1']]]);

    // Act
    const result = plan([tagged, used, live, pending], keepBoth, amis, new Set(['vol-live']));

    // Assess
    expect(keptOf(result)).toEqual([
      {
        id: tagged.id,
        reason:
          'tagged Retention=permanent; newest snapshot of vol-tagged; volume vol-tagged no longer exists',
      },
      {
        id: used.id,
        reason: 'used by AMI ami-1; newest snapshot of vol-used; volume vol-used no longer exists',
      },
      { id: live.id, reason: 'newest snapshot of vol-live' },
      {
        id: pending.id,
        reason: 'state is pending; volume vol-pending no longer exists',
      },
    ]);
    expect(attentionOf(result)).toEqual([
      [tagged.id, undefined],
      [used.id, undefined],
      [live.id, undefined],
      [pending.id, undefined],
    ]);
  });

  it('says nothing on a snapshot of a volume that is gone kept for another reason only', () => {
    // Prepare
    const permanent = snap(400, {
      volumeId: 'vol-gone',
      tags: [{ Key: 'Retention', Value: 'permanent' }],
    });

    // Act
    const result = plan([permanent], {}, new Map(), gone);

    // Assess
    expect(attentionOf(result)).toEqual([[permanent.id, undefined]]);
  });
});
