import { DAY_MS } from '@nightshift/runtime';
import { localTime } from '@nightshift/schedules';

/** A span of time, ISO times at both ends. */
export interface Window {
  from: Date;
  to: Date;
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in milliseconds. */
const offsetMs = (instant: Date, timeZone: string): number => {
  const { date, minutes } = localTime(instant, timeZone);
  const wall = Date.parse(`${date}T00:00:00Z`) + minutes * 60_000;
  return wall - Math.floor(instant.getTime() / 60_000) * 60_000;
};

/**
 * The instant the month of `now` began in `timeZone`: midnight of the 1st on its wall clock
 * (daylight saving time included).
 *
 * @example
 * monthStart(new Date('2026-12-15T12:00:00Z'), 'Europe/Berlin'); // 2026-11-30T23:00:00.000Z
 */
export const monthStart = (now: Date, timeZone: string): Date => {
  const { date } = localTime(now, timeZone);
  const wallMidnight = Date.parse(`${date.slice(0, 7)}-01T00:00:00Z`);
  const guess = wallMidnight - offsetMs(new Date(wallMidnight), timeZone);
  return new Date(wallMidnight - offsetMs(new Date(guess), timeZone));
};

/**
 * The report's two windows: the 24 hours before `now`, and the month so far in `timeZone`;
 * and how far back the history is read so that a resource stopped before either window
 * began, and not started since, is still found (a month before the earlier start).
 *
 * @example
 * reportWindows(new Date('2026-12-02T07:00:00Z'), 'UTC').month.from; // 2026-12-01T00:00:00.000Z
 */
export const reportWindows = (
  now: Date,
  timeZone: string,
): { yesterday: Window; month: Window; readFrom: Date } => {
  const yesterday = { from: new Date(now.getTime() - DAY_MS), to: now };
  const month = { from: monthStart(now, timeZone), to: now };
  const earliest = Math.min(yesterday.from.getTime(), month.from.getTime());
  return { yesterday, month, readFrom: new Date(earliest - 31 * DAY_MS) };
};
