import { randomUUID } from 'node:crypto';
import {
  CreateSnapshotsCommand,
  type EC2Client,
  type Instance,
  paginateDescribeInstances,
  paginateDescribeSnapshots,
  paginateDescribeVolumes,
} from '@aws-sdk/client-ec2';
import { deleteSnapshot } from '@nightshift/ebs';
import {
  AUTOMATED_BACKUP,
  CREATED_BY,
  isNightshiftBackup,
  isPermanent,
  tagValue,
} from '@nightshift/middleware';
import type { BackupRecord } from './retention.ts';
import { BACKUP_DATE_KEY, backupDay, hasRetentionTag, SET_KEY, SOURCE_KEY } from './tags.ts';

const PAGE_SIZE = 1000;
/** DescribeVolumes takes at most 200 values per filter. */
const FILTER_VALUES = 200;

/** Which resources a run backs up: tagged with the environment and the backup tag. */
export interface TargetSelector {
  environmentKey: string;
  environment: string;
  backupKey: string;
  backupValue: string;
}

/**
 * Every instance, running or stopped, tagged with the environment and the backup tag, all pages.
 *
 * @example
 * const instances = await listEc2Targets(ec2, { environmentKey: 'Environment', environment: 'production', backupKey: 'Backup', backupValue: 'true' });
 */
export const listEc2Targets = async (
  ec2: EC2Client,
  selector: TargetSelector,
): Promise<Instance[]> => {
  const instances: Instance[] = [];
  const pages = paginateDescribeInstances(
    { client: ec2, pageSize: PAGE_SIZE },
    {
      Filters: [
        { Name: `tag:${selector.environmentKey}`, Values: [selector.environment] },
        { Name: `tag:${selector.backupKey}`, Values: [selector.backupValue] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    },
  );
  for await (const page of pages) {
    for (const reservation of page.Reservations ?? []) {
      // The filters already say so; checking again keeps another environment out for sure.
      instances.push(
        ...(reservation.Instances ?? []).filter(
          (instance) =>
            tagValue(instance.Tags, selector.environmentKey) === selector.environment &&
            tagValue(instance.Tags, selector.backupKey) === selector.backupValue,
        ),
      );
    }
  }
  return instances;
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

/**
 * Every EBS snapshot Nightshift made for this environment (by its tags, never by name),
 * as backups of their instance.
 *
 * @example
 * const backups = await listEc2Backups(ec2, { environmentKey: 'Environment', environment: 'production' });
 */
export const listEc2Backups = async (
  ec2: EC2Client,
  { environmentKey, environment }: Pick<TargetSelector, 'environmentKey' | 'environment'>,
): Promise<BackupRecord[]> => {
  const backups: BackupRecord[] = [];
  const pages = paginateDescribeSnapshots(
    { client: ec2, pageSize: PAGE_SIZE },
    {
      OwnerIds: ['self'],
      Filters: [
        { Name: `tag:${CREATED_BY.Key}`, Values: [CREATED_BY.Value] },
        { Name: `tag:${AUTOMATED_BACKUP.Key}`, Values: [AUTOMATED_BACKUP.Value] },
        { Name: `tag:${environmentKey}`, Values: [environment] },
      ],
    },
  );
  for await (const page of pages) {
    for (const snapshot of page.Snapshots ?? []) {
      // The filters already say so; checking again costs nothing and guards the deletes.
      if (
        !isNightshiftBackup(snapshot.Tags) ||
        tagValue(snapshot.Tags, environmentKey) !== environment
      )
        continue;
      const sourceId = tagValue(snapshot.Tags, 'InstanceId') ?? tagValue(snapshot.Tags, SOURCE_KEY);
      if (!snapshot.SnapshotId || !sourceId || !snapshot.StartTime) continue;
      const day = tagValue(snapshot.Tags, BACKUP_DATE_KEY) ?? backupDay(snapshot.StartTime);
      backups.push({
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
      });
    }
  }
  return backups;
};

/**
 * One crash-consistent snapshot set of every volume of an instance, tagged at creation
 * (with a new set id), with the volumes' own tags copied onto their snapshots when
 * `copyVolumeTags`.
 *
 * CreateSnapshots takes no idempotency token, so when the SDK had to send it more than
 * once, an attempt whose answer was lost may have made a set too, with the same request
 * and so the same set id: the snapshots of that set id that are not in the answer are
 * deleted, and their ids returned. A duplicate that cannot be deleted fails the call,
 * naming it.
 *
 * @example
 * const { snapshotIds } = await createInstanceBackup(ec2, { instanceId: 'i-0abc', day: '2026-11-28', tags, description, copyVolumeTags: true });
 */
export const createInstanceBackup = async (
  ec2: EC2Client,
  {
    instanceId,
    day,
    tags,
    description,
    copyVolumeTags,
  }: {
    instanceId: string;
    day: string;
    tags: { Key: string; Value: string }[];
    description: string;
    copyVolumeTags: boolean;
  },
): Promise<{ snapshotIds: string[]; duplicatesDeleted: string[] }> => {
  const setId = randomUUID();
  const { Snapshots = [], $metadata } = await ec2.send(
    new CreateSnapshotsCommand({
      InstanceSpecification: { InstanceId: instanceId, ExcludeBootVolume: false },
      Description: description,
      ...(copyVolumeTags ? { CopyTagsFromSource: 'volume' as const } : {}),
      TagSpecifications: [
        { ResourceType: 'snapshot', Tags: [...tags, { Key: SET_KEY, Value: setId }] },
      ],
    }),
  );
  const snapshotIds = Snapshots.flatMap((snapshot) =>
    snapshot.SnapshotId ? [snapshot.SnapshotId] : [],
  );
  // The SDK always sets $metadata; a mocked answer may lack it.
  if (($metadata?.attempts ?? 1) <= 1) return { snapshotIds, duplicatesDeleted: [] };

  const duplicates: string[] = [];
  const pages = paginateDescribeSnapshots(
    { client: ec2, pageSize: PAGE_SIZE },
    {
      OwnerIds: ['self'],
      Filters: [
        { Name: `tag:${SET_KEY}`, Values: [setId] },
        { Name: `tag:${SOURCE_KEY}`, Values: [instanceId] },
        { Name: `tag:${CREATED_BY.Key}`, Values: [CREATED_BY.Value] },
      ],
    },
  );
  for await (const page of pages) {
    for (const snapshot of page.Snapshots ?? []) {
      const id = snapshot.SnapshotId;
      // The filters already say so; checked again, as this deletes what it finds.
      if (!id || snapshotIds.includes(id) || tagValue(snapshot.Tags, SET_KEY) !== setId) continue;
      duplicates.push(id);
    }
  }
  for (const id of duplicates) {
    try {
      await deleteSnapshot(ec2, id);
    } catch (error) {
      throw new Error(
        `made ${snapshotIds.join(', ')}, but could not delete ${id}, a second set of ${instanceId} on ${day} left by an attempt whose answer was lost: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  return { snapshotIds, duplicatesDeleted: duplicates };
};
