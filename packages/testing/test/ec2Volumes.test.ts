import { DescribeVolumesCommand, EC2Client, paginateDescribeVolumes } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { twoPagesOfVolumes } from '../src/ec2Volumes.ts';

const ec2Mock = mockClient(EC2Client);
afterEach(() => {
  ec2Mock.reset();
});

describe('twoPagesOfVolumes', () => {
  it('gives vol-a in use on a first page that points to the next with the token v1', () => {
    // Act
    const { first } = twoPagesOfVolumes();

    // Assess
    expect(first).toEqual({ Volumes: [{ VolumeId: 'vol-a', State: 'in-use' }], NextToken: 'v1' });
  });

  it('ends with a last page of an available, a deleted, an unnamed and a stateless volume', () => {
    // Act
    const { second } = twoPagesOfVolumes();

    // Assess
    expect(second).toEqual({
      Volumes: [
        { VolumeId: 'vol-b', State: 'available' },
        { VolumeId: 'vol-c', State: 'deleted' },
        { State: 'available' },
        { VolumeId: 'vol-d' },
      ],
    });
    expect(second).not.toHaveProperty('NextToken');
  });

  it('reads as two DescribeVolumes pages to a paginator', async () => {
    // Prepare
    const { first, second } = twoPagesOfVolumes();
    ec2Mock.on(DescribeVolumesCommand).resolvesOnce(first).resolvesOnce(second);
    const client = new EC2Client({ region: 'us-east-1' });

    // Act
    const ids: (string | undefined)[] = [];
    for await (const page of paginateDescribeVolumes({ client }, {})) {
      ids.push(...(page.Volumes ?? []).map((volume) => volume.VolumeId));
    }

    // Assess
    expect(ids).toEqual(['vol-a', 'vol-b', 'vol-c', undefined, 'vol-d']);
    const calls = ec2Mock.commandCalls(DescribeVolumesCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.NextToken).toBe('v1');
  });

  it('gives fresh objects on each call, so one test changing its pages leaves the next alone', () => {
    // Prepare
    const changed = twoPagesOfVolumes();
    changed.first.Volumes.pop();
    changed.second.Volumes[0] = { VolumeId: 'vol-x', State: 'deleted' };
    changed.first.NextToken = 'other';

    // Act
    const fresh = twoPagesOfVolumes();

    // Assess
    expect(fresh.first.Volumes).toEqual([{ VolumeId: 'vol-a', State: 'in-use' }]);
    expect(fresh.first.NextToken).toBe('v1');
    expect(fresh.second.Volumes[0]).toEqual({ VolumeId: 'vol-b', State: 'available' });
  });
});
