import { describe, expect, it } from 'vitest';
import { parseSchedules } from '../src/document.ts';
import { dueState, localTime } from '../src/due.ts';

/** One schedule of the document, checked as a run would read it. */
const schedule = (value: Record<string, unknown>) => {
  const parsed = parseSchedules({ schedules: { x: value } }).schedules.x;
  if (!parsed) throw new Error('no schedule');
  return parsed;
};
const due = (value: Record<string, unknown>, instant: string) =>
  dueState(schedule(value), new Date(instant)).due;

const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'];
const berlinOffice = {
  timezone: 'Europe/Berlin',
  periods: [{ days: weekdays, start: '07:00', stop: '19:00' }],
};
const newYorkOffice = {
  timezone: 'America/New_York',
  periods: [{ days: weekdays, start: '09:00', stop: '17:00' }],
};
const overnight = (timezone: string) => ({
  timezone,
  periods: [{ start: '22:00', stop: '06:00' }],
});

describe('Local time in a time zone', () => {
  it('reads the wall-clock date, weekday and minutes, summer time included', () => {
    expect(localTime(new Date('2026-12-24T06:30:00Z'), 'Europe/Berlin')).toEqual({
      date: '2026-12-24',
      weekday: 'thu',
      minutes: 450,
    });
    expect(localTime(new Date('2026-07-01T06:30:00Z'), 'Europe/Berlin').minutes).toBe(510);
    expect(localTime(new Date('2026-12-24T03:00:00Z'), 'America/New_York')).toEqual({
      date: '2026-12-23',
      weekday: 'wed',
      minutes: 22 * 60,
    });
    expect(localTime(new Date('2026-12-24T00:00:00Z'), 'UTC').minutes).toBe(0);
  });
});

describe('Due state', () => {
  it.each([
    // Berlin, winter (UTC+1): 07:00 local is 06:00Z.
    ['2026-03-23T05:59:00Z', 'stopped'],
    ['2026-03-23T06:00:00Z', 'running'],
    ['2026-03-23T17:59:00Z', 'running'],
    ['2026-03-23T18:00:00Z', 'stopped'],
    // The Monday after the spring change (29 March, UTC+2): 07:00 local is 05:00Z.
    ['2026-03-30T04:59:00Z', 'stopped'],
    ['2026-03-30T05:00:00Z', 'running'],
    ['2026-03-30T16:59:00Z', 'running'],
    ['2026-03-30T17:00:00Z', 'stopped'],
    // The Friday before the autumn change (25 October, still UTC+2), and the Monday after (UTC+1).
    ['2026-10-23T05:00:00Z', 'running'],
    ['2026-10-26T05:00:00Z', 'stopped'],
    ['2026-10-26T06:00:00Z', 'running'],
    // Weekend.
    ['2026-03-28T10:00:00Z', 'stopped'],
  ])('Berlin office hours at %s: %s', (instant, expected) => {
    expect(due(berlinOffice, instant)).toBe(expected);
  });

  it.each([
    // New York, winter (UTC-5): 09:00 local is 14:00Z.
    ['2026-03-06T13:59:00Z', 'stopped'],
    ['2026-03-06T14:00:00Z', 'running'],
    // The Monday after the spring change (8 March, UTC-4): 09:00 local is 13:00Z.
    ['2026-03-09T12:59:00Z', 'stopped'],
    ['2026-03-09T13:00:00Z', 'running'],
    ['2026-03-09T20:59:00Z', 'running'],
    ['2026-03-09T21:00:00Z', 'stopped'],
    // The Friday before the autumn change (1 November, still UTC-4), and the Monday after (UTC-5).
    ['2026-10-30T13:00:00Z', 'running'],
    ['2026-11-02T13:59:00Z', 'stopped'],
    ['2026-11-02T14:00:00Z', 'running'],
    ['2026-11-02T22:00:00Z', 'stopped'],
  ])('New York office hours at %s: %s', (instant, expected) => {
    expect(due(newYorkOffice, instant)).toBe(expected);
  });

  it.each([
    // Berlin, the spring night: 02:00 CET jumps to 03:00 CEST at 01:00Z.
    ['2026-03-28T21:00:00Z', 'running'], // 22:00 CET
    ['2026-03-29T00:59:00Z', 'running'], // 01:59 CET
    ['2026-03-29T01:00:00Z', 'running'], // 03:00 CEST
    ['2026-03-29T03:59:00Z', 'running'], // 05:59 CEST
    ['2026-03-29T04:00:00Z', 'stopped'], // 06:00 CEST
    // The autumn night: 03:00 CEST goes back to 02:00 CET at 01:00Z; 02:30 happens twice.
    ['2026-10-25T00:30:00Z', 'running'], // 02:30 CEST
    ['2026-10-25T01:30:00Z', 'running'], // 02:30 CET
    ['2026-10-25T04:59:00Z', 'running'], // 05:59 CET
    ['2026-10-25T05:00:00Z', 'stopped'], // 06:00 CET
    ['2026-10-25T20:59:00Z', 'stopped'], // 21:59 CET
  ])('an overnight period in Berlin across the clock changes, at %s: %s', (instant, expected) => {
    expect(due(overnight('Europe/Berlin'), instant)).toBe(expected);
  });

  it.each([
    // New York: 02:00 EST jumps to 03:00 EDT at 07:00Z on 8 March; 01:00 EDT goes back to 01:00 EST at 06:00Z on 1 November.
    ['2026-03-08T06:59:00Z', 'running'], // 01:59 EST
    ['2026-03-08T07:00:00Z', 'running'], // 03:00 EDT
    ['2026-03-08T10:00:00Z', 'stopped'], // 06:00 EDT
    ['2026-11-01T05:30:00Z', 'running'], // 01:30 EDT
    ['2026-11-01T06:30:00Z', 'running'], // 01:30 EST
    ['2026-11-01T10:59:00Z', 'running'], // 05:59 EST
    ['2026-11-01T11:00:00Z', 'stopped'], // 06:00 EST
  ])('an overnight period in New York across the clock changes, at %s: %s', (instant, expected) => {
    expect(due(overnight('America/New_York'), instant)).toBe(expected);
  });

  it('starts a period that begins in the hour skipped in spring once the clock is past its start', () => {
    const skipped = { timezone: 'Europe/Berlin', periods: [{ start: '02:30', stop: '04:00' }] };
    expect(due(skipped, '2026-03-29T00:59:00Z')).toBe('stopped'); // 01:59 CET
    expect(due(skipped, '2026-03-29T01:00:00Z')).toBe('running'); // 03:00 CEST
    expect(due(skipped, '2026-03-29T02:00:00Z')).toBe('stopped'); // 04:00 CEST
  });

  it('runs an overnight period of given days from the start day into the next morning only', () => {
    const fridayNight = { periods: [{ days: ['fri'], start: '22:00', stop: '06:00' }] };
    expect(due(fridayNight, '2026-12-04T21:59:00Z')).toBe('stopped'); // Fri 21:59
    expect(due(fridayNight, '2026-12-04T22:00:00Z')).toBe('running'); // Fri 22:00
    expect(due(fridayNight, '2026-12-05T05:59:00Z')).toBe('running'); // Sat 05:59
    expect(due(fridayNight, '2026-12-05T06:00:00Z')).toBe('stopped'); // Sat 06:00
    expect(due(fridayNight, '2026-12-05T23:00:00Z')).toBe('stopped'); // Sat 23:00
    expect(due(fridayNight, '2026-12-04T03:00:00Z')).toBe('stopped'); // Fri 03:00 (Thursday night is not on)
  });

  it('takes 24:00 as the end of the day', () => {
    const evening = { periods: [{ days: ['fri'], start: '18:00', stop: '24:00' }] };
    expect(due(evening, '2026-12-04T23:59:00Z')).toBe('running'); // Fri 23:59
    expect(due(evening, '2026-12-05T00:00:00Z')).toBe('stopped'); // Sat 00:00
    const allDay = { periods: [{ days: ['sat'], start: '00:00', stop: '24:00' }] };
    expect(due(allDay, '2026-12-05T00:00:00Z')).toBe('running');
    expect(due(allDay, '2026-12-05T23:59:59Z')).toBe('running');
    expect(due(allDay, '2026-12-06T00:00:00Z')).toBe('stopped');
  });

  it('is running inside any of several periods', () => {
    const split = {
      periods: [
        { start: '06:00', stop: '09:00' },
        { start: '17:00', stop: '20:00' },
      ],
    };
    expect(due(split, '2026-12-04T07:00:00Z')).toBe('running');
    expect(due(split, '2026-12-04T12:00:00Z')).toBe('stopped');
    expect(due(split, '2026-12-04T18:00:00Z')).toBe('running');
  });

  it('is stopped all day on a holiday or in a range of holidays, in the schedule’s time zone', () => {
    const office = { ...berlinOffice, holidays: ['2026-12-24', '2026-12-28..2026-12-31'] };
    expect(due(office, '2026-12-23T10:00:00Z')).toBe('running');
    expect(dueState(schedule(office), new Date('2026-12-24T10:00:00Z'))).toEqual({
      due: 'stopped',
      reason: 'holiday 2026-12-24 (Europe/Berlin)',
    });
    expect(due(office, '2026-12-28T07:00:00Z')).toBe('stopped');
    expect(due(office, '2026-12-31T16:00:00Z')).toBe('stopped');
    expect(due(office, '2027-01-04T07:00:00Z')).toBe('running');
    // 23:30Z on the 23rd is already the 24th in Berlin, and still the 23rd in New York.
    const lateOffice = (timezone: string) => ({
      timezone,
      periods: [{ start: '00:00', stop: '24:00' }],
      holidays: ['2026-12-24'],
    });
    expect(due(lateOffice('Europe/Berlin'), '2026-12-23T23:30:00Z')).toBe('stopped');
    expect(due(lateOffice('America/New_York'), '2026-12-23T23:30:00Z')).toBe('running');
  });

  it('stops the morning part of an overnight period on a holiday too', () => {
    const nights = { periods: [{ start: '22:00', stop: '06:00' }], holidays: ['2026-12-25'] };
    expect(due(nights, '2026-12-24T23:00:00Z')).toBe('running');
    expect(due(nights, '2026-12-25T02:00:00Z')).toBe('stopped');
    expect(due(nights, '2026-12-26T02:00:00Z')).toBe('running');
  });

  it('says why', () => {
    const office = schedule(berlinOffice);
    expect(dueState(office, new Date('2026-12-01T08:00:00Z'))).toEqual({
      due: 'running',
      reason: 'inside mon,tue,wed,thu,fri 07:00-19:00 (Europe/Berlin)',
    });
    expect(dueState(office, new Date('2026-12-01T20:00:00Z'))).toEqual({
      due: 'stopped',
      reason: 'outside every period (Europe/Berlin)',
    });
    expect(
      dueState(
        schedule({ periods: [{ start: '22:00', stop: '06:00' }] }),
        new Date('2026-12-01T23:00:00Z'),
      ).reason,
    ).toBe('inside every day 22:00-06:00 (UTC)');
  });
});
