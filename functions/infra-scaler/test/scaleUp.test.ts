import {
  DeleteTagsCommand as DeleteGroupTagsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DeleteTagsCommand,
  DescribeInstancesCommand,
  StartInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeDBInstancesCommand,
  RemoveTagsFromResourceCommand,
  StartDBClusterCommand,
  StartDBInstanceCommand,
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
  metricsOf,
  rdsMock,
  run,
  scaledDownGroup,
  sentNames,
  sleep,
  staging,
  tags,
} from './fixtures.ts';

const morning = { action: 'scale_up', environment: 'staging' } as const;

describe('scale_up of instances', () => {
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
    expect(report.planned).toEqual([
      { id: 'i-1', action: 'start', reason: `stopped by scale_down at ${mark.Value}` },
      { id: 'i-full', action: 'start', reason: `stopped by scale_down at ${mark.Value}` },
      { id: 'i-up', action: 'unmark', reason: 'already running' },
    ]);
    expect(report.done).toEqual([
      { id: 'i-1', action: 'start', reason: 'running' },
      { id: 'i-up', action: 'unmark', reason: 'was already running' },
    ]);
    expect(report.failed).toEqual([
      { id: 'i-full', action: 'start', reason: 'InsufficientInstanceCapacity: no capacity' },
    ]);
    expect(metricsOf(addMetric)).toEqual({
      InstancesStarted: 1,
      GroupsScaled: 0,
      DatabasesStarted: 0,
    });
  });

  it('keeps the mark of a marked instance that is still stopping, and does not start it', async () => {
    // Prepare: scale_up runs soon after scale_down.
    givenInstances(instance('i-stopping', 'stopping', [mark]), instance('i-1', 'stopped', [mark]));
    ec2Mock.on(StartInstancesCommand).resolves({});
    givenStatesById({ 'i-1': 'running' });

    // Act
    const { report } = await run(morning);

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

  it('keeps the mark of an instance EC2 describes without a state, and of one without an id', async () => {
    // Prepare
    givenInstances({ InstanceId: 'i-odd', Tags: [...staging, mark] }, { Tags: [...staging, mark] });

    // Act
    const { report } = await run(morning);

    // Assess
    expect(sentNames(ec2Mock)).toEqual(['DescribeInstancesCommand']);
    const reason = 'is unknown; it keeps its mark, so the next scale_up starts it';
    expect(report.skipped).toEqual([
      { id: 'i-odd', action: 'start', reason },
      { id: '', action: 'start', reason },
    ]);
  });

  it('reads a running marked instance again and keeps its mark if it is stopping by then', async () => {
    // Prepare
    givenInstances(instance('i-up', 'running', [mark]), instance('i-gone', 'running', [mark]));
    givenStatesById({ 'i-up': 'stopping', 'i-gone': 'stopped' });

    // Act
    const { report } = await run(morning);

    // Assess
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteTagsCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(StartInstancesCommand);
    expect(report.skipped).toEqual([
      {
        id: 'i-up',
        action: 'unmark',
        reason: 'now stopping; it keeps its mark, so the next scale_up starts it',
      },
      {
        id: 'i-gone',
        action: 'unmark',
        reason: 'now stopped; it keeps its mark, so the next scale_up starts it',
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
    const { report } = await run(morning);

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
    const { report, addMetric } = await run(morning);

    // Assess
    expect(instanceIdsOf(ec2Mock)).toEqual([
      ['i-kms', 'i-ok'],
      ['i-kms', 'i-ok'],
    ]);
    expect(sleep.mock.calls).toEqual([[5_000]]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, { Resources: ['i-ok'] });
    expect(report.done).toEqual([{ id: 'i-ok', action: 'start', reason: 'running' }]);
    expect(report.failed).toEqual([
      {
        id: 'i-kms',
        action: 'start',
        reason:
          'went back to stopped after starting: Client.InternalError: Client error on launch; it keeps its mark, so the next scale_up tries again',
      },
    ]);
    expect(metricsOf(addMetric).InstancesStarted).toBe(1);
  });

  it('watches a slow start for three minutes, then counts it started and leaves its mark on', async () => {
    // Prepare
    givenInstances(instance('i-slow', 'stopped', [mark]), instance('i-booting', 'pending', [mark]));
    ec2Mock.on(StartInstancesCommand).resolves({});
    givenStatesById({ 'i-slow': 'pending', 'i-booting': 'pending' });

    // Act
    const { report, addMetric } = await run(morning);

    // Assess
    expect(instanceIdsOf(ec2Mock)).toHaveLength(36);
    expect(sleep).toHaveBeenCalledTimes(35);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteTagsCommand);
    const kept =
      'still pending after 180 s, so it keeps its mark until a scale_up finds it running';
    expect(report.done).toEqual([{ id: 'i-slow', action: 'start', reason: `started; ${kept}` }]);
    expect(report.skipped).toEqual([{ id: 'i-booting', action: 'unmark', reason: kept }]);
    expect(report.failed).toEqual([]);
    expect(metricsOf(addMetric).InstancesStarted).toBe(1);
  });

  it('unmarks an instance that was already starting once it runs', async () => {
    // Prepare
    givenInstances(instance('i-booting', 'pending', [mark]));
    givenStatesById({ 'i-booting': 'pending' }, { 'i-booting': 'running' });

    // Act
    const { report, addMetric } = await run(morning);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteTagsCommand, { Resources: ['i-booting'] });
    expect(report.planned).toEqual([
      { id: 'i-booting', action: 'unmark', reason: 'already pending' },
    ]);
    expect(report.done).toEqual([
      { id: 'i-booting', action: 'unmark', reason: 'was already starting; now running' },
    ]);
    expect(metricsOf(addMetric).InstancesStarted).toBe(0);
  });

  it('keeps the marks, and says why, when the instances cannot be read again', async () => {
    // Prepare
    givenInstances(instance('i-1', 'stopped', [mark]), instance('i-up', 'running', [mark]));
    ec2Mock.on(StartInstancesCommand).resolves({});
    ec2Mock
      .on(DescribeInstancesCommand, { Filters: undefined })
      .rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));

    // Act
    const { report } = await run(morning);

    // Assess
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteTagsCommand);
    const kept =
      'not seen running (RequestLimitExceeded: Request limit exceeded.), so it keeps its mark until a scale_up finds it running';
    expect(report.done).toEqual([{ id: 'i-1', action: 'start', reason: `started; ${kept}` }]);
    expect(report.skipped).toEqual([{ id: 'i-up', action: 'unmark', reason: kept }]);
  });

  it('reports a mark it could not take off', async () => {
    // Prepare
    givenInstances(instance('i-1', 'stopped', [mark]));
    ec2Mock.on(StartInstancesCommand).resolves({});
    givenStatesById({ 'i-1': 'running' });
    ec2Mock.on(DeleteTagsCommand).rejects(awsError('RequestLimitExceeded', 'slow down'));

    // Act
    const { report, addMetric } = await run(morning);

    // Assess
    expect(report.done).toEqual([]);
    expect(report.failed).toEqual([
      {
        id: 'i-1',
        action: 'unmark',
        reason: 'RequestLimitExceeded: slow down; the next scale_up takes the mark off',
      },
    ]);
    expect(metricsOf(addMetric).InstancesStarted).toBe(1);
  });

  it('stops watching when the time budget runs short', async () => {
    // Prepare
    givenInstances(instance('i-slow', 'stopped', [mark]));
    ec2Mock.on(StartInstancesCommand).resolves({});
    givenStatesById({ 'i-slow': 'pending' });
    const short: TimeBudget = { remainingMs: () => 4_000, isExhausted: () => false };

    // Act
    const { report } = await run(morning, {}, short);

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
    const { report, addMetric } = await run(morning);

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
      { id: 'web', action: 'restore', reason: 'min=2,max=5,desired=3' },
    ]);
    expect(report.done).toEqual([
      { id: 'web', action: 'restore', reason: 'min=2,max=5,desired=3' },
    ]);
    expect(report.failed).toEqual([
      {
        id: 'edited',
        action: 'restore',
        reason: 'saved sizes "lots" are not min=N,max=N,desired=N with min <= desired <= max',
      },
    ]);
    expect(metricsOf(addMetric).GroupsScaled).toBe(1);
  });

  it('restores no group whose Environment tag matches only without regard to case', async () => {
    // Prepare
    givenGroups(
      scaledDownGroup('upper', 'min=1,max=2,desired=1', tags({ Environment: 'STAGING' })),
      scaledDownGroup('web', 'min=1,max=2,desired=1', tags({ Environment: 'staging' })),
    );

    // Act
    const { report } = await run(morning);

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

  it('reports a group that would not restore, and keeps its saved sizes', async () => {
    // Prepare
    givenGroups(scaledDownGroup('web', 'min=1,max=2,desired=1'), {
      ...scaledDownGroup('', 'min=1,max=2,desired=1'),
      AutoScalingGroupName: undefined,
    });
    asgMock.on(UpdateAutoScalingGroupCommand).rejects(awsError('AccessDenied', 'no'));

    // Act
    const { report, addMetric } = await run(morning);

    // Assess
    expect(asgMock).not.toHaveReceivedCommand(DeleteGroupTagsCommand);
    expect(report.failed).toEqual([
      { id: 'web', action: 'restore', reason: 'AccessDenied: no' },
      { id: '', action: 'restore', reason: 'AccessDenied: no' },
    ]);
    expect(metricsOf(addMetric).GroupsScaled).toBe(0);
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
    const { report, addMetric } = await run(morning);

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
      { id: 'db-1', action: 'start', reason: 'status stopped' },
      { id: 'db-up', action: 'unmark', reason: 'status available' },
      { id: 'db-2', action: 'start', reason: 'status stopped' },
      { id: 'aurora', action: 'start', reason: 'status stopped' },
    ]);
    expect(report.done).toEqual([
      { id: 'db-1', action: 'start', reason: 'starting; mark removed' },
      { id: 'db-up', action: 'unmark', reason: 'available; mark removed' },
      { id: 'db-2', action: 'start', reason: 'starting; mark removed' },
      { id: 'aurora', action: 'start', reason: 'starting; mark removed' },
    ]);
    expect(metricsOf(addMetric)).toEqual({
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
    const { report } = await run(morning);

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
      const { report } = await run(morning);

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
    const { report, addMetric } = await run(morning);

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
      { id: 'db-1', action: 'start', reason: 'starting; mark removed' },
    ]);
    expect(metricsOf(addMetric).DatabasesStarted).toBe(1);
  });

  it('fails a start that did not happen and keeps the mark', async () => {
    // Prepare
    givenDatabases([markedDb('db-1')]);
    rdsMock
      .on(StartDBInstanceCommand)
      .rejects(awsError('InsufficientDBInstanceCapacity', 'no capacity'));

    // Act
    const { report, addMetric } = await run(morning);

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(report.failed).toEqual([
      { id: 'db-1', action: 'start', reason: 'InsufficientDBInstanceCapacity: no capacity' },
    ]);
    expect(metricsOf(addMetric).DatabasesStarted).toBe(0);
  });

  it('keeps the mark of a database whose start answered no status and that cannot be read', async () => {
    // Prepare
    givenDatabases([markedDb('db-1')]);
    rdsMock.on(StartDBInstanceCommand).resolves({});
    rdsMock
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'db-1' })
      .rejects(awsError('ThrottlingException', 'Rate exceeded'));

    // Act
    const { report, addMetric } = await run(morning);

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(report.done).toEqual([
      {
        id: 'db-1',
        action: 'start',
        reason:
          'started; its status could not be read again, so it keeps its mark until a scale_up finds it available',
      },
    ]);
    expect(report.failed).toEqual([]);
    expect(metricsOf(addMetric).DatabasesStarted).toBe(1);
  });

  it('fails a database that is stopped again right after its start, and keeps its mark', async () => {
    // Prepare
    givenDatabases([markedDb('db-1')]);
    rdsMock.on(StartDBInstanceCommand).resolves({});

    // Act
    const { report } = await run(morning);

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(report.failed).toEqual([
      {
        id: 'db-1',
        action: 'start',
        reason:
          'NotStarted: started, but now stopped; it keeps its mark, so the next scale_up tries again',
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
    const { report, addMetric } = await run(morning);

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(rdsMock).not.toHaveReceivedCommand(StartDBInstanceCommand);
    expect(report.skipped).toEqual([
      {
        id: 'db-up',
        action: 'unmark',
        reason: 'now stopping; it keeps its mark, so the next scale_up starts it',
      },
    ]);
    expect(report.done).toEqual([]);
    expect(metricsOf(addMetric).DatabasesStarted).toBe(0);
  });
});

describe('scale_up dry run', () => {
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
});
