import { dueState, parseSchedules } from '@nightshift/schedules';
import { describe, expect, it, vi } from 'vitest';
import {
  actualState,
  busyQueries,
  DEFAULT_NOTICE_MINUTES,
  localStamp,
  RDS_RESTART_DAYS,
  readLastAction,
  readOrder,
  stoppedSince,
} from '../../src/reconcile/plan.ts';
import type { ScheduledKind } from '../../src/reconcile/types.ts';
import {
  BERLIN_STOPPED,
  DAY,
  dbCluster,
  dbInstance,
  document,
  group,
  instance,
  NIGHT,
  OFFICE_RUNNING,
  planAt,
  resource,
  started,
  stopped,
  tags,
  UTC_STOPPED,
} from './planFixtures.ts';

// dueState as itself, counted: the plan reads each schedule's due state once per run.
vi.mock('@nightshift/schedules', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@nightshift/schedules')>();
  return { ...actual, dueState: vi.fn(actual.dueState) };
});

const at = (iso: string) => new Date(iso);
const minutesBefore = (instant: Date, minutes: number) =>
  new Date(instant.getTime() - minutes * 60_000);
const schedule = (name: string) => {
  const found = document.schedules[name];
  if (!found) throw new Error(`no schedule ${name}`);
  return found;
};
/** The transition at 19:00 in Berlin on the day of NIGHT. */
const EVENING_STOP = at('2026-12-01T18:00:00Z');
const PERSON = `running although due stopped: ${BERLIN_STOPPED}: changed by a person since the last transition, left alone until the next one`;

describe('actualState', () => {
  it.each([
    ['running', 'running'],
    ['stopped', 'stopped'],
    ['pending', 'starting'],
    ['stopping', 'stopping'],
    ['shutting-down', 'stopping'],
    ['terminated', 'other'],
    ['available', 'other'],
  ])('reads an instance %s as %s', (state, actual) => {
    expect(actualState({ kind: 'instance', state })).toBe(actual);
  });

  it.each(['db-instance', 'db-cluster'] as const)('reads a %s status', (kind) => {
    expect(actualState({ kind, state: 'available' })).toBe('running');
    expect(actualState({ kind, state: 'stopped' })).toBe('stopped');
    expect(actualState({ kind, state: 'starting' })).toBe('starting');
    expect(actualState({ kind, state: 'stopping' })).toBe('stopping');
    for (const state of ['backing-up', 'modifying', 'rebooting', 'running', 'pending', ''])
      expect(actualState({ kind, state })).toBe('other');
  });

  it('reads a group as given, anything else as other', () => {
    expect(actualState({ kind: 'group', state: 'running' })).toBe('running');
    expect(actualState({ kind: 'group', state: 'stopped' })).toBe('stopped');
    expect(actualState({ kind: 'group', state: 'pending' })).toBe('other');
    expect(actualState({ kind: 'group', state: 'constructor' })).toBe('other');
  });
});

describe('readLastAction', () => {
  const read = (value?: string) =>
    readLastAction(value === undefined ? [] : tags({ 'nightshift:last-action': value }));

  it('reads start as running and stop as stopped, with the time', () => {
    expect(read('start@2026-12-01T06:00:00.000Z')).toEqual({
      state: 'running',
      at: at('2026-12-01T06:00:00.000Z'),
    });
    expect(read(' stop@2026-12-01T19:00:00+01:00 ')).toEqual({
      state: 'stopped',
      at: at('2026-12-01T18:00:00Z'),
    });
    expect(read('stop@2026-12-01T18:00Z')).toEqual({ state: 'stopped', at: EVENING_STOP });
  });

  it('reads an absent or unreadable tag as never acted', () => {
    expect(readLastAction(undefined)).toBeUndefined();
    for (const value of [
      undefined,
      '',
      'start',
      'halt@2026-12-01T06:00:00.000Z',
      'start@yesterday',
      'start@2026-12-01',
      'start@2026-12-01T06:00:00',
      'xstart@2026-12-01T06:00:00Z',
      'start@2026-12-01T06:00:00Zx',
      'start@2026-13-45T06:00:00Z',
    ])
      expect(read(value), String(value)).toBeUndefined();
  });
});

describe('readOrder', () => {
  const read = (value?: string) =>
    readOrder(value === undefined ? [] : tags({ 'nightshift:order': value }));

  it('is 0 without the tag, else the integer it holds', () => {
    expect(read()).toBe(0);
    expect(readOrder(undefined)).toBe(0);
    expect(read('3')).toBe(3);
    expect(read(' -2 ')).toBe(-2);
    expect(read('999999')).toBe(999999);
    expect(read('-999999')).toBe(-999999);
    expect(Object.is(read('-0'), 0)).toBe(true);
  });

  it('is undefined for anything else', () => {
    for (const value of ['', ' ', 'one', '1.5', '1e3', '+1', '1234567', '- 1', '1 2', 'x1', '1x'])
      expect(read(value), value).toBeUndefined();
  });
});

describe('localStamp and stoppedSince', () => {
  it('formats the wall clock of the time zone', () => {
    expect(localStamp(at('2026-12-01T18:05:00Z'), 'Europe/Berlin')).toBe('2026-12-01 19:05');
    expect(localStamp(at('2026-12-01T23:09:59Z'), 'Europe/Berlin')).toBe('2026-12-02 00:09');
    expect(localStamp(at('2026-07-01T08:00:00Z'), 'UTC')).toBe('2026-07-01 08:00');
  });

  it('finds the whole minute the schedule said stopped since, on its clock', () => {
    const office = schedule('busy-office');
    expect(stoppedSince(office, at('2026-12-01T18:30:20Z'), 120)).toEqual(EVENING_STOP);
    expect(stoppedSince(office, at('2026-12-01T18:00:00Z'), 120)).toEqual(EVENING_STOP);
    expect(stoppedSince(office, at('2026-12-01T18:00:59Z'), 0)).toEqual(EVENING_STOP);
    // The last minute before the 07:00 start: stopped all night, whatever comes next.
    expect(stoppedSince(office, at('2026-12-01T05:59:30Z'), 120)).toEqual(
      at('2026-12-01T03:58:00Z'),
    );
    // At most maxMinutes + 1 minutes back.
    expect(stoppedSince(office, at('2026-12-01T22:00:00Z'), 120)).toEqual(
      at('2026-12-01T19:59:00Z'),
    );
    expect(stoppedSince(office, at('2026-12-01T22:00:00Z'), 0)).toEqual(at('2026-12-01T21:59:00Z'));
    // A UTC schedule stops at 18:00 UTC, a Berlin one at 18:00 UTC in winter, 17:00 in summer.
    expect(stoppedSince(office, at('2026-07-01T17:30:00Z'), 120)).toEqual(
      at('2026-07-01T17:00:00Z'),
    );
    expect(stoppedSince(schedule('utc-day'), at('2026-07-01T18:30:00Z'), 120)).toEqual(
      at('2026-07-01T18:00:00Z'),
    );
  });
});

describe('planReconcile: members of groups and clusters', () => {
  it('skips an instance of an Auto Scaling group and a DB instance of an Aurora cluster', () => {
    const plan = planAt(NIGHT, [
      instance('i-member', 'running', 'office-hours', {}, { groupName: 'web' }),
      dbInstance('db-member', 'available', 'no-such-schedule', {}, { clusterId: 'aurora-1' }),
      // A cluster id on an instance, a group name on a database: not members.
      instance('i-alone', 'running', 'office-hours', {}, { clusterId: 'aurora-1' }),
      dbInstance('db-alone', 'available', 'office-hours', {}, { groupName: 'web' }),
    ]);
    expect(plan.skips).toEqual([
      {
        action: 'leave',
        target: 'db-member',
        reason: 'handled through its Aurora cluster aurora-1',
        details: { kind: 'db-instance', schedule: 'no-such-schedule' },
      },
      {
        action: 'leave',
        target: 'i-member',
        reason: 'handled through its Auto Scaling group web',
        details: { kind: 'instance', schedule: 'office-hours' },
      },
    ]);
    expect(plan.problems).toEqual([]);
    expect(plan.changes.map((change) => [change.action, change.target])).toEqual([
      ['stop', 'db-alone'],
      ['stop', 'i-alone'],
    ]);
    expect(plan.inDueState).toBe(0);
  });
});

describe('planReconcile: problems', () => {
  it('names an unknown schedule and the known ones, and leaves the resource alone', () => {
    const plan = planAt(NIGHT, [instance('i-typo', 'running', ' office-hour ')]);
    expect(plan.changes).toEqual([]);
    expect(plan.skips).toEqual([]);
    expect(plan.problems).toEqual([
      {
        action: 'leave',
        target: 'i-typo',
        reason:
          'schedule "office-hour" (nightshift:schedule) is not in the schedules document (known: busy-office, office-hours, utc-day, utc-enforced); left alone until the tag or the document is corrected',
        details: { kind: 'instance', schedule: 'office-hour' },
      },
    ]);
    expect(plan.notes).toEqual([]);
    expect(plan.headsUp).toEqual([]);
  });

  it('says so when the document names no schedule, and never reads a name from the prototype', () => {
    const empty = parseSchedules({ schedules: {} });
    const plan = planAt(NIGHT, [instance('i-1', 'running', 'constructor')], {}, empty);
    expect(plan.problems.map((problem) => problem.reason)).toEqual([
      'schedule "constructor" (nightshift:schedule) is not in the schedules document (it names none); left alone until the tag or the document is corrected',
    ]);
    expect(busyQueries(empty, [instance('i-1', 'running', 'constructor')], NIGHT)).toEqual([]);
  });

  it('reads a missing schedule tag as the empty name', () => {
    const plan = planAt(NIGHT, [{ kind: 'instance', id: 'i-1', state: 'running', tags: [] }]);
    expect(plan.problems.map((problem) => [problem.reason, problem.details])).toEqual([
      [
        'schedule "" (nightshift:schedule) is not in the schedules document (known: busy-office, office-hours, utc-day, utc-enforced); left alone until the tag or the document is corrected',
        { kind: 'instance', schedule: '' },
      ],
    ]);
  });

  it('reads the schedule name trimmed', () => {
    const plan = planAt(NIGHT, [instance('i-1', 'running', '  office-hours\t')]);
    expect(plan.problems).toEqual([]);
    expect(plan.changes.map((change) => [change.action, change.schedule])).toEqual([
      ['stop', 'office-hours'],
    ]);
  });

  it('names a bad order tag and its value, and leaves the resource alone', () => {
    const plan = planAt(NIGHT, [
      instance('i-bad', 'running', 'office-hours', { 'nightshift:order': 'first' }),
    ]);
    expect(plan.changes).toEqual([]);
    expect(plan.problems).toEqual([
      {
        action: 'leave',
        target: 'i-bad',
        reason:
          'nightshift:order "first" is not an integer (like 1 or -2); left alone until it is corrected or removed',
        details: { kind: 'instance', schedule: 'office-hours' },
      },
    ]);
  });

  it('reports an unreadable snooze as a problem', () => {
    const plan = planAt(NIGHT, [
      instance('i-1', 'running', 'office-hours', { 'nightshift:snooze-until': 'tomorrow' }),
    ]);
    expect(plan.changes).toEqual([]);
    expect(plan.problems).toHaveLength(1);
    expect(plan.problems[0]?.reason).toMatch(/^nightshift:snooze-until "tomorrow" is not an ISO/);
    expect(plan.problems[0]?.details).toEqual({
      kind: 'instance',
      schedule: 'office-hours',
      due: 'stopped',
    });
  });
});

describe('planReconcile: transitions only', () => {
  it('stops a running instance due stopped that Nightshift never acted on', () => {
    const resource = instance('i-1', 'running');
    const plan = planAt(NIGHT, [resource]);
    expect(plan.changes).toEqual([
      {
        action: 'stop',
        target: 'i-1',
        reason: `due stopped: ${BERLIN_STOPPED}`,
        details: { kind: 'instance', schedule: 'office-hours', due: 'stopped' },
        resource,
        schedule: 'office-hours',
        order: 0,
        due: 'stopped',
        clearSnooze: false,
        hadError: false,
      },
    ]);
    expect(plan.skips).toEqual([]);
    expect(plan.problems).toEqual([]);
    expect(plan.inDueState).toBe(0);
  });

  it('starts what is due running after its stop, and records what is already running', () => {
    const db = dbInstance('db-1', 'stopped', 'office-hours', stopped('2026-11-30T18:00:00Z'));
    const app = instance('i-up', 'running');
    const plan = planAt(DAY, [db, app]);
    expect(plan.changes).toEqual([
      {
        action: 'start',
        target: 'db-1',
        reason: `due running: ${OFFICE_RUNNING}`,
        details: {
          kind: 'db-instance',
          schedule: 'office-hours',
          due: 'running',
          stoppedSince: '2026-11-30T18:00:00.000Z',
        },
        resource: db,
        schedule: 'office-hours',
        order: 0,
        due: 'running',
        clearSnooze: false,
        hadError: false,
      },
      {
        action: 'record',
        target: 'i-up',
        reason: `already running; due running: ${OFFICE_RUNNING}`,
        details: { kind: 'instance', schedule: 'office-hours', due: 'running' },
        resource: app,
        schedule: 'office-hours',
        order: 0,
        due: 'running',
        clearSnooze: false,
        hadError: false,
      },
    ]);
  });

  it("leaves a person's start during off-hours alone until the next transition", () => {
    const plan = planAt(NIGHT, [instance('i-1', 'running', 'office-hours', stopped(EVENING_STOP))]);
    expect(plan.changes).toEqual([]);
    expect(plan.skips).toEqual([
      {
        action: 'leave',
        target: 'i-1',
        reason: PERSON,
        details: { kind: 'instance', schedule: 'office-hours', due: 'stopped' },
      },
    ]);
    expect(plan.inDueState).toBe(0);
  });

  it('restores the due state of an enforced schedule over a person', () => {
    const plan = planAt(NIGHT, [instance('i-1', 'running', 'utc-enforced', stopped(EVENING_STOP))]);
    expect(plan.changes.map((change) => [change.action, change.target, change.reason])).toEqual([
      ['stop', 'i-1', `due stopped: ${UTC_STOPPED}`],
    ]);
  });

  it('counts what is in its due state, listing none of it', () => {
    const plan = planAt(NIGHT, [
      instance('i-stopped', 'stopped', 'office-hours', stopped(EVENING_STOP)),
      instance('i-stopping', 'stopping', 'office-hours', stopped(EVENING_STOP)),
      dbCluster('aurora-1', 'stopped', 'utc-day', stopped(EVENING_STOP)),
      group('web', 'stopped', 'office-hours', stopped(EVENING_STOP)),
    ]);
    expect(plan.changes).toEqual([]);
    expect(plan.skips).toEqual([]);
    expect(plan.inDueState).toBe(4);
    expect(plan.notes).toEqual([
      `office-hours (Europe/Berlin): due stopped (${BERLIN_STOPPED})`,
      `utc-day (UTC): due stopped (${UTC_STOPPED})`,
      '4 resources already in their due state',
    ]);

    const morning = planAt(DAY, [
      instance('i-pending', 'pending', 'office-hours', started('2026-12-01T06:00:00Z')),
      instance('i-running', 'running', 'office-hours', started('2026-12-01T06:00:00Z')),
    ]);
    expect(morning.inDueState).toBe(2);
    expect(morning.changes).toEqual([]);
  });

  it('lists what is left in between states, or was changed by a person, as skips', () => {
    const plan = planAt(NIGHT, [
      dbInstance('db-backup', 'backing-up'),
      instance('i-pending', 'pending'),
      // Stopped by a person during the day, after Nightshift started it.
      instance('i-day', 'stopped', 'office-hours', started('2026-12-01T06:00:00Z')),
    ]);
    expect(plan.changes.map((change) => [change.action, change.target])).toEqual([
      ['record', 'i-day'],
    ]);
    expect(plan.skips.map((skip) => [skip.target, skip.reason])).toEqual([
      ['db-backup', `other, due stopped: ${BERLIN_STOPPED}: left for the next run`],
      ['i-pending', `starting, due stopped: ${BERLIN_STOPPED}: left for the next run`],
    ]);
    expect(plan.inDueState).toBe(0);

    const day = planAt(DAY, [
      instance('i-person', 'stopped', 'office-hours', started('2026-12-01T06:00:00Z')),
      instance('i-stopping', 'stopping', 'office-hours', started('2026-12-01T06:00:00Z')),
    ]);
    expect(day.inDueState).toBe(0);
    expect(day.skips.map((skip) => skip.target)).toEqual(['i-person', 'i-stopping']);
  });

  it('says the last error comes off with the change, and the order when not 0', () => {
    const plan = planAt(NIGHT, [
      instance('i-1', 'running', 'office-hours', {
        'nightshift:last-error': 'InsufficientInstanceCapacity',
        'nightshift:order': ' 2 ',
      }),
    ]);
    expect(plan.changes[0]).toMatchObject({
      hadError: true,
      order: 2,
      details: { kind: 'instance', schedule: 'office-hours', due: 'stopped', order: 2 },
    });
  });
});

describe('planReconcile: snoozes', () => {
  it('leaves a snoozed resource alone until the snooze passes', () => {
    const plan = planAt(NIGHT, [
      instance('i-1', 'running', 'office-hours', {
        'nightshift:snooze-until': '2026-12-01T23:00:00+01:00',
      }),
      instance('i-in-due', 'stopped', 'office-hours', {
        'nightshift:snooze-until': '2026-12-01T22:00:00Z',
      }),
    ]);
    expect(plan.changes).toEqual([]);
    expect(plan.skips.map((skip) => [skip.target, skip.reason])).toEqual([
      ['i-1', `snoozed until 2026-12-01T22:00:00.000Z (due stopped: ${BERLIN_STOPPED})`],
    ]);
    expect(plan.inDueState).toBe(1);
  });

  it('takes a passed snooze off, alone when nothing else changes', () => {
    const resource = instance('i-1', 'stopped', 'office-hours', {
      ...stopped(EVENING_STOP),
      'nightshift:snooze-until': '2026-12-01T19:00:00Z',
      'nightshift:last-error': 'the last start failed',
    });
    const plan = planAt(NIGHT, [resource]);
    expect(plan.changes).toEqual([
      {
        action: 'clear snooze',
        target: 'i-1',
        reason: `snooze passed (nightshift:snooze-until comes off); already stopped (${BERLIN_STOPPED})`,
        details: { kind: 'instance', schedule: 'office-hours', due: 'stopped' },
        resource,
        schedule: 'office-hours',
        order: 0,
        due: 'stopped',
        clearSnooze: true,
        hadError: true,
      },
    ]);
    expect(plan.inDueState).toBe(0);
  });

  it('carries out a transition that fell inside a passed snooze, and takes the snooze off', () => {
    // Started in the morning, snoozed over the 19:00 stop until 20:30 Berlin time.
    const plan = planAt(NIGHT, [
      instance('i-1', 'running', 'office-hours', {
        ...started('2026-12-01T06:00:00Z'),
        'nightshift:snooze-until': '2026-12-01T20:30:00+01:00',
      }),
      dbInstance('db-1', 'available', 'office-hours', {
        ...started('2026-12-01T06:00:00Z'),
        'nightshift:snooze-until': '2026-12-01T20:00:00Z',
      }),
    ]);
    expect(
      plan.changes.map((change) => [change.action, change.target, change.clearSnooze]),
    ).toEqual([
      ['stop', 'db-1', true],
      ['stop', 'i-1', true],
    ]);
  });
});

describe('planReconcile: RDS 7-day restart', () => {
  const week = RDS_RESTART_DAYS * 24 * 60;

  it('stops again a database AWS started after exactly 7 days stopped', () => {
    const db = dbInstance('db-1', 'available', 'office-hours', stopped(minutesBefore(NIGHT, week)));
    const plan = planAt(NIGHT, [db]);
    expect(plan.changes).toEqual([
      {
        action: 'stop',
        target: 'db-1',
        reason: `AWS started it again after 7 days stopped (stopped at 2026-11-24T20:00:00.000Z); stopped again: due stopped: ${BERLIN_STOPPED}`,
        details: { kind: 'db-instance', schedule: 'office-hours', due: 'stopped' },
        resource: db,
        schedule: 'office-hours',
        order: 0,
        due: 'stopped',
        clearSnooze: false,
        hadError: false,
        restartedByAws: true,
      },
    ]);
  });

  it('treats a cluster the same, and an enforced schedule too', () => {
    const plan = planAt(NIGHT, [
      dbCluster('aurora-1', 'available', 'office-hours', stopped('2026-11-01T18:00:00Z')),
      dbCluster('aurora-2', 'available', 'utc-enforced', stopped('2026-11-01T18:00:00Z')),
    ]);
    expect(
      plan.changes.map((change) => [change.action, change.target, change.restartedByAws]),
    ).toEqual([
      ['stop', 'aurora-1', true],
      ['stop', 'aurora-2', true],
    ]);
  });

  it("leaves a database alone just under 7 days after its stop (a person's start)", () => {
    const plan = planAt(NIGHT, [
      dbInstance('db-1', 'available', 'office-hours', {
        'nightshift:last-action': `stop@${new Date(NIGHT.getTime() - week * 60_000 + 1).toISOString()}`,
      }),
    ]);
    expect(plan.changes).toEqual([]);
    expect(plan.skips.map((skip) => [skip.target, skip.reason])).toEqual([['db-1', PERSON]]);
  });

  it('never applies to an instance, a snoozed database, or a database due running', () => {
    const old = stopped('2026-11-01T18:00:00Z');
    const night = planAt(NIGHT, [
      instance('i-1', 'running', 'office-hours', old),
      group('web', 'running', 'office-hours', old),
      dbInstance('db-snoozed', 'available', 'office-hours', {
        ...old,
        'nightshift:snooze-until': '2026-12-02T06:00:00Z',
      }),
      dbInstance('db-modifying', 'modifying', 'office-hours', old),
      dbInstance('db-never', 'available', 'office-hours', started('2026-11-01T06:00:00Z')),
    ]);
    expect(night.changes.map((change) => [change.action, change.target])).toEqual([
      ['stop', 'db-never'],
    ]);
    expect(night.changes[0]?.restartedByAws).toBeUndefined();
    expect(night.skips.map((skip) => skip.target)).toEqual([
      'db-modifying',
      'db-snoozed',
      'web',
      'i-1',
    ]);
    const day = planAt(DAY, [dbInstance('db-1', 'available', 'office-hours', old)]);
    expect(day.changes.map((change) => [change.action, change.restartedByAws])).toEqual([
      ['record', undefined],
    ]);
  });

  it('stops again after a passed snooze, and takes the snooze off', () => {
    const plan = planAt(NIGHT, [
      dbInstance('db-1', 'available', 'office-hours', {
        ...stopped('2026-11-01T18:00:00Z'),
        'nightshift:snooze-until': '2026-12-01T19:00:00Z',
      }),
    ]);
    expect(plan.changes).toMatchObject([
      { action: 'stop', target: 'db-1', restartedByAws: true, clearSnooze: true },
    ]);
  });
});

describe('planReconcile: busy guard', () => {
  const busy = (id = 'i-busy') => instance(id, 'running', 'busy-office');
  const HALF_PAST = at('2026-12-01T18:30:00Z');

  it('defers the stop of a busy instance, until at most maxDeferMinutes after the stop on the schedule clock', () => {
    const plan = planAt(HALF_PAST, [busy()], { 'i-busy': 85.04 });
    expect(plan.changes).toEqual([]);
    expect(plan.skips).toEqual([
      {
        action: 'leave',
        target: 'i-busy',
        // 19:00 Berlin + 120 minutes: 21:00 Berlin.
        reason:
          'busy: CPU maximum 85% over the last 30 minutes is above 40%; stop deferred (at most until 2026-12-01 21:00 Europe/Berlin)',
        details: { kind: 'instance', schedule: 'busy-office', due: 'stopped' },
      },
    ]);
  });

  it('stops at the threshold, and without CPU data', () => {
    const plan = planAt(HALF_PAST, [busy('i-at'), busy('i-none'), busy('i-low')], {
      'i-at': 40,
      'i-low': 12.345,
    });
    expect(plan.skips).toEqual([]);
    expect(plan.changes.map((change) => [change.action, change.target, change.reason])).toEqual([
      [
        'stop',
        'i-at',
        `due stopped: ${BERLIN_STOPPED}; CPU maximum 40% over the last 30 minutes is not above 40%`,
      ],
      [
        'stop',
        'i-low',
        `due stopped: ${BERLIN_STOPPED}; CPU maximum 12.3% over the last 30 minutes is not above 40%`,
      ],
      [
        'stop',
        'i-none',
        `due stopped: ${BERLIN_STOPPED}; no CPU data over the last 30 minutes (busy guard)`,
      ],
    ]);
  });

  it('stops anyway at exactly maxDeferMinutes after the stop, and defers just before', () => {
    const expired = planAt(at('2026-12-01T20:00:00Z'), [busy()], { 'i-busy': 99 });
    expect(expired.skips).toEqual([]);
    expect(expired.changes.map((change) => [change.action, change.reason])).toEqual([
      [
        'stop',
        `busy: CPU maximum 99% over the last 30 minutes is above 40%; stopped anyway after deferring 120 minutes (due stopped: ${BERLIN_STOPPED})`,
      ],
    ]);
    const later = planAt(at('2026-12-02T03:00:00Z'), [busy()], { 'i-busy': 99 });
    expect(later.changes.map((change) => change.action)).toEqual(['stop']);

    const justBefore = planAt(at('2026-12-01T19:59:59.999Z'), [busy()], { 'i-busy': 99 });
    expect(justBefore.changes).toEqual([]);
    expect(justBefore.skips.map((skip) => skip.reason)).toEqual([
      'busy: CPU maximum 99% over the last 30 minutes is above 40%; stop deferred (at most until 2026-12-01 21:00 Europe/Berlin)',
    ]);
  });

  it('reads the stop time in the schedule time zone, summer time included', () => {
    // In July Berlin is UTC+2: the 19:00 stop is at 17:00 UTC, the deferral ends at 19:00 UTC.
    const plan = planAt(at('2026-07-01T18:59:00Z'), [busy()], { 'i-busy': 99 });
    expect(plan.skips.map((skip) => skip.reason)).toEqual([
      'busy: CPU maximum 99% over the last 30 minutes is above 40%; stop deferred (at most until 2026-07-01 21:00 Europe/Berlin)',
    ]);
    expect(planAt(at('2026-07-01T19:00:00Z'), [busy()], { 'i-busy': 99 }).changes).toHaveLength(1);
  });

  it('stops at once with maxDeferMinutes 0', () => {
    const noDefer = parseSchedules({
      schedules: {
        eager: {
          periods: [{ start: '08:00', stop: '18:00' }],
          busy: { cpuPercent: 50, minutes: 5, maxDeferMinutes: 0 },
        },
      },
    });
    const plan = planAt(
      at('2026-12-01T18:00:00Z'),
      [instance('i-1', 'running', 'eager')],
      { 'i-1': 90 },
      noDefer,
    );
    expect(plan.changes.map((change) => change.reason)).toEqual([
      `busy: CPU maximum 90% over the last 5 minutes is above 50%; stopped anyway after deferring 0 minutes (due stopped: ${UTC_STOPPED})`,
    ]);
  });

  it('guards only the stops of instances on a schedule with busy', () => {
    const plan = planAt(
      NIGHT,
      [
        instance('i-plain', 'running', 'office-hours'),
        dbInstance('db-1', 'available', 'busy-office'),
        group('web', 'running', 'busy-office'),
      ],
      { 'i-plain': 99, 'db-1': 99, web: 99 },
    );
    expect(plan.changes.map((change) => [change.action, change.target, change.reason])).toEqual([
      ['stop', 'db-1', `due stopped: ${BERLIN_STOPPED}`],
      ['stop', 'web', `due stopped: ${BERLIN_STOPPED}`],
      ['stop', 'i-plain', `due stopped: ${BERLIN_STOPPED}`],
    ]);
    const day = planAt(DAY, [instance('i-1', 'running', 'busy-office')], { 'i-1': 99 });
    expect(day.changes.map((change) => [change.action, change.reason])).toEqual([
      ['record', `already running; due running: ${OFFICE_RUNNING}`],
    ]);
  });

  it('takes a passed snooze off even while the stop is deferred', () => {
    const plan = planAt(
      HALF_PAST,
      [
        instance('i-busy', 'running', 'busy-office', {
          'nightshift:snooze-until': '2026-12-01T18:15:00Z',
        }),
      ],
      { 'i-busy': 85 },
    );
    expect(plan.changes.map((change) => [change.action, change.reason])).toEqual([
      [
        'clear snooze',
        'snooze passed (nightshift:snooze-until comes off); busy: CPU maximum 85% over the last 30 minutes is above 40%; stop deferred (at most until 2026-12-01 21:00 Europe/Berlin)',
      ],
    ]);
  });
});

describe('busyQueries', () => {
  it('asks for every running instance due stopped on a schedule with busy, over its minutes', () => {
    const resources = [
      instance('i-2', 'running', 'busy-office'),
      instance('i-1', 'running', ' busy-office '),
      instance('i-stopped', 'stopped', 'busy-office'),
      instance('i-pending', 'pending', 'busy-office'),
      instance('i-member', 'running', 'busy-office', {}, { groupName: 'web' }),
      instance('i-plain', 'running', 'office-hours'),
      instance('i-unknown', 'running', 'nope'),
      dbInstance('db-1', 'available', 'busy-office'),
      group('web', 'running', 'busy-office'),
    ];
    expect(busyQueries(document, resources, NIGHT)).toEqual([
      { id: 'i-1', minutes: 30 },
      { id: 'i-2', minutes: 30 },
    ]);
    expect(busyQueries(document, resources, DAY)).toEqual([]);
    expect(busyQueries(document, [], NIGHT)).toEqual([]);
  });
});

describe('planReconcile: order across runs', () => {
  it('defers a start while a lower order due running is still starting', () => {
    const plan = planAt(DAY, [
      dbInstance('db-b', 'starting', 'office-hours', { 'nightshift:order': '1' }),
      dbInstance('db-a', 'starting', 'office-hours', { 'nightshift:order': '1' }),
      instance('i-zero', 'pending', 'office-hours', { 'nightshift:order': '0' }),
      instance('i-app', 'stopped', 'office-hours', { 'nightshift:order': '2' }),
      instance('i-peer', 'stopped', 'office-hours', { 'nightshift:order': '1' }),
      instance('i-first', 'stopped', 'office-hours', { 'nightshift:order': '-1' }),
    ]);
    expect(plan.skips).toEqual([
      {
        action: 'leave',
        target: 'i-app',
        reason: 'waits for order 0: i-zero starting',
        details: { kind: 'instance', schedule: 'office-hours', due: 'running', order: 2 },
      },
      {
        action: 'leave',
        target: 'i-peer',
        reason: 'waits for order 0: i-zero starting',
        details: { kind: 'instance', schedule: 'office-hours', due: 'running', order: 1 },
      },
    ]);
    expect(plan.changes.map((change) => [change.action, change.target])).toEqual([
      ['record', 'db-a'],
      ['record', 'db-b'],
      ['start', 'i-first'],
      ['record', 'i-zero'],
    ]);
    const later = planAt(DAY, [
      dbInstance('db-b', 'starting', 'office-hours', { 'nightshift:order': '1' }),
      dbInstance('db-a', 'starting', 'office-hours', { 'nightshift:order': '1' }),
      instance('i-app', 'stopped', 'office-hours', { 'nightshift:order': '2' }),
      // The same order never waits for itself.
      instance('i-same', 'stopped', 'office-hours', { 'nightshift:order': '1' }),
    ]);
    expect(later.skips.map((skip) => skip.reason)).toEqual([
      'waits for order 1: db-a, db-b starting',
    ]);
    expect(later.changes.map((change) => [change.action, change.target])).toEqual([
      ['record', 'db-a'],
      ['record', 'db-b'],
      ['start', 'i-same'],
    ]);
  });

  it('defers a stop while a higher order due stopped is still stopping', () => {
    const plan = planAt(NIGHT, [
      instance('i-app', 'stopping', 'office-hours', { 'nightshift:order': '2' }),
      instance('i-web', 'stopping', 'office-hours', { 'nightshift:order': '3' }),
      dbInstance('db-1', 'available', 'office-hours', { 'nightshift:order': '1' }),
      instance('i-late', 'running', 'office-hours', { 'nightshift:order': '4' }),
      instance('i-peer', 'running', 'office-hours', { 'nightshift:order': '3' }),
    ]);
    // The highest order stopping goes first: the database waits for it, not for order 2.
    expect(plan.skips).toEqual([
      {
        action: 'leave',
        target: 'db-1',
        reason: 'waits for order 3: i-web stopping',
        details: { kind: 'db-instance', schedule: 'office-hours', due: 'stopped', order: 1 },
      },
    ]);
    expect(plan.changes.map((change) => [change.action, change.target])).toEqual([
      ['record', 'i-app'],
      ['stop', 'i-late'],
      ['stop', 'i-peer'],
      ['record', 'i-web'],
    ]);
  });

  it('counts only resources due in the state they are moving to, on any schedule', () => {
    const plan = planAt(at('2026-12-01T19:00:00Z'), [
      // utc-day is due stopped at 19:00 UTC: its starting instance holds no start back.
      instance('i-other', 'pending', 'utc-day', { 'nightshift:order': '0' }),
      // office-hours is stopped too: a stop of order 0 waits for order 1 stopping on utc-day.
      instance('i-utc', 'stopping', 'utc-day', { 'nightshift:order': '1' }),
      instance('i-office', 'running', 'office-hours', { 'nightshift:order': '0' }),
    ]);
    expect(plan.skips.map((skip) => [skip.target, skip.reason])).toEqual([
      ['i-office', 'waits for order 1: i-utc stopping'],
      ['i-other', `starting, due stopped: ${UTC_STOPPED}: left for the next run`],
    ]);
    // 08:00 in Berlin, 07:00 UTC: office hours are due running, utc-day still stopped.
    const morning = planAt(at('2026-12-01T07:00:00Z'), [
      instance('i-boot', 'pending', 'utc-day', { 'nightshift:order': '0' }),
      instance('i-web', 'stopped', 'office-hours', { 'nightshift:order': '1' }),
      instance('i-drain', 'stopping', 'office-hours', { 'nightshift:order': '5' }),
      instance('i-batch', 'running', 'utc-day', { 'nightshift:order': '0' }),
    ]);
    expect(morning.changes.map((change) => [change.action, change.target])).toEqual([
      ['stop', 'i-batch'],
      ['start', 'i-web'],
    ]);
    expect(morning.skips.map((skip) => skip.target)).toEqual(['i-boot', 'i-drain']);
  });

  it('takes a passed snooze off while the start waits', () => {
    const plan = planAt(DAY, [
      instance('i-db', 'pending', 'office-hours', { 'nightshift:order': '-5' }),
      instance('i-app', 'stopped', 'office-hours', {
        'nightshift:snooze-until': '2026-12-01T08:00:00Z',
      }),
    ]);
    expect(plan.changes.map((change) => [change.action, change.target, change.reason])).toEqual([
      [
        'clear snooze',
        'i-app',
        'snooze passed (nightshift:snooze-until comes off); waits for order -5: i-db starting',
      ],
      ['record', 'i-db', `already starting; due running: ${OFFICE_RUNNING}`],
    ]);
    // Without nightshift:last-error, none comes off.
    expect(plan.changes[0]).toMatchObject({
      order: 0,
      due: 'running',
      clearSnooze: true,
      hadError: false,
    });
  });
});

describe('planReconcile: groups', () => {
  it('starts a group with its saved sizes, and skips one without', () => {
    const saved = group('web', 'stopped', 'office-hours', {
      ...stopped('2026-11-30T18:00:00Z'),
      'nightshift:saved-size': 'min=1,max=4,desired=2',
    });
    const plan = planAt(DAY, [
      saved,
      group('api', 'stopped'),
      group('bad', 'stopped', 'office-hours', { 'nightshift:saved-size': 'min=3,max=1,desired=2' }),
    ]);
    expect(plan.changes).toEqual([
      {
        action: 'start',
        target: 'web',
        reason: `due running: ${OFFICE_RUNNING}`,
        details: {
          kind: 'group',
          schedule: 'office-hours',
          due: 'running',
          capacity: 2,
          stoppedSince: '2026-11-30T18:00:00.000Z',
        },
        resource: saved,
        schedule: 'office-hours',
        order: 0,
        due: 'running',
        clearSnooze: false,
        hadError: false,
        restoreSize: { min: 1, max: 4, desired: 2 },
      },
    ]);
    const reason =
      'min and desired 0 and no saved sizes (nightshift:saved-size) to restore: set its sizes by hand';
    expect(plan.skips).toEqual([
      {
        action: 'leave',
        target: 'api',
        reason,
        details: { kind: 'group', schedule: 'office-hours', due: 'running' },
      },
      {
        action: 'leave',
        target: 'bad',
        reason,
        details: { kind: 'group', schedule: 'office-hours', due: 'running' },
      },
    ]);
    expect(plan.problems).toEqual([]);
  });

  it('says whether a group it stops has its sizes saved already', () => {
    const plan = planAt(NIGHT, [
      group('new', 'running'),
      group('kept', 'running', 'office-hours', {
        'nightshift:saved-size': 'min=1,max=4,desired=2',
      }),
      group('edited', 'running', 'office-hours', { 'nightshift:saved-size': 'two' }),
    ]);
    expect(
      plan.changes.map((change) => [
        change.action,
        change.target,
        change.sizesSaved,
        change.restoreSize,
      ]),
    ).toEqual([
      ['stop', 'edited', false, undefined],
      ['stop', 'kept', true, undefined],
      ['stop', 'new', false, undefined],
    ]);
    const recorded = planAt(DAY, [group('up', 'running', 'office-hours')]);
    expect(recorded.changes).toHaveLength(1);
    expect(recorded.changes[0]).not.toHaveProperty('sizesSaved');
    expect(recorded.changes[0]).not.toHaveProperty('restoreSize');
    expect(recorded.changes[0]).not.toHaveProperty('restartedByAws');
  });
});

describe('planReconcile: facts of stops and starts', () => {
  const detailsOf = (plan: ReturnType<typeof planAt>) =>
    Object.fromEntries(plan.changes.map((change) => [change.target, change.details]));

  it('gives each stop what AWS said of the resource: type, class, Multi-AZ, engine, member classes, capacity and instance types', () => {
    const plan = planAt(NIGHT, [
      instance('i-1', 'running', 'office-hours', {}, { instanceType: 't3.micro' }),
      dbInstance(
        'db-1',
        'available',
        'office-hours',
        {},
        { instanceType: 'db.m6g.large', multiAz: true, engine: 'postgres' },
      ),
      dbInstance('db-2', 'available', 'office-hours', {}, { multiAz: false }),
      resource(
        'db-cluster',
        'aurora',
        'available',
        'office-hours',
        {},
        { engine: 'aurora-postgresql', members: ['db.r6g.large', 'db.r6g.large'] },
      ),
      resource(
        'group',
        'web',
        'running',
        'office-hours',
        {},
        {
          size: { min: 1, max: 4, desired: 3 },
          instanceTypes: ['t3.small', 't3.small', 'm5.large'],
        },
      ),
    ]);
    const base = { schedule: 'office-hours', due: 'stopped' };
    expect(detailsOf(plan)).toEqual({
      'i-1': { ...base, kind: 'instance', instanceType: 't3.micro' },
      'db-1': {
        ...base,
        kind: 'db-instance',
        instanceType: 'db.m6g.large',
        multiAz: true,
        engine: 'postgres',
      },
      'db-2': { ...base, kind: 'db-instance', multiAz: false },
      aurora: {
        ...base,
        kind: 'db-cluster',
        engine: 'aurora-postgresql',
        members: 'db.r6g.large,db.r6g.large',
      },
      web: { ...base, kind: 'group', capacity: 3, instanceTypes: 't3.small,t3.small,m5.large' },
    });
  });

  it('gives a start since when Nightshift had it stopped, and the capacity a group gets back', () => {
    const plan = planAt(DAY, [
      instance('i-1', 'stopped', 'office-hours', stopped('2026-11-30T18:00:00Z'), {
        instanceType: 't3.micro',
      }),
      instance('i-never', 'stopped', 'office-hours', {}, { instanceType: 't3.micro' }),
      instance('i-odd', 'stopped', 'office-hours', {
        'nightshift:last-action': 'stop@yesterday',
      }),
      resource(
        'group',
        'web',
        'stopped',
        'office-hours',
        {
          ...stopped('2026-11-30T18:00:05.250Z'),
          'nightshift:saved-size': 'min=1,max=4,desired=3',
        },
        { size: { min: 0, max: 4, desired: 0 } },
      ),
    ]);
    const base = { schedule: 'office-hours', due: 'running' };
    expect(detailsOf(plan)).toEqual({
      'i-1': {
        ...base,
        kind: 'instance',
        instanceType: 't3.micro',
        stoppedSince: '2026-11-30T18:00:00.000Z',
      },
      'i-never': { ...base, kind: 'instance', instanceType: 't3.micro' },
      'i-odd': { ...base, kind: 'instance' },
      web: { ...base, kind: 'group', capacity: 3, stoppedSince: '2026-11-30T18:00:05.250Z' },
    });
  });

  it('gives no capacity to a group whose sizes were not read', () => {
    const plan = planAt(NIGHT, [resource('group', 'web', 'running', 'office-hours')]);
    expect(detailsOf(plan)).toEqual({
      web: { kind: 'group', schedule: 'office-hours', due: 'stopped' },
    });
    expect(plan.changes[0]?.details).not.toHaveProperty('capacity');
  });

  it('gives the facts to stops and starts only, never to what is recorded or left alone', () => {
    const facts = { instanceType: 't3.micro' };
    const plan = planAt(DAY, [
      instance('i-up', 'running', 'office-hours', {}, facts),
      instance('i-person', 'stopped', 'office-hours', started('2026-12-01T06:00:00Z'), facts),
      instance('i-member', 'running', 'office-hours', {}, { ...facts, groupName: 'web' }),
    ]);
    expect(plan.changes.map((change) => [change.action, change.details])).toEqual([
      ['record', { kind: 'instance', schedule: 'office-hours', due: 'running' }],
    ]);
    expect(plan.skips.map((skip) => skip.details)).toEqual([
      { kind: 'instance', schedule: 'office-hours' },
      { kind: 'instance', schedule: 'office-hours', due: 'running' },
    ]);
  });
});

describe('planReconcile: order of the lists', () => {
  it('sorts every list by kind, then id', () => {
    const kinds: ScheduledKind[] = ['instance', 'group', 'db-instance', 'db-cluster'];
    const make = (kind: ScheduledKind, id: string, state: string, more = {}) =>
      kind === 'instance'
        ? instance(id, state, 'office-hours', more)
        : kind === 'group'
          ? group(id, state as 'running', 'office-hours', more)
          : kind === 'db-instance'
            ? dbInstance(id, state === 'running' ? 'available' : state, 'office-hours', more)
            : dbCluster(id, state === 'running' ? 'available' : state, 'office-hours', more);
    const resources = kinds.flatMap((kind) => [
      make(kind, 'b', 'running'),
      make(kind, 'a', 'running'),
      make(kind, 'd', 'running', stopped(EVENING_STOP)),
      make(kind, 'c', 'running', stopped(EVENING_STOP)),
      make(kind, 'f', 'running', { 'nightshift:order': 'x' }),
      make(kind, 'e', 'running', { 'nightshift:order': 'y' }),
    ]);
    const plan = planAt(NIGHT, resources);
    const sorted = ['db-cluster', 'db-instance', 'group', 'instance'];
    expect(plan.changes.map((change) => `${change.resource.kind}/${change.target}`)).toEqual(
      sorted.flatMap((kind) => [`${kind}/a`, `${kind}/b`]),
    );
    expect(plan.skips.map((skip) => `${skip.details?.kind}/${skip.target}`)).toEqual(
      sorted.flatMap((kind) => [`${kind}/c`, `${kind}/d`]),
    );
    expect(plan.problems.map((problem) => `${problem.details?.kind}/${problem.target}`)).toEqual(
      sorted.flatMap((kind) => [`${kind}/e`, `${kind}/f`]),
    );
  });
});

describe('planReconcile: work per run', () => {
  const reads = (now: Date, resources: Parameters<typeof planAt>[1], cpu = {}) => {
    vi.mocked(dueState).mockClear();
    planAt(now, resources, cpu);
    return vi.mocked(dueState).mock.calls.length;
  };

  it('reads the due state of a schedule once, however many resources are on it', () => {
    expect(reads(DAY, [instance('i-1', 'running')])).toBe(1);
    expect(
      reads(DAY, [
        instance('i-1', 'running'),
        instance('i-2', 'stopped'),
        dbInstance('db-1', 'available'),
        instance('i-3', 'running', 'utc-day'),
      ]),
    ).toBe(2);
  });

  it('finds the transition of a busy schedule once, however many instances are busy', () => {
    const halfPast = at('2026-12-01T18:30:00Z');
    const one = reads(halfPast, [instance('i-1', 'running', 'busy-office')], { 'i-1': 90 });
    // The due state, and the 30 minutes since the stop plus the minute before it.
    expect(one).toBe(1 + 31);
    const two = reads(
      halfPast,
      [instance('i-1', 'running', 'busy-office'), instance('i-2', 'running', 'busy-office')],
      { 'i-1': 90, 'i-2': 95 },
    );
    expect(two).toBe(one);
  });
});

describe('planReconcile: heads-up', () => {
  it('lists the running resources of a schedule whose stop is due within 30 minutes', () => {
    const plan = planAt(at('2026-12-01T17:45:00Z'), [
      instance('i-2', 'running'),
      instance('i-1', 'pending'),
      dbInstance('db-1', 'available'),
      instance('i-off', 'stopped'),
      instance('i-member', 'running', 'office-hours', {}, { groupName: 'web' }),
      instance('i-problem', 'running', 'office-hours', { 'nightshift:snooze-until': 'soon' }),
      instance('i-bad-order', 'running', 'office-hours', { 'nightshift:order': 'z' }),
      instance('i-snoozed', 'running', 'office-hours', {
        'nightshift:snooze-until': '2026-12-01T18:00:01Z',
      }),
      instance('i-snooze-ends', 'running', 'office-hours', {
        'nightshift:snooze-until': '2026-12-01T19:00:00+01:00',
      }),
      // Snoozed past the stop, however the time is written.
      instance('i-snoozed-offset', 'running', 'office-hours', {
        'nightshift:snooze-until': '2026-12-01T19:30:00+01:00',
      }),
      instance('i-snoozed-fraction', 'running', 'office-hours', {
        'nightshift:snooze-until': '2026-12-01T18:00:00.5Z',
      }),
      instance('i-snoozed-spaces', 'running', 'office-hours', {
        'nightshift:snooze-until': ' 2026-12-01T18:30Z ',
      }),
    ]);
    expect(plan.headsUp).toEqual([
      {
        schedule: 'office-hours',
        timezone: 'Europe/Berlin',
        stopAt: '2026-12-01T18:00:00.000Z',
        localStopAt: '2026-12-01 19:00',
        resources: [
          { kind: 'db-instance', id: 'db-1' },
          { kind: 'instance', id: 'i-1' },
          { kind: 'instance', id: 'i-2' },
          { kind: 'instance', id: 'i-snooze-ends' },
        ],
      },
    ]);
  });

  it('looks 30 minutes ahead by default, and as far as the schedule notice says', () => {
    expect(DEFAULT_NOTICE_MINUTES).toBe(30);
    const office = [instance('i-1', 'running')];
    expect(planAt(at('2026-12-01T17:30:00Z'), office).headsUp).toHaveLength(1);
    expect(planAt(at('2026-12-01T17:29:59Z'), office).headsUp).toEqual([]);
    const utc = [instance('i-1', 'running', 'utc-day')];
    expect(planAt(at('2026-12-01T16:30:00Z'), utc).headsUp).toEqual([
      {
        schedule: 'utc-day',
        timezone: 'UTC',
        stopAt: '2026-12-01T18:00:00.000Z',
        localStopAt: '2026-12-01 18:00',
        resources: [{ kind: 'instance', id: 'i-1' }],
      },
    ]);
    expect(planAt(at('2026-12-01T16:29:00Z'), utc).headsUp).toEqual([]);
  });

  it('gives none when the next change is a start, or no resource would be stopped', () => {
    // Stopped in the morning before 07:00 Berlin: the next change is the start.
    expect(planAt(at('2026-12-01T05:45:00Z'), [instance('i-1', 'running')]).headsUp).toEqual([]);
    const soon = at('2026-12-01T17:45:00Z');
    expect(planAt(soon, []).headsUp).toEqual([]);
    expect(planAt(soon, [instance('i-1', 'stopped')]).headsUp).toEqual([]);
    expect(
      planAt(soon, [
        instance('i-1', 'running', 'office-hours', {
          'nightshift:snooze-until': '2026-12-02T06:00:00Z',
        }),
      ]).headsUp,
    ).toEqual([]);
    // One per schedule with resources: utc-day's stop is 15 minutes away too.
    const both = planAt(soon, [instance('i-1', 'running'), group('web', 'running', 'utc-day')]);
    expect(both.headsUp.map((notice) => [notice.schedule, notice.resources])).toEqual([
      ['office-hours', [{ kind: 'instance', id: 'i-1' }]],
      ['utc-day', [{ kind: 'group', id: 'web' }]],
    ]);
  });
});

describe('planReconcile: notes', () => {
  it('has one line per schedule in use, in name order, and the count in due state', () => {
    const plan = planAt(DAY, [
      instance('i-1', 'running', 'utc-day', started('2026-12-01T08:00:00Z')),
      instance('i-2', 'running', 'office-hours'),
      instance('i-3', 'running', 'office-hours', started('2026-12-01T06:00:00Z')),
      instance('i-member', 'running', 'busy-office', {}, { groupName: 'web' }),
      instance('i-unknown', 'running', 'nope'),
    ]);
    expect(plan.notes).toEqual([
      `office-hours (Europe/Berlin): due running (${OFFICE_RUNNING})`,
      'utc-day (UTC): due running (inside every day 08:00-18:00 (UTC))',
      '2 resources already in their due state',
    ]);
    expect(planAt(DAY, []).notes).toEqual([]);
    expect(planAt(DAY, [instance('i-2', 'stopped', 'office-hours')]).notes).toEqual([
      `office-hours (Europe/Berlin): due running (${OFFICE_RUNNING})`,
    ]);
  });

  it('says a holiday in the time zone', () => {
    // 23:30 UTC on the 23rd is already the 24th in Berlin.
    const plan = planAt(at('2026-12-23T23:30:00Z'), [instance('i-1', 'running')]);
    expect(plan.notes).toEqual([
      'office-hours (Europe/Berlin): due stopped (holiday 2026-12-24 (Europe/Berlin))',
    ]);
    expect(plan.changes.map((change) => change.action)).toEqual(['stop']);
  });
});
