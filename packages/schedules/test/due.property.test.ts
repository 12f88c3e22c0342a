import { ValidationError } from '@nightshift/runtime';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSchedules, WEEKDAYS } from '../src/document.ts';
import { dueState, localTime } from '../src/due.ts';

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Asia/Kolkata',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'America/St_Johns',
];
const pad = (value: number) => String(value).padStart(2, '0');
const clockArb = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([hours, minutes]) => `${pad(hours)}:${pad(minutes)}`);
const stopArb = fc.oneof(clockArb, fc.constant('24:00'));
const dateArb = fc
  .date({
    min: new Date('2020-01-01T00:00:00Z'),
    max: new Date('2035-12-31T00:00:00Z'),
    noInvalidDate: true,
  })
  .map((date) => date.toISOString().slice(0, 10));
const holidayArb = fc.oneof(
  dateArb,
  fc.tuple(dateArb, dateArb).map(([a, b]) => (a <= b ? `${a}..${b}` : `${b}..${a}`)),
);
const periodArb = fc
  .record(
    {
      days: fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1 }),
      start: clockArb,
      stop: stopArb,
    },
    { requiredKeys: ['start', 'stop'] },
  )
  .filter((period) => period.start !== period.stop);
const scheduleArb = fc.record(
  {
    timezone: fc.constantFrom(...ZONES),
    periods: fc.array(periodArb, { minLength: 1, maxLength: 4 }),
    holidays: fc.array(holidayArb, { maxLength: 4 }),
    enforced: fc.boolean(),
  },
  { requiredKeys: ['periods'] },
);
const instantArb = fc.date({
  min: new Date('2020-01-01T00:00:00Z'),
  max: new Date('2035-12-31T23:59:59Z'),
  noInvalidDate: true,
});

describe('Due state, for any valid schedule and instant', () => {
  it('never throws, and is the same whenever and in whatever order it is asked', () => {
    fc.assert(
      fc.property(
        scheduleArb,
        instantArb,
        scheduleArb,
        instantArb,
        (raw, instant, otherRaw, other) => {
          const { schedules } = parseSchedules({ schedules: { a: raw, b: otherRaw } });
          const [a, b] = [schedules.a, schedules.b];
          if (!a || !b) throw new Error('parsed schedules went missing');
          const first = dueState(a, instant);
          dueState(b, other);
          expect(dueState(a, new Date(instant.getTime()))).toEqual(first);
          expect(['running', 'stopped']).toContain(first.due);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is stopped whenever the local date is a holiday', () => {
    fc.assert(
      fc.property(scheduleArb, instantArb, (raw, instant) => {
        const timezone = raw.timezone ?? 'UTC';
        const today = localTime(instant, timezone).date;
        const { schedules } = parseSchedules({
          schedules: { a: { ...raw, holidays: [...(raw.holidays ?? []), today] } },
        });
        expect(dueState(schedules.a as NonNullable<typeof schedules.a>, instant).due).toBe(
          'stopped',
        );
      }),
      { numRuns: 200 },
    );
  });

  it('is running at every instant with a period of the whole day on every day and no holiday', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instantArb, (timezone, instant) => {
        const { schedules } = parseSchedules({
          schedules: { a: { timezone, periods: [{ start: '00:00', stop: '24:00' }] } },
        });
        expect(dueState(schedules.a as NonNullable<typeof schedules.a>, instant).due).toBe(
          'running',
        );
      }),
      { numRuns: 200 },
    );
  });

  it('agrees with a plain reading of the period on the local clock, for one period with no holiday', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), periodArb, instantArb, (timezone, period, instant) => {
        const { schedules } = parseSchedules({ schedules: { a: { timezone, periods: [period] } } });
        const local = localTime(instant, timezone);
        const minutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3));
        const [start, stop] = [minutes(period.start), minutes(period.stop)];
        const days = period.days ?? [...WEEKDAYS];
        const yesterday = WEEKDAYS[(WEEKDAYS.indexOf(local.weekday) + 6) % 7];
        const expected =
          start < stop
            ? days.includes(local.weekday) && local.minutes >= start && local.minutes < stop
            : (days.includes(local.weekday) && local.minutes >= start) ||
              (yesterday !== undefined && days.includes(yesterday) && local.minutes < stop);
        const actual = dueState(schedules.a as NonNullable<typeof schedules.a>, instant).due;
        expect(actual).toBe(expected ? 'running' : 'stopped');
      }),
      { numRuns: 300 },
    );
  });
});

describe('The schedules document, for any input', () => {
  it('is read, or refused with a ValidationError, never anything else', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.string(),
          fc.record({ schedules: fc.dictionary(fc.string(), fc.anything()) }),
          fc.record({
            schedules: fc.dictionary(
              fc.string({ minLength: 1 }),
              scheduleArb.map((s) => ({ ...s, periods: [...s.periods, {}] })),
            ),
          }),
        ),
        (input) => {
          try {
            parseSchedules(input);
          } catch (error) {
            expect(error).toBeInstanceOf(ValidationError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
