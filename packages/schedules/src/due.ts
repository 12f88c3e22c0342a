import { minutesOf, type Period, type Schedule, WEEKDAYS, type Weekday } from './document.ts';

/** A wall-clock moment in a time zone: its date, weekday and minutes since midnight. */
export interface LocalTime {
  /** `YYYY-MM-DD` in the time zone. */
  date: string;
  weekday: Weekday;
  /** 0 to 1439. */
  minutes: number;
}

/** What a schedule says a resource should be at an instant, and why. */
export interface DueState {
  due: 'running' | 'stopped';
  reason: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
};

/**
 * The wall-clock date, weekday and time of `instant` in `timeZone` (an IANA name), daylight
 * saving time included.
 *
 * @example
 * localTime(new Date('2026-12-24T06:30:00Z'), 'Europe/Berlin'); // { date: '2026-12-24', weekday: 'thu', minutes: 450 }
 */
export const localTime = (instant: Date, timeZone: string): LocalTime => {
  const parts: Record<string, string> = {};
  for (const { type, value } of formatterFor(timeZone).formatToParts(instant)) parts[type] = value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: (parts.weekday ?? '').toLowerCase() as Weekday,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
};

const dayBefore = (weekday: Weekday): Weekday =>
  WEEKDAYS[(WEEKDAYS.indexOf(weekday) + WEEKDAYS.length - 1) % WEEKDAYS.length] as Weekday;

const onDay = (period: Period, weekday: Weekday): boolean =>
  period.days === undefined || period.days.includes(weekday);

const describePeriod = (period: Period): string =>
  `${period.days ? period.days.join(',') : 'every day'} ${period.start}-${period.stop}`;

/** The holiday entry that covers `date`, if any. */
const holidayOf = (schedule: Schedule, date: string): string | undefined =>
  schedule.holidays.find((holiday) => {
    const [from, to = from] = holiday.split('..') as [string, string?];
    return from <= date && date <= to;
  });

/**
 * Whether a resource on `schedule` is due running or stopped at `instant`: running inside any
 * period (in the schedule's time zone; a `stop` earlier than `start` runs overnight into the
 * next day, `24:00` is the end of the day), stopped outside all of them and all day on a
 * holiday. A pure function of the schedule and the instant.
 *
 * @example
 * dueState(officeHours, new Date('2026-12-01T08:00:00Z')); // { due: 'running', reason: 'inside mon,tue,wed,thu,fri 07:00-19:00 (Europe/Berlin)' }
 */
export const dueState = (schedule: Schedule, instant: Date): DueState => {
  const local = localTime(instant, schedule.timezone);
  const zone = `(${schedule.timezone})`;
  const holiday = holidayOf(schedule, local.date);
  if (holiday) return { due: 'stopped', reason: `holiday ${holiday} ${zone}` };
  for (const period of schedule.periods) {
    const start = minutesOf(period.start);
    const stop = minutesOf(period.stop);
    const inside =
      start < stop
        ? onDay(period, local.weekday) && local.minutes >= start && local.minutes < stop
        : (onDay(period, local.weekday) && local.minutes >= start) ||
          (onDay(period, dayBefore(local.weekday)) && local.minutes < stop);
    if (inside) return { due: 'running', reason: `inside ${describePeriod(period)} ${zone}` };
  }
  return { due: 'stopped', reason: `outside every period ${zone}` };
};
