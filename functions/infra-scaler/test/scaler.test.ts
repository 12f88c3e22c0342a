import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand as DeleteGroupTagsCommand,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  EC2Client,
  type Instance,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  AddTagsToResourceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RDSClient,
  RemoveTagsFromResourceCommand,
  StartDBInstanceCommand,
  StopDBClusterCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createObservability, type TimeBudget } from '@nightshift/middleware';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadScalerConfig } from '../src/config.ts';
import type { ScalerEvent } from '../src/event.ts';
import { runScaler } from '../src/run.ts';

const ec2Mock = mockClient(EC2Client);
const asgMock = mockClient(AutoScalingClient);
const rdsMock = mockClient(RDSClient);
const cwMock = mockClient(CloudWatchClient);
const snsMock = mockClient(SNSClient);
const now = new Date('2026-11-27T19:00:00Z');
const plenty: TimeBudget = { remainingMs: () => 600_000, isExhausted: () => false };
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });
const tags = (record: Record<string, string>) =>
  Object.entries(record).map(([Key, Value]) => ({ Key, Value }));
const staging = tags({ Environment: 'staging', AutoScale: 'true' });
const mark = { Key: 'nightshift:scaled-down', Value: '2026-11-26T19:00:00.000Z' };

const instance = (
  id: string,
  state: string,
  extraTags: { Key: string; Value: string }[] = [],
): Instance => ({
  InstanceId: id,
  State: { Name: state as 'running' },
  Tags: [...staging, ...extraTags],
});
/** A group scale_down left at zero, with the sizes it saved. */
const scaledDownGroup = (name: string, saved: string) =>
  ({
    AutoScalingGroupName: name,
    MinSize: 0,
    MaxSize: 5,
    DesiredCapacity: 0,
    Tags: [{ Key: 'nightshift:saved-size', Value: saved }],
  }) as never;
/** A DB instance scale_down stopped and marked. */
const markedDb = (id: string) => ({
  DBInstanceIdentifier: id,
  DBInstanceArn: `arn:${id}`,
  DBInstanceStatus: 'stopped',
  TagList: [...staging, mark],
});
const givenInstances = (...instances: Instance[]) =>
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: instances }] });

const sleep = vi.fn(async (_ms: number) => undefined);
const run = async (event: ScalerEvent, env: Record<string, string> = {}, budget = plenty) => {
  const observability = createObservability('infra-scaler');
  const addMetric = vi.spyOn(observability.metrics, 'addMetric');
  const deps = {
    sleep,
    ec2: new EC2Client({}),
    autoscaling: new AutoScalingClient({}),
    rds: new RDSClient({}),
    cloudwatch: new CloudWatchClient({}),
    sns: new SNSClient({}),
    ...observability,
    now: () => now,
  };
  const report = await runScaler(
    deps,
    loadScalerConfig({ SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:1:r', ...env }),
    event,
    budget,
  );
  return { report, addMetric };
};
const sentNames = (mock: { calls: () => { args: unknown[] }[] }) =>
  mock.calls().map((call) => (call.args[0] as { constructor: { name: string } }).constructor.name);

/** DescribeInstances by id (how scale_up watches what it started) answers these states, in turn. */
const givenStartedStates = (...polls: Record<string, string>[]) => {
  let stub = ec2Mock.on(DescribeInstancesCommand, { Filters: undefined });
  const answer = (states: Record<string, string>) => ({
    Reservations: [
      {
        Instances: Object.entries(states).map(([id, state]) => ({
          ...instance(id, state, [mark]),
          ...(state === 'stopped'
            ? {
                StateReason: {
                  Code: 'Client.InternalError',
                  Message: 'Client.InternalError: Client error on launch',
                },
              }
            : {}),
        })),
      },
    ],
  });
  for (const states of polls.slice(0, -1)) stub = stub.resolvesOnce(answer(states));
  stub.resolves(answer(polls.at(-1) ?? {}));
};
const instanceIdsOf = (mock: typeof ec2Mock) =>
  mock
    .commandCalls(DescribeInstancesCommand)
    .map((call) => call.args[0].input.InstanceIds)
    .filter((ids) => ids !== undefined);

beforeEach(() => {
  sleep.mockClear();
  for (const mock of [ec2Mock, asgMock, rdsMock, cwMock, snsMock]) mock.reset();
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
  rdsMock.on(DescribeDBInstancesCommand).resolves({ DBInstances: [] });
  rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
  snsMock.on(PublishCommand).resolves({ MessageId: 'm' });
});

describe('scale_down', () => {
  it('marks, then stops, the running instances tagged for it, in chunks, never one of an Auto Scaling group', async () => {
    // Prepare
    const ids = Array.from({ length: 60 }, (_, i) => `i-${String(i).padStart(3, '0')}`);
    givenInstances(
      ...ids.map((id) => instance(id, 'running')),
      instance('i-asg', 'running', tags({ 'aws:autoscaling:groupName': 'web' })),
    );

    // Act
    const { report, addMetric } = await run({ action: 'scale_down', environment: 'staging' });

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
      Tags: [{ Key: 'nightshift:scaled-down', Value: now.toISOString() }],
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
    expect(report.done).toHaveLength(60);
    expect(addMetric).toHaveBeenCalledWith('InstancesStopped', 'Count', 60);
  });

  it('reports an instance that would not stop, takes its mark back, and stops the others', async () => {
    // Prepare
    givenInstances(
      instance('i-1', 'running'),
      instance('i-bad', 'running'),
      instance('i-3', 'running'),
    );
    ec2Mock.on(StopInstancesCommand).callsFake(async ({ InstanceIds }) => {
      if (InstanceIds.includes('i-bad')) throw awsError('UnsupportedOperation', 'spot instance');
      return {};
    });

    // Act
    const { report } = await run({ action: 'scale_down', environment: 'staging' });

    // Assess
    expect(report.done.map((entry) => entry.id)).toEqual(['i-1', 'i-3']);
    expect(report.failed).toEqual([
      { id: 'i-bad', action: 'stop', reason: 'UnsupportedOperation: spot instance' },
    ]);
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, {
      Resources: ['i-bad'],
      Tags: [{ Key: 'nightshift:scaled-down' }],
    });
  });

  it('saves a group’s sizes once, and a second scale_down never overwrites them with zeros', async () => {
    // Prepare
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'fresh',
          MinSize: 2,
          MaxSize: 5,
          DesiredCapacity: 3,
          Tags: [],
        } as never,
        {
          AutoScalingGroupName: 'done',
          MinSize: 0,
          MaxSize: 5,
          DesiredCapacity: 0,
          Tags: [{ Key: 'nightshift:saved-size', Value: 'min=1,max=5,desired=2' }],
        } as never,
        {
          AutoScalingGroupName: 'scaled-up-by-hand',
          MinSize: 1,
          MaxSize: 4,
          DesiredCapacity: 1,
          Tags: [{ Key: 'nightshift:saved-size', Value: 'min=2,max=4,desired=2' }],
        } as never,
      ],
    });

    // Act
    const { report } = await run({ action: 'scale_down', environment: 'staging' });

    // Assess
    expect(asgMock).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
      Filters: [{ Name: 'tag:Environment', Values: ['staging'] }],
    });
    expect(asgMock).toHaveReceivedCommandTimes(CreateOrUpdateTagsCommand, 1);
    expect(asgMock).toHaveReceivedCommandWith(CreateOrUpdateTagsCommand, {
      Tags: [
        expect.objectContaining({
          ResourceId: 'fresh',
          Key: 'nightshift:saved-size',
          Value: 'min=2,max=5,desired=3',
        }),
      ],
    });
    expect(asgMock).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 2);
    expect(asgMock).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      AutoScalingGroupName: 'scaled-up-by-hand',
      MinSize: 0,
      DesiredCapacity: 0,
    });
    expect(report.skipped).toEqual([
      {
        id: 'done',
        action: 'scale to 0',
        reason: 'already scaled down (saved min=1,max=5,desired=2)',
      },
    ]);
  });

  it('stops available databases tagged for it, and no cluster member alone', async () => {
    // Prepare
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        {
          DBInstanceIdentifier: 'db-1',
          DBInstanceArn: 'arn:db-1',
          DBInstanceStatus: 'available',
          TagList: staging,
        },
        {
          DBInstanceIdentifier: 'aurora-1',
          DBInstanceArn: 'arn:a1',
          DBInstanceStatus: 'available',
          DBClusterIdentifier: 'aurora',
          TagList: staging,
        },
        {
          DBInstanceIdentifier: 'db-off',
          DBInstanceArn: 'arn:off',
          DBInstanceStatus: 'stopped',
          TagList: staging,
        },
        {
          DBInstanceIdentifier: 'db-prod',
          DBInstanceArn: 'arn:prod',
          DBInstanceStatus: 'available',
          TagList: tags({ Environment: 'production', AutoScale: 'true' }),
        },
      ],
    });
    rdsMock.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        {
          DBClusterIdentifier: 'aurora',
          DBClusterArn: 'arn:aurora',
          Status: 'available',
          TagList: staging,
        },
      ],
    });

    // Act
    const { report, addMetric } = await run({ action: 'scale_down', environment: 'staging' });

    // Assess
    expect(rdsMock).toHaveReceivedCommandTimes(StopDBInstanceCommand, 1);
    expect(rdsMock).toHaveReceivedCommandWith(StopDBInstanceCommand, {
      DBInstanceIdentifier: 'db-1',
    });
    expect(rdsMock).toHaveReceivedCommandWith(StopDBClusterCommand, {
      DBClusterIdentifier: 'aurora',
    });
    expect(rdsMock).toHaveReceivedCommandWith(AddTagsToResourceCommand, {
      ResourceName: 'arn:db-1',
    });
    expect(report.skipped.map((entry) => [entry.id, entry.reason])).toEqual([
      ['aurora-1', 'member of cluster aurora: stopped with the cluster'],
      ['db-off', 'already stopped'],
    ]);
    expect(report.notes).toContainEqual(expect.stringContaining('after 7 days'));
    expect(addMetric).toHaveBeenCalledWith('DatabasesStopped', 'Count', 2);
  });

  it('counts a stop that RDS refuses because the database is already stopping as done, and keeps its mark', async () => {
    // Prepare: the first stop took effect, its answer was lost, the retry is refused.
    const db = { DBInstanceIdentifier: 'db-1', DBInstanceArn: 'arn:db-1', TagList: staging };
    rdsMock
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({ DBInstances: [{ ...db, DBInstanceStatus: 'available' }] })
      .resolves({ DBInstances: [{ ...db, DBInstanceStatus: 'stopping' }] });
    rdsMock
      .on(StopDBInstanceCommand)
      .rejects(awsError('InvalidDBInstanceStateFault', 'Instance db-1 is not in available state.'));

    // Act
    const { report } = await run({ action: 'scale_down', environment: 'staging' });

    // Assess
    expect(report.failed).toEqual([]);
    expect(report.done.map((entry) => entry.id)).toEqual(['db-1']);
    expect(rdsMock).toHaveReceivedCommandWith(DescribeDBInstancesCommand, {
      DBInstanceIdentifier: 'db-1',
    });
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
  });

  it('fails a stop that RDS refuses for a database that is not stopping, and takes its mark back', async () => {
    // Prepare
    const db = { DBInstanceIdentifier: 'db-1', DBInstanceArn: 'arn:db-1', TagList: staging };
    rdsMock
      .on(DescribeDBInstancesCommand)
      .resolves({ DBInstances: [{ ...db, DBInstanceStatus: 'available' }] });
    rdsMock
      .on(StopDBInstanceCommand)
      .rejects(awsError('InvalidDBInstanceStateFault', 'read replicas cannot be stopped'));

    // Act
    const { report } = await run({ action: 'scale_down', environment: 'staging' });

    // Assess
    expect(report.failed.map((entry) => [entry.id, entry.reason])).toEqual([
      ['db-1', expect.stringContaining('InvalidDBInstanceStateFault')],
    ]);
    expect(rdsMock).toHaveReceivedCommandWith(RemoveTagsFromResourceCommand, {
      ResourceName: 'arn:db-1',
    });
  });

  it('changes nothing in a dry run', async () => {
    // Prepare
    givenInstances(instance('i-1', 'running'));
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        {
          AutoScalingGroupName: 'web',
          MinSize: 1,
          MaxSize: 2,
          DesiredCapacity: 1,
          Tags: [],
        } as never,
      ],
    });

    // Act
    const { report } = await run({ action: 'scale_down', environment: 'staging', dryRun: true });

    // Assess
    expect(sentNames(ec2Mock)).toEqual(['DescribeInstancesCommand']);
    expect(sentNames(asgMock)).toEqual(['DescribeAutoScalingGroupsCommand']);
    expect(report.planned.map((entry) => [entry.id, entry.action])).toEqual([
      ['i-1', 'stop'],
      ['web', 'scale to 0'],
    ]);
  });
});

describe('scale_up', () => {
  it('starts only marked instances, unmarks what started, and keeps the mark of one that failed to start', async () => {
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
    givenStartedStates({ 'i-1': 'running' });

    // Act
    const { report, addMetric } = await run({ action: 'scale_up_staging' });

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: 'tag:Environment', Values: ['staging'] },
        { Name: 'tag-key', Values: ['nightshift:scaled-down'] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, {
      Resources: ['i-1', 'i-up'],
      Tags: [{ Key: 'nightshift:scaled-down' }],
    });
    expect(report.done.map((entry) => [entry.id, entry.action])).toEqual([
      ['i-1', 'start'],
      ['i-up', 'unmark'],
    ]);
    expect(report.failed).toEqual([
      { id: 'i-full', action: 'start', reason: 'InsufficientInstanceCapacity: no capacity' },
    ]);
    expect(addMetric).toHaveBeenCalledWith('InstancesStarted', 'Count', 1);
  });

  it('keeps the mark of an instance that goes back to stopped after starting, and names why', async () => {
    // Prepare
    givenInstances(instance('i-kms', 'stopped', [mark]), instance('i-ok', 'stopped', [mark]));
    ec2Mock.on(StartInstancesCommand).resolves({});
    givenStartedStates(
      { 'i-kms': 'pending', 'i-ok': 'pending' },
      { 'i-kms': 'stopped', 'i-ok': 'running' },
    );

    // Act
    const { report, addMetric } = await run({ action: 'scale_up', environment: 'staging' });

    // Assess
    expect(instanceIdsOf(ec2Mock)).toEqual([
      ['i-kms', 'i-ok'],
      ['i-kms', 'i-ok'],
    ]);
    expect(sleep.mock.calls).toEqual([[5_000]]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, { Resources: ['i-ok'] });
    expect(report.done).toEqual([expect.objectContaining({ id: 'i-ok', action: 'start' })]);
    expect(report.failed).toEqual([
      {
        id: 'i-kms',
        action: 'start',
        reason:
          'went back to stopped after starting: Client.InternalError: Client error on launch; it keeps its mark, so the next scale_up tries again',
      },
    ]);
    expect(addMetric).toHaveBeenCalledWith('InstancesStarted', 'Count', 1);
  });

  it('watches a slow start for three minutes, then counts it started and leaves its mark on', async () => {
    // Prepare
    givenInstances(instance('i-slow', 'stopped', [mark]), instance('i-booting', 'pending', [mark]));
    ec2Mock.on(StartInstancesCommand).resolves({});
    givenStartedStates({ 'i-slow': 'pending', 'i-booting': 'pending' });

    // Act
    const { report, addMetric } = await run({ action: 'scale_up', environment: 'staging' });

    // Assess
    expect(instanceIdsOf(ec2Mock)).toHaveLength(36);
    expect(sleep).toHaveBeenCalledTimes(35);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteTagsCommand);
    expect(report.done).toEqual([
      expect.objectContaining({
        id: 'i-slow',
        action: 'start',
        reason: expect.stringContaining('still pending after 180 s, so it keeps its mark'),
      }),
    ]);
    expect(report.skipped).toEqual([
      expect.objectContaining({ id: 'i-booting', action: 'unmark' }),
    ]);
    expect(report.failed).toEqual([]);
    expect(addMetric).toHaveBeenCalledWith('InstancesStarted', 'Count', 1);
  });

  it('keeps the marks, and says why, when the started instances cannot be watched', async () => {
    // Prepare
    givenInstances(instance('i-1', 'stopped', [mark]));
    ec2Mock.on(StartInstancesCommand).resolves({});
    ec2Mock
      .on(DescribeInstancesCommand, { Filters: undefined })
      .rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));

    // Act
    const { report } = await run({ action: 'scale_up', environment: 'staging' });

    // Assess
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteTagsCommand);
    expect(report.done).toEqual([
      {
        id: 'i-1',
        action: 'start',
        reason:
          'started; not seen running (RequestLimitExceeded: Request limit exceeded.), so it keeps its mark until a scale_up finds it running',
      },
    ]);
  });

  it('stops watching when the time budget runs short', async () => {
    // Prepare
    givenInstances(instance('i-slow', 'stopped', [mark]));
    ec2Mock.on(StartInstancesCommand).resolves({});
    givenStartedStates({ 'i-slow': 'pending' });
    const short: TimeBudget = { remainingMs: () => 4_000, isExhausted: () => false };

    // Act
    const { report } = await run({ action: 'scale_up', environment: 'staging' }, {}, short);

    // Assess
    expect(instanceIdsOf(ec2Mock)).toHaveLength(1);
    expect(sleep).not.toHaveBeenCalled();
    expect(report.done).toEqual([expect.objectContaining({ id: 'i-slow', action: 'start' })]);
  });

  it('changes nothing in a dry run', async () => {
    // Prepare
    givenInstances(instance('i-1', 'stopped', [mark]));
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [scaledDownGroup('web', 'min=2,max=5,desired=3')],
    });
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [markedDb('db-1')],
    });

    // Act
    const { report } = await run({ action: 'scale_up', environment: 'staging', dryRun: true });

    // Assess
    expect(sentNames(ec2Mock)).toEqual(['DescribeInstancesCommand']);
    expect(sentNames(asgMock)).toEqual(['DescribeAutoScalingGroupsCommand']);
    expect(sentNames(rdsMock).every((name) => name.startsWith('Describe'))).toBe(true);
    expect(report.planned.map((entry) => [entry.id, entry.action])).toEqual([
      ['i-1', 'start'],
      ['web', 'restore'],
      ['db-1', 'start'],
    ]);
  });

  it('restores each group’s saved sizes and removes the tag, and reports a saved size it cannot read', async () => {
    // Prepare
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        scaledDownGroup('web', 'min=2,max=5,desired=3'),
        scaledDownGroup('edited', 'lots'),
        {
          AutoScalingGroupName: 'never-scaled',
          MinSize: 1,
          MaxSize: 1,
          DesiredCapacity: 1,
          Tags: [],
        } as never,
      ],
    });

    // Act
    const { report } = await run({ action: 'scale_up', environment: 'staging' });

    // Assess
    expect(asgMock).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 1);
    expect(asgMock).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      AutoScalingGroupName: 'web',
      MinSize: 2,
      MaxSize: 5,
      DesiredCapacity: 3,
    });
    expect(asgMock).toHaveReceivedCommandWith(DeleteGroupTagsCommand, {
      Tags: [
        { ResourceId: 'web', ResourceType: 'auto-scaling-group', Key: 'nightshift:saved-size' },
      ],
    });
    expect(report.failed).toEqual([expect.objectContaining({ id: 'edited', action: 'restore' })]);
  });

  it('starts marked databases and leaves unmarked ones alone', async () => {
    // Prepare
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        markedDb('db-1'),
        {
          DBInstanceIdentifier: 'db-person',
          DBInstanceArn: 'arn:p',
          DBInstanceStatus: 'stopped',
          TagList: staging,
        },
      ],
    });

    // Act
    const { addMetric } = await run({ action: 'scale_up', environment: 'staging' });

    // Assess
    expect(rdsMock).toHaveReceivedCommandTimes(StartDBInstanceCommand, 1);
    expect(rdsMock).toHaveReceivedCommandWith(StartDBInstanceCommand, {
      DBInstanceIdentifier: 'db-1',
    });
    expect(rdsMock).toHaveReceivedCommandWith(RemoveTagsFromResourceCommand, {
      ResourceName: 'arn:db-1',
      TagKeys: ['nightshift:scaled-down'],
    });
    expect(addMetric).toHaveBeenCalledWith('DatabasesStarted', 'Count', 1);
  });

  it('counts a start that RDS refuses because the database is already starting as done', async () => {
    // Prepare
    const db = { DBInstanceIdentifier: 'db-1', DBInstanceArn: 'arn:db-1' };
    rdsMock
      .on(DescribeDBInstancesCommand)
      .resolvesOnce({
        DBInstances: [{ ...db, DBInstanceStatus: 'stopped', TagList: [...staging, mark] }],
      })
      .resolves({ DBInstances: [{ ...db, DBInstanceStatus: 'starting' }] });
    rdsMock
      .on(StartDBInstanceCommand)
      .rejects(awsError('InvalidDBInstanceStateFault', 'Instance db-1 is not stopped.'));

    // Act
    const { report } = await run({ action: 'scale_up', environment: 'staging' });

    // Assess
    expect(report.failed).toEqual([]);
    expect(rdsMock).toHaveReceivedCommandWith(RemoveTagsFromResourceCommand, {
      ResourceName: 'arn:db-1',
      TagKeys: ['nightshift:scaled-down'],
    });
  });
});

describe('check', () => {
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
    expect(addMetric).toHaveBeenCalledWith('IdleInstances', 'Count', 149);
  });
});
