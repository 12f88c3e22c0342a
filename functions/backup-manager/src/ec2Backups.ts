import {
  CreateSnapshotsCommand,
  type EC2Client,
  type Instance,
  paginateDescribeInstances,
  paginateDescribeSnapshots,
} from '@aws-sdk/client-ec2';
import { tagValue } from '@nightshift/middleware';
import type { BackupRecord } from './retention.ts';
import {
  AUTOMATED_BACKUP,
  BACKUP_DATE_KEY,
  backupDay,
  CREATED_BY,
  isNightshiftBackup,
  SOURCE_KEY,
} from './tags.ts';

const PAGE_SIZE = 1000;

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
    for (const reservation of page.Reservations ?? [])
      instances.push(...(reservation.Instances ?? []));
  }
  return instances;
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
      backups.push({
        id: snapshot.SnapshotId,
        kind: 'ebs',
        sourceId,
        day: tagValue(snapshot.Tags, BACKUP_DATE_KEY) ?? backupDay(snapshot.StartTime),
        createdAt: snapshot.StartTime,
        ready: snapshot.State === 'completed',
      });
    }
  }
  return backups;
};

/**
 * One crash-consistent snapshot set of every volume of an instance, tagged at creation,
 * with the volumes' own tags copied onto their snapshots.
 *
 * @example
 * const snapshotIds = await createInstanceBackup(ec2, 'i-0abc', tags, 'Nightshift backup of i-0abc on 2026-11-28');
 */
export const createInstanceBackup = async (
  ec2: EC2Client,
  instanceId: string,
  tags: { Key: string; Value: string }[],
  description: string,
): Promise<string[]> => {
  const { Snapshots = [] } = await ec2.send(
    new CreateSnapshotsCommand({
      InstanceSpecification: { InstanceId: instanceId, ExcludeBootVolume: false },
      Description: description,
      CopyTagsFromSource: 'volume',
      TagSpecifications: [{ ResourceType: 'snapshot', Tags: tags }],
    }),
  );
  return Snapshots.flatMap((snapshot) => (snapshot.SnapshotId ? [snapshot.SnapshotId] : []));
};
