import { ValidationError } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import daily from '../events/daily-production.json' with { type: 'json' };
import { type BackupEvent, EventSchema, scheduledAt } from '../src/event.ts';

describe('backup-manager scheduled time', () => {
  it.each([
    [{ scheduledTime: '2026-11-27T23:59:00Z' }, '2026-11-27'],
    [{ time: '2026-11-27T23:59:00+00:00' }, '2026-11-27'],
    [{ scheduledTime: '2026-11-27T23:59:00Z', time: '2026-11-28T00:10:00Z' }, '2026-11-27'],
  ])('reads the day to back up from %j', (schedule, day) => {
    // Prepare
    const event = EventSchema.parse({
      backup_type: 'all',
      environment: 'production',
      ...schedule,
    });

    // Act
    const at = scheduledAt(event, new Date('2026-11-28T01:00:00Z'));

    // Assess
    expect(at.toISOString().slice(0, 10)).toBe(day);
  });

  it.each([
    [{ scheduledTime: '2062-11-28T01:00:00Z' }, 'scheduledTime: is 2062-11-28T01:00:00Z'],
    [{ time: '2026-11-28T01:16:00Z' }, 'time: is 2026-11-28T01:16:00Z'],
  ])('refuses a scheduled time in the future, %j, naming the field', (schedule, named) => {
    // Prepare
    const event = EventSchema.parse({
      backup_type: 'all',
      environment: 'production',
      ...schedule,
    });

    // Act & Assess
    expect(() => scheduledAt(event, new Date('2026-11-28T01:00:00Z'))).toThrow(ValidationError);
    expect(() => scheduledAt(event, new Date('2026-11-28T01:00:00Z'))).toThrow(named);
  });

  it('takes a time up to 15 minutes ahead (clock skew) and up to 24 hours behind (retries)', () => {
    // Prepare
    const now = new Date('2026-11-28T01:00:00Z');
    const parse = (scheduledTime: string) =>
      EventSchema.parse({ backup_type: 'all', environment: 'production', scheduledTime });

    // Act & Assess
    expect(scheduledAt(parse('2026-11-28T01:15:00Z'), now)).toEqual(
      new Date('2026-11-28T01:15:00Z'),
    );
    expect(scheduledAt(parse('2026-11-27T01:00:00Z'), now)).toEqual(
      new Date('2026-11-27T01:00:00Z'),
    );
  });

  it.each([
    [{ scheduledTime: '2026-11-27T00:59:59Z' }, 'scheduledTime: is 2026-11-27T00:59:59Z'],
    [{ scheduledTime: '2026-10-01T01:00:00Z' }, 'scheduledTime: is 2026-10-01T01:00:00Z'],
    [{ time: '2026-11-26T23:00:00Z' }, 'time: is 2026-11-26T23:00:00Z'],
  ])(
    'refuses a scheduled time more than 24 hours past, %j, naming the field',
    (schedule, named) => {
      // Prepare
      const event = EventSchema.parse({
        backup_type: 'all',
        environment: 'production',
        ...schedule,
      });
      const attempt = () => scheduledAt(event, new Date('2026-11-28T01:00:00Z'));

      // Act & Assess
      expect(attempt).toThrow(ValidationError);
      expect(attempt).toThrow(
        `${named}, earlier than the function's clock (2026-11-28T01:00:00.000Z) by more than 24 hours: past the retry window`,
      );
    },
  );

  it('falls back to the clock for an event sent by hand', () => {
    // Act
    const at = scheduledAt(daily as BackupEvent, new Date('2026-11-28T01:00:00Z'));

    // Assess
    expect(at).toEqual(new Date('2026-11-28T01:00:00Z'));
  });
});
