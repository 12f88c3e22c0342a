import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { listGroups } from '../src/groups.ts';

const asgMock = mockClient(AutoScalingClient);

describe('List Auto Scaling groups by tag', () => {
  beforeEach(() => asgMock.reset());

  it('maps every page to named groups with their sizes, and leaves out a group without a name or its sizes', async () => {
    // Prepare
    asgMock
      .on(DescribeAutoScalingGroupsCommand)
      .resolvesOnce({
        AutoScalingGroups: [
          {
            AutoScalingGroupName: 'web',
            MinSize: 1,
            MaxSize: 4,
            DesiredCapacity: 2,
            Tags: [{ Key: 'Environment', Value: 'staging' }],
          } as never,
        ],
        NextToken: 'next',
      })
      .resolvesOnce({
        AutoScalingGroups: [
          { MinSize: 1 } as never,
          { AutoScalingGroupName: 'no-sizes', Tags: [] } as never,
          { AutoScalingGroupName: 'no-desired', MinSize: 0, MaxSize: 2 } as never,
        ],
      });

    // Act
    const groups = await listGroups(new AutoScalingClient({}), {
      key: 'Environment',
      value: 'staging',
    });

    // Assess
    expect(groups).toEqual([
      {
        name: 'web',
        size: { min: 1, max: 4, desired: 2 },
        tags: [{ Key: 'Environment', Value: 'staging' }],
        instanceTypes: [],
      },
    ]);
    expect(
      asgMock.commandCalls(DescribeAutoScalingGroupsCommand)[0]?.args[0].input.Filters,
    ).toEqual([{ Name: 'tag:Environment', Values: ['staging'] }]);
  });
});

describe('List Auto Scaling groups by tag key', () => {
  beforeEach(() => asgMock.reset());

  it('filters on the key alone when the value is null', async () => {
    // Prepare
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'api',
          MinSize: 0,
          MaxSize: 2,
          DesiredCapacity: 0,
          Tags: [{ Key: 'nightshift:schedule', Value: 'office-hours' }],
        } as never,
      ],
    });

    // Act
    const groups = await listGroups(new AutoScalingClient({}), {
      key: 'nightshift:schedule',
      value: null,
    });

    // Assess
    expect(groups.map((group) => group.name)).toEqual(['api']);
    expect(
      asgMock.commandCalls(DescribeAutoScalingGroupsCommand)[0]?.args[0].input.Filters,
    ).toEqual([{ Name: 'tag-key', Values: ['nightshift:schedule'] }]);
  });
});

describe('List Auto Scaling groups with their instance types', () => {
  beforeEach(() => asgMock.reset());

  it('lists the type of each instance, one per instance, leaving out an instance without a type', async () => {
    // Prepare
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'web',
          MinSize: 1,
          MaxSize: 4,
          DesiredCapacity: 3,
          Instances: [
            { InstanceId: 'i-1', InstanceType: 't3.micro' },
            { InstanceId: 'i-2', InstanceType: 'm5.large' },
            { InstanceId: 'i-3' },
            { InstanceId: 'i-4', InstanceType: 't3.micro' },
          ],
        } as never,
        { AutoScalingGroupName: 'empty', MinSize: 0, MaxSize: 2, DesiredCapacity: 0 } as never,
      ],
    });

    // Act
    const groups = await listGroups(new AutoScalingClient({}), {
      key: 'nightshift:schedule',
      value: null,
    });

    // Assess
    expect(groups.map(({ name, instanceTypes }) => [name, instanceTypes])).toEqual([
      ['web', ['t3.micro', 'm5.large', 't3.micro']],
      ['empty', []],
    ]);
  });
});
