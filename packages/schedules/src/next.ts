import type { Schedule } from './document.ts';
import { type DueState, dueState } from './due.ts';

const MINUTE_MS = 60_000;
/** How far ahead `nextChange` looks by default: a week and a day. */
export const DEFAULT_HORIZON_MINUTES = 8 * 24 * 60;

/** The next change of a schedule's due state: when, and to what. */
export interface DueChange {
  at: Date;
  to: DueState;
}

/**
 * The first whole minute after `instant` at which `schedule`'s due state differs from its due
 * state at `instant`, within `horizonMinutes`; undefined when it does not change in that time
 * (a schedule that always runs, or a long holiday). Periods start and stop on whole minutes
 * of the local clock, and clocks change on whole minutes, so a minute's steps find every
 * change. Pure.
 *
 * @example
 * nextChange(officeHours, new Date('2026-12-04T17:30:00Z')); // { at: 2026-12-04T18:00:00Z, to: { due: 'stopped', ... } }
 */
export const nextChange = (
  schedule: Schedule,
  instant: Date,
  { horizonMinutes = DEFAULT_HORIZON_MINUTES }: { horizonMinutes?: number } = {},
): DueChange | undefined => {
  const now = dueState(schedule, instant).due;
  const firstMinute = Math.floor(instant.getTime() / MINUTE_MS) + 1;
  for (let minute = firstMinute; minute < firstMinute + horizonMinutes; minute += 1) {
    const at = new Date(minute * MINUTE_MS);
    const state = dueState(schedule, at);
    if (state.due !== now) return { at, to: state };
  }
  return undefined;
};
