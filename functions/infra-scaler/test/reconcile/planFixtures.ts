import type { Tag } from '@nightshift/conventions';
import type { GroupSize } from '@nightshift/inventory';
import { parseSchedules } from '@nightshift/schedules';
import { planReconcile } from '../../src/reconcile/plan.ts';
import type { Scheduled, ScheduledKind } from '../../src/reconcile/types.ts';

/**
 * The schedules the plan tests use. In December Berlin is UTC+1: office hours run from
 * 06:00 to 18:00 UTC on weekdays. 2026-12-01 is a Tuesday.
 */
export const document = parseSchedules({
  schedules: {
    'office-hours': {
      timezone: 'Europe/Berlin',
      periods: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '07:00', stop: '19:00' }],
      holidays: ['2026-12-24'],
    },
    'busy-office': {
      timezone: 'Europe/Berlin',
      periods: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '07:00', stop: '19:00' }],
      busy: { cpuPercent: 40, minutes: 30, maxDeferMinutes: 120 },
    },
    'utc-day': {
      periods: [{ start: '08:00', stop: '18:00' }],
      notice: { minutes: 90 },
    },
    'utc-enforced': {
      timezone: 'UTC',
      periods: [{ start: '08:00', stop: '18:00' }],
      enforced: true,
    },
  },
});

/** Tuesday 11:00 in Berlin, 10:00 UTC: every schedule above is due running. */
export const DAY = new Date('2026-12-01T10:00:00Z');
/** Tuesday 21:00 in Berlin, 20:00 UTC: every schedule above is due stopped. */
export const NIGHT = new Date('2026-12-01T20:00:00Z');
export const OFFICE_RUNNING = 'inside mon,tue,wed,thu,fri 07:00-19:00 (Europe/Berlin)';
export const BERLIN_STOPPED = 'outside every period (Europe/Berlin)';
export const UTC_STOPPED = 'outside every period (UTC)';

export const tags = (record: Record<string, string>): Tag[] =>
  Object.entries(record).map(([Key, Value]) => ({ Key, Value }));

/** A scheduled resource: on `schedule` (the `nightshift:schedule` tag) with more tags. */
export const resource = (
  kind: ScheduledKind,
  id: string,
  state: string,
  schedule: string,
  more: Record<string, string> = {},
  extra: Partial<Scheduled> = {},
): Scheduled => ({
  kind,
  id,
  state,
  tags: tags({ 'nightshift:schedule': schedule, ...more }),
  ...(kind === 'db-instance' || kind === 'db-cluster'
    ? {
        arn: `arn:aws:rds:eu-central-1:123456789012:${kind === 'db-instance' ? 'db' : 'cluster'}:${id}`,
      }
    : {}),
  ...extra,
});

export const instance = (
  id: string,
  state: string,
  schedule = 'office-hours',
  more: Record<string, string> = {},
  extra: Partial<Scheduled> = {},
) => resource('instance', id, state, schedule, more, extra);

export const group = (
  id: string,
  state: 'running' | 'stopped',
  schedule = 'office-hours',
  more: Record<string, string> = {},
  size: GroupSize = state === 'running'
    ? { min: 1, max: 4, desired: 2 }
    : { min: 0, max: 4, desired: 0 },
) => resource('group', id, state, schedule, more, { size });

export const dbInstance = (
  id: string,
  state: string,
  schedule = 'office-hours',
  more: Record<string, string> = {},
  extra: Partial<Scheduled> = {},
) => resource('db-instance', id, state, schedule, more, extra);

export const dbCluster = (
  id: string,
  state: string,
  schedule = 'office-hours',
  more: Record<string, string> = {},
) => resource('db-cluster', id, state, schedule, more);

/** `nightshift:last-action` after a start or a stop at `at`. */
export const started = (at: Date | string) => ({
  'nightshift:last-action': `start@${new Date(at).toISOString()}`,
});
export const stopped = (at: Date | string) => ({
  'nightshift:last-action': `stop@${new Date(at).toISOString()}`,
});

/** The plan of `resources` at `now`, with these CPU maxima. */
export const planAt = (
  now: Date,
  resources: Scheduled[],
  cpu: Record<string, number> = {},
  given = document,
) => planReconcile({ document: given, resources, cpu: new Map(Object.entries(cpu)), now });
