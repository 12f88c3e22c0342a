import { ValidationError } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import { minutesOf, parseSchedules } from '../src/document.ts';

const officeHours = {
  timezone: 'Europe/Berlin',
  periods: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '07:00', stop: '19:00' }],
  holidays: ['2026-12-24', '2026-12-27..2026-12-31'],
  enforced: false,
};

/** The issues a document is refused with, as `path: message`. */
const issuesOf = (document: unknown): string[] => {
  try {
    parseSchedules(document);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map(({ path, message }) => `${path}: ${message}`);
  }
  throw new Error('the document was accepted');
};
const withSchedule = (schedule: Record<string, unknown>) => ({ schedules: { x: schedule } });
const period = { start: '07:00', stop: '19:00' };

describe('The schedules document', () => {
  it('reads the documented example, from JSON text or a value', () => {
    // Act
    const fromText = parseSchedules(JSON.stringify({ schedules: { 'office-hours': officeHours } }));
    const fromValue = parseSchedules({ schedules: { 'office-hours': officeHours } });

    // Assess
    expect(fromText).toEqual({ schedules: { 'office-hours': officeHours } });
    expect(fromValue).toEqual(fromText);
  });

  it('defaults the time zone to UTC, holidays to none and enforced to false', () => {
    expect(parseSchedules(withSchedule({ periods: [period] })).schedules.x).toEqual({
      timezone: 'UTC',
      periods: [period],
      holidays: [],
      enforced: false,
    });
  });

  it('takes 24:00 as the end of the day for a stop, and a stop before the start as overnight', () => {
    const { schedules } = parseSchedules(
      withSchedule({
        periods: [
          { days: ['fri'], start: '18:00', stop: '24:00' },
          { start: '22:00', stop: '06:00' },
        ],
      }),
    );
    expect(schedules.x?.periods).toHaveLength(2);
  });

  it('takes a busy guard and a notice', () => {
    const busy = { cpuPercent: 40, minutes: 30, maxDeferMinutes: 120 };
    const { schedules } = parseSchedules(
      withSchedule({ periods: [period], busy, notice: { minutes: 30 } }),
    );
    expect(schedules.x).toMatchObject({ busy, notice: { minutes: 30 } });
  });

  it.each([
    ['{"schedules": ', '(root): must be JSON'],
    [[], '(root): must be an object with schedules'],
    [{}, 'schedules: must be an object of named schedules'],
    [{ schedules: {}, extra: 1 }, '(root): has unknown field extra'],
    [
      { schedules: { 'bad name!': { periods: [period] } } },
      'schedules.bad name!: a schedule name must be a plain tag value',
    ],
    [
      withSchedule({ timezone: 'Europe/Berlinn', periods: [period] }),
      'schedules.x.timezone: must be an IANA time zone name',
    ],
    [
      withSchedule({ timezone: 7, periods: [period] }),
      'schedules.x.timezone: must be an IANA time zone name',
    ],
    [withSchedule({ timezon: 'UTC', periods: [period] }), 'schedules.x: has unknown field timezon'],
    [withSchedule({}), 'schedules.x.periods: must be a list of periods'],
    [withSchedule({ periods: [] }), 'schedules.x.periods: must hold at least one period'],
    [
      withSchedule({ periods: [{ ...period, days: ['mon', 'funday'] }] }),
      'schedules.x.periods[0].days[1]: must be one of mon, tue',
    ],
    [
      withSchedule({ periods: [{ ...period, days: ['Mon'] }] }),
      'schedules.x.periods[0].days[0]: must be one of',
    ],
    [
      withSchedule({ periods: [{ ...period, days: [] }] }),
      'schedules.x.periods[0].days: must name at least one weekday',
    ],
    [
      withSchedule({ periods: [{ ...period, start: '25:00' }] }),
      'schedules.x.periods[0].start: start must be a time of day as HH:MM, 00:00 to 23:59',
    ],
    [
      withSchedule({ periods: [{ ...period, start: '24:00' }] }),
      'schedules.x.periods[0].start: start must be a time of day',
    ],
    [
      withSchedule({ periods: [{ ...period, start: '7:00' }] }),
      'schedules.x.periods[0].start: start must be a time of day',
    ],
    [
      withSchedule({ periods: [{ ...period, stop: '19:60' }] }),
      'schedules.x.periods[0].stop: stop must be a time of day as HH:MM, 00:00 to 24:00',
    ],
    [
      withSchedule({ periods: [{ ...period, stop: '24:01' }] }),
      'schedules.x.periods[0].stop: stop must be a time of day',
    ],
    [
      withSchedule({ periods: [{ start: '07:00', stop: '07:00' }] }),
      'schedules.x.periods[0].stop: must differ from start',
    ],
    [
      withSchedule({ periods: [{ ...period, end: '19:00' }] }),
      'schedules.x.periods[0]: has unknown field end',
    ],
    [
      withSchedule({ periods: [period], holidays: ['2026-02-30'] }),
      'schedules.x.holidays[0]: must be YYYY-MM-DD',
    ],
    [
      withSchedule({ periods: [period], holidays: ['2026-12-31..2026-12-01'] }),
      'schedules.x.holidays[0]: must be YYYY-MM-DD',
    ],
    [
      withSchedule({ periods: [period], holidays: ['2026-12-24..'] }),
      'schedules.x.holidays[0]: must be YYYY-MM-DD',
    ],
    [
      withSchedule({ periods: [period], holidays: ['24.12.2026'] }),
      'schedules.x.holidays[0]: must be YYYY-MM-DD',
    ],
    [
      withSchedule({ periods: [period], holidays: ['2026-12-24..2026-12-25..2026-12-26'] }),
      'schedules.x.holidays[0]: must be YYYY-MM-DD',
    ],
    [
      withSchedule({ periods: [period], enforced: 'yes' }),
      'schedules.x.enforced: must be true or false',
    ],
    [withSchedule({ periods: [period], busy: { cpuPercent: 40 } }), 'schedules.x.busy.minutes'],
    [
      withSchedule({
        periods: [period],
        busy: { cpuPercent: 140, minutes: 30, maxDeferMinutes: 0 },
      }),
      'schedules.x.busy.cpuPercent',
    ],
    [withSchedule({ periods: [period], notice: { minutes: 0 } }), 'schedules.x.notice.minutes'],
    [
      withSchedule({ periods: [period], busy: 'x' }),
      'schedules.x.busy: must be an object with cpuPercent, minutes and maxDeferMinutes',
    ],
    [
      withSchedule({ periods: [period], notice: 5 }),
      'schedules.x.notice: must be an object with minutes',
    ],
    [
      withSchedule({ periods: ['x'] }),
      'schedules.x.periods[0]: must be an object with start, stop and optional days',
    ],
    [
      withSchedule({ periods: [{ ...period, days: 'mon' }] }),
      'schedules.x.periods[0].days: must be a list of weekdays',
    ],
    [
      withSchedule({ periods: [{ ...period, start: 7 }] }),
      'schedules.x.periods[0].start: must be a time of day as HH:MM',
    ],
    [
      withSchedule({ periods: [{ ...period, start: '107:00' }] }),
      'schedules.x.periods[0].start: start must be a time of day',
    ],
    [
      withSchedule({ periods: [{ ...period, stop: '19:000' }] }),
      'schedules.x.periods[0].stop: stop must be a time of day',
    ],
    [
      withSchedule({ periods: [period], holidays: 'x' }),
      'schedules.x.holidays: must be a list of dates',
    ],
    [
      withSchedule({ periods: [period], holidays: [5] }),
      'schedules.x.holidays[0]: must be a date or a range of dates',
    ],
    [
      withSchedule({ periods: [period], holidays: ['x2026-12-24'] }),
      'schedules.x.holidays[0]: must be YYYY-MM-DD',
    ],
    [
      withSchedule({ periods: [period], holidays: ['2026-12-24x'] }),
      'schedules.x.holidays[0]: must be YYYY-MM-DD',
    ],
    [
      withSchedule({ periods: [period], holidays: ['2026-02-29'] }),
      'schedules.x.holidays[0]: must be YYYY-MM-DD',
    ],
    [
      withSchedule({ periods: [period], holidays: ['2026-04-31..2026-05-02'] }),
      'schedules.x.holidays[0]: must be YYYY-MM-DD',
    ],
    [
      withSchedule({ periods: [period], holidays: ['2026-05-01..2026-06-31'] }),
      'schedules.x.holidays[0]: must be YYYY-MM-DD',
    ],
    [
      withSchedule({ timezone: 'Europe/Berlinn', periods: [period] }),
      'must be an IANA time zone name, like Europe/Berlin',
    ],
    [
      withSchedule(5 as never),
      'schedules.x: must be an object with periods (and optional timezone, holidays, enforced, busy, notice)',
    ],
    [{ schedules: { '!ok': { periods: [period] } } }, 'a schedule name must be a plain tag value'],
    [
      withSchedule({ periods: [period], timezon: 'UTC', enforce: true }),
      'schedules.x: has unknown fields timezon, enforce; must be an object with periods',
    ],
  ])('refuses bad document %#, naming the path of what is wrong', (document, expected) => {
    expect(issuesOf(document).join('\n')).toContain(expected);
  });

  it('calls what it refuses the schedules document', () => {
    expect(() => parseSchedules({})).toThrow(/^Invalid schedules document: /);
    expect(() => parseSchedules('{')).toThrow(
      /^Invalid schedules document: \(root\): must be JSON: /,
    );
  });

  it('takes a leap day of a leap year', () => {
    expect(
      parseSchedules(withSchedule({ periods: [period], holidays: ['2028-02-29'] })).schedules.x
        ?.holidays,
    ).toEqual(['2028-02-29']);
  });

  it('names every bad field of a document at once', () => {
    expect(
      issuesOf(
        withSchedule({
          timezone: 'Mars/Base',
          periods: [{ days: ['mon', 'funday'], start: '25:00', stop: '24:00' }],
          holidays: ['2026-02-30'],
        }),
      ),
    ).toHaveLength(4);
  });

  it('reads a time of day as minutes since midnight, 24:00 as the end of the day', () => {
    expect(minutesOf('00:00')).toBe(0);
    expect(minutesOf('07:30')).toBe(450);
    expect(minutesOf('23:59')).toBe(1439);
    expect(minutesOf('24:00')).toBe(1440);
    expect(() => minutesOf('7:30')).toThrow(new RangeError('not a time of day: 7:30'));
  });
});
