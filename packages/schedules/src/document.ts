import { parseOrThrow } from '@nightshift/runtime';
import * as z from 'zod/mini';

/** Three-letter lower-case weekdays, Monday first. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `HH:MM`, 00:00 to 23:59; `24:00` only where the end of the day is meant. */
const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;
const END_OF_DAY = '24:00';
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Minutes since local midnight of an `HH:MM` (`24:00` → 1440). */
export const minutesOf = (clock: string): number => {
  if (clock === END_OF_DAY) return 24 * 60;
  const match = CLOCK.exec(clock);
  if (!match) throw new RangeError(`not a time of day: ${clock}`);
  return Number(match[1]) * 60 + Number(match[2]);
};

/** Whether `YYYY-MM-DD` names a day of the calendar (no 2026-02-30). */
const isCalendarDate = (text: string): boolean => {
  const match = DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
};

/** Whether the runtime knows an IANA time zone name. */
export const isTimeZone = (name: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
};

/** An object's error: its unknown fields by name (a typo must not pass as a default), else what it must be. */
const objectError =
  (expected: string) =>
  (issue: { code?: string; keys?: readonly string[] }): string =>
    issue.code === 'unrecognized_keys'
      ? `has unknown field${issue.keys && issue.keys.length > 1 ? 's' : ''} ${(issue.keys ?? []).join(', ')}; ${expected}`
      : expected;

const clock = (what: string, { endOfDay }: { endOfDay: boolean }) =>
  z.string(`must be a time of day as HH:MM`).check(
    z.refine((value) => CLOCK.test(value) || (endOfDay && value === END_OF_DAY), {
      message: `${what} must be a time of day as HH:MM, 00:00 to ${endOfDay ? '24:00' : '23:59'}`,
    }),
  );

const PeriodSchema = z
  .strictObject(
    {
      days: z.optional(
        z
          .array(
            z.enum(WEEKDAYS, `must be one of ${WEEKDAYS.join(', ')}`),
            'must be a list of weekdays',
          )
          .check(z.minLength(1, 'must name at least one weekday, or be left out for every day')),
      ),
      start: clock('start', { endOfDay: false }),
      stop: clock('stop', { endOfDay: true }),
    },
    { error: objectError('must be an object with start, stop and optional days') },
  )
  .check(
    z.refine((period) => period.start !== period.stop, {
      message: 'must differ from start (a period of no time, or of a whole day, is ambiguous)',
      path: ['stop'],
    }),
  );

const HolidaySchema = z.string('must be a date or a range of dates').check(
  z.refine(
    (value) => {
      const [from, to, ...rest] = value.split('..');
      if (rest.length > 0 || from === undefined || !isCalendarDate(from)) return false;
      return to === undefined || (isCalendarDate(to) && from <= to);
    },
    { message: 'must be YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD (a real date, the range in order)' },
  ),
);

const BusySchema = z.strictObject(
  {
    cpuPercent: z.number().check(z.gt(0), z.lte(100)),
    minutes: z.int().check(z.gte(5), z.lte(1440)),
    maxDeferMinutes: z.int().check(z.gte(0), z.lte(1440)),
  },
  { error: objectError('must be an object with cpuPercent, minutes and maxDeferMinutes') },
);

const NoticeSchema = z.strictObject(
  { minutes: z.int().check(z.gte(1), z.lte(1440)) },
  { error: objectError('must be an object with minutes') },
);

const ScheduleSchema = z.strictObject(
  {
    timezone: z._default(
      z
        .string('must be an IANA time zone name')
        .check(
          z.refine(isTimeZone, { message: 'must be an IANA time zone name, like Europe/Berlin' }),
        ),
      'UTC',
    ),
    periods: z
      .array(PeriodSchema, 'must be a list of periods')
      .check(z.minLength(1, 'must hold at least one period')),
    holidays: z._default(z.array(HolidaySchema, 'must be a list of dates'), []),
    enforced: z._default(z.boolean('must be true or false'), false),
    busy: z.optional(BusySchema),
    notice: z.optional(NoticeSchema),
  },
  {
    error: objectError(
      'must be an object with periods (and optional timezone, holidays, enforced, busy, notice)',
    ),
  },
);

/** The schedules document: schedules by name. */
export const SchedulesDocumentSchema = z.strictObject(
  {
    schedules: z.record(z.string().check(z.regex(/^[A-Za-z0-9._:/+=@-]{1,128}$/)), ScheduleSchema, {
      // The name is the value of the resources' nightshift:schedule tag.
      error: (issue: { code?: string }) =>
        issue.code === 'invalid_key'
          ? 'a schedule name must be a plain tag value: letters, digits and . _ : / + = @ -'
          : 'must be an object of named schedules',
    }),
  },
  { error: objectError('must be an object with schedules') },
);

export type SchedulesDocument = z.infer<typeof SchedulesDocumentSchema>;
export type Schedule = SchedulesDocument['schedules'][string];
export type Period = Schedule['periods'][number];

/**
 * Reads a schedules document (its JSON text or the parsed value), or throws a
 * `ValidationError` naming every bad field by its path (`schedules.office-hours.timezone`).
 *
 * @example
 * const { schedules } = parseSchedules(process.env.SCHEDULES ?? '{"schedules": {}}');
 */
export const parseSchedules = (document: unknown): SchedulesDocument => {
  let value = document;
  if (typeof document === 'string') {
    try {
      value = JSON.parse(document);
    } catch (error) {
      return parseOrThrow(
        z.custom<never>(() => false, `must be JSON: ${(error as Error).message}`),
        document,
        'schedules document',
      );
    }
  }
  return parseOrThrow(SchedulesDocumentSchema, value, 'schedules document');
};
