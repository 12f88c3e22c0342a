import { toEntry } from '@nightshift/job';
import { describe, expect, it } from 'vitest';
import type { CpuStats } from '../src/cpu.ts';
import {
  Action,
  type Inventory,
  planIdleCheck,
  planScaleDown,
  planScaleUp,
  RDS_RESTART_NOTE,
} from '../src/plan.ts';
import {
  cluster,
  database,
  ec2Instance,
  mark,
  markedDatabase,
  scaledDownScalingGroup,
  scalingGroup,
  scope,
  tags,
} from './fixtures.ts';

const inventory = (given: Partial<Inventory>): Inventory => ({
  instances: [],
  groups: [],
  databases: [],
  ...given,
});
const entries = (decisions: Parameters<typeof toEntry>[0][]) =>
  decisions.map((decision) => toEntry(decision));

describe('the actions', () => {
  it('keep the action strings reports have always shown', () => {
    expect(Action).toEqual({
      Stop: 'stop',
      ScaleToZero: 'scale to 0',
      Start: 'start',
      Unmark: 'unmark',
      Restore: 'restore',
      Check: 'check',
      FlagIdle: 'flag idle',
    });
  });
});

describe('planScaleDown', () => {
  it('stops the instances tagged for it exactly, never one of an Auto Scaling group', () => {
    // Act
    const plan = planScaleDown(
      inventory({
        instances: [
          ec2Instance('i-ok', 'running'),
          ec2Instance('i-asg', 'running', tags({ 'aws:autoscaling:groupName': 'web' })),
          ec2Instance(
            'i-upper',
            'running',
            [],
            tags({ Environment: 'Staging', AutoScale: 'true' }),
          ),
          ec2Instance('i-untagged', 'running', [], tags({ Environment: 'staging' })),
        ],
      }),
      scope,
    );

    // Assess
    expect(plan.changes).toEqual([
      {
        action: 'stop',
        target: 'i-ok',
        reason: 'tagged Environment=staging and AutoScale=true',
        resource: 'instance',
        details: { kind: 'instance' },
      },
    ]);
    expect(entries(plan.skips)).toEqual([
      {
        id: 'i-asg',
        action: 'stop',
        reason: 'in Auto Scaling group web: scaled through the group',
      },
      {
        id: 'i-upper',
        action: 'stop',
        reason: 'tagged Environment=Staging, not Environment=staging',
      },
      { id: 'i-untagged', action: 'stop', reason: 'not tagged AutoScale=true' },
    ]);
    expect(plan.problems).toEqual([]);
    expect(plan.notes).toEqual([]);
  });

  it('uses the configured tag keys and values', () => {
    // Act
    const plan = planScaleDown(
      inventory({
        instances: [
          ec2Instance('i-1', 'running', [], tags({ Stage: 'qa', Sleep: 'yes' })),
          ec2Instance('i-2', 'running'),
        ],
      }),
      {
        environment: 'qa',
        environmentTagKey: 'Stage',
        autoScaleTagKey: 'Sleep',
        autoScaleTagValue: 'yes',
      },
    );

    // Assess
    expect(entries(plan.changes)).toEqual([
      {
        id: 'i-1',
        action: 'stop',
        reason: 'tagged Stage=qa and Sleep=yes',
        details: { kind: 'instance' },
      },
    ]);
    expect(entries(plan.skips)).toEqual([
      { id: 'i-2', action: 'stop', reason: 'not tagged Stage=qa' },
    ]);
  });

  it('saves a group’s sizes once, empties again a group scaled up since, and fails one whose saved sizes cannot be read', () => {
    // Act
    const plan = planScaleDown(
      inventory({
        groups: [
          scalingGroup('fresh', [2, 5, 3]),
          scaledDownScalingGroup('done', 'min=1,max=5,desired=2'),
          scalingGroup('again', [0, 4, 2], { 'nightshift:saved-size': 'min=2,max=4,desired=2' }),
          scalingGroup('edited', [2, 4, 2], { 'nightshift:saved-size': 'two' }),
          scalingGroup('opted-out', [1, 2, 1], {}, tags({ Environment: 'staging' })),
        ],
      }),
      scope,
    );

    // Assess
    expect(plan.changes).toEqual([
      {
        action: 'scale to 0',
        target: 'fresh',
        reason: 'saving min=2,max=5,desired=3',
        details: { kind: 'group', capacity: 3 },
        resource: 'group',
        size: { min: 2, max: 5, desired: 3 },
        saved: false,
      },
      {
        action: 'scale to 0',
        target: 'again',
        reason:
          'scaled up again to min=0,max=4,desired=2 since its sizes were saved; emptied again, saved min=2,max=4,desired=2 kept',
        details: { kind: 'group', capacity: 2 },
        resource: 'group',
        size: { min: 0, max: 4, desired: 2 },
        saved: true,
      },
    ]);
    expect(entries(plan.skips)).toEqual([
      {
        id: 'done',
        action: 'scale to 0',
        reason: 'already scaled down (saved min=1,max=5,desired=2)',
      },
      { id: 'opted-out', action: 'scale to 0', reason: 'not tagged AutoScale=true' },
    ]);
    expect(entries(plan.problems)).toEqual([
      {
        id: 'edited',
        action: 'scale to 0',
        reason:
          'saved sizes "two" are not min=N,max=N,desired=N with min <= desired <= max; left as it is: correct or remove the tag',
      },
    ]);
  });

  it('stops available databases and clusters tagged for it, with the note that AWS starts them after 7 days', () => {
    // Prepare
    const db1 = database('db-1', 'available');
    const aurora = cluster('aurora', 'available');

    // Act
    const plan = planScaleDown(
      inventory({
        databases: [
          db1,
          { ...database('aurora-1', 'available'), clusterId: 'aurora' },
          database('db-off', 'stopped'),
          database('db-busy', 'backing-up'),
          database(
            'db-prod',
            'available',
            [],
            tags({ Environment: 'production', AutoScale: 'true' }),
          ),
          database('db-opted-out', 'available', [], tags({ Environment: 'staging' })),
          aurora,
        ],
      }),
      scope,
    );

    // Assess
    const selection = 'tagged Environment=staging and AutoScale=true';
    expect(plan.changes).toEqual([
      {
        action: 'stop',
        target: 'db-1',
        reason: selection,
        details: { kind: 'db-instance' },
        resource: 'database',
        database: db1,
      },
      {
        action: 'stop',
        target: 'aurora',
        reason: selection,
        details: { kind: 'db-cluster' },
        resource: 'database',
        database: aurora,
      },
    ]);
    expect(entries(plan.skips)).toEqual([
      {
        id: 'aurora-1',
        action: 'stop',
        reason: 'member of cluster aurora: stopped with the cluster',
      },
      { id: 'db-off', action: 'stop', reason: 'already stopped' },
      { id: 'db-busy', action: 'stop', reason: 'status is backing-up, not available' },
    ]);
    expect(plan.notes).toEqual([RDS_RESTART_NOTE]);
  });

  it('notes nothing when no database is to stop', () => {
    const plan = planScaleDown(inventory({ databases: [database('db-off', 'stopped')] }), scope);
    expect(plan.notes).toEqual([]);
  });
});

describe('planScaleUp', () => {
  it('starts the marked stopped instances, unmarks those already up, and leaves the others their mark', () => {
    // Act
    const plan = planScaleUp(
      inventory({
        instances: [
          ec2Instance('i-1', 'stopped', [mark]),
          ec2Instance('i-up', 'running', [mark]),
          ec2Instance('i-booting', 'pending', [mark]),
          ec2Instance('i-stopping', 'stopping', [mark]),
          ec2Instance('i-person', 'stopped'),
          ec2Instance('i-upper', 'stopped', [mark], tags({ Environment: 'Staging' })),
        ],
      }),
      scope,
    );

    // Assess
    expect(plan.changes).toEqual([
      {
        action: 'start',
        target: 'i-1',
        reason: `stopped by scale_down at ${mark.Value}`,
        details: { kind: 'instance', stoppedSince: mark.Value },
        resource: 'instance',
        state: 'stopped',
      },
      {
        action: 'unmark',
        target: 'i-up',
        details: { kind: 'instance' },
        reason: 'already running',
        resource: 'instance',
        state: 'running',
      },
      {
        action: 'unmark',
        target: 'i-booting',
        details: { kind: 'instance' },
        reason: 'already pending',
        resource: 'instance',
        state: 'pending',
      },
    ]);
    expect(entries(plan.skips)).toEqual([
      {
        id: 'i-stopping',
        action: 'start',
        reason: 'is stopping; it keeps its mark, so the next scale_up starts it',
      },
      { id: 'i-person', action: 'start', reason: 'not marked by scale_down' },
      {
        id: 'i-upper',
        action: 'start',
        reason: 'tagged Environment=Staging, not Environment=staging',
      },
    ]);
  });

  it('restores the saved sizes of the environment’s groups, and fails a saved size it cannot read', () => {
    // Act
    const plan = planScaleUp(
      inventory({
        groups: [
          scaledDownScalingGroup('web', 'min=2,max=5,desired=3'),
          scaledDownScalingGroup('edited', 'lots'),
          scalingGroup('never-scaled', [1, 1, 1]),
          scaledDownScalingGroup(
            'upper',
            'min=1,max=2,desired=1',
            tags({ Environment: 'STAGING' }),
          ),
        ],
      }),
      scope,
    );

    // Assess
    expect(plan.changes).toEqual([
      {
        action: 'restore',
        target: 'web',
        reason: 'min=2,max=5,desired=3',
        details: { kind: 'group', capacity: 3 },
        resource: 'group',
        size: { min: 2, max: 5, desired: 3 },
      },
    ]);
    expect(entries(plan.problems)).toEqual([
      {
        id: 'edited',
        action: 'restore',
        reason: 'saved sizes "lots" are not min=N,max=N,desired=N with min <= desired <= max',
      },
    ]);
    expect(entries(plan.skips)).toEqual([
      {
        id: 'upper',
        action: 'restore',
        reason: 'tagged Environment=STAGING, not Environment=staging',
      },
    ]);
  });

  it('starts the environment’s marked stopped databases, unmarks those available, and never one of another environment', () => {
    // Prepare
    const stopped = markedDatabase('db-1');
    const available = markedDatabase('db-up', 'available');

    // Act
    const plan = planScaleUp(
      inventory({
        databases: [
          stopped,
          available,
          markedDatabase('db-busy', 'stopping'),
          database('db-person', 'stopped'),
          markedDatabase('db-prod', 'stopped', tags({ Environment: 'production' })),
          markedDatabase('db-upper', 'stopped', tags({ Environment: 'Staging' })),
        ],
      }),
      scope,
    );

    // Assess
    expect(plan.changes).toEqual([
      {
        action: 'start',
        target: 'db-1',
        reason: 'status stopped',
        details: { kind: 'db-instance', stoppedSince: mark.Value },
        resource: 'database',
        database: stopped,
      },
      {
        action: 'unmark',
        target: 'db-up',
        reason: 'status available',
        details: { kind: 'db-instance', stoppedSince: mark.Value },
        resource: 'database',
        database: available,
      },
    ]);
    expect(entries(plan.skips)).toEqual([
      {
        id: 'db-busy',
        action: 'start',
        reason: 'status is stopping; it keeps its mark, so the next scale_up starts it',
      },
    ]);
    expect(plan.notes).toEqual([]);
  });
});

describe('planIdleCheck', () => {
  const stats = (average: number, maximum: number, days: number): CpuStats => ({
    average,
    maximum,
    days,
  });

  it('flags an instance under the threshold idle, skips a busy one and one without data, and changes nothing', () => {
    // Act
    const plan = planIdleCheck(
      {
        instances: [
          ec2Instance('i-idle', 'running'),
          ec2Instance('i-busy', 'running'),
          ec2Instance('i-edge', 'running'),
          ec2Instance('i-new', 'running'),
        ],
        cpu: new Map([
          ['i-idle', stats(4, 20, 2)],
          ['i-busy', stats(45.678, 90, 14)],
          ['i-edge', stats(10, 10, 14)],
        ]),
      },
      { lookbackDays: 14, thresholdPercent: 10 },
    );

    // Assess
    expect(plan.changes).toEqual([]);
    expect(entries(plan.findings)).toEqual([
      {
        id: 'i-idle',
        action: 'flag idle',
        reason: 'average CPU 4.0% (daily maximum 20.0%) over 2 days, under 10%',
        details: { averageCpu: 4, maximumCpu: 20, days: 2 },
      },
    ]);
    expect(entries(plan.skips)).toEqual([
      {
        id: 'i-busy',
        action: 'check',
        reason: 'busy: average CPU 45.7% (daily maximum 90.0%) over 14 days',
        details: { averageCpu: 45.68, maximumCpu: 90, days: 14 },
      },
      {
        id: 'i-edge',
        action: 'check',
        reason: 'busy: average CPU 10.0% (daily maximum 10.0%) over 14 days',
        details: { averageCpu: 10, maximumCpu: 10, days: 14 },
      },
      { id: 'i-new', action: 'check', reason: 'no CPU data in the last 14 days' },
    ]);
  });
});

describe('the facts of stops and starts', () => {
  const detailsOf = (changes: { target: string; details?: unknown }[]) =>
    Object.fromEntries(changes.map((change) => [change.target, change.details]));

  it('gives each stop and scale to 0 what AWS said of the resource', () => {
    // Prepare
    const member = (id: string, instanceClass?: string) => ({
      ...database(id, 'available', [], tags({ Environment: 'staging' })),
      clusterId: 'aurora',
      ...(instanceClass ? { instanceClass } : {}),
    });

    // Act
    const plan = planScaleDown(
      inventory({
        instances: [
          { ...ec2Instance('i-typed', 'running'), instanceType: 'm5.large' },
          ec2Instance('i-bare', 'running'),
        ],
        groups: [
          {
            ...scalingGroup('web', [1, 4, 3]),
            instanceTypes: ['t3.small', 't3.small', 'm5.large'],
          },
          scalingGroup('idle', [1, 4, 0]),
        ],
        databases: [
          {
            ...database('db-1', 'available'),
            instanceClass: 'db.m6g.large',
            multiAz: true,
            engine: 'postgres',
          },
          { ...database('db-2', 'available'), multiAz: false },
          { ...cluster('aurora', 'available'), engine: 'aurora-mysql', multiAz: true },
          member('aurora-1', 'db.r6g.large'),
          member('aurora-2', 'db.r6g.xlarge'),
          member('aurora-3'),
          { ...member('other-1', 'db.t4g.micro'), clusterId: 'other' },
          cluster('bare', 'available'),
        ],
      }),
      scope,
    );

    // Assess
    expect(detailsOf(plan.changes)).toEqual({
      'i-typed': { kind: 'instance', instanceType: 'm5.large' },
      'i-bare': { kind: 'instance' },
      web: { kind: 'group', capacity: 3, instanceTypes: 't3.small,t3.small,m5.large' },
      idle: { kind: 'group', capacity: 0 },
      'db-1': {
        kind: 'db-instance',
        instanceType: 'db.m6g.large',
        multiAz: true,
        engine: 'postgres',
      },
      'db-2': { kind: 'db-instance', multiAz: false },
      aurora: {
        kind: 'db-cluster',
        engine: 'aurora-mysql',
        members: 'db.r6g.large,db.r6g.xlarge',
      },
      bare: { kind: 'db-cluster' },
    });
  });

  it('gives each start and restore its facts, and a start since when scale_down stopped it', () => {
    // Prepare
    const odd = { Key: 'nightshift:scaled-down', Value: 'last night' };

    // Act
    const plan = planScaleUp(
      inventory({
        instances: [
          { ...ec2Instance('i-1', 'stopped', [mark]), instanceType: 't3.micro' },
          ec2Instance('i-odd', 'stopped', [odd]),
          ec2Instance('i-up', 'running', [mark]),
        ],
        groups: [scaledDownScalingGroup('web', 'min=2,max=5,desired=3')],
        databases: [
          {
            ...markedDatabase('db-1'),
            instanceClass: 'db.t4g.micro',
            multiAz: false,
            engine: 'mysql',
          },
          database('db-odd', 'stopped', [odd]),
          {
            ...cluster('aurora', 'stopped', [mark]),
            engine: 'aurora-postgresql',
          },
          {
            ...database('aurora-1', 'stopped', [], tags({ Environment: 'staging' })),
            clusterId: 'aurora',
            instanceClass: 'db.r6g.large',
          },
        ],
      }),
      scope,
    );

    // Assess
    const since = mark.Value;
    expect(detailsOf(plan.changes)).toEqual({
      'i-1': { kind: 'instance', instanceType: 't3.micro', stoppedSince: since },
      'i-odd': { kind: 'instance' },
      // Found running: someone started it, so the stop ends here in the history.
      'i-up': { kind: 'instance' },
      web: { kind: 'group', capacity: 3 },
      'db-1': {
        kind: 'db-instance',
        instanceType: 'db.t4g.micro',
        multiAz: false,
        engine: 'mysql',
        stoppedSince: since,
      },
      'db-odd': { kind: 'db-instance' },
      aurora: {
        kind: 'db-cluster',
        engine: 'aurora-postgresql',
        members: 'db.r6g.large',
        stoppedSince: since,
      },
    });
  });
});
