import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { listInstances } from '../src/instances.ts';

const ec2Mock = mockClient(EC2Client);

describe('List instances by tag', () => {
  beforeEach(() => ec2Mock.reset());

  it('asks EC2 for the tags and states given, and reads every page', async () => {
    // Prepare
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'running' } }] }],
        NextToken: 'next',
      })
      .resolvesOnce({
        Reservations: [
          {
            Instances: [
              {
                InstanceId: 'i-2',
                InstanceType: 't3.micro',
                State: { Name: 'running' },
                Tags: [{ Key: 'aws:autoscaling:groupName', Value: 'web' }],
              },
            ],
          },
        ],
      });

    // Act
    const instances = await listInstances(new EC2Client({}), {
      tags: { Environment: 'staging', 'nightshift:schedule': null },
      states: ['running'],
    });

    // Assess
    expect(instances).toEqual([
      { id: 'i-1', state: 'running', tags: [] },
      {
        id: 'i-2',
        state: 'running',
        instanceType: 't3.micro',
        tags: [{ Key: 'aws:autoscaling:groupName', Value: 'web' }],
        groupName: 'web',
      },
    ]);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'tag:Environment', Values: ['staging'] },
      { Name: 'tag-key', Values: ['nightshift:schedule'] },
      { Name: 'instance-state-name', Values: ['running'] },
    ]);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(2);
  });

  it('leaves out an instance without an id, so no empty id reaches a call', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ State: { Name: 'running' } }, { InstanceId: '' }] }],
    });

    // Act
    const instances = await listInstances(new EC2Client({}), { tags: {}, states: ['running'] });

    // Assess
    expect(instances).toEqual([]);
  });

  it('reads pages without reservations or instances as empty', async () => {
    // Prepare
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{}], NextToken: 'next' })
      .resolves({});

    // Act
    const instances = await listInstances(new EC2Client({}), {
      tags: { Environment: 'staging' },
      states: ['running'],
    });

    // Assess
    expect(instances).toEqual([]);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(2);
  });

  it('reads an instance without a state as unknown', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-odd' }] }],
    });

    // Act
    const instances = await listInstances(new EC2Client({}), { tags: {}, states: ['running'] });

    // Assess
    expect(instances).toEqual([{ id: 'i-odd', state: 'unknown', tags: [] }]);
  });
});
