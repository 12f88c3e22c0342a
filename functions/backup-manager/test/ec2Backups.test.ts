import {
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  instancesWithRetentionTaggedVolumes,
  listEc2Backups,
  listEc2Targets,
} from '../src/ec2Backups.ts';
import {
  ec2Mock,
  givenInstances,
  instance,
  legacyEbsBackup,
  ourEbsBackup,
  resetMocks,
  selector,
  tags,
  today,
} from './fixtures.ts';

const ec2 = new EC2Client({});

describe('EC2 targets', () => {
  beforeEach(resetMocks);

  it('are the instances tagged with the environment and the backup tag, running or stopped, checked again', async () => {
    // Prepare: a listing that ignored its filters.
    givenInstances(
      instance('i-1'),
      instance('i-staging', { Tags: tags({ Environment: 'staging', Backup: 'true' }) }),
      instance('i-no-backup', { Tags: tags({ Environment: 'production', Backup: 'false' }) }),
      { State: { Name: 'running' } },
    );

    // Act
    const instances = await listEc2Targets(ec2, selector);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: 'tag:Environment', Values: ['production'] },
        { Name: 'tag:Backup', Values: ['true'] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    });
    expect(instances.map((found) => found.id)).toEqual(['i-1']);
  });
});

describe('Volumes tagged Retention', () => {
  beforeEach(resetMocks);

  it('are looked up 200 instances at a time, and name the instances they are attached to', async () => {
    // Prepare
    const ids = Array.from({ length: 201 }, (_, i) => `i-${i}`);
    ec2Mock.on(DescribeVolumesCommand).resolves({
      Volumes: [
        {
          VolumeId: 'vol-1',
          Attachments: [{ InstanceId: 'i-7' }, { InstanceId: 'i-not-asked' }],
          Tags: tags({ RETENTION: 'short' }),
        },
        { VolumeId: 'vol-2', Attachments: [{ InstanceId: 'i-8' }], Tags: tags({ Team: 'web' }) },
      ],
    });

    // Act
    const found = await instancesWithRetentionTaggedVolumes(ec2, ids);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeVolumesCommand, 2);
    expect(ec2Mock).toHaveReceivedNthCommandWith(DescribeVolumesCommand, 2, {
      Filters: [{ Name: 'attachment.instance-id', Values: ['i-200'] }],
    });
    expect([...found]).toEqual(['i-7']);
  });
});

describe('EBS backups', () => {
  beforeEach(resetMocks);

  it('are Nightshift’s of the environment, and the original script’s marked adopted', async () => {
    // Prepare
    ec2Mock.on(DescribeSnapshotsCommand).resolves({
      Snapshots: [
        ourEbsBackup('snap-own', 'i-1', 0),
        legacyEbsBackup('snap-legacy', 'i-1', 3),
        legacyEbsBackup('snap-legacy-staging', 'i-1', 3, { environment: 'staging' }),
        { ...ourEbsBackup('snap-no-id', 'i-1', 0), SnapshotId: undefined },
      ],
    });

    // Act
    const backups = await listEc2Backups(ec2, { ...selector, adoptLegacy: true });

    // Assess
    expect(backups.map(({ id, sourceId, day, adopted }) => [id, sourceId, day, adopted])).toEqual([
      ['snap-own', 'i-1', today, undefined],
      ['snap-legacy', 'i-1', expect.any(String), true],
    ]);
  });
});
