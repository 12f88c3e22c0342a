import { parseSchedules, WEEKDAYS } from '@nightshift/schedules';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { busyQueries, planReconcile } from '../../src/reconcile/plan.ts';
import type { ReconcileInput, Scheduled, ScheduledKind } from '../../src/reconcile/types.ts';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'];
const NAMES = ['office', 'nights', 'weekend'];
const pad = (value: number) => String(value).padStart(2, '0');
const clockArb = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([hours, minutes]) => `${pad(hours)}:${pad(minutes)}`);
// Mostly around the evening, where office hours stop in the zones above.
const instantArb = fc
  .tuple(
    fc.integer({
      min: Date.parse('2026-01-01T00:00:00Z') / 86_400_000,
      max: Date.parse('2027-12-31T00:00:00Z') / 86_400_000,
    }),
    fc.oneof(
      fc.integer({ min: 0, max: 1439 }),
      fc.integer({ min: 16 * 60, max: 24 * 60 + 2 * 60 }),
      fc.integer({ min: 12 * 60, max: 15 * 60 }),
    ),
    fc.integer({ min: 0, max: 59_999 }),
  )
  .map(([day, minute, ms]) => new Date(day * 86_400_000 + minute * 60_000 + ms));
const isoArb = fc.integer({ min: -3 * 24 * 60, max: 3 * 24 * 60 });

const scheduleArb = fc.record(
  {
    timezone: fc.constantFrom(...ZONES),
    periods: fc.array(
      fc
        .record(
          {
            days: fc.uniqueArray(fc.constantFrom(...WEEKDAYS), { minLength: 1 }),
            start: clockArb,
            stop: fc.oneof(clockArb, fc.constant('24:00')),
          },
          { requiredKeys: ['start', 'stop'] },
        )
        .filter((period) => period.start !== period.stop),
      { minLength: 1, maxLength: 2 },
    ),
    enforced: fc.boolean(),
    busy: fc.record({
      cpuPercent: fc.integer({ min: 1, max: 100 }),
      minutes: fc.integer({ min: 5, max: 60 }),
      maxDeferMinutes: fc.integer({ min: 0, max: 180 }),
    }),
    notice: fc.record({ minutes: fc.integer({ min: 1, max: 120 }) }),
  },
  { requiredKeys: ['periods'] },
);
// Office hours on weekdays (in a random zone) make transitions, busy stops and heads-ups
// common; the other two schedules are random.
const officeArb = scheduleArb.map((schedule) => ({
  ...schedule,
  periods: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '07:00', stop: '19:00' }],
}));
const documentArb = fc
  .record({ office: officeArb, nights: scheduleArb, weekend: scheduleArb })
  .map((schedules) => parseSchedules({ schedules }));

const STATES: Record<ScheduledKind, string[]> = {
  instance: ['running', 'stopped', 'pending', 'stopping', 'shutting-down', 'terminated'],
  group: ['running', 'stopped'],
  'db-instance': ['available', 'stopped', 'starting', 'stopping', 'backing-up'],
  'db-cluster': ['available', 'stopped', 'starting', 'stopping', 'modifying'],
};
const KINDS = Object.keys(STATES) as ScheduledKind[];

/** A resource's tags, relative to `now` (snoozes and last actions around it). */
const resourceArb = (now: Date) =>
  fc.constantFrom(...KINDS).chain((kind) =>
    fc
      .record(
        {
          // Running (or available) most often: what stops, busy guards and heads-ups act on.
          state: fc.oneof(
            { weight: 3, arbitrary: fc.constant(STATES[kind][0] as string) },
            { weight: 2, arbitrary: fc.constantFrom(...STATES[kind]) },
          ),
          schedule: fc.oneof(
            { weight: 6, arbitrary: fc.constantFrom(...NAMES) },
            { weight: 1, arbitrary: fc.constantFrom(' office ', 'unknown', 'constructor') },
          ),
          order: fc.option(fc.constantFrom('0', '1', '-1', '3', 'x', ' 2 ')),
          lastAction: fc.option(
            fc.tuple(fc.constantFrom('start', 'stop'), fc.integer({ min: 0, max: 20 * 24 * 60 })),
          ),
          snooze: fc.option(fc.oneof(isoArb.map(String), fc.constant('never'))),
          lastError: fc.option(fc.constant('boom')),
          savedSize: fc.option(fc.constantFrom('min=1,max=3,desired=2', 'nonsense')),
          member: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, fc.constant(true)),
        },
        { requiredKeys: ['state', 'schedule', 'member'] },
      )
      .map((given) => {
        const tags = [{ Key: 'nightshift:schedule', Value: given.schedule }];
        if (given.order != null) tags.push({ Key: 'nightshift:order', Value: given.order });
        if (given.lastAction != null) {
          const [action, ago] = given.lastAction;
          tags.push({
            Key: 'nightshift:last-action',
            Value: `${action}@${new Date(now.getTime() - ago * 60_000).toISOString()}`,
          });
        }
        if (given.snooze != null)
          tags.push({
            Key: 'nightshift:snooze-until',
            Value:
              given.snooze === 'never'
                ? 'never'
                : new Date(now.getTime() + Number(given.snooze) * 60_000).toISOString(),
          });
        if (given.lastError != null)
          tags.push({ Key: 'nightshift:last-error', Value: given.lastError });
        if (given.savedSize != null)
          tags.push({ Key: 'nightshift:saved-size', Value: given.savedSize });
        const resource: Omit<Scheduled, 'id'> = { kind, state: given.state, tags };
        if (kind === 'group')
          resource.size =
            given.state === 'running'
              ? { min: 1, max: 3, desired: 2 }
              : { min: 0, max: 3, desired: 0 };
        if (given.member && kind === 'instance') resource.groupName = 'web';
        if (given.member && kind === 'db-instance') resource.clusterId = 'aurora';
        return resource;
      }),
  );

const inputArb: fc.Arbitrary<ReconcileInput> = fc
  .tuple(documentArb, instantArb)
  .chain(([document, now]) =>
    fc.array(resourceArb(now), { minLength: 1, maxLength: 15, size: 'medium' }).chain((resources) =>
      fc
        .array(fc.option(fc.double({ min: 0, max: 100, noNaN: true })), {
          minLength: resources.length,
          maxLength: resources.length,
        })
        .map((cpu) => {
          const withIds = resources.map((resource, index) => ({
            ...resource,
            id: `r-${String(index).padStart(2, '0')}`,
          }));
          return {
            document,
            now,
            resources: withIds,
            cpu: new Map(
              withIds.flatMap((resource, index) => {
                const value = cpu[index];
                return value == null ? [] : [[resource.id, value] as const];
              }),
            ),
          };
        }),
    ),
  );

const snoozedAt = (resource: Scheduled, now: Date) => {
  const until = resource.tags.find((tag) => tag.Key === 'nightshift:snooze-until')?.Value;
  return until !== undefined && /Z$/.test(until) && Date.parse(until) > now.getTime();
};
const sortedByKindThenId = (keys: string[]) =>
  keys.every((key, index) => index === 0 || (keys[index - 1] as string) <= key);

describe('planReconcile, for any valid document and resources', () => {
  it('never throws, lists each resource once, and accounts for every one', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = planReconcile(input);
        const listed = [
          ...plan.changes.map((change) => change.target),
          ...plan.skips.map((skip) => skip.target),
          ...plan.problems.map((problem) => problem.target),
        ];
        expect(new Set(listed).size).toBe(listed.length);
        expect(listed.length + plan.inDueState).toBe(input.resources.length);
        for (const change of plan.changes) expect(input.resources).toContain(change.resource);
      }),
      { numRuns: 150 },
    );
  });

  it('never starts or stops a snoozed resource, nor a member of a group or cluster', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        for (const change of planReconcile(input).changes) {
          expect(snoozedAt(change.resource, input.now)).toBe(false);
          expect(change.resource.groupName).toBeUndefined();
          expect(change.resource.clusterId).toBeUndefined();
          if (change.action === 'clear snooze') expect(change.clearSnooze).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('is a pure function of its input, with every list sorted by kind then id', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const plan = planReconcile(input);
        expect(planReconcile(input)).toEqual(plan);
        expect(sortedByKindThenId(plan.changes.map((c) => `${c.resource.kind} ${c.target}`))).toBe(
          true,
        );
        expect(sortedByKindThenId(plan.skips.map((s) => `${s.details?.kind} ${s.target}`))).toBe(
          true,
        );
        for (const notice of plan.headsUp) {
          expect(Date.parse(notice.stopAt)).toBeGreaterThan(input.now.getTime());
          for (const { id } of notice.resources) {
            const resource = input.resources.find((r) => r.id === id);
            expect(resource && snoozedAt(resource, new Date(notice.stopAt))).toBe(false);
          }
        }
        const ids = busyQueries(input.document, input.resources, input.now).map((q) => q.id);
        expect([...ids].sort()).toEqual(ids);
      }),
      { numRuns: 100 },
    );
  });
});
