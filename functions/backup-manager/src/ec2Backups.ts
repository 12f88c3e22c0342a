import { randomUUID } from 'node:crypto';
import {
  CreateSnapshotsCommand,
  type EC2Client,
  paginateDescribeSnapshots,
  paginateDescribeVolumes,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import {
  AUTOMATED_BACKUP,
  BACKUP_DATE_KEY,
  CREATED_BY,
  ENVIRONMENT_KEY,
  INSTANCE_ID_KEY,
  isNightshiftBackup,
  isPermanent,
  LEGACY_CREATED_BY,
  managedBy,
  SET_KEY,
  SOURCE_KEY,
  tagValue,
} from '@nightshift/conventions';
import {
  type DeleteOutcome,
  deleteSnapshot,
  type Ec2Instance,
  listInstances,
} from '@nightshift/inventory';
import { asError } from '@nightshift/runtime';
import { chooseDaySet } from './daySets.ts';
import { isLegacyEbsBackup } from './legacy.ts';
import type { TargetSelector } from './records.ts';
import type { BackupRecord } from './retention.ts';
import { backupDay, hasRetentionTag } from './tags.ts';

const PAGE_SIZE = 1000;
/** DescribeVolumes takes at most 200 values per filter. */
const FILTER_VALUES = 200;

/** The states of an instance that has volumes to back up: running or stopped, not gone. */
const BACKUP_STATES = ['pending', 'running', 'stopping', 'stopped'] as const;

/**
 * Every instance, running or stopped, tagged with the environment and the backup tag, all pages.
 *
 * @example
 * const instances = await listEc2Targets(ec2, { environmentKey: 'Environment', environment: 'production', backupKey: 'Backup', backupValue: 'true' });
 */
export const listEc2Targets = async (
  ec2: EC2Client,
  selector: TargetSelector,
): Promise<Ec2Instance[]> => {
  const instances = await listInstances(ec2, {
    tags: {
      [selector.environmentKey]: selector.environment,
      [selector.backupKey]: selector.backupValue,
    },
    states: BACKUP_STATES,
  });
  // The filters already say so; checking again keeps another environment out for sure.
  return instances.filter(
    (instance) =>
      tagValue(instance.tags, selector.environmentKey) === selector.environment &&
      tagValue(instance.tags, selector.backupKey) === selector.backupValue,
  );
};

/**
 * The instances, among `instanceIds`, with an attached volume tagged `Retention` (any
 * value, any case): their volume tags must not be copied onto their backups.
 *
 * @example
 * const withRetention = await instancesWithRetentionTaggedVolumes(ec2, ['i-0abc']);
 */
export const instancesWithRetentionTaggedVolumes = async (
  ec2: EC2Client,
  instanceIds: readonly string[],
): Promise<Set<string>> => {
  const found = new Set<string>();
  for (let start = 0; start < instanceIds.length; start += FILTER_VALUES) {
    const pages = paginateDescribeVolumes(
      { client: ec2, pageSize: PAGE_SIZE },
      {
        Filters: [
          {
            Name: 'attachment.instance-id',
            Values: instanceIds.slice(start, start + FILTER_VALUES),
          },
        ],
      },
    );
    for await (const page of pages) {
      for (const volume of page.Volumes ?? []) {
        if (!hasRetentionTag(volume.Tags)) continue;
        for (const attachment of volume.Attachments ?? []) {
          if (attachment.InstanceId && instanceIds.includes(attachment.InstanceId))
            found.add(attachment.InstanceId);
        }
      }
    }
  }
  return found;
};

/** A snapshot Nightshift made, as a backup of its instance; none without the ids it needs. */
const toBackupRecord = (
  snapshot: Pick<Snapshot, 'SnapshotId' | 'StartTime' | 'State' | 'Tags'>,
): BackupRecord | undefined => {
  const sourceId = tagValue(snapshot.Tags, INSTANCE_ID_KEY) ?? tagValue(snapshot.Tags, SOURCE_KEY);
  if (!snapshot.SnapshotId || !sourceId || !snapshot.StartTime) return undefined;
  const day = tagValue(snapshot.Tags, BACKUP_DATE_KEY) ?? backupDay(snapshot.StartTime);
  return {
    id: snapshot.SnapshotId,
    kind: 'ebs',
    sourceId,
    day,
    // Sets made before sets had ids: one per day.
    set: tagValue(snapshot.Tags, SET_KEY) ?? day,
    createdAt: snapshot.StartTime,
    status: snapshot.State ?? 'unknown',
    finished: snapshot.State === 'completed',
    permanent: isPermanent(snapshot.Tags),
  };
};

/**
 * A snapshot the original backup script made, as an adopted backup of its instance (its
 * `InstanceId` tag); none without the ids it needs. The original made one snapshot per
 * volume and day, so a day's snapshots of an instance make one set.
 */
const toAdoptedRecord = (snapshot: Snapshot): BackupRecord | undefined => {
  const sourceId = tagValue(snapshot.Tags, INSTANCE_ID_KEY);
  if (!snapshot.SnapshotId || !sourceId || !snapshot.StartTime) return undefined;
  const day = backupDay(snapshot.StartTime);
  const owner = managedBy(snapshot.Tags);
  return {
    id: snapshot.SnapshotId,
    kind: 'ebs',
    sourceId,
    day,
    set: `${LEGACY_CREATED_BY}@${day}`,
    createdAt: snapshot.StartTime,
    status: snapshot.State ?? 'unknown',
    finished: snapshot.State === 'completed',
    permanent: isPermanent(snapshot.Tags),
    adopted: true,
    ...(owner === undefined ? {} : { managedBy: owner }),
  };
};

/**
 * Every EBS snapshot Nightshift made for this environment (by its tags, never by name),
 * as backups of their instance; with `adoptLegacy`, also every one the original backup
 * script made for it (tagged `CreatedBy=lambda-backup-automation`, `AutomatedBackup=true`
 * and `Environment=<environment>`), marked adopted. One listing reads both.
 *
 * @example
 * const backups = await listEc2Backups(ec2, { environmentKey: 'Environment', environment: 'production', adoptLegacy: true });
 */
export const listEc2Backups = async (
  ec2: EC2Client,
  {
    environmentKey,
    environment,
    adoptLegacy,
  }: Pick<TargetSelector, 'environmentKey' | 'environment'> & { adoptLegacy: boolean },
): Promise<BackupRecord[]> => {
  const backups: BackupRecord[] = [];
  // The original wrote the environment under `Environment`; when Nightshift's key is
  // another, the environment is checked below only.
  const environmentFilter =
    adoptLegacy && environmentKey !== ENVIRONMENT_KEY
      ? []
      : [{ Name: `tag:${environmentKey}`, Values: [environment] }];
  const pages = paginateDescribeSnapshots(
    { client: ec2, pageSize: PAGE_SIZE },
    {
      OwnerIds: ['self'],
      Filters: [
        {
          Name: `tag:${CREATED_BY.Key}`,
          Values: adoptLegacy ? [CREATED_BY.Value, LEGACY_CREATED_BY] : [CREATED_BY.Value],
        },
        { Name: `tag:${AUTOMATED_BACKUP.Key}`, Values: [AUTOMATED_BACKUP.Value] },
        ...environmentFilter,
      ],
    },
  );
  for await (const page of pages) {
    for (const snapshot of page.Snapshots ?? []) {
      // The filters already say so; checking again costs nothing and guards the deletes.
      const backup =
        isNightshiftBackup(snapshot.Tags) && tagValue(snapshot.Tags, environmentKey) === environment
          ? toBackupRecord(snapshot)
          : adoptLegacy && isLegacyEbsBackup(snapshot.Tags, environment)
            ? toAdoptedRecord(snapshot)
            : undefined;
      if (backup) backups.push(backup);
    }
  }
  return backups;
};

/**
 * Nightshift's snapshots of `instanceId` for `day`, every set, as backups.
 */
const listSetsOfDay = async (
  ec2: EC2Client,
  instanceId: string,
  day: string,
): Promise<BackupRecord[]> => {
  const backups: BackupRecord[] = [];
  const pages = paginateDescribeSnapshots(
    { client: ec2, pageSize: PAGE_SIZE },
    {
      OwnerIds: ['self'],
      Filters: [
        { Name: `tag:${SOURCE_KEY}`, Values: [instanceId] },
        { Name: `tag:${BACKUP_DATE_KEY}`, Values: [day] },
        { Name: `tag:${CREATED_BY.Key}`, Values: [CREATED_BY.Value] },
      ],
    },
  );
  for await (const page of pages) {
    for (const snapshot of page.Snapshots ?? []) {
      // The filters already say so; checked again, as this deletes what it finds.
      const backup = isNightshiftBackup(snapshot.Tags) ? toBackupRecord(snapshot) : undefined;
      if (backup?.sourceId === instanceId && backup.day === day) backups.push(backup);
    }
  }
  return backups;
};

/** What one instance's backup made, and what it deleted after. */
export interface InstanceBackup {
  /** The snapshots of the set this run made. */
  snapshotIds: string[];
  /** Snapshots of this run's set id that an attempt whose answer was lost made: deleted. */
  duplicatesDeleted: string[];
  /** Snapshots of other sets of the day (another run's, made at the same time): deleted. */
  otherSetsDeleted: string[];
  /** When another set of the day stays instead of this run's: its snapshots. */
  keptInstead?: string[];
}

/**
 * One crash-consistent snapshot set of every volume of an instance, tagged at creation
 * (with a new set id), with the volumes' own tags copied onto their snapshots when
 * `copyVolumeTags`; then exactly one set of the day is left.
 *
 * After creating, the day's sets of the instance are read back:
 * - CreateSnapshots takes no idempotency token, so when the SDK had to send it more than
 *   once, an attempt whose answer was lost may have made a set too, with the same request
 *   and so the same set id: the snapshots of that set id that are not in the answer go;
 * - two deliveries of the same event at the same moment each make a set: of the sets of
 *   the day, the one `chooseDaySet` picks stays (the same one in every run that sees
 *   them) and the others go, whoever made them: this run's own set too, when another
 *   stays instead.
 *
 * A snapshot that cannot be deleted fails the call, naming it.
 *
 * @example
 * const { snapshotIds } = await createInstanceBackup(ec2, { instanceId: 'i-0abc', day: '2026-11-28', tags, description, copyVolumeTags: true, now: () => new Date() });
 */
export const createInstanceBackup = async (
  ec2: EC2Client,
  {
    instanceId,
    day,
    tags,
    description,
    copyVolumeTags,
    now,
  }: {
    instanceId: string;
    day: string;
    tags: { Key: string; Value: string }[];
    description: string;
    copyVolumeTags: boolean;
    /** The run's clock: the start of a snapshot the answer gives no start time. */
    now: () => Date;
  },
): Promise<InstanceBackup> => {
  const setId = randomUUID();
  const setTags = [...tags, { Key: SET_KEY, Value: setId }];
  const { Snapshots = [] } = await ec2.send(
    new CreateSnapshotsCommand({
      InstanceSpecification: { InstanceId: instanceId, ExcludeBootVolume: false },
      Description: description,
      ...(copyVolumeTags ? { CopyTagsFromSource: 'volume' as const } : {}),
      TagSpecifications: [{ ResourceType: 'snapshot', Tags: setTags }],
    }),
  );
  const snapshotIds = Snapshots.flatMap((snapshot) =>
    snapshot.SnapshotId ? [snapshot.SnapshotId] : [],
  );

  const listed = await listSetsOfDay(ec2, instanceId, day);
  const duplicatesDeleted = listed
    .filter((backup) => backup.set === setId && !snapshotIds.includes(backup.id))
    .map((backup) => backup.id);
  // This run's set as the answer gave it, where the listing does not show it yet.
  const own = Snapshots.flatMap((snapshot) => {
    const backup = toBackupRecord({
      ...snapshot,
      StartTime: snapshot.StartTime ?? now(),
      Tags: setTags,
    });
    return backup && !listed.some((known) => known.id === backup.id) ? [backup] : [];
  });
  const choice = chooseDaySet([
    ...listed.filter((backup) => !duplicatesDeleted.includes(backup.id)),
    ...own,
  ]);
  const otherSetsDeleted = choice.extra.map((backup) => backup.id);

  for (const id of [...duplicatesDeleted, ...otherSetsDeleted]) {
    const why = duplicatesDeleted.includes(id)
      ? 'left by an attempt whose answer was lost'
      : `made at the same time as ${choice.keptIds.join(', ')}, which stays`;
    const fail = (reason: string, cause?: unknown) =>
      new Error(
        `made ${snapshotIds.join(', ')}, but could not delete ${id}, a second set of ${instanceId} on ${day} ${why}: ${reason}`,
        { cause },
      );
    let outcome: DeleteOutcome;
    try {
      outcome = await deleteSnapshot(ec2, id);
    } catch (error) {
      throw fail(asError(error).message, error);
    }
    if (outcome === 'in-use') throw fail('in use (InvalidSnapshot.InUse)');
  }
  return {
    snapshotIds,
    duplicatesDeleted,
    otherSetsDeleted,
    ...(choice.kept !== undefined && choice.kept !== setId ? { keptInstead: choice.keptIds } : {}),
  };
};
