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
import { OUT_OF_TIME } from '@nightshift/runtime';
import { describe, expect, it, vi } from 'vitest';
import { lastErrorValue, POLL_MS } from '../../src/reconcile/apply.ts';
import {
  apply,
  arnOf,
  asgMock,
  awsError,
  budgetOf,
  change,
  changed,
  ec2Mock,
  givenStates,
  KMS_REASON,
  LAST_ACTION,
  LAST_ERROR,
  rdsMock,
  SAVED_SIZE,
  SNOOZE,
  START_AT,
  STOP_AT,
  size,
  sleep,
  startInstance,
  stopInstance,
  ZERO_COUNTS,
} from './applyFixtures.ts';

// The default sleep: recorded, and returning at once.
const timers = vi.hoisted(() => ({ setTimeout: vi.fn(async (_ms: number) => undefined) }));
vi.mock('node:timers/promises', () => timers);

const ids = (count: number, prefix = 'i-') =>
  Array.from({ length: count }, (_, index) => `${prefix}${String(index).padStart(3, '0')}`);
const createTags = () => ec2Mock.commandCalls(CreateTagsCommand).map((call) => call.args[0].input);
const deleteTags = () => ec2Mock.commandCalls(DeleteTagsCommand).map((call) => call.args[0].input);
const entriesOf = (entries: { id: string; reason: string }[]) =>
  entries.map(({ id, reason }) => [id, reason]);

describe('instances stopped and started in batches', () => {
  it('stops 120 instances in 3 calls of at most 50 and records each stop in batched tag writes', async () => {
    // Prepare
    const all = ids(120);

    // Act
    const { report, counts } = await apply(all.map((id) => stopInstance(id)));

    // Assess
    const stops = ec2Mock.commandCalls(StopInstancesCommand).map((c) => c.args[0].input);
    expect(stops.map((input) => input.InstanceIds)).toEqual([
      all.slice(0, 50),
      all.slice(50, 100),
      all.slice(100),
    ]);
    expect(createTags()).toEqual([
      { Resources: all.slice(0, 50), Tags: [{ Key: LAST_ACTION, Value: STOP_AT }] },
      { Resources: all.slice(50, 100), Tags: [{ Key: LAST_ACTION, Value: STOP_AT }] },
      { Resources: all.slice(100), Tags: [{ Key: LAST_ACTION, Value: STOP_AT }] },
    ]);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteTagsCommand);
    expect(report.done).toHaveLength(120);
    expect(report.done[0]).toEqual({
      id: 'i-000',
      action: 'stop',
      reason: 'stopped',
      details: undefined,
    });
    expect(counts).toEqual({ ...ZERO_COUNTS, InstancesStopped: 120 });
  });

  it('fails a bad id alone: the others stop, it gets last-error and no last-action', async () => {
    // Prepare
    const all = ids(60);
    all[10] = 'i-bad';
    ec2Mock.on(StopInstancesCommand).callsFake(async ({ InstanceIds }) => {
      if (InstanceIds.includes('i-bad')) throw awsError('UnsupportedOperation', 'spot instance');
      return {};
    });
    givenStates({ 'i-bad': ['running'] });

    // Act
    const { report, counts } = await apply(all.map((id) => stopInstance(id)));

    // Assess
    expect(report.failed).toEqual([
      { id: 'i-bad', action: 'stop', reason: 'UnsupportedOperation: spot instance' },
    ]);
    expect(report.done.map((entry) => entry.id)).toEqual(all.filter((id) => id !== 'i-bad'));
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      InstanceIds: ['i-bad'],
    });
    const stopped = all.filter((id) => id !== 'i-bad');
    expect(createTags()).toEqual([
      { Resources: stopped.slice(0, 50), Tags: [{ Key: LAST_ACTION, Value: STOP_AT }] },
      { Resources: stopped.slice(50), Tags: [{ Key: LAST_ACTION, Value: STOP_AT }] },
      {
        Resources: ['i-bad'],
        Tags: [{ Key: LAST_ERROR, Value: 'UnsupportedOperation: spot instance' }],
      },
    ]);
    expect(counts.InstancesStopped).toBe(59);
  });

  it.each(['stopping', 'stopped'])(
    'counts a failed stop as done when the instance is read back %s, and records it',
    async (state) => {
      // Prepare: the stop took effect, its answer was lost, the retry refused.
      ec2Mock.on(StopInstancesCommand).rejects(awsError('RequestLimitExceeded', 'slow down'));
      givenStates({ 'i-1': [state] });

      // Act
      const { report, counts } = await apply([stopInstance('i-1')]);

      // Assess
      expect(report.failed).toEqual([]);
      expect(entriesOf(report.done)).toEqual([
        [
          'i-1',
          `stopped (StopInstances failed with RequestLimitExceeded: slow down, but the instance is ${state})`,
        ],
      ]);
      expect(createTags()).toEqual([
        { Resources: ['i-1'], Tags: [{ Key: LAST_ACTION, Value: STOP_AT }] },
      ]);
      expect(counts.InstancesStopped).toBe(1);
    },
  );

  it.each(['running', 'pending'])('fails a stop whose instance is read back %s', async (state) => {
    // Prepare
    ec2Mock.on(StopInstancesCommand).rejects(awsError('RequestLimitExceeded', 'slow down'));
    givenStates({ 'i-1': [state] });

    // Act
    const { report, counts } = await apply([stopInstance('i-1')]);

    // Assess
    expect(entriesOf(report.failed)).toEqual([['i-1', 'RequestLimitExceeded: slow down']]);
    expect(counts.InstancesStopped).toBe(0);
  });

  it('fails a stop whose instance cannot be read back', async () => {
    // Prepare
    ec2Mock.on(StopInstancesCommand).rejects(awsError('RequestLimitExceeded', 'slow down'));
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('Throttling'));

    // Act
    const { report } = await apply([stopInstance('i-1')]);

    // Assess
    expect(entriesOf(report.failed)).toEqual([['i-1', 'RequestLimitExceeded: slow down']]);
  });

  it('starts in batches of 50 and records start@now once the instances run', async () => {
    // Prepare
    const all = ids(70);

    // Act
    const { report, counts } = await apply(all.map((id) => startInstance(id)));

    // Assess
    const starts = ec2Mock.commandCalls(StartInstancesCommand).map((c) => c.args[0].input);
    expect(starts.map((input) => input.InstanceIds)).toEqual([all.slice(0, 50), all.slice(50)]);
    expect(createTags()).toEqual([
      { Resources: all.slice(0, 50), Tags: [{ Key: LAST_ACTION, Value: START_AT }] },
      { Resources: all.slice(50), Tags: [{ Key: LAST_ACTION, Value: START_AT }] },
    ]);
    expect(new Set(report.done.map((entry) => entry.reason))).toEqual(
      new Set(['started; running']),
    );
    expect(counts).toEqual({ ...ZERO_COUNTS, InstancesStarted: 70 });
  });

  it('fails a rejected start with last-error and no last-action', async () => {
    // Prepare
    ec2Mock
      .on(StartInstancesCommand)
      .rejects(awsError('InsufficientInstanceCapacity', 'none left'));

    // Act
    const { report, counts } = await apply([startInstance('i-1', { hadError: true })]);

    // Assess
    expect(report.failed).toEqual([
      { id: 'i-1', action: 'start', reason: 'InsufficientInstanceCapacity: none left' },
    ]);
    expect(createTags()).toEqual([
      {
        Resources: ['i-1'],
        Tags: [{ Key: LAST_ERROR, Value: 'InsufficientInstanceCapacity: none left' }],
      },
    ]);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteTagsCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeInstancesCommand);
    expect(counts.InstancesStarted).toBe(0);
  });
});

describe('honest starts', () => {
  it('fails an instance that falls back to stopped with EC2 reason, as last-error, never last-action', async () => {
    // Prepare: its volume's KMS key may not be used.
    givenStates({ 'i-kms': ['pending', 'stopped'] }, { 'i-kms': KMS_REASON });

    // Act
    const { report, counts } = await apply([startInstance('i-kms'), startInstance('i-ok')]);

    // Assess
    expect(report.failed).toEqual([
      {
        id: 'i-kms',
        action: 'start',
        reason: `went back to stopped after starting: ${KMS_REASON}`,
        details: { fellBack: true },
      },
    ]);
    expect(entriesOf(report.done)).toEqual([['i-ok', 'started; running']]);
    expect(createTags()).toEqual([
      { Resources: ['i-ok'], Tags: [{ Key: LAST_ACTION, Value: START_AT }] },
      {
        Resources: ['i-kms'],
        Tags: [{ Key: LAST_ERROR, Value: `went back to stopped after starting: ${KMS_REASON}` }],
      },
    ]);
    expect(sleep).toHaveBeenCalledWith(POLL_MS);
    expect(counts.InstancesStarted).toBe(1);
  });

  it('keeps a start’s facts on its entries, and says fellBack on one that went back to stopped, in any wave', async () => {
    // Prepare: i-kms starts in the first wave and falls back while the next one waits.
    givenStates(
      { 'i-kms': ['pending', 'stopped'], 'i-last': ['stopped'] },
      { 'i-kms': KMS_REASON },
    );
    const facts = {
      kind: 'instance',
      instanceType: 't3.micro',
      stoppedSince: '2026-11-26T19:00:00.000Z',
    };
    const first = startInstance('i-kms', { details: facts });
    const changes = [
      first,
      startInstance('i-ok', { details: facts }),
      startInstance('i-last', { order: 1, details: facts }),
    ];

    // Act
    const { report } = await apply(changes);

    // Assess
    expect(report.failed).toEqual([
      {
        id: 'i-kms',
        action: 'start',
        reason: `went back to stopped after starting: ${KMS_REASON}`,
        details: { ...facts, fellBack: true },
      },
      {
        id: 'i-last',
        action: 'start',
        reason: 'went back to stopped after starting: EC2 gave no reason',
        details: { ...facts, fellBack: true },
      },
    ]);
    expect(report.done).toEqual([
      { id: 'i-ok', action: 'start', reason: 'started; running', details: facts },
    ]);
    expect(first.details).toEqual(facts);
  });

  it('says EC2 gave no reason when a fallen back instance has none', async () => {
    // Prepare
    givenStates({ 'i-1': ['stopped'] });

    // Act
    const { report } = await apply([startInstance('i-1')]);

    // Assess
    expect(entriesOf(report.failed)).toEqual([
      ['i-1', 'went back to stopped after starting: EC2 gave no reason'],
    ]);
  });

  it('reports a start still pending after the watch as started, without last-action', async () => {
    // Prepare
    givenStates({ 'i-slow': ['pending'] });

    // Act
    const { report, counts } = await apply([startInstance('i-slow', { hadError: true })], {
      waitMs: 20_000,
    });

    // Assess
    expect(entriesOf(report.done)).toEqual([
      ['i-slow', 'started; still pending after 20 s; the next run records it once it runs'],
    ]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 4);
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteTagsCommand);
    expect(counts.InstancesStarted).toBe(1);
  });

  it('watches a last wave for 180 s when no wait is given', async () => {
    // Prepare
    givenStates({ 'i-slow': ['pending'] });

    // Act
    const { report } = await apply([startInstance('i-slow')]);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 36);
    expect(entriesOf(report.done)).toEqual([
      ['i-slow', 'started; still pending after 180 s; the next run records it once it runs'],
    ]);
  });

  it('names the read error when the started instances cannot be watched', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('Throttling', 'rate exceeded'));

    // Act
    const { report } = await apply([startInstance('i-1')]);

    // Assess
    expect(entriesOf(report.done)).toEqual([
      [
        'i-1',
        'started; not seen running (Throttling: rate exceeded); the next run records it once it runs',
      ],
    ]);
    expect(report.failed).toEqual([]);
  });
});

describe('the tags a change writes', () => {
  it('takes last-error off a successful change only when it had one', async () => {
    // Act
    await apply([stopInstance('i-err', { hadError: true }), stopInstance('i-clean')]);

    // Assess
    expect(deleteTags()).toEqual([{ Resources: ['i-err'], Tags: [{ Key: LAST_ERROR }] }]);
    expect(createTags()).toEqual([
      { Resources: ['i-err', 'i-clean'], Tags: [{ Key: LAST_ACTION, Value: STOP_AT }] },
    ]);
  });

  it('takes the snooze off only when it passed, and names every key it deletes', async () => {
    // Act
    await apply([
      stopInstance('i-snoozed', { clearSnooze: true }),
      stopInstance('i-both', { clearSnooze: true, hadError: true }),
      stopInstance('i-plain'),
    ]);

    // Assess
    expect(deleteTags()).toEqual([
      { Resources: ['i-snoozed'], Tags: [{ Key: SNOOZE }] },
      { Resources: ['i-both'], Tags: [{ Key: LAST_ERROR }, { Key: SNOOZE }] },
    ]);
  });

  it('writes nothing but last-error on a failed change, whatever it had', async () => {
    // Prepare
    ec2Mock.on(StopInstancesCommand).rejects(awsError('UnauthorizedOperation', 'denied'));
    givenStates({ 'i-1': ['running'] });

    // Act
    await apply([stopInstance('i-1', { hadError: true, clearSnooze: true })]);

    // Assess
    expect(deleteTags()).toEqual([]);
    expect(createTags()).toEqual([
      { Resources: ['i-1'], Tags: [{ Key: LAST_ERROR, Value: 'UnauthorizedOperation: denied' }] },
    ]);
  });

  it('writes last-error only with the characters RDS allows, at most 256 of them', async () => {
    // Prepare
    const message = `KMS key "alias/prod" (eu) is disabled; ${'x'.repeat(300)}`;
    ec2Mock.on(StopInstancesCommand).rejects(awsError('KMS.DisabledException', message));
    givenStates({ 'i-1': ['running'] });

    // Act
    await apply([stopInstance('i-1')]);

    // Assess
    const value = createTags()[0]?.Tags?.[0]?.Value ?? '';
    expect(value).toHaveLength(256);
    expect(
      value.startsWith('KMS.DisabledException: KMS key  alias/prod   eu  is disabled  xxx'),
    ).toBe(true);
    expect(value).toMatch(/^[A-Za-z0-9 _.:/=+\-@]+$/);
  });

  it('keeps the allowed characters of a last-error as they are', () => {
    // Act / Assess
    expect(lastErrorValue('AZ az 09 _.:/=+-@')).toBe('AZ az 09 _.:/=+-@');
    expect(lastErrorValue('a,b;c"d\'e(f)g\nh[i]j*k#l%mé')).toBe('a b c d e f g h i j k l m ');
    expect(lastErrorValue('y'.repeat(256))).toHaveLength(256);
  });

  it('groups instances by the value they get: one call per reason of failure', async () => {
    // Prepare
    ec2Mock.on(StopInstancesCommand).callsFake(async ({ InstanceIds }) => {
      if (InstanceIds.length > 1) throw awsError('Batch');
      throw awsError('Denied', `no for ${InstanceIds[0] === 'i-c' ? 'c' : 'a and b'}`);
    });
    givenStates({ 'i-a': ['running'], 'i-b': ['running'], 'i-c': ['running'] });

    // Act
    await apply([stopInstance('i-a'), stopInstance('i-b'), stopInstance('i-c')]);

    // Assess
    expect(createTags()).toEqual([
      { Resources: ['i-a', 'i-b'], Tags: [{ Key: LAST_ERROR, Value: 'Denied: no for a and b' }] },
      { Resources: ['i-c'], Tags: [{ Key: LAST_ERROR, Value: 'Denied: no for c' }] },
    ]);
  });

  it('reports a change that went through but whose tags could not be written as failed, and still counts it', async () => {
    // Prepare
    ec2Mock.on(CreateTagsCommand).rejects(awsError('UnauthorizedOperation', 'no tags'));
    ec2Mock.on(DeleteTagsCommand).rejects(awsError('Throttling', 'slow'));

    // Act
    const { report, counts } = await apply([stopInstance('i-1', { hadError: true })]);

    // Assess
    expect(report.done).toEqual([]);
    expect(report.failed).toEqual([
      {
        id: 'i-1',
        action: 'stop',
        reason:
          'stopped, but writing its tags failed: UnauthorizedOperation: no tags; Throttling: slow',
      },
    ]);
    expect(counts.InstancesStopped).toBe(1);
  });

  it('names a failed last-error write in the failure, never throwing', async () => {
    // Prepare
    ec2Mock.on(StartInstancesCommand).rejects(awsError('IncorrectInstanceState', 'terminated'));
    ec2Mock.on(CreateTagsCommand).rejects(awsError('UnauthorizedOperation', 'no tags'));

    // Act
    const { report } = await apply([startInstance('i-1')]);

    // Assess
    expect(entriesOf(report.failed)).toEqual([
      [
        'i-1',
        'IncorrectInstanceState: terminated; writing nightshift:last-error failed too: UnauthorizedOperation: no tags',
      ],
    ]);
  });
});

describe('Record and ClearSnooze changes', () => {
  it('records a resource already in its due state with tags only', async () => {
    // Act
    const { report, counts } = await apply([
      change('record', 'instance', 'i-up', { due: 'running', hadError: true }),
      change('record', 'instance', 'i-down', { due: 'stopped', clearSnooze: true }),
    ]);

    // Assess
    expect(ec2Mock).not.toHaveReceivedCommand(StopInstancesCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(StartInstancesCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeInstancesCommand);
    expect(createTags()).toEqual([
      { Resources: ['i-up'], Tags: [{ Key: LAST_ACTION, Value: START_AT }] },
      { Resources: ['i-down'], Tags: [{ Key: LAST_ACTION, Value: STOP_AT }] },
    ]);
    expect(deleteTags()).toEqual([
      { Resources: ['i-up'], Tags: [{ Key: LAST_ERROR }] },
      { Resources: ['i-down'], Tags: [{ Key: SNOOZE }] },
    ]);
    expect(report.done).toEqual([
      { id: 'i-up', action: 'record', reason: 'already running; recorded', details: undefined },
      { id: 'i-down', action: 'record', reason: 'already stopped; recorded', details: undefined },
    ]);
    expect(counts).toEqual(ZERO_COUNTS);
  });

  it('only takes tags off on a ClearSnooze change: the snooze, and last-error when it had one', async () => {
    // Act
    const { report, counts } = await apply([
      change('clear snooze', 'instance', 'i-1', { clearSnooze: true }),
      change('clear snooze', 'instance', 'i-2', { clearSnooze: true, hadError: true }),
    ]);

    // Assess
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(StopInstancesCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(StartInstancesCommand);
    expect(deleteTags()).toEqual([
      { Resources: ['i-1'], Tags: [{ Key: SNOOZE }] },
      { Resources: ['i-2'], Tags: [{ Key: LAST_ERROR }, { Key: SNOOZE }] },
    ]);
    expect(entriesOf(report.done)).toEqual([
      ['i-1', 'snooze passed; tag removed'],
      ['i-2', 'snooze passed; tag removed'],
    ]);
    expect(counts).toEqual(ZERO_COUNTS);
  });

  it('writes group tags with CreateOrUpdateTags and DeleteTags naming the keys', async () => {
    // Act
    await apply([
      change('record', 'group', 'web', { due: 'stopped', hadError: true, clearSnooze: true }),
    ]);

    // Assess
    expect(asgMock).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);
    expect(asgMock).toHaveReceivedCommandWith(CreateOrUpdateTagsCommand, {
      Tags: [
        {
          ResourceId: 'web',
          ResourceType: 'auto-scaling-group',
          Key: LAST_ACTION,
          Value: STOP_AT,
          PropagateAtLaunch: false,
        },
      ],
    });
    expect(asgMock).toHaveReceivedCommandWith(DeleteGroupTagsCommand, {
      Tags: [
        { ResourceId: 'web', ResourceType: 'auto-scaling-group', Key: LAST_ERROR },
        { ResourceId: 'web', ResourceType: 'auto-scaling-group', Key: SNOOZE },
      ],
    });
  });

  it('writes database tags by ARN', async () => {
    // Act
    await apply([
      change('record', 'db-instance', 'db-1', { due: 'running', hadError: true }),
      change('clear snooze', 'db-cluster', 'aurora-1', { clearSnooze: true }),
    ]);

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(StartDBInstanceCommand);
    expect(rdsMock.commandCalls(AddTagsToResourceCommand).map((c) => c.args[0].input)).toEqual([
      { ResourceName: arnOf('db-1'), Tags: [{ Key: LAST_ACTION, Value: START_AT }] },
    ]);
    expect(rdsMock).toHaveReceivedCommandTimes(RemoveTagsFromResourceCommand, 2);
    expect(rdsMock).toHaveReceivedCommandWith(RemoveTagsFromResourceCommand, {
      ResourceName: arnOf('db-1'),
      TagKeys: [LAST_ERROR],
    });
    expect(rdsMock).toHaveReceivedCommandWith(RemoveTagsFromResourceCommand, {
      ResourceName: arnOf('aurora-1'),
      TagKeys: [SNOOZE],
    });
  });

  it('fails a database whose ARN is not known instead of tagging something else', async () => {
    // Act
    const { report } = await apply([
      change('record', 'db-instance', 'db-1', { due: 'running', resource: { arn: undefined } }),
    ]);

    // Assess
    expect(rdsMock).not.toHaveReceivedCommand(AddTagsToResourceCommand);
    expect(entriesOf(report.failed)).toEqual([
      [
        'db-1',
        'already running; recorded, but writing its tags failed: Error: its ARN is not known, so its tags cannot be written',
      ],
    ]);
  });

  it('makes no call at all for an empty plan', async () => {
    // Act
    const { report, counts } = await apply([]);

    // Assess
    expect(ec2Mock.calls()).toEqual([]);
    expect(asgMock.calls()).toEqual([]);
    expect(rdsMock.calls()).toEqual([]);
    expect(report.done).toEqual([]);
    expect(counts).toEqual(ZERO_COUNTS);
  });
});

describe('waves by order', () => {
  it('stops by order descending, then starts by order ascending, each wave after the previous one of its kind is there', async () => {
    // Act
    await apply([
      change('start', 'instance', 'i-app', { order: 2 }),
      change('stop', 'instance', 'i-web', { order: 1 }),
      change('start', 'db-instance', 'db-main', { order: 1 }),
      change('stop', 'db-cluster', 'aurora-old', { order: 0 }),
      change('stop', 'instance', 'i-front', { order: 5 }),
    ]);

    // Assess
    // The starts never wait for the stops: the last stop wave is not read before them.
    expect(changed).toEqual([
      'stop i-front',
      'describe i-front',
      'stop i-web',
      'describe i-web',
      'stop aurora-old',
      'start db-main',
      'describe db-main',
      'start i-app',
      'describe i-app',
    ]);
  });

  it('waits until the previous wave is stopped, reading it every 5 s', async () => {
    // Prepare
    givenStates({ 'i-app': ['stopping', 'stopping', 'stopped'] });

    // Act
    const { report } = await apply([
      change('stop', 'instance', 'i-app', { order: 2 }),
      change('stop', 'db-instance', 'db-main', { order: 1 }),
    ]);

    // Assess
    expect(changed).toEqual([
      'stop i-app',
      'describe i-app',
      'describe i-app',
      'describe i-app',
      'stop db-main',
    ]);
    expect(sleep.mock.calls).toEqual([[POLL_MS], [POLL_MS]]);
    expect(entriesOf(report.done)).toEqual([
      ['i-app', 'stopped'],
      ['db-main', 'stopped'],
    ]);
  });

  it('waits for a DB instance to be available and an Aurora cluster to be stopped', async () => {
    // Prepare
    givenStates({ 'db-1': ['starting', 'available'], 'aurora-1': ['stopping', 'stopped'] });

    // Act
    await apply([
      change('stop', 'db-cluster', 'aurora-1', { order: 1 }),
      change('stop', 'instance', 'i-web', { order: 0 }),
      change('start', 'db-instance', 'db-1', { order: 0 }),
      change('start', 'instance', 'i-app', { order: 1 }),
    ]);

    // Assess
    expect(changed).toEqual([
      'stop aurora-1',
      'describe aurora-1',
      'describe aurora-1',
      'stop i-web',
      'start db-1',
      'describe db-1',
      'describe db-1',
      'start i-app',
      'describe i-app',
    ]);
    expect(rdsMock).toHaveReceivedCommandWith(DescribeDBClustersCommand, {
      DBClusterIdentifier: 'aurora-1',
    });
    expect(rdsMock).toHaveReceivedCommandWith(DescribeDBInstancesCommand, {
      DBInstanceIdentifier: 'db-1',
    });
  });

  it('keeps waiting for a database whose status cannot be read, or that is not found', async () => {
    // Prepare
    rdsMock.on(DescribeDBInstancesCommand).rejects(awsError('Throttling'));
    rdsMock.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });

    // Act
    const { report } = await apply(
      [
        change('start', 'db-instance', 'db-1', { order: 0 }),
        change('start', 'db-cluster', 'aurora-1', { order: 0 }),
        change('start', 'instance', 'i-app', { order: 1 }),
      ],
      { waitMs: 10_000 },
    );

    // Assess
    expect(ec2Mock).not.toHaveReceivedCommand(StartInstancesCommand);
    expect(entriesOf(report.skipped)).toEqual([
      ['i-app', 'waits for order 0 (db-1, aurora-1 not yet running); the next run continues'],
    ]);
  });

  it('keeps waiting for instances that cannot be read', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('Throttling'));

    // Act
    const { report } = await apply(
      [change('stop', 'instance', 'i-1', { order: 1 }), change('stop', 'instance', 'i-2')],
      { waitMs: 10_000 },
    );

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(StopInstancesCommand, 1);
    expect(entriesOf(report.skipped)).toEqual([
      ['i-2', 'waits for order 1 (i-1 not yet stopped); the next run continues'],
    ]);
  });

  it('goes on at once when nothing of the previous wave is on its way', async () => {
    // Prepare
    ec2Mock.on(StopInstancesCommand).rejects(awsError('UnauthorizedOperation'));
    givenStates({ 'i-1': ['running'] });

    // Act
    await apply([
      change('stop', 'instance', 'i-1', { order: 1 }),
      change('stop', 'instance', 'i-2'),
    ]);

    // Assess: the one read is the failed stop's, not a wait.
    expect(changed).toEqual(['describe i-1', 'describe i-2']);
    expect(ec2Mock).toHaveReceivedCommandTimes(StopInstancesCommand, 2);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('does not wait for groups: their sizes are set', async () => {
    // Act
    await apply([
      change('stop', 'group', 'web', { order: 1, resource: { size: size(1, 3, 2) } }),
      change('stop', 'instance', 'i-1', { order: 0 }),
    ]);

    // Assess
    expect(changed).toEqual(['size web 0/0', 'stop i-1']);
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeInstancesCommand);
  });

  it('settles the started instances of an earlier wave as the wait sees them', async () => {
    // Prepare
    givenStates(
      { 'i-db': ['pending', 'running'], 'i-kms': ['pending', 'stopped'] },
      { 'i-kms': KMS_REASON },
    );

    // Act
    const { report, counts } = await apply([
      change('start', 'instance', 'i-db', { order: 0 }),
      change('start', 'instance', 'i-kms', { order: 0 }),
      change('start', 'instance', 'i-app', { order: 1 }),
    ]);

    // Assess
    expect(changed).toEqual([
      'start i-db,i-kms',
      'describe i-db,i-kms',
      'describe i-db,i-kms',
      'start i-app',
      'describe i-app',
    ]);
    expect(entriesOf(report.done)).toEqual([
      ['i-db', 'started; running'],
      ['i-app', 'started; running'],
    ]);
    expect(entriesOf(report.failed)).toEqual([
      ['i-kms', `went back to stopped after starting: ${KMS_REASON}`],
    ]);
    expect(counts.InstancesStarted).toBe(2);
  });

  it('skips the remaining waves when the wait ends, writing nothing on them; the starts still go', async () => {
    // Prepare
    givenStates({ 'i-app': ['stopping'], 'i-other': ['running'] });

    // Act
    const { report, counts } = await apply(
      [
        change('stop', 'instance', 'i-app', { order: 3 }),
        change('stop', 'db-instance', 'db-1', { order: 1, clearSnooze: true }),
        change('start', 'instance', 'i-other', { order: 0, hadError: true }),
      ],
      { waitMs: 15_000 },
    );

    // Assess: three reads of i-app while waiting, then the started instance watched once.
    expect(changed).toEqual([
      'stop i-app',
      'describe i-app',
      'describe i-app',
      'describe i-app',
      'start i-other',
      'describe i-other',
    ]);
    expect(sleep).toHaveBeenCalledTimes(2);
    expect(rdsMock).not.toHaveReceivedCommand(StopDBInstanceCommand);
    expect(rdsMock).not.toHaveReceivedCommand(AddTagsToResourceCommand);
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(createTags()).toEqual([
      { Resources: ['i-app'], Tags: [{ Key: LAST_ACTION, Value: STOP_AT }] },
      { Resources: ['i-other'], Tags: [{ Key: LAST_ACTION, Value: START_AT }] },
    ]);
    expect(deleteTags()).toEqual([{ Resources: ['i-other'], Tags: [{ Key: LAST_ERROR }] }]);
    const waits = 'waits for order 3 (i-app not yet stopped); the next run continues';
    expect(report.skipped).toEqual([
      { id: 'db-1', action: 'stop', reason: waits, details: undefined },
    ]);
    expect(entriesOf(report.done)).toEqual([
      ['i-app', 'stopped'],
      ['i-other', 'started; running'],
    ]);
    expect(counts).toEqual({ ...ZERO_COUNTS, InstancesStopped: 1, InstancesStarted: 1 });
  });

  it('stops waiting when the budget would run out, without sleeping', async () => {
    // Prepare
    givenStates({ 'i-app': ['stopping'] });

    // Act
    const { report } = await apply(
      [change('stop', 'instance', 'i-app', { order: 1 }), change('stop', 'instance', 'i-db')],
      { budget: budgetOf(POLL_MS - 1) },
    );

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
    expect(sleep).not.toHaveBeenCalled();
    expect(entriesOf(report.skipped)).toEqual([
      ['i-db', 'waits for order 1 (i-app not yet stopped); the next run continues'],
    ]);
  });

  it('waits while the budget holds exactly one more poll', async () => {
    // Prepare
    givenStates({ 'i-app': ['stopping', 'stopped'] });

    // Act
    const { report } = await apply(
      [change('stop', 'instance', 'i-app', { order: 1 }), change('stop', 'instance', 'i-db')],
      { budget: budgetOf(POLL_MS) },
    );

    // Assess
    expect(sleep).toHaveBeenCalledTimes(1);
    expect(report.skipped).toEqual([]);
    expect(ec2Mock).toHaveReceivedCommandWith(StopInstancesCommand, { InstanceIds: ['i-db'] });
  });

  it('waits 240 s by default before it gives up on a wave', async () => {
    // Prepare
    givenStates({ 'i-app': ['stopping'] });

    // Act
    await apply([
      change('stop', 'instance', 'i-app', { order: 1 }),
      change('stop', 'instance', 'i-db'),
    ]);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 48);
    expect(sleep).toHaveBeenCalledTimes(47);
  });

  it('sleeps 5 s between polls by default', async () => {
    // Prepare
    timers.setTimeout.mockClear();
    givenStates({ 'i-app': ['stopping', 'stopped'] });

    // Act
    await apply([change('stop', 'instance', 'i-app', { order: 1 }), stopInstance('i-db')], {
      sleep: undefined,
    });

    // Assess
    expect(timers.setTimeout.mock.calls).toEqual([[POLL_MS]]);
    expect(ec2Mock).toHaveReceivedCommandWith(StopInstancesCommand, { InstanceIds: ['i-db'] });
  });

  it('reads the instances of a wave 200 ids per call', async () => {
    // Prepare
    const all = ids(250);

    // Act
    await apply([
      ...all.map((id) => change('stop', 'instance', id, { order: 1 })),
      stopInstance('i-last'),
    ]);

    // Assess
    expect(
      ec2Mock.commandCalls(DescribeInstancesCommand).map((c) => c.args[0].input.InstanceIds),
    ).toEqual([all.slice(0, 200), all.slice(200)]);
  });

  it('reads the status of the database it asked for, not of another in the answer', async () => {
    // Prepare
    rdsMock.on(DescribeDBInstancesCommand).resolves({
      DBInstances: [
        { DBInstanceIdentifier: 'db-other', DBInstanceStatus: 'stopped' },
        { DBInstanceIdentifier: 'db-1', DBInstanceStatus: 'stopping' },
      ],
    });
    rdsMock.on(DescribeDBClustersCommand).resolves({
      DBClusters: [
        { DBClusterIdentifier: 'aurora-other', Status: 'stopped' },
        { DBClusterIdentifier: 'aurora-1', Status: 'stopping' },
      ],
    });

    // Act
    const { report } = await apply(
      [
        change('stop', 'db-instance', 'db-1', { order: 1 }),
        change('stop', 'db-cluster', 'aurora-1', { order: 1 }),
        stopInstance('i-app'),
      ],
      { waitMs: 5_000 },
    );

    // Assess
    expect(entriesOf(report.skipped)).toEqual([
      ['i-app', 'waits for order 1 (db-1, aurora-1 not yet stopped); the next run continues'],
    ]);
  });

  it('reports the started instances a wait gave up on as started, without tags, and names at most five ids', async () => {
    // Prepare
    const starting = ids(7, 'i-s');
    givenStates(Object.fromEntries(starting.map((id) => [id, ['pending']])));

    // Act
    const { report, counts } = await apply(
      [
        ...starting.map((id) => change('start', 'instance', id, { order: 0, hadError: true })),
        change('start', 'instance', 'i-app', { order: 1 }),
      ],
      { waitMs: 5_000 },
    );

    // Assess
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteTagsCommand);
    expect(sleep).not.toHaveBeenCalled();
    expect(new Set(report.done.map(({ reason }) => reason))).toEqual(
      new Set(['started; not yet running when this run stopped waiting (the next run records it)']),
    );
    expect(report.done).toHaveLength(7);
    expect(entriesOf(report.skipped)).toEqual([
      [
        'i-app',
        'waits for order 0 (i-s000, i-s001, i-s002, i-s003, i-s004 and 2 more not yet running); the next run continues',
      ],
    ]);
    expect(counts.InstancesStarted).toBe(7);
  });
});

describe('Auto Scaling groups', () => {
  it('saves the sizes and empties a group, unless its sizes are saved already', async () => {
    // Act
    const { report, counts } = await apply([
      change('stop', 'group', 'web', { resource: { size: size(1, 4, 2) } }),
      change('stop', 'group', 'api', { sizesSaved: true, resource: { size: size(0, 4, 0) } }),
    ]);

    // Assess
    expect(asgMock).toHaveReceivedCommandWith(CreateOrUpdateTagsCommand, {
      Tags: [
        {
          ResourceId: 'web',
          ResourceType: 'auto-scaling-group',
          Key: SAVED_SIZE,
          Value: 'min=1,max=4,desired=2',
          PropagateAtLaunch: false,
        },
      ],
    });
    const savedFor = asgMock
      .commandCalls(CreateOrUpdateTagsCommand)
      .flatMap((call) => call.args[0].input.Tags ?? [])
      .filter((tag) => tag.Key === SAVED_SIZE)
      .map((tag) => tag.ResourceId);
    expect(savedFor).toEqual(['web']);
    expect(asgMock).toHaveReceivedCommandTimes(UpdateAutoScalingGroupCommand, 2);
    for (const name of ['web', 'api']) {
      expect(asgMock).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
        AutoScalingGroupName: name,
        MinSize: 0,
        DesiredCapacity: 0,
      });
    }
    expect(entriesOf(report.done)).toEqual([
      ['web', 'min and desired 0; sizes saved (min=1,max=4,desired=2)'],
      ['api', 'min and desired 0; the sizes saved earlier kept'],
    ]);
    expect(asgMock).toHaveReceivedCommandWith(CreateOrUpdateTagsCommand, {
      Tags: ['web', 'api'].map((ResourceId) => ({
        ResourceId,
        ResourceType: 'auto-scaling-group',
        Key: LAST_ACTION,
        Value: STOP_AT,
        PropagateAtLaunch: false,
      })),
    });
    expect(counts).toEqual({ ...ZERO_COUNTS, GroupsScaled: 2 });
  });

  it('restores the saved sizes of a group and records the start', async () => {
    // Act
    const { report, counts } = await apply([
      change('start', 'group', 'web', { restoreSize: size(1, 4, 2), hadError: true }),
    ]);

    // Assess
    expect(asgMock).toHaveReceivedCommandWith(UpdateAutoScalingGroupCommand, {
      AutoScalingGroupName: 'web',
      MinSize: 1,
      MaxSize: 4,
      DesiredCapacity: 2,
    });
    expect(asgMock).toHaveReceivedCommandWith(DeleteGroupTagsCommand, {
      Tags: [{ ResourceId: 'web', ResourceType: 'auto-scaling-group', Key: SAVED_SIZE }],
    });
    expect(asgMock).toHaveReceivedCommandWith(DeleteGroupTagsCommand, {
      Tags: [{ ResourceId: 'web', ResourceType: 'auto-scaling-group', Key: LAST_ERROR }],
    });
    expect(entriesOf(report.done)).toEqual([['web', 'sizes restored (min=1,max=4,desired=2)']]);
    expect(counts).toEqual({ ...ZERO_COUNTS, GroupsScaled: 1 });
  });

  it('fails a group start without sizes and a group stop whose sizes are unknown', async () => {
    // Act
    const { report, counts } = await apply([
      change('start', 'group', 'web'),
      change('stop', 'group', 'api'),
    ]);

    // Assess
    expect(asgMock).not.toHaveReceivedCommand(UpdateAutoScalingGroupCommand);
    expect(entriesOf(report.failed)).toEqual([
      ['api', 'Error: its sizes were not read, so they cannot be saved'],
      ['web', 'Error: no saved sizes to restore'],
    ]);
    expect(counts).toEqual(ZERO_COUNTS);
  });

  it('fails a group whose update is refused, with last-error', async () => {
    // Prepare
    asgMock
      .on(UpdateAutoScalingGroupCommand)
      .rejects(awsError('ScalingActivityInProgress', 'busy'));

    // Act
    const { report } = await apply([
      change('start', 'group', 'web', { restoreSize: size(1, 1, 1) }),
    ]);

    // Assess
    expect(entriesOf(report.failed)).toEqual([['web', 'ScalingActivityInProgress: busy']]);
    expect(asgMock).toHaveReceivedCommandWith(CreateOrUpdateTagsCommand, {
      Tags: [
        {
          ResourceId: 'web',
          ResourceType: 'auto-scaling-group',
          Key: LAST_ERROR,
          Value: 'ScalingActivityInProgress: busy',
          PropagateAtLaunch: false,
        },
      ],
    });
  });

  it('names a failed group tag write in the outcome', async () => {
    // Prepare
    asgMock.on(CreateOrUpdateTagsCommand).rejects(awsError('AccessDenied', 'no tags'));

    // Act
    const { report, counts } = await apply([change('stop', 'group', 'web', { sizesSaved: true })]);

    // Assess
    expect(entriesOf(report.failed)).toEqual([
      [
        'web',
        'min and desired 0; the sizes saved earlier kept, but writing its tags failed: AccessDenied: no tags',
      ],
    ]);
    expect(counts.GroupsScaled).toBe(1);
  });

  it('leaves groups and databases for the next run when the budget is spent, writing nothing', async () => {
    // Act
    const { report, counts } = await apply(
      [
        change('stop', 'group', 'web', { resource: { size: size(1, 1, 1) } }),
        change('stop', 'db-instance', 'db-1', { clearSnooze: true }),
      ],
      { budget: budgetOf(0) },
    );

    // Assess
    expect(asgMock.calls()).toEqual([]);
    expect(rdsMock.calls()).toEqual([]);
    expect(entriesOf(report.skipped)).toEqual([
      ['web', OUT_OF_TIME],
      ['db-1', OUT_OF_TIME],
    ]);
    expect(counts).toEqual(ZERO_COUNTS);
  });
});

describe('databases', () => {
  it('stops and starts DB instances and Aurora clusters with their own commands', async () => {
    // Act
    const { report, counts } = await apply([
      change('stop', 'db-instance', 'db-1'),
      change('stop', 'db-cluster', 'aurora-1'),
      change('start', 'db-instance', 'db-2'),
      change('start', 'db-cluster', 'aurora-2'),
    ]);

    // Assess
    expect(rdsMock).toHaveReceivedCommandWith(StopDBInstanceCommand, {
      DBInstanceIdentifier: 'db-1',
    });
    expect(rdsMock).toHaveReceivedCommandWith(StopDBClusterCommand, {
      DBClusterIdentifier: 'aurora-1',
    });
    expect(rdsMock).toHaveReceivedCommandWith(StartDBInstanceCommand, {
      DBInstanceIdentifier: 'db-2',
    });
    expect(rdsMock).toHaveReceivedCommandWith(StartDBClusterCommand, {
      DBClusterIdentifier: 'aurora-2',
    });
    expect(rdsMock).toHaveReceivedCommandTimes(StopDBInstanceCommand, 1);
    expect(rdsMock).toHaveReceivedCommandTimes(StartDBInstanceCommand, 1);
    expect(entriesOf(report.done)).toEqual([
      ['db-1', 'stopped'],
      ['aurora-1', 'stopped'],
      ['db-2', 'started'],
      ['aurora-2', 'started'],
    ]);
    expect(rdsMock.commandCalls(AddTagsToResourceCommand).map((c) => c.args[0].input)).toEqual([
      { ResourceName: arnOf('db-1'), Tags: [{ Key: LAST_ACTION, Value: STOP_AT }] },
      { ResourceName: arnOf('aurora-1'), Tags: [{ Key: LAST_ACTION, Value: STOP_AT }] },
      { ResourceName: arnOf('db-2'), Tags: [{ Key: LAST_ACTION, Value: START_AT }] },
      { ResourceName: arnOf('aurora-2'), Tags: [{ Key: LAST_ACTION, Value: START_AT }] },
    ]);
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(counts).toEqual({ ...ZERO_COUNTS, DatabasesStopped: 2, DatabasesStarted: 2 });
  });

  it('says AWS started a database again after 7 days when it stops it again', async () => {
    // Act
    const { report } = await apply([
      change('stop', 'db-instance', 'db-1', { restartedByAws: true, hadError: true }),
    ]);

    // Assess
    expect(entriesOf(report.done)).toEqual([
      ['db-1', 'stopped again: AWS started it after 7 days stopped'],
    ]);
    expect(rdsMock).toHaveReceivedCommandWith(RemoveTagsFromResourceCommand, {
      ResourceName: arnOf('db-1'),
      TagKeys: [LAST_ERROR],
    });
  });

  it.each([
    { kind: 'db-instance', status: 'stopping' },
    { kind: 'db-cluster', status: 'stopped' },
  ] as const)(
    'counts a failed $kind stop as done when it is read back $status',
    async ({ kind, status }) => {
      // Prepare
      const refused = awsError('InvalidDBInstanceState', 'not available');
      rdsMock.on(StopDBInstanceCommand).rejects(refused);
      rdsMock.on(StopDBClusterCommand).rejects(refused);
      givenStates({ 'db-1': [status] });

      // Act
      const { report, counts } = await apply([
        change('stop', kind, 'db-1', { restartedByAws: true }),
      ]);

      // Assess
      expect(entriesOf(report.done)).toEqual([
        [
          'db-1',
          `stopped again: AWS started it after 7 days stopped (the stop failed with InvalidDBInstanceState: not available, but the database is ${status})`,
        ],
      ]);
      expect(counts.DatabasesStopped).toBe(1);
    },
  );

  it.each([
    ['available', undefined],
    ['unreadable', awsError('Throttling')],
  ])('fails a database stop when it is %s after the failure', async (status, readError) => {
    // Prepare
    rdsMock.on(StopDBInstanceCommand).rejects(awsError('InvalidDBInstanceState', 'not now'));
    if (readError) rdsMock.on(DescribeDBInstancesCommand).rejects(readError);
    else givenStates({ 'db-1': [status] });

    // Act
    const { report, counts } = await apply([change('stop', 'db-instance', 'db-1')]);

    // Assess
    expect(entriesOf(report.failed)).toEqual([['db-1', 'InvalidDBInstanceState: not now']]);
    expect(rdsMock).toHaveReceivedCommandWith(AddTagsToResourceCommand, {
      ResourceName: arnOf('db-1'),
      Tags: [{ Key: LAST_ERROR, Value: 'InvalidDBInstanceState: not now' }],
    });
    expect(counts.DatabasesStopped).toBe(0);
  });

  it('fails a database start with last-error and no last-action', async () => {
    // Prepare
    rdsMock.on(StartDBClusterCommand).rejects(awsError('InvalidDBClusterStateFault', 'busy'));

    // Act
    const { report, counts } = await apply([
      change('start', 'db-cluster', 'aurora-1', { hadError: true }),
    ]);

    // Assess
    expect(entriesOf(report.failed)).toEqual([['aurora-1', 'InvalidDBClusterStateFault: busy']]);
    expect(rdsMock.commandCalls(AddTagsToResourceCommand).map((c) => c.args[0].input)).toEqual([
      {
        ResourceName: arnOf('aurora-1'),
        Tags: [{ Key: LAST_ERROR, Value: 'InvalidDBClusterStateFault: busy' }],
      },
    ]);
    expect(rdsMock).not.toHaveReceivedCommand(RemoveTagsFromResourceCommand);
    expect(counts.DatabasesStarted).toBe(0);
  });
});

describe('the counts returned', () => {
  it('counts what each kind changed, and nothing for records, failures or skips', async () => {
    // Prepare
    ec2Mock.on(StartInstancesCommand).callsFake(async ({ InstanceIds }) => {
      if (InstanceIds.includes('i-bad')) throw awsError('Denied');
      return {};
    });

    // Act
    const { counts } = await apply([
      stopInstance('i-1'),
      stopInstance('i-2'),
      startInstance('i-3'),
      startInstance('i-bad'),
      change('record', 'instance', 'i-4', { due: 'running' }),
      change('stop', 'group', 'web', { resource: { size: size(1, 1, 1) } }),
      change('start', 'group', 'api', { restoreSize: size(1, 1, 1) }),
      change('stop', 'db-instance', 'db-1'),
      change('start', 'db-cluster', 'aurora-1'),
      change('start', 'db-instance', 'db-2'),
    ]);

    // Assess
    expect(counts).toEqual({
      InstancesStopped: 2,
      InstancesStarted: 1,
      GroupsScaled: 2,
      DatabasesStopped: 1,
      DatabasesStarted: 2,
    });
  });
});
