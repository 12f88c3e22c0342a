import type { DueState } from './due.ts';

/** A resource's state, reduced to what scheduling needs. */
export type ActualState = 'running' | 'stopped' | 'starting' | 'stopping' | 'other';

/** What one reconcile run should do about one scheduled resource. */
export const ScheduleAction = {
  Start: 'start',
  Stop: 'stop',
  /** Already in its due state: only record that the transition is done. */
  Record: 'record',
  /** Nothing now: a person's choice, a snooze, or a state in between. */
  Leave: 'leave',
} as const;
export type ScheduleAction = (typeof ScheduleAction)[keyof typeof ScheduleAction];

/** Everything the decision reads about one resource, at one instant. */
export interface ScheduledResource {
  due: DueState;
  actual: ActualState;
  /** The due state Nightshift last brought the resource to (its mark), if it ever did. */
  lastActed?: 'running' | 'stopped' | undefined;
  /** The resource's `nightshift:snooze-until` tag, as written. */
  snoozeUntil?: string | undefined;
  /** Every run restores the due state, even over a person's change. */
  enforced: boolean;
  now: Date;
}

/** The decision, with why, and what else to write. */
export interface ScheduleDecision {
  action: ScheduleAction;
  reason: string;
  /** The snooze has passed: its tag comes off. */
  clearSnooze: boolean;
  /** The tag value could not be read as a time: a person must look (reported as a problem). */
  problem?: boolean;
}

/** An ISO 8601 time with a zone (`Z` or an offset), as `nightshift:snooze-until` must hold. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * What to do about one scheduled resource, acting only on transitions: a resource is
 * started or stopped when its due state differs from the one Nightshift last brought it to
 * (or it never did), so a person who starts an instance during off-hours is left alone until
 * the next transition; an enforced schedule restores the due state on every run. A snooze
 * that has not passed leaves the resource alone; one that has passed comes off, and the
 * schedule applies again, a transition that fell inside it included. A resource between
 * states is left for the next run. Pure.
 *
 * @example
 * decideForSchedule({ due: { due: 'stopped', reason: 'outside every period (UTC)' }, actual: 'running', lastActed: 'running', enforced: false, now });
 * // { action: 'stop', reason: 'due stopped: outside every period (UTC)', clearSnooze: false }
 */
export const decideForSchedule = ({
  due,
  actual,
  lastActed,
  snoozeUntil,
  enforced,
  now,
}: ScheduledResource): ScheduleDecision => {
  let clearSnooze = false;
  if (snoozeUntil !== undefined) {
    const written = snoozeUntil.trim();
    const until = ISO_WITH_ZONE.test(written) ? Date.parse(written) : Number.NaN;
    if (Number.isNaN(until)) {
      return {
        action: ScheduleAction.Leave,
        reason: `nightshift:snooze-until ${JSON.stringify(snoozeUntil)} is not an ISO 8601 time with a zone (like 2026-12-01T21:00:00Z); left alone until it is corrected or removed`,
        clearSnooze: false,
        problem: true,
      };
    }
    if (until > now.getTime())
      return {
        action: ScheduleAction.Leave,
        reason: `snoozed until ${new Date(until).toISOString()} (due ${due.due}: ${due.reason})`,
        clearSnooze: false,
      };
    clearSnooze = true;
  }
  const because = `due ${due.due}: ${due.reason}`;
  if (!enforced && lastActed === due.due) {
    return {
      action: ScheduleAction.Leave,
      reason:
        actual === due.due ||
        (due.due === 'running' ? actual === 'starting' : actual === 'stopping')
          ? `already ${due.due} (${due.reason})`
          : `${actual} although ${because}: changed by a person since the last transition, left alone until the next one`,
      clearSnooze,
    };
  }
  const inBetween = (state: ActualState) => ({
    action: ScheduleAction.Leave,
    reason: `${state}, ${because}: left for the next run`,
    clearSnooze,
  });
  if (due.due === 'running') {
    if (actual === 'stopped') return { action: ScheduleAction.Start, reason: because, clearSnooze };
    if (actual === 'running' || actual === 'starting')
      return {
        action: ScheduleAction.Record,
        reason: `already ${actual}; ${because}`,
        clearSnooze,
      };
    return inBetween(actual);
  }
  if (actual === 'running') return { action: ScheduleAction.Stop, reason: because, clearSnooze };
  if (actual === 'stopped' || actual === 'stopping')
    return { action: ScheduleAction.Record, reason: `already ${actual}; ${because}`, clearSnooze };
  return inBetween(actual);
};
