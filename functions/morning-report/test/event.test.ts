import { describe, expect, it } from 'vitest';
import dryRun from '../events/dry-run.json' with { type: 'json' };
import scheduled from '../events/scheduled.json' with { type: 'json' };
import { EventSchema } from '../src/event.ts';

describe('morning-report event', () => {
  it.each([
    ['the scheduled event', scheduled],
    ['the dry-run event', dryRun],
    ["Scheduler's envelope", { id: 'e-1', scheduledTime: '2026-11-28T05:00:00Z' }],
  ])('accepts %s', (_, event) => {
    expect(EventSchema.safeParse(event).success).toBe(true);
  });

  it('refuses a dryRun that is not true or false', () => {
    const result = EventSchema.safeParse({ dryRun: 'yes' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['dryRun'],
      message: 'must be true or false',
    });
  });
});
