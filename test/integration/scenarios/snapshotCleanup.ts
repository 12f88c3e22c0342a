import {
  CreateImageCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { getClient } from '@nightshift/middleware';
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
