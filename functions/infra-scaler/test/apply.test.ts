import {
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand as DeleteGroupTagsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  AddTagsToResourceCommand,
  DescribeDBClustersCommand,
  DescribeDBInstancesCommand,
  RemoveTagsFromResourceCommand,
  StartDBClusterCommand,
  StartDBInstanceCommand,
  StopDBClusterCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import type { TimeBudget } from '@nightshift/runtime';
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
  instanceIdsOf,
  MARK,
  mark,
  markedDb,
  now,
  rdsMock,
  scaleDown,
  scaledDownGroup,
  scaleUp,
  sentNames,
  sleep,
  staging,
  tags,
} from './fixtures.ts';

describe('scale_down of instances', () => {
  it('checks every listed instance again for the exact tags, whatever the filter matched', async () => {
    // Prepare: a filter that matched without regard to case (or as a pattern).
    givenInstances(
      instance('i-ok', 'running'),
      instance('i-upper', 'running', [], tags({ Environment: 'Staging', AutoScale: 'true' })),
      instance('i-loud', 'running', [], tags({ Environment: 'staging', AutoScale: 'TRUE' })),
      instance('i-untagged', 'running', [], tags({ Environment: 'staging' })),
    );

    // Act
    const { report } = await scaleDown();

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
    const { report, counts } = await scaleDown();

    // Assess
    expect(report.done.map((entry) => entry.id)).toEqual(['i-1', 'i-3']);
    expect(report.failed).toEqual([
      {
        id: 'i-bad',
        action: 'stop',
        reason: 'UnsupportedOperation: spot instance',
        details: { kind: 'instance' },
      },
    ]);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      InstanceIds: ['i-bad'],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, {
      Resources: ['i-bad'],
      Tags: [{ Key: MARK }],
    });
    expect(counts.InstancesStopped).toBe(2);
  });

  it('takes the mark back from an instance that is still pending after a failed stop', async () => {
    // Prepare
    givenInstances(instance('i-1', 'running'));
    givenStatesById({ 'i-1': 'pending' });
    ec2Mock.on(StopInstancesCommand).rejects(awsError('IncorrectInstanceState'));

    // Act
    const { report } = await scaleDown();

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, { Resources: ['i-1'] });
    expect(report.failed).toEqual([
      {
        id: 'i-1',
        action: 'stop',
        reason: 'IncorrectInstanceState: IncorrectInstanceState',
        details: { kind: 'instance' },
      },
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
      const { report, counts } = await scaleDown();

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
          details: { kind: 'instance' },
        },
      ]);
      expect(report.failed).toEqual([
        {
          id: 'i-2',
          action: 'stop',
          reason: 'RequestLimitExceeded: slow down',
          details: { kind: 'instance' },
        },
      ]);
      expect(counts.InstancesStopped).toBe(1);
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
    const { report } = await scaleDown();

    // Assess
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteTagsCommand);
    const kept =
      'InternalError: try again; it keeps its mark in case it stopped (scale_up takes it off once it runs)';
    expect(report.failed).toEqual([
      { id: 'i-1', action: 'stop', reason: kept, details: { kind: 'instance' } },
      { id: 'i-gone', action: 'stop', reason: kept, details: { kind: 'instance' } },
    ]);
    expect(report.done).toEqual([]);
  });

  it('keeps the mark of an instance whose stop failed when the new read does not show it', async () => {
    // Prepare
    givenInstances(instance('i-1', 'running'), instance('i-2', 'running'));
    givenStatesById({ 'i-2': 'running' });
    ec2Mock.on(StopInstancesCommand).rejects(awsError('InternalError', 'try again'));

    // Act
    const { report } = await scaleDown();

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
    const { report } = await scaleDown();

    // Assess
    expect(report.failed).toEqual([
      {
        id: 'i-1',
        action: 'stop',
        reason:
          'UnsupportedOperation: spot instance; it keeps its mark in case it stopped (scale_up takes it off once it runs)',
        details: { kind: 'instance' },
      },
    ]);
  });

  it('never stops an instance it could not mark', async () => {
    // Prepare
    givenInstances(instance('i-1', 'running'), instance('i-2', 'running'));
    ec2Mock.on(CreateTagsCommand).callsFake(async ({ Resources }) => {
      if (Resources.includes('i-2')) throw awsError('UnauthorizedOperation', 'not allowed');
      return {};
    });

    // Act
    const { report } = await scaleDown();

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(StopInstancesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(StopInstancesCommand, { InstanceIds: ['i-1'] });
    expect(report.failed).toEqual([
      {
        id: 'i-2',
        action: 'stop',
        reason: 'UnauthorizedOperation: not allowed',
        details: { kind: 'instance' },
      },
    ]);
  });
});

describe('scale_down of Auto Scaling groups', () => {
  it('saves a group’s sizes once, and a second scale_down never overwrites them with zeros', async () => {
    // Prepare
    givenGroups(group('fresh', [2, 5, 3]), scaledDownGroup('done', 'min=1,max=5,desired=2'));

    // Act
    const { report, counts } = await scaleDown();

    // Assess
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
      {
        id: 'fresh',
        action: 'scale to 0',
        reason: 'saving min=2,max=5,desired=3',
        details: { capacity: 3, kind: 'group' },
      },
    ]);
    expect(report.done).toEqual([
      {
        id: 'fresh',
        action: 'scale to 0',
        reason: 'min and desired 0; min=2,max=5,desired=3 saved',
        details: { capacity: 3, kind: 'group' },
      },
    ]);
    expect(report.skipped).toEqual([
      {
        id: 'done',
        action: 'scale to 0',
        reason: 'already scaled down (saved min=1,max=5,desired=2)',
      },
    ]);
    expect(counts.GroupsScaled).toBe(1);
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
      const { report, counts } = await scaleDown();

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
          details: { capacity: sizes[2], kind: 'group' },
        },
      ]);
      expect(report.done).toEqual([
        {
          id: 'web',
          action: 'scale to 0',
          reason: 'min and desired 0; the sizes saved earlier kept',
          details: { capacity: sizes[2], kind: 'group' },
        },
      ]);
      expect(counts.GroupsScaled).toBe(1);
    },
  );

  it('leaves a group whose saved sizes cannot be read as it is, and fails it', async () => {
    // Prepare
    givenGroups(group('edited', [2, 4, 2], { 'nightshift:saved-size': 'two' }));

    // Act
    const { report } = await scaleDown();

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
    const { report } = await scaleDown();

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

  it('never acts on a group without sizes (it would be saved as zeros) or without a name, and reports a group that would not scale', async () => {
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
    const { report, counts } = await scaleDown();

    // Assess
    expect(report.planned.map((entry) => [entry.id, entry.reason])).toEqual([
      ['stuck', 'saving min=1,max=2,desired=1'],
    ]);
    expect(asgMock).not.toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      AutoScalingGroupName: 'bare',
    });
    expect(asgMock).not.toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      AutoScalingGroupName: '',
    });
    expect(report.failed).toEqual([
      {
        id: 'stuck',
        action: 'scale to 0',
        reason: 'ScalingActivityInProgress: busy',
        details: { capacity: 1, kind: 'group' },
      },
    ]);
    expect(counts.GroupsScaled).toBe(0);
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
    const { report, counts } = await scaleDown();

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
      {
        id: 'db-1',
        action: 'stop',
        reason: 'stopped and marked',
        details: { kind: 'db-instance' },
      },
      {
        id: 'aurora',
        action: 'stop',
        reason: 'stopped and marked',
        details: { kind: 'db-cluster' },
      },
    ]);
    expect(counts.DatabasesStopped).toBe(2);
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
    const { report } = await scaleDown();

    // Assess
    expect(sentNames(rdsMock).every((name) => name.startsWith('Describe'))).toBe(true);
    expect(report.planned).toEqual([]);
  });

  it.each(['backing-up', 'modifying', 'stopping', 'starting', 'rebooting'])(
    'leaves a database that is %s alone',
    async (status) => {
      // Prepare
      givenDatabases([db('db-busy', status)]);

      // Act
      const { report } = await scaleDown();

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
    const { report, counts } = await scaleDown();

    // Assess
    expect(report.failed).toEqual([]);
    expect(report.done).toEqual([
      {
        id: 'db-1',
        action: 'stop',
        reason:
          'stopped and marked (the stop failed with InvalidDBInstanceStateFault: Instance db-1 is not in available state., but the database is stopping)',
        details: { kind: 'db-instance' },
      },
    ]);
    expect(rdsMock).toHaveReceivedCommandWith(DescribeDBInstancesCommand, {
      DBInstanceIdentifier: 'db-1',
    });
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(counts.DatabasesStopped).toBe(1);
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
    const { report } = await scaleDown();

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
    const { report, counts } = await scaleDown();

    // Assess
    expect(report.failed).toEqual([
      {
        id: 'db-1',
        action: 'stop',
        reason: 'InvalidDBInstanceStateFault: read replicas cannot be stopped',
        details: { kind: 'db-instance' },
      },
    ]);
    expect(rdsMock).toHaveReceivedCommandWith(RemoveTagsFromResourceCommand, {
      ResourceName: 'arn:db-1',
      TagKeys: [MARK],
    });
    expect(counts.DatabasesStopped).toBe(0);
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
    const { report } = await scaleDown();

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(report.failed).toEqual([
      {
        id: 'db-1',
        action: 'stop',
        reason:
          'InternalFailure: try again; its status could not be read again, so it keeps its mark',
        details: { kind: 'db-instance' },
      },
    ]);
  });

  it('never stops a database it could not mark', async () => {
    // Prepare
    givenDatabases([db('db-1', 'available')]);
    rdsMock.on(AddTagsToResourceCommand).rejects(awsError('AccessDenied', 'no'));

    // Act
    const { report } = await scaleDown();

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(StopDBInstanceCommand);
    expect(report.failed).toEqual([
      { id: 'db-1', action: 'stop', reason: 'AccessDenied: no', details: { kind: 'db-instance' } },
    ]);
  });
});

describe('scale_up of instances', () => {
  it('keeps the mark of a marked instance that is still stopping, and does not start it', async () => {
    // Prepare: scale_up runs soon after scale_down.
    givenInstances(instance('i-stopping', 'stopping', [mark]), instance('i-1', 'stopped', [mark]));
    ec2Mock.on(StartInstancesCommand).resolves({});
    givenStatesById({ 'i-1': 'running' });

    // Act
    const { report } = await scaleUp();

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(StartInstancesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(StartInstancesCommand, { InstanceIds: ['i-1'] });
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, { Resources: ['i-1'] });
    expect(report.skipped).toEqual([
      {
        id: 'i-stopping',
        action: 'start',
        reason: 'is stopping; it keeps its mark, so the next scale_up starts it',
      },
    ]);
  });

  it('keeps the mark of an instance EC2 describes without a state, and never acts on one without an id', async () => {
    // Prepare
    givenInstances({ InstanceId: 'i-odd', Tags: [...staging, mark] }, { Tags: [...staging, mark] });

    // Act
    const { report } = await scaleUp();

    // Assess
    expect(sentNames(ec2Mock)).toEqual(['DescribeInstancesCommand']);
    const reason = 'is unknown; it keeps its mark, so the next scale_up starts it';
    expect(report.skipped).toEqual([{ id: 'i-odd', action: 'start', reason }]);
  });

  it('reads a running marked instance again and keeps its mark if it is stopping by then', async () => {
    // Prepare
    givenInstances(instance('i-up', 'running', [mark]), instance('i-gone', 'running', [mark]));
    givenStatesById({ 'i-up': 'stopping', 'i-gone': 'stopped' });

    // Act
    const { report } = await scaleUp();

    // Assess
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteTagsCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(StartInstancesCommand);
    expect(report.skipped).toEqual([
      {
        id: 'i-up',
        action: 'unmark',
        reason: 'now stopping; it keeps its mark, so the next scale_up starts it',
        details: { kind: 'instance' },
      },
      {
        id: 'i-gone',
        action: 'unmark',
        reason: 'now stopped; it keeps its mark, so the next scale_up starts it',
        details: { kind: 'instance' },
      },
    ]);
    expect(report.failed).toEqual([]);
  });

  it('touches no instance whose tags match only without regard to case, or that carries no mark', async () => {
    // Prepare
    givenInstances(
      instance('i-upper', 'stopped', [mark], tags({ Environment: 'Staging', AutoScale: 'true' })),
      instance('i-person', 'stopped'),
    );

    // Act
    const { report } = await scaleUp();

    // Assess
    expect(sentNames(ec2Mock)).toEqual(['DescribeInstancesCommand']);
    expect(report.skipped).toEqual([
      {
        id: 'i-upper',
        action: 'start',
        reason: 'tagged Environment=Staging, not Environment=staging',
      },
      { id: 'i-person', action: 'start', reason: 'not marked by scale_down' },
    ]);
  });

  it('keeps the mark of an instance that goes back to stopped after starting, and names why', async () => {
    // Prepare
    givenInstances(instance('i-kms', 'stopped', [mark]), instance('i-ok', 'stopped', [mark]));
    ec2Mock.on(StartInstancesCommand).resolves({});
    givenStatesById(
      { 'i-kms': 'pending', 'i-ok': 'pending' },
      { 'i-kms': 'stopped', 'i-ok': 'running' },
    );

    // Act
    const { report, counts } = await scaleUp();

    // Assess
    expect(instanceIdsOf(ec2Mock)).toEqual([
      ['i-kms', 'i-ok'],
      ['i-kms', 'i-ok'],
    ]);
    expect(sleep.mock.calls).toEqual([[5_000]]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, { Resources: ['i-ok'] });
    expect(report.done).toEqual([
      {
        id: 'i-ok',
        action: 'start',
        reason: 'running',
        details: { kind: 'instance', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
    ]);
    expect(report.failed).toEqual([
      {
        id: 'i-kms',
        action: 'start',
        reason:
          'went back to stopped after starting: Client.InternalError: Client error on launch; it keeps its mark, so the next scale_up tries again',
        details: { fellBack: true, kind: 'instance', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
    ]);
    expect(counts.InstancesStarted).toBe(1);
  });

  it('watches a slow start for three minutes, then counts it started and leaves its mark on', async () => {
    // Prepare
    givenInstances(instance('i-slow', 'stopped', [mark]), instance('i-booting', 'pending', [mark]));
    ec2Mock.on(StartInstancesCommand).resolves({});
    givenStatesById({ 'i-slow': 'pending', 'i-booting': 'pending' });

    // Act
    const { report, counts } = await scaleUp();

    // Assess
    expect(instanceIdsOf(ec2Mock)).toHaveLength(36);
    expect(sleep).toHaveBeenCalledTimes(35);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteTagsCommand);
    const kept =
      'still pending after 180 s, so it keeps its mark until a scale_up finds it running';
    expect(report.done).toEqual([
      {
        id: 'i-slow',
        action: 'start',
        reason: `started; ${kept}`,
        details: { kind: 'instance', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
    ]);
    expect(report.skipped).toEqual([
      { id: 'i-booting', action: 'unmark', reason: kept, details: { kind: 'instance' } },
    ]);
    expect(report.failed).toEqual([]);
    expect(counts.InstancesStarted).toBe(1);
  });

  it('unmarks an instance that was already starting once it runs', async () => {
    // Prepare
    givenInstances(instance('i-booting', 'pending', [mark]));
    givenStatesById({ 'i-booting': 'pending' }, { 'i-booting': 'running' });

    // Act
    const { report, counts } = await scaleUp();

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, { Resources: ['i-booting'] });
    expect(report.planned).toEqual([
      {
        id: 'i-booting',
        action: 'unmark',
        reason: 'already pending',
        details: { kind: 'instance' },
      },
    ]);
    expect(report.done).toEqual([
      {
        id: 'i-booting',
        action: 'unmark',
        reason: 'was already starting; now running',
        details: { kind: 'instance' },
      },
    ]);
    expect(counts.InstancesStarted).toBe(0);
  });

  it('keeps the marks, and says why, when the instances cannot be read again', async () => {
    // Prepare
    givenInstances(instance('i-1', 'stopped', [mark]), instance('i-up', 'running', [mark]));
    ec2Mock.on(StartInstancesCommand).resolves({});
    ec2Mock
      .on(DescribeInstancesCommand, { Filters: undefined })
      .rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));

    // Act
    const { report } = await scaleUp();

    // Assess
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteTagsCommand);
    const kept =
      'not seen running (RequestLimitExceeded: Request limit exceeded.), so it keeps its mark until a scale_up finds it running';
    expect(report.done).toEqual([
      {
        id: 'i-1',
        action: 'start',
        reason: `started; ${kept}`,
        details: { kind: 'instance', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
    ]);
    expect(report.skipped).toEqual([
      { id: 'i-up', action: 'unmark', reason: kept, details: { kind: 'instance' } },
    ]);
  });

  it('reports a mark it could not take off', async () => {
    // Prepare
    givenInstances(instance('i-1', 'stopped', [mark]));
    ec2Mock.on(StartInstancesCommand).resolves({});
    givenStatesById({ 'i-1': 'running' });
    ec2Mock.on(DeleteTagsCommand).rejects(awsError('RequestLimitExceeded', 'slow down'));

    // Act
    const { report, counts } = await scaleUp();

    // Assess
    expect(report.done).toEqual([]);
    expect(report.failed).toEqual([
      {
        id: 'i-1',
        action: 'unmark',
        reason: 'RequestLimitExceeded: slow down; the next scale_up takes the mark off',
        details: { kind: 'instance', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
    ]);
    expect(counts.InstancesStarted).toBe(1);
  });

  it('stops watching when the time budget runs short', async () => {
    // Prepare
    givenInstances(instance('i-slow', 'stopped', [mark]));
    ec2Mock.on(StartInstancesCommand).resolves({});
    givenStatesById({ 'i-slow': 'pending' });
    const short: TimeBudget = { remainingMs: () => 4_000, isExhausted: () => false };

    // Act
    const { report } = await scaleUp(short);

    // Assess
    expect(instanceIdsOf(ec2Mock)).toHaveLength(1);
    expect(sleep).not.toHaveBeenCalled();
    expect(report.done).toEqual([expect.objectContaining({ id: 'i-slow', action: 'start' })]);
  });
});

describe('scale_up of Auto Scaling groups', () => {
  it('restores each group’s saved sizes and removes the tag, and reports a saved size it cannot read', async () => {
    // Prepare
    givenGroups(
      scaledDownGroup('web', 'min=2,max=5,desired=3'),
      scaledDownGroup('edited', 'lots'),
      group('never-scaled', [1, 1, 1]),
    );

    // Act
    const { report, counts } = await scaleUp();

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
    const order = sentNames(asgMock);
    expect(order.indexOf('UpdateAutoScalingGroupCommand')).toBeLessThan(
      order.indexOf('DeleteTagsCommand'),
    );
    expect(report.planned).toEqual([
      {
        id: 'web',
        action: 'restore',
        reason: 'min=2,max=5,desired=3',
        details: { capacity: 3, kind: 'group' },
      },
    ]);
    expect(report.done).toEqual([
      {
        id: 'web',
        action: 'restore',
        reason: 'min=2,max=5,desired=3',
        details: { capacity: 3, kind: 'group' },
      },
    ]);
    expect(report.failed).toEqual([
      {
        id: 'edited',
        action: 'restore',
        reason: 'saved sizes "lots" are not min=N,max=N,desired=N with min <= desired <= max',
      },
    ]);
    expect(counts.GroupsScaled).toBe(1);
  });

  it('restores no group whose Environment tag matches only without regard to case', async () => {
    // Prepare
    givenGroups(
      scaledDownGroup('upper', 'min=1,max=2,desired=1', tags({ Environment: 'STAGING' })),
      scaledDownGroup('web', 'min=1,max=2,desired=1', tags({ Environment: 'staging' })),
    );

    // Act
    const { report } = await scaleUp();

    // Assess
    expect(asgMock).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 1);
    expect(asgMock).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      AutoScalingGroupName: 'web',
    });
    expect(report.skipped).toEqual([
      {
        id: 'upper',
        action: 'restore',
        reason: 'tagged Environment=STAGING, not Environment=staging',
      },
    ]);
  });

  it('reports a group that would not restore, keeps its saved sizes, and never acts on a group without a name', async () => {
    // Prepare
    givenGroups(scaledDownGroup('web', 'min=1,max=2,desired=1'), {
      ...scaledDownGroup('', 'min=1,max=2,desired=1'),
      AutoScalingGroupName: undefined,
    });
    asgMock.on(UpdateAutoScalingGroupCommand).rejects(awsError('AccessDenied', 'no'));

    // Act
    const { report, counts } = await scaleUp();

    // Assess
    expect(asgMock).not.toHaveReceivedCommand(DeleteGroupTagsCommand);
    expect(report.failed).toEqual([
      {
        id: 'web',
        action: 'restore',
        reason: 'AccessDenied: no',
        details: { capacity: 1, kind: 'group' },
      },
    ]);
    expect(asgMock).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 1);
    expect(counts.GroupsScaled).toBe(0);
  });
});

describe('scale_up of databases', () => {
  it('starts marked databases, removes the mark once starting, and leaves unmarked ones alone', async () => {
    // Prepare
    givenDatabases(
      [
        markedDb('db-1'),
        markedDb('db-up', 'available'),
        markedDb('db-2'),
        db('db-person', 'stopped'),
      ],
      [
        {
          DBClusterIdentifier: 'aurora',
          DBClusterArn: 'arn:aurora',
          Status: 'stopped',
          TagList: [...staging, mark],
        },
      ],
    );

    // Act
    const { report, counts } = await scaleUp();

    // Assess
    expect(rdsMock).toHaveReceivedCommandTimes(StartDBInstanceCommand, 2);
    expect(rdsMock).toHaveReceivedCommandWith(StartDBInstanceCommand, {
      DBInstanceIdentifier: 'db-1',
    });
    expect(rdsMock).toHaveReceivedCommandWith(StartDBClusterCommand, {
      DBClusterIdentifier: 'aurora',
    });
    for (const arn of ['arn:db-1', 'arn:db-up', 'arn:db-2', 'arn:aurora'])
      expect(rdsMock).toHaveReceivedCommandWith(RemoveTagsFromResourceCommand, {
        ResourceName: arn,
        TagKeys: [MARK],
      });
    expect(rdsMock).toHaveReceivedCommandTimes(RemoveTagsFromResourceCommand, 4);
    expect(report.planned).toEqual([
      {
        id: 'db-1',
        action: 'start',
        reason: 'status stopped',
        details: { kind: 'db-instance', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
      {
        id: 'db-up',
        action: 'unmark',
        reason: 'status available',
        details: { kind: 'db-instance', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
      {
        id: 'db-2',
        action: 'start',
        reason: 'status stopped',
        details: { kind: 'db-instance', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
      {
        id: 'aurora',
        action: 'start',
        reason: 'status stopped',
        details: { kind: 'db-cluster', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
    ]);
    expect(report.done).toEqual([
      {
        id: 'db-1',
        action: 'start',
        reason: 'starting; mark removed',
        details: { kind: 'db-instance', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
      {
        id: 'db-up',
        action: 'unmark',
        reason: 'available; mark removed',
        details: { kind: 'db-instance', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
      {
        id: 'db-2',
        action: 'start',
        reason: 'starting; mark removed',
        details: { kind: 'db-instance', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
      {
        id: 'aurora',
        action: 'start',
        reason: 'starting; mark removed',
        details: { kind: 'db-cluster', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
    ]);
    expect(counts).toEqual({
      InstancesStarted: 0,
      GroupsScaled: 0,
      DatabasesStarted: 3,
    });
  });

  it('never starts a marked database of another environment', async () => {
    // Prepare: production's own scale_down marked it.
    givenDatabases([
      markedDb('db-prod', 'stopped', tags({ Environment: 'production', AutoScale: 'true' })),
      markedDb('db-upper', 'stopped', tags({ Environment: 'Staging', AutoScale: 'true' })),
    ]);

    // Act
    const { report } = await scaleUp();

    // Assess
    expect(sentNames(rdsMock).every((name) => name.startsWith('Describe'))).toBe(true);
    expect(report.planned).toEqual([]);
  });

  it.each(['stopping', 'starting', 'backing-up', 'modifying'])(
    'leaves a marked database that is %s alone, with its mark',
    async (status) => {
      // Prepare
      givenDatabases([markedDb('db-busy', status)]);

      // Act
      const { report } = await scaleUp();

      // Assess
      expect(sentNames(rdsMock).every((name) => name.startsWith('Describe'))).toBe(true);
      expect(report.skipped).toEqual([
        {
          id: 'db-busy',
          action: 'start',
          reason: `status is ${status}; it keeps its mark, so the next scale_up starts it`,
        },
      ]);
    },
  );

  it('counts a start whose answer was lost as done once the database is starting', async () => {
    // Prepare
    const { instances } = givenDatabases([markedDb('db-1')]);
    rdsMock.on(StartDBInstanceCommand).callsFake(async () => {
      const found = instances.get('db-1');
      if (found) found.DBInstanceStatus = 'starting';
      throw awsError('InvalidDBInstanceStateFault', 'Instance db-1 is not stopped.');
    });

    // Act
    const { report, counts } = await scaleUp();

    // Assess
    expect(report.failed).toEqual([]);
    expect(rdsMock).toHaveReceivedCommandWith(DescribeDBInstancesCommand, {
      DBInstanceIdentifier: 'db-1',
    });
    expect(rdsMock).toHaveReceivedCommandWith(RemoveTagsFromResourceCommand, {
      ResourceName: 'arn:db-1',
      TagKeys: [MARK],
    });
    expect(report.done).toEqual([
      {
        id: 'db-1',
        action: 'start',
        reason: 'starting; mark removed',
        details: { kind: 'db-instance', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
    ]);
    expect(counts.DatabasesStarted).toBe(1);
  });

  it('fails a start that did not happen and keeps the mark', async () => {
    // Prepare
    givenDatabases([markedDb('db-1')]);
    rdsMock
      .on(StartDBInstanceCommand)
      .rejects(awsError('InsufficientDBInstanceCapacity', 'no capacity'));

    // Act
    const { report, counts } = await scaleUp();

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(report.failed).toEqual([
      {
        id: 'db-1',
        action: 'start',
        reason: 'InsufficientDBInstanceCapacity: no capacity',
        details: { kind: 'db-instance', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
    ]);
    expect(counts.DatabasesStarted).toBe(0);
  });

  it('keeps the mark of a database whose start answered no status and that cannot be read', async () => {
    // Prepare
    givenDatabases([markedDb('db-1')]);
    rdsMock.on(StartDBInstanceCommand).resolves({});
    rdsMock
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'db-1' })
      .rejects(awsError('ThrottlingException', 'Rate exceeded'));

    // Act
    const { report, counts } = await scaleUp();

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(report.done).toEqual([
      {
        id: 'db-1',
        action: 'start',
        reason:
          'started; its status could not be read again, so it keeps its mark until a scale_up finds it available',
        details: { kind: 'db-instance', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
    ]);
    expect(report.failed).toEqual([]);
    expect(counts.DatabasesStarted).toBe(1);
  });

  it('fails a database that is stopped again right after its start, and keeps its mark', async () => {
    // Prepare
    givenDatabases([markedDb('db-1')]);
    rdsMock.on(StartDBInstanceCommand).resolves({});

    // Act
    const { report } = await scaleUp();

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(report.failed).toEqual([
      {
        id: 'db-1',
        action: 'start',
        reason:
          'NotStarted: started, but now stopped; it keeps its mark, so the next scale_up tries again',
        details: { kind: 'db-instance', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
    ]);
  });

  it('reads a marked available database again and keeps its mark if it is stopping by then', async () => {
    // Prepare
    givenDatabases([markedDb('db-up', 'available')]);
    rdsMock
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'db-up' })
      .resolves({ DBInstances: [markedDb('db-up', 'stopping')] });

    // Act
    const { report, counts } = await scaleUp();

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(rdsMock).not.toHaveReceivedCommand(StartDBInstanceCommand);
    expect(report.skipped).toEqual([
      {
        id: 'db-up',
        action: 'unmark',
        reason: 'now stopping; it keeps its mark, so the next scale_up starts it',
        details: { kind: 'db-instance', stoppedSince: '2026-11-26T19:00:00.000Z' },
      },
    ]);
    expect(report.done).toEqual([]);
    expect(counts.DatabasesStarted).toBe(0);
  });
});
