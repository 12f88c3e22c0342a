import {
  type EC2Client,
  paginateDescribeImages,
  paginateDescribeSnapshots,
  paginateDescribeVolumes,
  type Snapshot,
} from '@aws-sdk/client-ec2';

const PAGE_SIZE = 1000;
/** DescribeVolumes returns at most 500 volumes a page. */
const VOLUME_PAGE_SIZE = 500;

/**
 * Every snapshot this account owns, all pages.
 *
 * @example
 * const snapshots = await listOwnSnapshots(ec2);
 */
export const listOwnSnapshots = async (ec2: EC2Client): Promise<Snapshot[]> => {
  const snapshots: Snapshot[] = [];
  const pages = paginateDescribeSnapshots(
    { client: ec2, pageSize: PAGE_SIZE },
    { OwnerIds: ['self'] },
  );
  for await (const page of pages) snapshots.push(...(page.Snapshots ?? []));
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
