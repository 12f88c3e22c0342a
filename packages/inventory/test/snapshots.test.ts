import {
  DescribeImagesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { twoPagesOfVolumes } from '@nightshift/testing';
import { assertPagedRequests } from '@nightshift/testing/unit';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { listAmiSnapshotUse, listLiveVolumeIds, listOwnSnapshots } from '../src/snapshots.ts';

const ec2Mock = mockClient(EC2Client);
const startTime = new Date('2026-11-01T03:00:00Z');

describe('List own snapshots', () => {
  beforeEach(() => ec2Mock.reset());

  it('asks for this account’s snapshots, reads every page and maps each one', async () => {
    // Prepare
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolvesOnce({
        Snapshots: [
          {
            SnapshotId: 'snap-1',
            VolumeId: 'vol-1',
            VolumeSize: 8,
            State: 'completed',
            StartTime: startTime,
            Description: 'nightly',
            Tags: [{ Key: 'Name', Value: 'web' }],
          },
        ],
        NextToken: 'next',
      })
      .resolvesOnce({ Snapshots: [{ SnapshotId: 'snap-2' }] });

    // Act
    const snapshots = await listOwnSnapshots(new EC2Client({}));

    // Assess
    expect(snapshots).toEqual([
      {
        id: 'snap-1',
        volumeId: 'vol-1',
        volumeSizeGiB: 8,
        state: 'completed',
        startTime,
        description: 'nightly',
        tags: [{ Key: 'Name', Value: 'web' }],
      },
      { id: 'snap-2', volumeSizeGiB: 0, tags: [] },
    ]);
    assertPagedRequests(
      ec2Mock,
      DescribeSnapshotsCommand,
      { OwnerIds: ['self'], MaxResults: 1000 },
      ['next'],
    );
  });

  it('leaves out a snapshot without an id, so no empty id reaches a call or a report', async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [{ VolumeId: 'vol-a', StartTime: startTime }, { SnapshotId: '' }],
    });

    // Act & Assess
    expect(await listOwnSnapshots(new EC2Client({}))).toEqual([]);
  });
});

describe('List the snapshots AMIs use', () => {
  beforeEach(() => ec2Mock.reset());

  it('maps each snapshot to the AMIs using it, disabled and deprecated ones included, all pages', async () => {
    // Prepare
    ec2Mock
      .on(DescribeImagesCommand)
      .resolvesOnce({
        Images: [
          {
            ImageId: 'ami-1',
            BlockDeviceMappings: [{ Ebs: { SnapshotId: 'snap-1' } }, { Ebs: {} }, {}],
          },
        ],
        NextToken: 'next',
      })
      .resolvesOnce({
        Images: [
          { ImageId: 'ami-2', BlockDeviceMappings: [{ Ebs: { SnapshotId: 'snap-1' } }] },
          { ImageId: 'ami-3', BlockDeviceMappings: [{ Ebs: { SnapshotId: 'snap-2' } }] },
          { BlockDeviceMappings: [{ Ebs: { SnapshotId: 'snap-3' } }] },
          { ImageId: 'ami-4' },
        ],
      });

    // Act
    const use = await listAmiSnapshotUse(new EC2Client({}));

    // Assess
    expect(use).toEqual(
      new Map([
        ['snap-1', ['ami-1', 'ami-2']],
        ['snap-2', ['ami-3']],
      ]),
    );
    assertPagedRequests(
      ec2Mock,
      DescribeImagesCommand,
      { Owners: ['self'], IncludeDeprecated: true, IncludeDisabled: true, MaxResults: 1000 },
      ['next'],
    );
  });
});

describe('List the volumes that exist', () => {
  beforeEach(() => ec2Mock.reset());

  it('reads every page of volumes, managed ones included, leaving out deleted ones and those without an id', async () => {
    // Prepare
    const { first, second } = twoPagesOfVolumes();
    ec2Mock.on(DescribeVolumesCommand).resolvesOnce(first).resolvesOnce(second);

    // Act
    const ids = await listLiveVolumeIds(new EC2Client({}));

    // Assess
    expect(ids).toEqual(new Set(['vol-a', 'vol-b', 'vol-d']));
    assertPagedRequests(
      ec2Mock,
      DescribeVolumesCommand,
      { IncludeManagedResources: true, MaxResults: 500 },
      ['v1'],
    );
  });
});
