import { describe, expect, it } from 'vitest';
import { type ActualState, decideForSchedule, type ScheduledResource } from '../src/decide.ts';

const now = new Date('2026-12-01T20:00:00Z');
const stopped = { due: 'stopped' as const, reason: 'outside every period (UTC)' };
const running = { due: 'running' as const, reason: 'inside every day 07:00-19:00 (UTC)' };
const decide = (resource: Partial<ScheduledResource>) =>
  decideForSchedule({ due: stopped, actual: 'running', enforced: false, now, ...resource });

describe('Deciding for a scheduled resource', () => {
  it.each<[ScheduledResource['due'], ActualState, string]>([
    [stopped, 'running', 'stop'],
    [stopped, 'stopped', 'record'],
    [stopped, 'stopping', 'record'],
    [stopped, 'starting', 'leave'],
    [stopped, 'other', 'leave'],
    [running, 'stopped', 'start'],
    [running, 'running', 'record'],
    [running, 'starting', 'record'],
    [running, 'stopping', 'leave'],
    [running, 'other', 'leave'],
  ])('acts on a resource Nightshift never acted on, case %#: %s → %s', (due, actual, action) => {
    expect(decide({ due, actual }).action).toBe(action);
  });

  it('acts on a transition: the due state changed since Nightshift last acted', () => {
    expect(decide({ due: stopped, actual: 'running', lastActed: 'running' })).toEqual({
      action: 'stop',
      reason: 'due stopped: outside every period (UTC)',
      clearSnooze: false,
    });
    expect(decide({ due: running, actual: 'stopped', lastActed: 'stopped' }).action).toBe('start');
  });

  it('leaves alone an instance a person started after the stop, until the next transition', () => {
    const decision = decide({ due: stopped, actual: 'running', lastActed: 'stopped' });
    expect(decision.action).toBe('leave');
    expect(decision.reason).toBe(
      'running although due stopped: outside every period (UTC): changed by a person since the last transition, left alone until the next one',
    );
    expect(decide({ due: running, actual: 'stopped', lastActed: 'running' }).action).toBe('leave');
  });

  it('says a resource in its due state and already marked so is already there', () => {
    expect(decide({ due: stopped, actual: 'stopped', lastActed: 'stopped' }).reason).toBe(
      'already stopped (outside every period (UTC))',
    );
    expect(decide({ due: running, actual: 'starting', lastActed: 'running' }).reason).toBe(
      'already running (inside every day 07:00-19:00 (UTC))',
    );
  });

  it('says what it does with a resource already in its due state, or between states', () => {
    expect(decide({ due: stopped, actual: 'stopping' }).reason).toBe(
      'already stopping; due stopped: outside every period (UTC)',
    );
    expect(decide({ due: running, actual: 'starting' }).reason).toBe(
      'already starting; due running: inside every day 07:00-19:00 (UTC)',
    );
    expect(decide({ due: stopped, actual: 'starting' }).reason).toBe(
      'starting, due stopped: outside every period (UTC): left for the next run',
    );
  });

  it('counts a stop or start under way as the due state, and the opposite as a person’s change', () => {
    expect(decide({ due: stopped, actual: 'stopping', lastActed: 'stopped' }).reason).toBe(
      'already stopped (outside every period (UTC))',
    );
    expect(decide({ due: stopped, actual: 'starting', lastActed: 'stopped' }).reason).toContain(
      'changed by a person',
    );
    expect(decide({ due: running, actual: 'stopping', lastActed: 'running' }).reason).toContain(
      'changed by a person',
    );
  });

  it('reads a snooze written with seconds, fractions, an offset or spaces around it', () => {
    for (const snoozeUntil of [
      '2026-12-01T21:00Z',
      '2026-12-01T21:00:00.123+05:30',
      ' 2026-12-02T08:00:00Z ',
    ])
      expect(decide({ snoozeUntil }).problem, snoozeUntil).toBeUndefined();
    for (const snoozeUntil of [
      'x2026-12-01T21:00:00Z',
      '2026-12-01T21:00:00Zx',
      '2026-12-01T21:00:00+0100',
    ])
      expect(decide({ snoozeUntil }).problem, snoozeUntil).toBe(true);
  });

  it('restores the due state on every run of an enforced schedule', () => {
    expect(
      decide({ due: stopped, actual: 'running', lastActed: 'stopped', enforced: true }).action,
    ).toBe('stop');
    expect(
      decide({ due: running, actual: 'stopped', lastActed: 'running', enforced: true }).action,
    ).toBe('start');
  });

  it('leaves a snoozed resource alone until the snooze has passed', () => {
    const decision = decide({ snoozeUntil: '2026-12-01T22:00:00+01:00' });
    expect(decision).toEqual({
      action: 'leave',
      reason: 'snoozed until 2026-12-01T21:00:00.000Z (due stopped: outside every period (UTC))',
      clearSnooze: false,
    });
    // 21:00 at +01:00 is 20:00Z, now: the snooze ends as it is reached.
    expect(decide({ snoozeUntil: '2026-12-01T21:00:00+01:00' })).toMatchObject({
      action: 'stop',
      clearSnooze: true,
    });
    expect(
      decideForSchedule({
        due: stopped,
        actual: 'running',
        enforced: false,
        now: new Date('2026-12-01T20:00:00.001Z'),
        snoozeUntil: '2026-12-01T21:00:00+01:00',
      }).action,
    ).toBe('stop');
    expect(decide({ snoozeUntil: '2026-12-02T08:00:00Z' }).action).toBe('leave');
  });

  it('takes a passed snooze off, and applies a transition that fell inside it', () => {
    // Marked running before the snooze; the evening stop fell inside it.
    expect(decide({ snoozeUntil: '2026-12-01T19:30:00Z', lastActed: 'running' })).toEqual({
      action: 'stop',
      reason: 'due stopped: outside every period (UTC)',
      clearSnooze: true,
    });
    expect(decide({ snoozeUntil: '2026-12-01T19:30:00Z', lastActed: 'stopped' })).toMatchObject({
      action: 'leave',
      clearSnooze: true,
    });
  });

  it.each(['tomorrow', '2026-12-01T21:00:00', '2026-12-01', '2026-13-01T21:00:00Z', ''])(
    'leaves the resource alone and reports a snooze it cannot read, case %#',
    (snoozeUntil) => {
      const decision = decide({ snoozeUntil });
      expect(decision.action).toBe('leave');
      expect(decision.problem).toBe(true);
      expect(decision.reason).toContain('is not an ISO 8601 time with a zone');
      expect(decision.clearSnooze).toBe(false);
    },
  );
});
