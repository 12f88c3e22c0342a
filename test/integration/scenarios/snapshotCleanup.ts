import {
  CreateImageCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DeleteVolumeCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { getClient } from '@nightshift/runtime';
import type { Moto } from '@nightshift/testing';

/** An emulated account with snapshots of every kind the cleanup must tell apart. */
export const seedAccount = async (moto: Moto) => {
  const ec2 = getClient(EC2Client);
  const newVolume = async () =>
    (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 })))
      .VolumeId ?? '';
  const snapshotOf = async (volumeId: string, tags: Record<string, string> = {}) => {
    const { SnapshotId = '' } = await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    if (Object.keys(tags).length > 0) {
      await ec2.send(
        new CreateTagsCommand({
          Resources: [SnapshotId],
          Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
        }),
      );
    }
    return SnapshotId;
  };

  moto.setClockOffset('-40d');
  const busyVolume = await newVolume();
  const oldPlain = [await snapshotOf(busyVolume), await snapshotOf(busyVolume, { Name: 'old' })];
  const oldPermanent = await snapshotOf(busyVolume, { Retention: 'permanent' });
  const lastOfItsVolume = await snapshotOf(await newVolume());
  const { Instances = [] } = await ec2.send(
    new RunInstancesCommand({
      ImageId: 'ami-12c6146b',
      MinCount: 1,
      MaxCount: 1,
      InstanceType: 't3.micro',
    }),
  );
  const { ImageId = '' } = await ec2.send(
    new CreateImageCommand({ InstanceId: Instances[0]?.InstanceId, Name: 'golden-image' }),
  );
  moto.setClockOffset('+0');
  const { Images = [] } = await ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId] }));
  const amiSnapshots = (Images[0]?.BlockDeviceMappings ?? []).flatMap((m) =>
    m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [],
  );
  const recent = [await snapshotOf(busyVolume), await snapshotOf(await newVolume())];
  return { ec2, oldPlain, oldPermanent, lastOfItsVolume, amiSnapshots, recent };
};

/**
 * An emulated account with volumes deleted after they were backed up, next to a volume
 * that still exists: the snapshots of a deleted volume 40 and 35 days old, one of another
 * deleted volume kept forever, a recent one of a volume deleted today, and the only
 * snapshot of a live volume, 40 days old.
 */
export const seedDeletedVolumes = async (moto: Moto) => {
  const ec2 = getClient(EC2Client);
  const newVolume = async () =>
    (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 4 })))
      .VolumeId ?? '';
  const snapshotOf = async (volumeId: string, tags: Record<string, string> = {}) => {
    const { SnapshotId = '' } = await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    const entries = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    if (entries.length > 0)
      await ec2.send(new CreateTagsCommand({ Resources: [SnapshotId], Tags: entries }));
    return SnapshotId;
  };
  const deleteVolume = (VolumeId: string) => ec2.send(new DeleteVolumeCommand({ VolumeId }));

  moto.setClockOffset('-40d');
  const goneVolume = await newVolume();
  const olderOrphan = await snapshotOf(goneVolume);
  const permanentVolume = await newVolume();
  const orphanPermanent = await snapshotOf(permanentVolume, { Retention: 'permanent' });
  const liveVolume = await newVolume();
  const onlyOfLiveVolume = await snapshotOf(liveVolume);
  moto.setClockOffset('-35d');
  const newestOrphan = await snapshotOf(goneVolume, { Name: 'last-before-deletion' });
  await deleteVolume(permanentVolume);
  moto.setClockOffset('+0');
  const recentlyGoneVolume = await newVolume();
  const recentOrphan = await snapshotOf(recentlyGoneVolume);
  await deleteVolume(goneVolume);
  await deleteVolume(recentlyGoneVolume);
  return {
    ec2,
    goneVolume,
    orphans: [olderOrphan, newestOrphan],
    permanentVolume,
    orphanPermanent,
    recentOrphan,
    liveVolume,
    onlyOfLiveVolume,
  };
};

export const remainingIds = async (ec2: EC2Client) => {
  const { Snapshots = [] } = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
  return Snapshots.map((snapshot) => snapshot.SnapshotId ?? '').sort();
};

type Account = Awaited<ReturnType<typeof seedAccount>>;

/** Which of the seeded snapshots are left, by role, and how many others exist. */
export const snapshotState = async (account: Account) => {
  const remaining = new Set(await remainingIds(account.ec2));
  const kept = (ids: string[]) => ids.map((id) => remaining.has(id));
  const known = [
    ...account.oldPlain,
    account.oldPermanent,
    account.lastOfItsVolume,
    ...account.amiSnapshots,
    ...account.recent,
  ];
  return {
    oldPlain: kept(account.oldPlain),
    oldPermanent: remaining.has(account.oldPermanent),
    lastOfItsVolume: remaining.has(account.lastOfItsVolume),
    amiSnapshots: kept(account.amiSnapshots),
    recent: kept(account.recent),
    others: [...remaining].filter((id) => !known.includes(id)).length,
  };
};
