import {
  AutoScalingClient,
  type AutoScalingGroup,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import {
  type DBCluster,
  type DBInstance,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import type { Tag } from '@nightshift/conventions';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { readCpuMaxima, readScheduled } from '../../src/reconcile/read.ts';

// Own mocks: the shared fixtures load the whole run, which this module does not need.
const ec2Mock = mockClient(EC2Client);
const asgMock = mockClient(AutoScalingClient);
const rdsMock = mockClient(RDSClient);
const cwMock = mockClient(CloudWatchClient);

const now = new Date('2026-11-27T19:00:00Z');
const tags = (record: Record<string, string>) =>
  Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });

const instance = (
  id: string,
  state: string,
  extraTags: Tag[] = [],
  baseTags: Tag[] = [],
): Instance => ({
  InstanceId: id,
  State: { Name: state as 'running' },
  Tags: [...baseTags, ...extraTags],
});
const group = (
  name: string,
  [min, max, desired]: [number, number, number],
  groupTags: Tag[],
): AutoScalingGroup =>
  ({
    AutoScalingGroupName: name,
    MinSize: min,
    MaxSize: max,
    DesiredCapacity: desired,
    Tags: groupTags,
  }) as AutoScalingGroup;
const db = (id: string, status: string, dbTags: Tag[]): DBInstance => ({
  DBInstanceIdentifier: id,
  DBInstanceArn: `arn:${id}`,
  DBInstanceStatus: status,
  TagList: dbTags,
});
const cluster = (id: string, status: string, clusterTags: Tag[]): DBCluster => ({
  DBClusterIdentifier: id,
  DBClusterArn: `arn:${id}`,
  Status: status,
  TagList: clusterTags,
});

beforeEach(() => {
  for (const mock of [ec2Mock, asgMock, rdsMock, cwMock]) mock.reset();
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
  rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
  rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
});

const clients = () => ({
  ec2: new EC2Client({}),
  autoscaling: new AutoScalingClient({}),
  rds: new RDSClient({}),
});
const cloudwatch = new CloudWatchClient({});

const onSchedule = tags({ 'nightshift:schedule': 'office-hours' });
const groupTag = (name: string) => ({ Key: 'aws:autoscaling:groupName', Value: name });

describe('readScheduled', () => {
  it('asks EC2 for instances by the schedule tag key in the four states a schedule handles, and Auto Scaling for groups by the tag key', async () => {
    // Act
    await readScheduled(clients());

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: 'tag-key', Values: ['nightshift:schedule'] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    });
    expect(asgMock).toHaveReceivedCommandTimes(DescribeAutoScalingGroupsCommand, 1);
    expect(asgMock).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
      Filters: [{ Name: 'tag-key', Values: ['nightshift:schedule'] }],
    });
    expect(rdsMock).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 1);
    expect(rdsMock).toHaveReceivedCommandTimes(DescribeDBClustersCommand, 1);
  });

  it('reads the three services at once', async () => {
    // Prepare: every answer takes a turn of the event loop; the log shows what overlapped.
    const log: string[] = [];
    const slowly = (name: string, answer: object) => async () => {
      log.push(`${name} asked`);
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`${name} answered`);
      return answer;
    };
    ec2Mock.on(DescribeInstancesCommand).callsFake(slowly('ec2', { Reservations: [] }));
    asgMock
      .on(DescribeAutoScalingGroupsCommand)
      .callsFake(slowly('autoscaling', { AutoScalingGroups: [] }));
    rdsMock.on(DescribeDBInstancesCommand).callsFake(slowly('rds', { DBInstances: [] }));

    // Act
    await readScheduled(clients());

    // Assess
    expect(log.slice(0, 3).sort()).toEqual(['autoscaling asked', 'ec2 asked', 'rds asked']);
  });

  it('follows every page of instances, groups and databases', async () => {
    // Prepare: each page answers only to its token; the tokens each call carried are logged.
    const sent: string[] = [];
    const byToken =
      <T>(service: string, field: 'NextToken' | 'Marker', pages: Record<string, T>) =>
      async (input: Partial<Record<typeof field, string>>) => {
        const token = input[field] ?? 'first';
        sent.push(`${service} ${token}`);
        const page = pages[token];
        if (!page) throw new Error(`${service}: no page for ${token}`);
        return page;
      };
    ec2Mock.on(DescribeInstancesCommand).callsFake(
      byToken('ec2', 'NextToken', {
        first: {
          Reservations: [{ Instances: [instance('i-1', 'running', [], onSchedule)] }],
          NextToken: 'ec2-2',
        },
        'ec2-2': {
          Reservations: [{ Instances: [instance('i-2', 'stopped', [], onSchedule)] }],
          NextToken: 'ec2-3',
        },
        'ec2-3': {
          Reservations: [{ Instances: [instance('i-3', 'pending', [], onSchedule)] }],
        },
      }),
    );
    asgMock.on(DescribeAutoScalingGroupsCommand).callsFake(
      byToken('autoscaling', 'NextToken', {
        first: { AutoScalingGroups: [group('web', [1, 4, 2], onSchedule)], NextToken: 'g2' },
        g2: { AutoScalingGroups: [group('api', [1, 4, 2], onSchedule)] },
      }),
    );
    rdsMock.on(DescribeDBInstancesCommand).callsFake(
      byToken('db-instances', 'Marker', {
        first: { DBInstances: [db('db-1', 'available', onSchedule)], Marker: 'd2' },
        d2: { DBInstances: [db('db-2', 'stopped', onSchedule)] },
      }),
    );
    rdsMock.on(DescribeDBClustersCommand).callsFake(
      byToken('db-clusters', 'Marker', {
        first: { DBClusters: [cluster('c-1', 'available', onSchedule)], Marker: 'c2' },
        c2: { DBClusters: [cluster('c-2', 'stopped', onSchedule)] },
      }),
    );

    // Act
    const resources = await readScheduled(clients());

    // Assess
    expect(resources.map(({ kind, id }) => `${kind} ${id}`)).toEqual([
      'instance i-1',
      'instance i-2',
      'instance i-3',
      'group web',
      'group api',
      'db-instance db-1',
      'db-instance db-2',
      'db-cluster c-1',
      'db-cluster c-2',
    ]);
    expect(sent.sort()).toEqual([
      'autoscaling first',
      'autoscaling g2',
      'db-clusters c2',
      'db-clusters first',
      'db-instances d2',
      'db-instances first',
      'ec2 ec2-2',
      'ec2 ec2-3',
      'ec2 first',
    ]);
  });

  it('keeps an instance’s state, tags and Auto Scaling group', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            instance('i-alone', 'stopping', [], onSchedule),
            instance('i-member', 'running', [groupTag('web')], onSchedule),
          ],
        },
      ],
    });

    // Act
    const resources = await readScheduled(clients());

    // Assess
    expect(resources).toEqual([
      { kind: 'instance', id: 'i-alone', state: 'stopping', tags: onSchedule },
      {
        kind: 'instance',
        id: 'i-member',
        state: 'running',
        tags: [...onSchedule, groupTag('web')],
        groupName: 'web',
      },
    ]);
  });

  it('counts a group running when its desired capacity or its minimum is above 0, stopped when both are 0', async () => {
    // Prepare
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        group('emptied', [0, 4, 0], onSchedule),
        group('kept-up-by-min', [1, 4, 0], onSchedule),
        group('serving', [0, 4, 2], onSchedule),
      ],
    });

    // Act
    const resources = await readScheduled(clients());

    // Assess
    expect(resources).toEqual([
      {
        kind: 'group',
        id: 'emptied',
        state: 'stopped',
        tags: onSchedule,
        size: { min: 0, max: 4, desired: 0 },
      },
      {
        kind: 'group',
        id: 'kept-up-by-min',
        state: 'running',
        tags: onSchedule,
        size: { min: 1, max: 4, desired: 0 },
      },
      {
        kind: 'group',
        id: 'serving',
        state: 'running',
        tags: onSchedule,
        size: { min: 0, max: 4, desired: 2 },
      },
    ]);
  });

  it('keeps only the databases that carry the schedule tag, Aurora members with their cluster', async () => {
    // Prepare
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        db('untagged', 'available', tags({ Environment: 'staging' })),
        db('plain', 'backing-up', onSchedule),
        { ...db('aurora-1', 'available', onSchedule), DBClusterIdentifier: 'aurora' },
      ],
    });
    rdsMock.on(DescribeDBClustersCommand).resolves({
      DBClusters: [cluster('aurora', 'stopped', onSchedule), cluster('other', 'available', [])],
    });

    // Act
    const resources = await readScheduled(clients());

    // Assess
    expect(resources).toEqual([
      { kind: 'db-instance', id: 'plain', arn: 'arn:plain', state: 'backing-up', tags: onSchedule },
      {
        kind: 'db-instance',
        id: 'aurora-1',
        arn: 'arn:aurora-1',
        state: 'available',
        tags: onSchedule,
        clusterId: 'aurora',
      },
      { kind: 'db-cluster', id: 'aurora', arn: 'arn:aurora', state: 'stopped', tags: onSchedule },
    ]);
  });

  it('keeps the facts a stop or a start reports: types, classes, Multi-AZ, engines, a cluster’s member classes, with no more calls', async () => {
    // Prepare: the member `aurora-2` is not tagged itself; `aurora-3` has no class.
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            { ...instance('i-typed', 'running', [], onSchedule), InstanceType: 'm5.large' },
            instance('i-untyped', 'running', [], onSchedule),
          ],
        },
      ],
    });
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          ...group('web', [1, 4, 2], onSchedule),
          Instances: [
            { InstanceId: 'i-w1', InstanceType: 't3.micro' },
            { InstanceId: 'i-w2', InstanceType: 't3.small' },
          ],
        } as AutoScalingGroup,
        group('emptied', [0, 4, 0], onSchedule),
      ],
    });
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          ...db('pg', 'available', onSchedule),
          DBInstanceClass: 'db.m6g.large',
          MultiAZ: true,
          Engine: 'postgres',
        },
        db('bare', 'available', onSchedule),
        {
          ...db('aurora-1', 'available', onSchedule),
          DBClusterIdentifier: 'aurora',
          DBInstanceClass: 'db.r6g.large',
          MultiAZ: false,
          Engine: 'aurora-mysql',
        },
        {
          ...db('aurora-2', 'available', []),
          DBClusterIdentifier: 'aurora',
          DBInstanceClass: 'db.r6g.xlarge',
        },
        { ...db('aurora-3', 'available', []), DBClusterIdentifier: 'aurora' },
        { ...db('other-1', 'available', []), DBClusterIdentifier: 'other', DBInstanceClass: 'x' },
      ],
    });
    rdsMock.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        { ...cluster('aurora', 'available', onSchedule), Engine: 'aurora-mysql', MultiAZ: true },
        cluster('lonely', 'available', onSchedule),
      ],
    });

    // Act
    const resources = await readScheduled(clients());

    // Assess
    const byId = new Map(resources.map((resource) => [resource.id, resource]));
    expect(byId.get('i-typed')).toEqual({
      kind: 'instance',
      id: 'i-typed',
      state: 'running',
      tags: onSchedule,
      instanceType: 'm5.large',
    });
    expect(byId.get('i-untyped')).not.toHaveProperty('instanceType');
    expect(byId.get('web')?.instanceTypes).toEqual(['t3.micro', 't3.small']);
    expect(byId.get('emptied')).not.toHaveProperty('instanceTypes');
    expect(byId.get('pg')).toEqual({
      kind: 'db-instance',
      id: 'pg',
      arn: 'arn:pg',
      state: 'available',
      tags: onSchedule,
      instanceType: 'db.m6g.large',
      multiAz: true,
      engine: 'postgres',
    });
    expect(byId.get('bare')).toEqual({
      kind: 'db-instance',
      id: 'bare',
      arn: 'arn:bare',
      state: 'available',
      tags: onSchedule,
    });
    expect(byId.get('aurora-1')).toMatchObject({
      instanceType: 'db.r6g.large',
      multiAz: false,
      engine: 'aurora-mysql',
    });
    expect(byId.get('aurora')).toEqual({
      kind: 'db-cluster',
      id: 'aurora',
      arn: 'arn:aurora',
      state: 'available',
      tags: onSchedule,
      engine: 'aurora-mysql',
      members: ['db.r6g.large', 'db.r6g.xlarge'],
    });
    expect(byId.get('lonely')).toEqual({
      kind: 'db-cluster',
      id: 'lonely',
      arn: 'arn:lonely',
      state: 'available',
      tags: onSchedule,
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
    expect(asgMock).toHaveReceivedCommandTimes(DescribeAutoScalingGroupsCommand, 1);
    expect(rdsMock).toHaveReceivedCommandTimes(DescribeDBInstancesCommand, 1);
    expect(rdsMock).toHaveReceivedCommandTimes(DescribeDBClustersCommand, 1);
    expect(rdsMock.calls()).toHaveLength(2);
  });

  it('rejects when a listing fails', async () => {
    // Prepare
    asgMock.on(DescribeAutoScalingGroupsCommand).rejects(awsError('AccessDenied'));

    // Act & Assess
    await expect(readScheduled(clients())).rejects.toThrow('AccessDenied');
  });
});

/** Datapoints per instance id: [minutes before now, value]. */
type Datapoints = Record<string, [number, number][]>;

/** What GetMetricData answers for the queries it is sent: each instance's datapoints, newest first. */
const resultsFor = (input: GetMetricDataCommandInput, data: Datapoints): MetricDataResult[] =>
  (input.MetricDataQueries ?? []).map((query) => {
    const id = query.MetricStat?.Metric?.Dimensions?.[0]?.Value ?? '';
    const points = data[id] ?? [];
    return {
      Id: query.Id,
      Timestamps: points.map(([minutes]) => new Date(now.getTime() - minutes * 60_000)),
      Values: points.map(([, value]) => value),
      StatusCode: 'Complete',
    };
  });

const givenCpu = (data: Datapoints) =>
  cwMock.on(GetMetricDataCommand).callsFake(async (input: GetMetricDataCommandInput) => ({
    MetricDataResults: resultsFor(input, data),
  }));

const queriesOf = () =>
  cwMock.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input.MetricDataQueries);

describe('readCpuMaxima', () => {
  it('makes no call when there is nothing to ask', async () => {
    // Act
    const maxima = await readCpuMaxima(cloudwatch, [], now);

    // Assess
    expect(maxima.size).toBe(0);
    expect(cwMock).toHaveReceivedCommandTimes(GetMetricDataCommand, 0);
  });

  it('asks for the per-minute Maximum of CPUUtilization per instance, over the longest window, 500 queries per call', async () => {
    // Prepare
    givenCpu({});
    const queries = Array.from({ length: 501 }, (_, i) => ({
      id: `i-${i}`,
      minutes: i === 7 ? 45 : 30,
    }));

    // Act
    await readCpuMaxima(cloudwatch, queries, now);

    // Assess
    expect(queriesOf().map((sent) => sent?.length)).toEqual([500, 1]);
    for (const call of cwMock.commandCalls(GetMetricDataCommand)) {
      expect(call.args[0].input.StartTime).toEqual(new Date(now.getTime() - 45 * 60_000));
      expect(call.args[0].input.EndTime).toEqual(now);
    }
    const last = queriesOf()[1]?.[0];
    expect(last).toEqual({
      Id: expect.stringMatching(/^[a-z][a-zA-Z0-9_]*$/),
      MetricStat: {
        Metric: {
          Namespace: 'AWS/EC2',
          MetricName: 'CPUUtilization',
          Dimensions: [{ Name: 'InstanceId', Value: 'i-500' }],
        },
        Period: 60,
        Stat: 'Maximum',
      },
      ReturnData: true,
    });
    const ids = queriesOf().flatMap((sent) => sent?.map((query) => query.Id));
    expect(new Set(ids).size).toBe(501);
  });

  it('takes each instance’s highest value within its own window, and leaves out an instance without data', async () => {
    // Prepare
    givenCpu({
      'i-short': [
        [1, 12],
        [29, 55],
        [45, 99],
      ],
      'i-long': [
        [1, 12],
        [45, 99],
        [61, 100],
      ],
      'i-only-old': [[31, 80]],
      'i-at-edge': [[30, 70]],
    });

    // Act
    const maxima = await readCpuMaxima(
      cloudwatch,
      [
        { id: 'i-short', minutes: 30 },
        { id: 'i-long', minutes: 60 },
        { id: 'i-only-old', minutes: 30 },
        { id: 'i-at-edge', minutes: 30 },
        { id: 'i-silent', minutes: 30 },
      ],
      now,
    );

    // Assess
    expect(Object.fromEntries(maxima)).toEqual({ 'i-short': 55, 'i-long': 99, 'i-at-edge': 70 });
  });

  it('follows NextToken and takes the maximum across pages, of values with a time, of its own queries', async () => {
    // Prepare
    const at = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
    const tokens: (string | undefined)[] = [];
    cwMock.on(GetMetricDataCommand).callsFake(async (input: GetMetricDataCommandInput) => {
      tokens.push(input.NextToken);
      const [a, b] = input.MetricDataQueries ?? [];
      if (input.NextToken === undefined)
        return {
          MetricDataResults: [
            { Id: a?.Id, Timestamps: [at(2)], Values: [20] },
            { Id: b?.Id, Timestamps: [at(3)], Values: [90] },
            // Neither a query of this call nor a value without its time counts.
            { Id: 'unknown', Timestamps: [at(1)], Values: [100] },
            { Id: a?.Id, Values: [99] },
          ],
          NextToken: 'page-2',
        };
      if (input.NextToken === 'page-2')
        return {
          MetricDataResults: [{ Id: a?.Id, Timestamps: [at(4)], Values: [75] }],
          NextToken: 'page-3',
        };
      if (input.NextToken === 'page-3')
        return { MetricDataResults: [{ Id: b?.Id, Timestamps: [at(5)], Values: [10] }] };
      throw new Error(`no page for ${input.NextToken}`);
    });

    // Act
    const maxima = await readCpuMaxima(
      cloudwatch,
      [
        { id: 'i-a', minutes: 30 },
        { id: 'i-b', minutes: 30 },
      ],
      now,
    );

    // Assess
    expect(tokens).toEqual([undefined, 'page-2', 'page-3']);
    expect(Object.fromEntries(maxima)).toEqual({ 'i-a': 75, 'i-b': 90 });
  });

  it('rejects when a call fails', async () => {
    // Prepare
    cwMock.on(GetMetricDataCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

    // Act & Assess
    await expect(readCpuMaxima(cloudwatch, [{ id: 'i-1', minutes: 30 }], now)).rejects.toThrow(
      'Rate exceeded',
    );
  });

  it('rejects when a later call fails after an earlier one answered', async () => {
    // Prepare
    cwMock
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [] })
      .rejects(awsError('InternalServiceError'));
    const queries = Array.from({ length: 501 }, (_, i) => ({ id: `i-${i}`, minutes: 30 }));

    // Act & Assess
    await expect(readCpuMaxima(cloudwatch, queries, now)).rejects.toThrow('InternalServiceError');
  });
});
