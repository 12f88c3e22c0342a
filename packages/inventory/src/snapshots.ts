import {
  type EC2Client,
  paginateDescribeImages,
  paginateDescribeSnapshots,
  paginateDescribeVolumes,
} from '@aws-sdk/client-ec2';
import type { Tag } from '@nightshift/conventions';

/** An EBS snapshot as Nightshift sees it. */
export interface EbsSnapshot {
  /** `snap-0abc…`; never empty. */
  id: string;
  /** The volume it was made of (`vol-ffffffff` for copies and imports), when EC2 says. */
  volumeId?: string;
  /** The size of that volume, in GiB (0 when EC2 did not say). */
  volumeSizeGiB: number;
  /** `completed`, `pending`, `error`, … when EC2 says. */
  state?: string;
  startTime?: Date;
  description?: string;
  tags: Tag[];
}

const PAGE_SIZE = 1000;
/** DescribeVolumes returns at most 500 volumes a page. */
const VOLUME_PAGE_SIZE = 500;

/**
 * Every snapshot this account owns, all pages; snapshots without an id are left out, so no
 * empty id can reach a delete call or a report.
 *
 * @example
 * const snapshots = await listOwnSnapshots(ec2); // [{ id: 'snap-1', volumeId: 'vol-1', … }]
 */
export const listOwnSnapshots = async (ec2: EC2Client): Promise<EbsSnapshot[]> => {
  const snapshots: EbsSnapshot[] = [];
  const pages = paginateDescribeSnapshots(
    { client: ec2, pageSize: PAGE_SIZE },
    { OwnerIds: ['self'] },
  );
  for await (const page of pages) {
    for (const snapshot of page.Snapshots ?? []) {
      if (!snapshot.SnapshotId) continue;
      snapshots.push({
        id: snapshot.SnapshotId,
        ...(snapshot.VolumeId === undefined ? {} : { volumeId: snapshot.VolumeId }),
        volumeSizeGiB: snapshot.VolumeSize ?? 0,
        ...(snapshot.State === undefined ? {} : { state: snapshot.State }),
        ...(snapshot.StartTime === undefined ? {} : { startTime: snapshot.StartTime }),
        ...(snapshot.Description === undefined ? {} : { description: snapshot.Description }),
        tags: snapshot.Tags ?? [],
      });
    }
  }
  return snapshots;
};

/**
 * The AMIs of this account that use each snapshot, disabled and deprecated AMIs
 * included, all pages: snapshot id → AMI ids.
 *
 * @example
 * const amisBySnapshot = await listAmiSnapshotUse(ec2); // Map { 'snap-1' => ['ami-1'] }
 */
export const listAmiSnapshotUse = async (ec2: EC2Client): Promise<Map<string, string[]>> => {
  const use = new Map<string, string[]>();
  const pages = paginateDescribeImages(
    { client: ec2, pageSize: PAGE_SIZE },
    { Owners: ['self'], IncludeDeprecated: true, IncludeDisabled: true },
  );
  for await (const page of pages) {
    for (const image of page.Images ?? []) {
      for (const mapping of image.BlockDeviceMappings ?? []) {
        const snapshotId = mapping.Ebs?.SnapshotId;
        if (!snapshotId || !image.ImageId) continue;
        use.set(snapshotId, [...(use.get(snapshotId) ?? []), image.ImageId]);
      }
    }
  }
  return use;
};

/**
 * The ids of the volumes that exist in this account and Region, all pages, volumes that
 * AWS services manage included: a volume that is not listed (or is listed as `deleted`)
 * is gone.
 *
 * @example
 * const liveVolumes = await listLiveVolumeIds(ec2); // Set { 'vol-1', 'vol-2' }
 */
export const listLiveVolumeIds = async (ec2: EC2Client): Promise<Set<string>> => {
  const ids = new Set<string>();
  const pages = paginateDescribeVolumes(
    { client: ec2, pageSize: VOLUME_PAGE_SIZE },
    { IncludeManagedResources: true },
  );
  for await (const page of pages) {
    for (const volume of page.Volumes ?? []) {
      if (volume.VolumeId && volume.State !== 'deleted') ids.add(volume.VolumeId);
    }
  }
  return ids;
};
