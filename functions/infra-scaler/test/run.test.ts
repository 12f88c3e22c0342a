import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import {
  asgMock,
  awsError,
  cwMock,
  db,
  ec2Mock,
  givenDatabases,
  givenGroups,
  givenInstances,
  givenStatesById,
  group,
  instance,
  instanceIdsOf,
  MARK,
  mark,
  markedDb,
  metricsOf,
  now,
  rdsMock,
  run,
  scaledDownGroup,
  sentNames,
  snsMock,
  staging,
  tags,
} from './fixtures.ts';

const night = { action: 'scale_down', environment: 'staging' } as const;
const morning = { action: 'scale_up', environment: 'staging' } as const;
const RDS_NOTE =
  'AWS starts a stopped RDS database again after 7 days; scale_down stops it again on its next run';

describe('a scale_down run', () => {
  it('marks, then stops, the running instances tagged for it, in chunks, never one of an Auto Scaling group', async () => {
    // Prepare
    const ids = Array.from({ length: 60 }, (_, i) => `i-${String(i).padStart(3, '0')}`);
    givenInstances(
      ...ids.map((id) => instance(id, 'running')),
      instance('i-asg', 'running', tags({ 'aws:autoscaling:groupName': 'web' })),
    );

    // Act
    const { report, addMetric } = await run(night);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: 'tag:Environment', Values: ['staging'] },
        { Name: 'tag:AutoScale', Values: ['true'] },
        { Name: 'instance-state-name', Values: ['running'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(StopInstancesCommand, 2);
    expect(ec2Mock).toHaveReceivedNthCommandWith(StopInstancesCommand, 1, {
      InstanceIds: ids.slice(0, 50),
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: ids.slice(0, 50),
      Tags: [{ Key: MARK, Value: now.toISOString() }],
    });
    const order = sentNames(ec2Mock).filter((name) => name !== 'DescribeInstancesCommand');
    expect(order.indexOf('CreateTagsCommand')).toBeLessThan(order.indexOf('StopInstancesCommand'));
    expect(ec2Mock).not.toHaveReceivedCommandWith(StopInstancesCommand, {
      InstanceIds: expect.arrayContaining(['i-asg']),
    });
    expect(report.skipped).toEqual([
      {
        id: 'i-asg',
        action: 'stop',
        reason: 'in Auto Scaling group web: scaled through the group',
      },
    ]);
    expect(report.planned[0]).toEqual({
      id: 'i-000',
      action: 'stop',
      reason: 'tagged Environment=staging and AutoScale=true',
      details: { kind: 'instance' },
    });
    expect(report.done).toHaveLength(60);
    expect(report.done[0]).toEqual({
      id: 'i-000',
      action: 'stop',
      reason: 'stopped and marked',
      details: { kind: 'instance' },
    });
    expect(metricsOf(addMetric)).toEqual({
      InstancesStopped: 60,
      GroupsScaled: 0,
      DatabasesStopped: 0,
    });
  });

  it('reads the environment’s groups by tag, and opens its notes with the action and environment, then the RDS note', async () => {
    // Prepare
    givenGroups(group('web', [1, 2, 1]));
    givenDatabases([db('db-1', 'available')]);

    // Act
    const { report } = await run(night);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: 'tag:Environment', Values: ['staging'] },
        { Name: 'tag:AutoScale', Values: ['true'] },
        { Name: 'instance-state-name', Values: ['running'] },
      ],
    });
    expect(asgMock).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
      Filters: [{ Name: 'tag:Environment', Values: ['staging'] }],
    });
    expect(report.notes).toEqual(['scale_down of environment staging', RDS_NOTE]);
  });

  it('notes no RDS restart when it stops no database', async () => {
    // Prepare
    givenDatabases([db('db-off', 'stopped')]);

    // Act
    const { report } = await run({ ...night, dryRun: true });

    // Assess
    expect(report.notes).toEqual(['scale_down of environment staging']);
  });

  it('leaves out an instance or group that AWS describes without an id: no empty id is planned or reaches a call', async () => {
    // Prepare
    givenInstances({ State: { Name: 'running' }, Tags: staging }, instance('i-1', 'running'));
    givenGroups({ ...group('', [1, 2, 1]), AutoScalingGroupName: undefined });

    // Act
    const { report } = await run(night);

    // Assess
    expect(report.planned.map((entry) => entry.id)).toEqual(['i-1']);
    expect(ec2Mock).toHaveReceivedCommandWith(StopInstancesCommand, { InstanceIds: ['i-1'] });
    expect(sentNames(asgMock)).toEqual(['DescribeAutoScalingGroupsCommand']);
  });

  it('uses the injected clock for its marks and its report, start and finish', async () => {
    // Prepare
    givenInstances(instance('i-1', 'running'));

    // Act
    const { report } = await run(night);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Tags: [{ Key: MARK, Value: now.toISOString() }],
    });
    expect(report.startedAt).toBe(now.toISOString());
    expect(report.finishedAt).toBe(now.toISOString());
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: 'arn:aws:sns:us-east-1:1:r',
    });
  });

  it('reads and plans, changes nothing, and counts nothing as done', async () => {
    // Prepare
    givenInstances(instance('i-1', 'running'));
    givenGroups(group('web', [1, 2, 1]));
    givenDatabases([db('db-1', 'available')]);

    // Act
    const { report, addMetric } = await run({ ...night, dryRun: true });

    // Assess
    expect(sentNames(ec2Mock)).toEqual(['DescribeInstancesCommand']);
    expect(sentNames(asgMock)).toEqual(['DescribeAutoScalingGroupsCommand']);
    expect(sentNames(rdsMock).every((name) => name.startsWith('Describe'))).toBe(true);
    expect(report.planned.map((entry) => [entry.id, entry.action])).toEqual([
      ['i-1', 'stop'],
      ['web', 'scale to 0'],
      ['db-1', 'stop'],
    ]);
    expect(report.done).toEqual([]);
    expect(report.dryRun).toBe(true);
    expect(metricsOf(addMetric)).toEqual({
      InstancesStopped: 0,
      GroupsScaled: 0,
      DatabasesStopped: 0,
    });
  });
});

describe('a scale_up run', () => {
  it('starts only marked instances, unmarks what runs, and keeps the mark of one that failed to start', async () => {
    // Prepare
    givenInstances(
      instance('i-1', 'stopped', [mark]),
      instance('i-full', 'stopped', [mark]),
      instance('i-up', 'running', [mark]),
    );
    ec2Mock.on(StartInstancesCommand).callsFake(async ({ InstanceIds }) => {
      if (InstanceIds.includes('i-full'))
        throw awsError('InsufficientInstanceCapacity', 'no capacity');
      return {};
    });
    givenStatesById({ 'i-1': 'running', 'i-up': 'running' });

    // Act
    const { report, addMetric } = await run({ action: 'scale_up_staging' });

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: 'tag:Environment', Values: ['staging'] },
        { Name: 'tag-key', Values: [MARK] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    });
    expect(instanceIdsOf(ec2Mock)).toEqual([['i-1', 'i-up']]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, {
      Resources: ['i-1', 'i-up'],
      Tags: [{ Key: MARK }],
    });
    const facts = { kind: 'instance', stoppedSince: mark.Value };
    expect(report.planned).toEqual([
      {
        id: 'i-1',
        action: 'start',
        reason: `stopped by scale_down at ${mark.Value}`,
        details: facts,
      },
      {
        id: 'i-full',
        action: 'start',
        reason: `stopped by scale_down at ${mark.Value}`,
        details: facts,
      },
      { id: 'i-up', action: 'unmark', reason: 'already running', details: { kind: 'instance' } },
    ]);
    expect(report.done).toEqual([
      { id: 'i-1', action: 'start', reason: 'running', details: facts },
      {
        id: 'i-up',
        action: 'unmark',
        reason: 'was already running',
        details: { kind: 'instance' },
      },
    ]);
    expect(report.failed).toEqual([
      {
        id: 'i-full',
        action: 'start',
        reason: 'InsufficientInstanceCapacity: no capacity',
        details: facts,
      },
    ]);
    expect(metricsOf(addMetric)).toEqual({
      InstancesStarted: 1,
      GroupsScaled: 0,
      DatabasesStarted: 0,
    });
  });

  it('reads and plans, changes nothing, and counts nothing as done', async () => {
    // Prepare
    givenInstances(instance('i-1', 'stopped', [mark]));
    givenGroups(scaledDownGroup('web', 'min=2,max=5,desired=3'));
    givenDatabases([markedDb('db-1')]);

    // Act
    const { report, addMetric } = await run({ ...morning, dryRun: true });

    // Assess
    expect(sentNames(ec2Mock)).toEqual(['DescribeInstancesCommand']);
    expect(sentNames(asgMock)).toEqual(['DescribeAutoScalingGroupsCommand']);
    expect(sentNames(rdsMock).every((name) => name.startsWith('Describe'))).toBe(true);
    expect(report.planned.map((entry) => [entry.id, entry.action])).toEqual([
      ['i-1', 'start'],
      ['web', 'restore'],
      ['db-1', 'start'],
    ]);
    expect(report.done).toEqual([]);
    expect(metricsOf(addMetric)).toEqual({
      InstancesStarted: 0,
      GroupsScaled: 0,
      DatabasesStarted: 0,
    });
  });

  it('opens its notes with the action and environment', async () => {
    // Act
    const { report } = await run(morning);

    // Assess
    expect(report.notes).toEqual(['scale_up of environment staging']);
    expect(report.finishedAt).toBe(now.toISOString());
  });
});

describe('a check run', () => {
  it('asks for daily CPU in batches of 500 queries and flags instances under the threshold', async () => {
    // Prepare
    const ids = Array.from({ length: 300 }, (_, i) => `i-${i}`);
    givenInstances(...ids.map((id) => instance(id, 'running')));
    cwMock
      .on(GetMetricDataCommand)
      .callsFake(async ({ MetricDataQueries }: { MetricDataQueries: MetricDataQuery[] }) => ({
        MetricDataResults: MetricDataQueries.filter(
          (query) => query.Id !== 'avg2' && query.Id !== 'max2',
        ).map((query) => {
          const index = Number(query.Id?.slice(3));
          const busy = index % 2 === 1;
          return {
            Id: query.Id,
            Values: query.Id?.startsWith('avg')
              ? [busy ? 40 : 3, busy ? 50 : 5]
              : [busy ? 90 : 12, 20],
          };
        }),
      }));

    // Act
    const { report, addMetric } = await run(
      { action: 'check', environment: 'staging' },
      { IDLE_CPU_THRESHOLD_PERCENT: '10' },
    );

    // Assess
    expect(cwMock).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    const first = cwMock.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(first?.MetricDataQueries).toHaveLength(500);
    expect(first?.MetricDataQueries?.[0]).toMatchObject({
      MetricStat: {
        Metric: {
          Namespace: 'AWS/EC2',
          MetricName: 'CPUUtilization',
          Dimensions: [{ Name: 'InstanceId', Value: 'i-0' }],
        },
        Period: 86_400,
        Stat: 'Average',
      },
    });
    expect(first?.StartTime).toEqual(new Date(now.getTime() - 14 * 86_400_000));
    expect(report.done).toHaveLength(149);
    expect(report.done[0]).toEqual({
      id: 'i-0',
      action: 'flag idle',
      reason: 'average CPU 4.0% (daily maximum 20.0%) over 2 days, under 10%',
      details: { averageCpu: 4, maximumCpu: 20, days: 2 },
    });
    expect(report.skipped).toContainEqual({
      id: 'i-2',
      action: 'check',
      reason: 'no CPU data in the last 14 days',
    });
    expect(sentNames(ec2Mock)).toEqual(['DescribeInstancesCommand']);
    expect(metricsOf(addMetric)).toEqual({ IdleInstances: 149 });
  });

  it('flags idle instances in a dry run too (it changes nothing), with the totals', async () => {
    // Prepare
    givenInstances(instance('i-idle', 'running'), instance('i-busy', 'running'));
    cwMock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'avg0', Values: [1] },
        { Id: 'max0', Values: [2] },
        { Id: 'avg1', Values: [60] },
        { Id: 'max1', Values: [90] },
      ],
    });

    // Act
    const { report, addMetric } = await run({
      action: 'check',
      environment: 'staging',
      dryRun: true,
    });

    // Assess
    expect(report.dryRun).toBe(true);
    expect(report.planned).toEqual([]);
    expect(report.done.map((entry) => [entry.id, entry.action])).toEqual([['i-idle', 'flag idle']]);
    expect(report.skipped.map((entry) => [entry.id, entry.action])).toEqual([['i-busy', 'check']]);
    expect(report.totals).toEqual({ runningInstances: 2, idleInstances: 1 });
    expect(report.notes).toEqual(['check of environment staging']);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: 'tag:Environment', Values: ['staging'] },
        { Name: 'instance-state-name', Values: ['running'] },
      ],
    });
    expect(metricsOf(addMetric)).toEqual({ IdleInstances: 1 });
  });
});
