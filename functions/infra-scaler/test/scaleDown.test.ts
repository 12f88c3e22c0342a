import {
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  AddTagsToResourceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RemoveTagsFromResourceCommand,
  StopDBClusterCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { describe, expect, it } from 'vitest';
import {
  asgMock,
  awsError,
  db,
  ec2Mock,
  givenDatabases,
  givenGroups,
  givenInstances,
  givenStatesById,
  group,
  instance,
  MARK,
  metricsOf,
  now,
  rdsMock,
  run,
  scaledDownGroup,
  sentNames,
  staging,
  tags,
} from './fixtures.ts';

const night = { action: 'scale_down', environment: 'staging' } as const;

describe('scale_down of instances', () => {
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
    });
    expect(report.done).toHaveLength(60);
    expect(report.done[0]).toEqual({ id: 'i-000', action: 'stop', reason: 'stopped and marked' });
    expect(metricsOf(addMetric)).toEqual({
      InstancesStopped: 60,
      GroupsScaled: 0,
      DatabasesStopped: 0,
    });
  });

  it('checks every listed instance again for the exact tags, whatever the filter matched', async () => {
    // Prepare: a filter that matched without regard to case (or as a pattern).
    givenInstances(
      instance('i-ok', 'running'),
      instance('i-upper', 'running', [], tags({ Environment: 'Staging', AutoScale: 'true' })),
      instance('i-loud', 'running', [], tags({ Environment: 'staging', AutoScale: 'TRUE' })),
      instance('i-untagged', 'running', [], tags({ Environment: 'staging' })),
    );

    // Act
    const { report } = await run(night);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(StopInstancesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(StopInstancesCommand, { InstanceIds: ['i-ok'] });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, { Resources: ['i-ok'] });
    expect(report.skipped).toEqual([
      {
        id: 'i-upper',
        action: 'stop',
        reason: 'tagged Environment=Staging, not Environment=staging',
      },
      { id: 'i-loud', action: 'stop', reason: 'tagged AutoScale=TRUE, not AutoScale=true' },
      { id: 'i-untagged', action: 'stop', reason: 'not tagged AutoScale=true' },
    ]);
  });

  it('reports an instance that would not stop and is still running, takes its mark back, and stops the others', async () => {
    // Prepare
    givenInstances(
      instance('i-1', 'running'),
      instance('i-bad', 'running'),
      instance('i-3', 'running'),
    );
    givenStatesById({ 'i-bad': 'running' });
    ec2Mock.on(StopInstancesCommand).callsFake(async ({ InstanceIds }) => {
      if (InstanceIds.includes('i-bad')) throw awsError('UnsupportedOperation', 'spot instance');
      return {};
    });

    // Act
    const { report, addMetric } = await run(night);

    // Assess
    expect(report.done.map((entry) => entry.id)).toEqual(['i-1', 'i-3']);
    expect(report.failed).toEqual([
      { id: 'i-bad', action: 'stop', reason: 'UnsupportedOperation: spot instance' },
    ]);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      InstanceIds: ['i-bad'],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, {
      Resources: ['i-bad'],
      Tags: [{ Key: MARK }],
    });
    expect(metricsOf(addMetric).InstancesStopped).toBe(2);
  });

  it('takes the mark back from an instance that is still pending after a failed stop', async () => {
    // Prepare
    givenInstances(instance('i-1', 'running'));
    givenStatesById({ 'i-1': 'pending' });
    ec2Mock.on(StopInstancesCommand).rejects(awsError('IncorrectInstanceState'));

    // Act
    const { report } = await run(night);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, { Resources: ['i-1'] });
    expect(report.failed).toEqual([
      { id: 'i-1', action: 'stop', reason: 'IncorrectInstanceState: IncorrectInstanceState' },
    ]);
  });

  it.each(['stopping', 'stopped'])(
    'counts a stop whose answer was lost as done when the instance is %s, and keeps its mark',
    async (state) => {
      // Prepare: the stop took effect, its answer was lost, and the retries failed.
      givenInstances(instance('i-1', 'running'), instance('i-2', 'running'));
      givenStatesById({ 'i-1': state, 'i-2': 'running' });
      ec2Mock.on(StopInstancesCommand).rejects(awsError('RequestLimitExceeded', 'slow down'));

      // Act
      const { report, addMetric } = await run(night);

      // Assess
      expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
        InstanceIds: ['i-1', 'i-2'],
      });
      expect(ec2Mock).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
      expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, { Resources: ['i-2'] });
      expect(report.done).toEqual([
        {
          id: 'i-1',
          action: 'stop',
          reason: `stopped and marked (StopInstances failed with RequestLimitExceeded: slow down, but the instance is ${state})`,
        },
      ]);
      expect(report.failed).toEqual([
        { id: 'i-2', action: 'stop', reason: 'RequestLimitExceeded: slow down' },
      ]);
      expect(metricsOf(addMetric).InstancesStopped).toBe(1);
    },
  );

  it('keeps the mark of an instance whose stop failed when it cannot be read again', async () => {
    // Prepare
    givenInstances(instance('i-1', 'running'), instance('i-gone', 'running'));
    ec2Mock.on(StopInstancesCommand).rejects(awsError('InternalError', 'try again'));
    ec2Mock
      .on(DescribeInstancesCommand, { Filters: undefined })
      .rejectsOnce(awsError('RequestLimitExceeded', 'slow down'));

    // Act
    const { report } = await run(night);

    // Assess
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteTagsCommand);
    const kept =
      'InternalError: try again; it keeps its mark in case it stopped (scale_up takes it off once it runs)';
    expect(report.failed).toEqual([
      { id: 'i-1', action: 'stop', reason: kept },
      { id: 'i-gone', action: 'stop', reason: kept },
    ]);
    expect(report.done).toEqual([]);
  });

  it('keeps the mark of an instance whose stop failed when the new read does not show it', async () => {
    // Prepare
    givenInstances(instance('i-1', 'running'), instance('i-2', 'running'));
    givenStatesById({ 'i-2': 'running' });
    ec2Mock.on(StopInstancesCommand).rejects(awsError('InternalError', 'try again'));

    // Act
    const { report } = await run(night);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, { Resources: ['i-2'] });
    expect(report.failed.map((entry) => [entry.id, entry.reason])).toEqual([
      ['i-1', expect.stringContaining('it keeps its mark in case it stopped')],
      ['i-2', 'InternalError: try again'],
    ]);
  });

  it('says the mark stays on a running instance whose mark could not be taken back', async () => {
    // Prepare
    givenInstances(instance('i-1', 'running'));
    givenStatesById({ 'i-1': 'running' });
    ec2Mock.on(StopInstancesCommand).rejects(awsError('UnsupportedOperation', 'spot instance'));
    ec2Mock.on(DeleteTagsCommand).rejects(awsError('RequestLimitExceeded', 'slow down'));

    // Act
    const { report } = await run(night);

    // Assess
    expect(report.failed).toEqual([
      {
        id: 'i-1',
        action: 'stop',
        reason:
          'UnsupportedOperation: spot instance; it keeps its mark in case it stopped (scale_up takes it off once it runs)',
      },
    ]);
  });

  it('plans an instance EC2 describes without an id under an empty id', async () => {
    // Prepare
    givenInstances({ State: { Name: 'running' }, Tags: staging });

    // Act
    const { report } = await run({ ...night, dryRun: true });

    // Assess
    expect(report.planned.map((entry) => entry.id)).toEqual(['']);
  });

  it('never stops an instance it could not mark', async () => {
    // Prepare
    givenInstances(instance('i-1', 'running'), instance('i-2', 'running'));
    ec2Mock.on(CreateTagsCommand).callsFake(async ({ Resources }) => {
      if (Resources.includes('i-2')) throw awsError('UnauthorizedOperation', 'not allowed');
      return {};
    });

    // Act
    const { report } = await run(night);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(StopInstancesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(StopInstancesCommand, { InstanceIds: ['i-1'] });
    expect(report.failed).toEqual([
      { id: 'i-2', action: 'stop', reason: 'UnauthorizedOperation: not allowed' },
    ]);
  });
});

describe('scale_down of Auto Scaling groups', () => {
  it('saves a group’s sizes once, and a second scale_down never overwrites them with zeros', async () => {
    // Prepare
    givenGroups(group('fresh', [2, 5, 3]), scaledDownGroup('done', 'min=1,max=5,desired=2'));

    // Act
    const { report, addMetric } = await run(night);

    // Assess
    expect(asgMock).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
      Filters: [{ Name: 'tag:Environment', Values: ['staging'] }],
    });
    expect(asgMock).toHaveReceivedCommandTimes(CreateOrUpdateTagsCommand, 1);
    expect(asgMock).toHaveReceivedCommandWith(CreateOrUpdateTagsCommand, {
      Tags: [
        {
          ResourceId: 'fresh',
          ResourceType: 'auto-scaling-group',
          Key: 'nightshift:saved-size',
          Value: 'min=2,max=5,desired=3',
          PropagateAtLaunch: false,
        },
      ],
    });
    expect(asgMock).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 1);
    expect(asgMock).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      AutoScalingGroupName: 'fresh',
      MinSize: 0,
      DesiredCapacity: 0,
    });
    const order = sentNames(asgMock);
    expect(order.indexOf('CreateOrUpdateTagsCommand')).toBeLessThan(
      order.indexOf('UpdateAutoScalingGroupCommand'),
    );
    expect(report.planned).toEqual([
      { id: 'fresh', action: 'scale to 0', reason: 'saving min=2,max=5,desired=3' },
    ]);
    expect(report.done).toEqual([
      {
        id: 'fresh',
        action: 'scale to 0',
        reason: 'min and desired 0; min=2,max=5,desired=3 saved',
      },
    ]);
    expect(report.skipped).toEqual([
      {
        id: 'done',
        action: 'scale to 0',
        reason: 'already scaled down (saved min=1,max=5,desired=2)',
      },
    ]);
    expect(metricsOf(addMetric).GroupsScaled).toBe(1);
  });

  it.each([
    ['someone scaled it up again', [1, 4, 1]],
    ['only its desired size went up', [0, 4, 2]],
    ['only its minimum went up', [1, 4, 0]],
  ] as const)(
    'empties again a group with saved sizes when %s, and keeps the sizes saved first',
    async (_case, sizes) => {
      // Prepare
      givenGroups(group('web', [...sizes], { 'nightshift:saved-size': 'min=2,max=4,desired=2' }));

      // Act
      const { report, addMetric } = await run(night);

      // Assess
      expect(asgMock).not.toHaveReceivedCommand(CreateOrUpdateTagsCommand);
      expect(asgMock).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
        AutoScalingGroupName: 'web',
        MinSize: 0,
        DesiredCapacity: 0,
      });
      expect(report.skipped).toEqual([]);
      expect(report.planned).toEqual([
        {
          id: 'web',
          action: 'scale to 0',
          reason: `scaled up again to min=${sizes[0]},max=${sizes[1]},desired=${sizes[2]} since its sizes were saved; emptied again, saved min=2,max=4,desired=2 kept`,
        },
      ]);
      expect(report.done).toEqual([
        {
          id: 'web',
          action: 'scale to 0',
          reason: 'min and desired 0; the sizes saved earlier kept',
        },
      ]);
      expect(metricsOf(addMetric).GroupsScaled).toBe(1);
    },
  );

  it('leaves a group whose saved sizes cannot be read as it is, and fails it', async () => {
    // Prepare
    givenGroups(group('edited', [2, 4, 2], { 'nightshift:saved-size': 'two' }));

    // Act
    const { report } = await run(night);

    // Assess
    expect(asgMock).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);
    expect(asgMock).not.toHaveReceivedCommand(CreateOrUpdateTagsCommand);
    expect(report.failed).toEqual([
      {
        id: 'edited',
        action: 'scale to 0',
        reason:
          'saved sizes "two" are not min=N,max=N,desired=N with min <= desired <= max; left as it is: correct or remove the tag',
      },
    ]);
  });

  it('leaves alone a group without AutoScale=true, or whose tags match only without regard to case', async () => {
    // Prepare
    givenGroups(
      group('opted-out', [1, 2, 1], {}, tags({ Environment: 'staging' })),
      group('false', [1, 2, 1], {}, tags({ Environment: 'staging', AutoScale: 'false' })),
      group('upper', [1, 2, 1], {}, tags({ Environment: 'STAGING', AutoScale: 'true' })),
      group('ok', [1, 2, 1]),
    );

    // Act
    const { report } = await run(night);

    // Assess
    expect(asgMock).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 1);
    expect(asgMock).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      AutoScalingGroupName: 'ok',
    });
    expect(asgMock).toHaveReceivedCommandTimes(CreateOrUpdateTagsCommand, 1);
    expect(report.skipped).toEqual([
      { id: 'opted-out', action: 'scale to 0', reason: 'not tagged AutoScale=true' },
      { id: 'false', action: 'scale to 0', reason: 'tagged AutoScale=false, not AutoScale=true' },
      {
        id: 'upper',
        action: 'scale to 0',
        reason: 'tagged Environment=STAGING, not Environment=staging',
      },
    ]);
  });

  it('reads a group without sizes as empty and reports a group that would not scale', async () => {
    // Prepare
    givenGroups(
      { AutoScalingGroupName: 'bare', Tags: staging } as never,
      { Tags: staging } as never,
      group('stuck', [1, 2, 1]),
    );
    asgMock
      .on(UpdateAutoScalingGroupCommand, { AutoScalingGroupName: 'stuck' })
      .rejects(awsError('ScalingActivityInProgress', 'busy'));

    // Act
    const { report, addMetric } = await run(night);

    // Assess
    expect(report.planned.map((entry) => [entry.id, entry.reason])).toEqual([
      ['bare', 'saving min=0,max=0,desired=0'],
      ['', 'saving min=0,max=0,desired=0'],
      ['stuck', 'saving min=1,max=2,desired=1'],
    ]);
    expect(report.failed).toEqual([
      { id: 'stuck', action: 'scale to 0', reason: 'ScalingActivityInProgress: busy' },
    ]);
    expect(metricsOf(addMetric).GroupsScaled).toBe(2);
  });
});

describe('scale_down of databases', () => {
  it('stops available databases tagged for it, and no cluster member alone', async () => {
    // Prepare
    givenDatabases(
      [
        db('db-1', 'available'),
        { ...db('aurora-1', 'available'), DBClusterIdentifier: 'aurora' },
        db('db-off', 'stopped'),
        db('db-prod', 'available', [], tags({ Environment: 'production', AutoScale: 'true' })),
      ],
      [
        {
          DBClusterIdentifier: 'aurora',
          DBClusterArn: 'arn:aurora',
          Status: 'available',
          TagList: staging,
        },
      ],
    );

    // Act
    const { report, addMetric } = await run(night);

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
      Tags: [{ Key: MARK, Value: now.toISOString() }],
    });
    expect(rdsMock).toHaveReceivedCommandWith(AddTagsToResourceCommand, {
      ResourceName: 'arn:aurora',
    });
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(report.skipped).toEqual([
      {
        id: 'aurora-1',
        action: 'stop',
        reason: 'member of cluster aurora: stopped with the cluster',
      },
      { id: 'db-off', action: 'stop', reason: 'already stopped' },
    ]);
    expect(report.done).toEqual([
      { id: 'db-1', action: 'stop', reason: 'stopped and marked' },
      { id: 'aurora', action: 'stop', reason: 'stopped and marked' },
    ]);
    expect(report.notes).toContain(
      'AWS starts a stopped RDS database again after 7 days; scale_down stops it again on its next run',
    );
    expect(metricsOf(addMetric).DatabasesStopped).toBe(2);
  });

  it('stops only databases tagged AutoScale=true and the exact environment', async () => {
    // Prepare
    givenDatabases([
      db('db-opted-out', 'available', [], tags({ Environment: 'staging' })),
      db('db-false', 'available', [], tags({ Environment: 'staging', AutoScale: 'false' })),
      db('db-upper', 'available', [], tags({ Environment: 'Staging', AutoScale: 'true' })),
      db('db-untagged', 'available', [], []),
    ]);

    // Act
    const { report } = await run(night);

    // Assess
    expect(sentNames(rdsMock).every((name) => name.startsWith('Describe'))).toBe(true);
    expect(report.planned).toEqual([]);
    expect(report.notes).not.toContainEqual(expect.stringContaining('7 days'));
  });

  it.each(['backing-up', 'modifying', 'stopping', 'starting', 'rebooting'])(
    'leaves a database that is %s alone',
    async (status) => {
      // Prepare
      givenDatabases([db('db-busy', status)]);

      // Act
      const { report } = await run(night);

      // Assess
      expect(sentNames(rdsMock).every((name) => name.startsWith('Describe'))).toBe(true);
      expect(report.skipped).toEqual([
        { id: 'db-busy', action: 'stop', reason: `status is ${status}, not available` },
      ]);
    },
  );

  it('counts a stop that RDS refuses because the database is already stopping as done, and keeps its mark', async () => {
    // Prepare: the first stop took effect, its answer was lost, the retry is refused.
    const { instances } = givenDatabases([db('db-1', 'available')]);
    rdsMock.on(StopDBInstanceCommand).callsFake(async () => {
      const found = instances.get('db-1');
      if (found) found.DBInstanceStatus = 'stopping';
      throw awsError('InvalidDBInstanceStateFault', 'Instance db-1 is not in available state.');
    });

    // Act
    const { report, addMetric } = await run(night);

    // Assess
    expect(report.failed).toEqual([]);
    expect(report.done).toEqual([
      {
        id: 'db-1',
        action: 'stop',
        reason:
          'stopped and marked (the stop failed with InvalidDBInstanceStateFault: Instance db-1 is not in available state., but the database is stopping)',
      },
    ]);
    expect(rdsMock).toHaveReceivedCommandWith(DescribeDBInstancesCommand, {
      DBInstanceIdentifier: 'db-1',
    });
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(metricsOf(addMetric).DatabasesStopped).toBe(1);
  });

  it('keeps the mark of a cluster whose stop answer was lost once it is stopped', async () => {
    // Prepare
    const { clusters } = givenDatabases(
      [],
      [
        {
          DBClusterIdentifier: 'aurora',
          DBClusterArn: 'arn:aurora',
          Status: 'available',
          TagList: staging,
        },
      ],
    );
    rdsMock.on(StopDBClusterCommand).callsFake(async () => {
      const found = clusters.get('aurora');
      if (found) found.Status = 'stopped';
      throw awsError('ThrottlingException', 'Rate exceeded');
    });

    // Act
    const { report } = await run(night);

    // Assess
    expect(rdsMock).toHaveReceivedCommandWith(DescribeDBClustersCommand, {
      DBClusterIdentifier: 'aurora',
    });
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(report.done.map((entry) => entry.reason)).toEqual([
      'stopped and marked (the stop failed with ThrottlingException: Rate exceeded, but the database is stopped)',
    ]);
  });

  it('fails a stop for a database that is still available, and takes its mark back', async () => {
    // Prepare
    givenDatabases([db('db-1', 'available')]);
    rdsMock
      .on(StopDBInstanceCommand)
      .rejects(awsError('InvalidDBInstanceStateFault', 'read replicas cannot be stopped'));

    // Act
    const { report, addMetric } = await run(night);

    // Assess
    expect(report.failed).toEqual([
      {
        id: 'db-1',
        action: 'stop',
        reason: 'InvalidDBInstanceStateFault: read replicas cannot be stopped',
      },
    ]);
    expect(rdsMock).toHaveReceivedCommandWith(RemoveTagsFromResourceCommand, {
      ResourceName: 'arn:db-1',
      TagKeys: [MARK],
    });
    expect(metricsOf(addMetric).DatabasesStopped).toBe(0);
  });

  it.each([
    [
      'the read fails',
      () =>
        rdsMock
          .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'db-1' })
          .rejects(awsError('ThrottlingException', 'Rate exceeded')),
    ],
    [
      'the database is not found',
      () =>
        rdsMock
          .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'db-1' })
          .resolves({ DBInstances: [] }),
    ],
    [
      'the read answers for another database',
      () =>
        rdsMock
          .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'db-1' })
          .resolves({ DBInstances: [db('db-other', 'available')] }),
    ],
  ])('keeps the mark of a database whose stop failed when %s', async (_case, given) => {
    // Prepare
    givenDatabases([db('db-1', 'available')]);
    rdsMock.on(StopDBInstanceCommand).rejects(awsError('InternalFailure', 'try again'));
    given();

    // Act
    const { report } = await run(night);

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(report.failed).toEqual([
      {
        id: 'db-1',
        action: 'stop',
        reason:
          'InternalFailure: try again; its status could not be read again, so it keeps its mark',
      },
    ]);
  });

  it('never stops a database it could not mark', async () => {
    // Prepare
    givenDatabases([db('db-1', 'available')]);
    rdsMock.on(AddTagsToResourceCommand).rejects(awsError('AccessDenied', 'no'));

    // Act
    const { report } = await run(night);

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(StopDBInstanceCommand);
    expect(report.failed).toEqual([{ id: 'db-1', action: 'stop', reason: 'AccessDenied: no' }]);
  });
});

describe('scale_down dry run', () => {
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
