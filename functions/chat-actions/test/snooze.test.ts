import {
  AutoScalingClient,
  type AutoScalingGroup,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateTagsCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  AddTagsToResourceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readResources, selectSnoozed, snooze } from '../src/snooze.ts';

const ec2Mock = mockClient(EC2Client);
const asgMock = mockClient(AutoScalingClient);
const rdsMock = mockClient(RDSClient);
const clients = {
  ec2: new EC2Client({ region: 'eu-west-1' }),
  autoScaling: new AutoScalingClient({ region: 'eu-west-1' }),
  rds: new RDSClient({ region: 'eu-west-1' }),
};
const UNTIL = '2026-03-02T19:00:00.000Z';
const onSchedule = [{ Key: 'nightshift:schedule', Value: 'office-hours' }];

beforeEach(() => {
  ec2Mock.reset();
  asgMock.reset();
  rdsMock.reset();
  ec2Mock.on(CreateTagsCommand).resolves({});
  asgMock.on(CreateOrUpdateTagsCommand).resolves({});
  rdsMock.on(AddTagsToResourceCommand).resolves({});
});

describe('snooze', () => {
  it('tags only the instances on the schedule, with exactly nightshift:snooze-until', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            { InstanceId: 'i-on', State: { Name: 'running' }, Tags: onSchedule },
            {
              InstanceId: 'i-other',
              State: { Name: 'running' },
              Tags: [{ Key: 'nightshift:schedule', Value: 'nights' }],
            },
            { InstanceId: 'i-untagged', State: { Name: 'running' }, Tags: [] },
          ],
        },
      ],
    });

    // Act
    const result = await snooze(clients, {
      schedule: 'office-hours',
      resources: ['instance:i-gone', 'instance:i-on', 'instance:i-other', 'instance:i-untagged'],
      until: UNTIL,
    });

    // Assess
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]?.args[0].input).toEqual({
      Filters: [{ Name: 'instance-id', Values: ['i-gone', 'i-on', 'i-other', 'i-untagged'] }],
    });
    expect(ec2Mock.commandCalls(CreateTagsCommand).map((call) => call.args[0].input)).toEqual([
      { Resources: ['i-on'], Tags: [{ Key: 'nightshift:snooze-until', Value: UNTIL }] },
    ]);
    expect(result).toEqual({
      kept: ['instance:i-on'],
      leftAlone: [
        { name: 'instance:i-gone', reason: 'not found' },
        { name: 'instance:i-other', reason: 'not on schedule office-hours' },
        { name: 'instance:i-untagged', reason: 'not on schedule office-hours' },
      ],
      failed: [],
    });
  });

  it('tags groups by name and databases by ARN, each only when on the schedule', async () => {
    // Prepare
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        { AutoScalingGroupName: 'web', Tags: onSchedule } as never,
        { AutoScalingGroupName: 'batch', Tags: [] } as never,
      ],
    });
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: 'reporting',
          DBInstanceArn: 'arn:aws:rds:eu-west-1:123456789012:db:reporting',
          TagList: onSchedule,
        },
      ],
    });
    rdsMock.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        {
          DBClusterIdentifier: 'orders',
          DBClusterArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:orders',
          TagList: [{ Key: 'nightshift:schedule', Value: 'office-hours-2' }],
        },
        {
          DBClusterIdentifier: 'ledger',
          DBClusterArn: 'arn:aws:rds:eu-west-1:123456789012:cluster:ledger',
          TagList: onSchedule,
        },
      ],
    });

    // Act
    const result = await snooze(clients, {
      schedule: 'office-hours',
      resources: [
        'db-cluster:ledger',
        'db-cluster:orders',
        'db-instance:reporting',
        'group:batch',
        'group:web',
      ],
      until: UNTIL,
    });

    // Assess
    expect(
      asgMock.commandCalls(CreateOrUpdateTagsCommand).map((call) => call.args[0].input),
    ).toEqual([
      {
        Tags: [
          {
            ResourceId: 'web',
            ResourceType: 'auto-scaling-group',
            PropagateAtLaunch: false,
            Key: 'nightshift:snooze-until',
            Value: UNTIL,
          },
        ],
      },
    ]);
    expect(
      rdsMock.commandCalls(AddTagsToResourceCommand).map((call) => call.args[0].input),
    ).toEqual([
      {
        ResourceName: 'arn:aws:rds:eu-west-1:123456789012:cluster:ledger',
        Tags: [{ Key: 'nightshift:snooze-until', Value: UNTIL }],
      },
      {
        ResourceName: 'arn:aws:rds:eu-west-1:123456789012:db:reporting',
        Tags: [{ Key: 'nightshift:snooze-until', Value: UNTIL }],
      },
    ]);
    expect(asgMock.commandCalls(DescribeAutoScalingGroupsCommand)[0]?.args[0].input).toEqual({
      AutoScalingGroupNames: ['batch', 'web'],
    });
    expect(rdsMock.commandCalls(DescribeDBInstancesCommand)[0]?.args[0].input).toEqual({
      Filters: [{ Name: 'db-instance-id', Values: ['reporting'] }],
    });
    expect(rdsMock.commandCalls(DescribeDBClustersCommand)[0]?.args[0].input).toEqual({
      Filters: [{ Name: 'db-cluster-id', Values: ['ledger', 'orders'] }],
    });
    expect(result.kept).toEqual(['db-cluster:ledger', 'db-instance:reporting', 'group:web']);
    expect(result.leftAlone.map(({ name }) => name)).toEqual(['db-cluster:orders', 'group:batch']);
  });

  it('never shortens a snooze: a resource kept running until later is left alone; one until the same time is kept (a use done again)', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-later',
              State: { Name: 'running' },
              Tags: [
                ...onSchedule,
                { Key: 'nightshift:snooze-until', Value: '2026-03-02T21:00:00Z' },
              ],
            },
            {
              InstanceId: 'i-same',
              State: { Name: 'running' },
              Tags: [...onSchedule, { Key: 'nightshift:snooze-until', Value: UNTIL }],
            },
            {
              InstanceId: 'i-earlier',
              State: { Name: 'running' },
              Tags: [
                ...onSchedule,
                { Key: 'nightshift:snooze-until', Value: '2026-03-02T18:30:00Z' },
              ],
            },
          ],
        },
      ],
    });

    // Act
    const result = await snooze(clients, {
      schedule: 'office-hours',
      resources: ['instance:i-earlier', 'instance:i-later', 'instance:i-same'],
      until: UNTIL,
    });

    // Assess
    expect(result.kept).toEqual(['instance:i-earlier', 'instance:i-same']);
    expect(result.leftAlone).toEqual([
      { name: 'instance:i-later', reason: 'already kept running until later' },
    ]);
  });

  it('leaves terminated instances, unknown kinds and resources not asked for alone', async () => {
    // Prepare: an answer that names more than was asked is not trusted.
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            { InstanceId: 'i-gone', State: { Name: 'terminated' }, Tags: onSchedule },
            { InstanceId: 'i-going', State: { Name: 'shutting-down' }, Tags: onSchedule },
            { InstanceId: 'i-extra', State: { Name: 'running' }, Tags: onSchedule },
          ],
        },
      ],
    });

    // Act
    const result = await snooze(clients, {
      schedule: 'office-hours',
      resources: ['bucket:logs', 'instance:i-going', 'instance:i-gone'],
      until: UNTIL,
    });

    // Assess
    expect(ec2Mock.commandCalls(CreateTagsCommand)).toHaveLength(0);
    expect(result.kept).toEqual([]);
    expect(result.leftAlone).toEqual([
      { name: 'bucket:logs', reason: 'not a resource a schedule names' },
      { name: 'instance:i-going', reason: 'not found' },
      { name: 'instance:i-gone', reason: 'not found' },
    ]);
  });

  it('reads nothing for a kind the link does not name', async () => {
    // Act
    await snooze(clients, { schedule: 'office-hours', resources: ['bucket:logs'], until: UNTIL });

    // Assess
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(asgMock.calls()).toHaveLength(0);
    expect(rdsMock.calls()).toHaveLength(0);
  });

  it('names the resources whose tag write failed, and still keeps the others', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-on', Tags: onSchedule }] }],
    });
    ec2Mock.on(CreateTagsCommand).rejects(new Error('UnauthorizedOperation'));
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [{ AutoScalingGroupName: 'web', Tags: onSchedule } as never],
    });

    // Act
    const result = await snooze(clients, {
      schedule: 'office-hours',
      resources: ['group:web', 'instance:i-on'],
      until: UNTIL,
    });

    // Assess
    expect(result.kept).toEqual(['group:web']);
    expect(result.failed.map(({ name, error }) => [name, error.message])).toEqual([
      ['instance:i-on', 'UnauthorizedOperation'],
    ]);
  });
});

describe('selectSnoozed', () => {
  it('keeps a resource whose snooze tag is not a time', () => {
    // Act
    const { keep } = selectSnoozed(
      ['instance:i-1'],
      [
        {
          kind: 'instance',
          id: 'i-1',
          arn: 'i-1',
          tags: [...onSchedule, { Key: 'nightshift:snooze-until', Value: 'soon' }],
        },
      ],
      'office-hours',
      UNTIL,
    );

    // Assess
    expect(keep.map(({ id }) => id)).toEqual(['i-1']);
  });
});

describe('readResources', () => {
  it('gives exactly the resources of the kinds named, with their keyed tags', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-1',
              State: { Name: 'running' },
              Tags: [{ Value: 'no key' }, { Key: 'nightshift:schedule' }, ...onSchedule],
            },
          ],
        },
      ],
    });

    // Act
    const found = await readResources(clients, [{ kind: 'instance', id: 'i-1' }]);

    // Assess
    expect(found).toEqual([
      {
        kind: 'instance',
        id: 'i-1',
        arn: 'i-1',
        tags: [
          { Key: 'nightshift:schedule', Value: '' },
          { Key: 'nightshift:schedule', Value: 'office-hours' },
        ],
      },
    ]);
    expect(asgMock.calls()).toHaveLength(0);
    expect(rdsMock.calls()).toHaveLength(0);
  });

  it('leaves out what an answer gives without an id or an ARN, and reads a missing tag list as none', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        { Instances: [{ State: { Name: 'running' }, Tags: onSchedule }] },
        { Instances: [{ InstanceId: 'i-bare', State: { Name: 'running' } }] },
        {},
      ],
    });
    // An answer without the group's name, as no real answer is: typed loosely on purpose.
    asgMock
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [{ Tags: [] } as unknown as AutoScalingGroup] });
    rdsMock
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [{ DBInstanceIdentifier: 'db-1' }, { DBInstanceArn: 'arn:db' }] })
      .on(DescribeDBClustersCommand)
      .resolves({ DBClusters: [{ DBClusterIdentifier: 'c-1' }] });

    // Act
    const found = await readResources(clients, [
      { kind: 'instance', id: 'i-bare' },
      { kind: 'group', id: 'web' },
      { kind: 'db-instance', id: 'db-1' },
      { kind: 'db-cluster', id: 'c-1' },
    ]);

    // Assess
    expect(found).toEqual([{ kind: 'instance', id: 'i-bare', arn: 'i-bare', tags: [] }]);
  });

  it('finds nothing in empty answers', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({});
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({});
    rdsMock.on(DescribeDBInstancesCommand).resolves({}).on(DescribeDBClustersCommand).resolves({});

    // Act
    const found = await readResources(clients, [
      { kind: 'instance', id: 'i-1' },
      { kind: 'group', id: 'web' },
      { kind: 'db-instance', id: 'db-1' },
      { kind: 'db-cluster', id: 'c-1' },
    ]);

    // Assess
    expect(found).toEqual([]);
  });

  it('gives nothing for a link that names no resource of a known kind', async () => {
    // Act & Assess
    expect(await readResources(clients, [])).toEqual([]);
  });
});
