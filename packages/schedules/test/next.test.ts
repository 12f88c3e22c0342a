import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSchedules } from '../src/document.ts';
import { dueState } from '../src/due.ts';
import { nextChange } from '../src/next.ts';

const schedule = (value: Record<string, unknown>) => {
  const parsed = parseSchedules({ schedules: { x: value } }).schedules.x;
  if (!parsed) throw new Error('no schedule');
  return parsed;
};
const berlinOffice = schedule({
  timezone: 'Europe/Berlin',
  periods: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '07:00', stop: '19:00' }],
  holidays: ['2026-12-24', '2026-12-28..2026-12-31'],
});
const at = (instant: string) => new Date(instant);

describe('The next change of a schedule', () => {
  it('is the evening stop during office hours, in the time zone', () => {
    expect(nextChange(berlinOffice, at('2026-12-01T12:00:00Z'))).toEqual({
      at: at('2026-12-01T18:00:00Z'),
      to: { due: 'stopped', reason: 'outside every period (Europe/Berlin)' },
    });
  });

  it('is Monday morning after a Friday evening, and skips the holidays', () => {
    expect(nextChange(berlinOffice, at('2026-12-04T19:00:00Z'))?.at).toEqual(
      at('2026-12-07T06:00:00Z'),
    );
    // Wednesday 23rd evening: the 24th is a holiday, the 25th is a Friday: next start 25th 07:00.
    expect(nextChange(berlinOffice, at('2026-12-23T18:30:00Z'))?.at).toEqual(
      at('2026-12-25T06:00:00Z'),
    );
    // Between the holidays: the next start is Friday 1 January, the first working day after them.
    expect(nextChange(berlinOffice, at('2026-12-27T12:00:00Z'))?.at).toEqual(
      at('2027-01-01T06:00:00Z'),
    );
  });

  it('looks only after the instant, even just after a change', () => {
    // 30 s after the evening stop: the next change is the next morning, not the stop just past.
    expect(nextChange(berlinOffice, at('2026-12-01T18:00:30Z'))?.at).toEqual(
      at('2026-12-02T06:00:00Z'),
    );
  });

  it('looks exactly as far as the horizon', () => {
    // From 16:59Z, 60 minutes reach 17:59Z: the 18:00Z stop is one minute too far; 61 reach it.
    expect(
      nextChange(berlinOffice, at('2026-12-01T16:59:00Z'), { horizonMinutes: 60 }),
    ).toBeUndefined();
    expect(
      nextChange(berlinOffice, at('2026-12-01T16:59:00Z'), { horizonMinutes: 61 })?.at,
    ).toEqual(at('2026-12-01T18:00:00Z'));
  });

  it('follows the clock changes', () => {
    // Friday 27 March (UTC+1) evening: the next start is Monday 30 March 07:00 CEST, 05:00Z.
    expect(nextChange(berlinOffice, at('2026-03-27T19:00:00Z'))?.at).toEqual(
      at('2026-03-30T05:00:00Z'),
    );
    // Friday 23 October (UTC+2) evening: the next start is Monday 26 October 07:00 CET, 06:00Z.
    expect(nextChange(berlinOffice, at('2026-10-23T18:00:00Z'))?.at).toEqual(
      at('2026-10-26T06:00:00Z'),
    );
  });

  it('is the minute after the instant at the soonest, and none within a horizon without a change', () => {
    expect(nextChange(berlinOffice, at('2026-12-01T17:59:30Z'))?.at).toEqual(
      at('2026-12-01T18:00:00Z'),
    );
    const always = schedule({ periods: [{ start: '00:00', stop: '24:00' }] });
    expect(nextChange(always, at('2026-12-01T12:00:00Z'))).toBeUndefined();
    expect(
      nextChange(berlinOffice, at('2026-12-01T12:00:00Z'), { horizonMinutes: 60 }),
    ).toBeUndefined();
  });

  it('is, for any instant, the first minute whose due state differs', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: at('2026-01-01T00:00:00Z'),
          max: at('2027-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        (instant) => {
          const change = nextChange(berlinOffice, instant);
          if (!change)
            throw new Error('office hours change within a week and a day, even over the holidays');
          const before = dueState(berlinOffice, instant).due;
          expect(change.to.due).not.toBe(before);
          expect(change.at.getTime()).toBeGreaterThan(instant.getTime());
          expect(change.at.getUTCSeconds()).toBe(0);
          expect(dueState(berlinOffice, new Date(change.at.getTime() - 60_000)).due).toBe(
            change.at.getTime() - 60_000 > instant.getTime()
              ? before
              : dueState(berlinOffice, new Date(change.at.getTime() - 60_000)).due,
          );
        },
      ),
      { numRuns: 60 },
    );
  });
});
