import { localTime } from '@nightshift/schedules';

const HOUR_MS = 3_600_000;

/**
 * `HH:MM` of an instant on the wall clock of a time zone.
 *
 * @example
 * clock(new Date('2026-12-01T18:00:00Z'), 'Europe/Berlin'); // '19:00'
 */
export const clock = (instant: Date, timeZone: string): string => {
  const { minutes } = localTime(instant, timeZone);
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
};

/**
 * The demo's schedules document, built around `now` so that the story holds whenever the
 * demo runs: office hours in Berlin that ended an hour ago (due stopped), a Berlin team
 * whose hours are open but whose today is a holiday (due stopped), and a night batch window
 * in New York that opened an hour ago (due running).
 *
 * @example
 * const document = demoSchedules(new Date());
 */
export const demoSchedules = (now: Date) => {
  const berlin = 'Europe/Berlin';
  const newYork = 'America/New_York';
  const at = (hours: number, timeZone: string) =>
    clock(new Date(now.getTime() + hours * HOUR_MS), timeZone);
  return {
    schedules: {
      'office-hours': {
        timezone: berlin,
        periods: [{ start: at(-10, berlin), stop: at(-1, berlin) }],
      },
      'berlin-team': {
        timezone: berlin,
        periods: [{ start: at(-2, berlin), stop: at(6, berlin) }],
        holidays: [localTime(now, berlin).date],
      },
      'night-batch': {
        timezone: newYork,
        periods: [{ start: at(-1, newYork), stop: at(4, newYork) }],
      },
    },
  };
};
