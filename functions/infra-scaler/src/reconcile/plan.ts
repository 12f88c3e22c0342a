import {
  LAST_ACTION_KEY,
  LAST_ERROR_KEY,
  ORDER_KEY,
  SAVED_SIZE_KEY,
  SCHEDULE_KEY,
  SNOOZE_UNTIL_KEY,
  type Tag,
  tagValue,
} from '@nightshift/conventions';
import type { GroupSize } from '@nightshift/inventory';
import { type Decision, type Details, decide, emptyPlan } from '@nightshift/job';
import {
  type ActualState,
  type DueState,
  decideForSchedule,
  dueState,
  localTime,
  nextChange,
  type Schedule,
  ScheduleAction,
  type ScheduleDecision,
  type SchedulesDocument,
} from '@nightshift/schedules';
import { factDetails } from '../facts.ts';
import { decodeSize } from '../marks.ts';
import {
  type BusyQuery,
  type HeadsUp,
  ReconcileAction,
  type ReconcileChange,
  type ReconcileInput,
  type ReconcilePlan,
  type Scheduled,
  type ScheduledKind,
} from './types.ts';

const MINUTE_MS = 60_000;
/** AWS starts a stopped RDS database again after this many days. */
export const RDS_RESTART_DAYS = 7;
const RDS_RESTART_MS = RDS_RESTART_DAYS * 24 * 60 * MINUTE_MS;
/** The notice of a schedule without `notice`: stops due within this many minutes. */
export const DEFAULT_NOTICE_MINUTES = 30;

const INSTANCE_STATES = new Map<string, ActualState>([
  ['running', 'running'],
  ['stopped', 'stopped'],
  ['pending', 'starting'],
  ['stopping', 'stopping'],
  ['shutting-down', 'stopping'],
]);
const DATABASE_STATES = new Map<string, ActualState>([
  ['available', 'running'],
  ['stopped', 'stopped'],
  ['starting', 'starting'],
  ['stopping', 'stopping'],
]);
const GROUP_STATES = new Map<string, ActualState>([
  ['running', 'running'],
  ['stopped', 'stopped'],
]);
const STATES_OF: Record<ScheduledKind, ReadonlyMap<string, ActualState>> = {
  instance: INSTANCE_STATES,
  group: GROUP_STATES,
  'db-instance': DATABASE_STATES,
  'db-cluster': DATABASE_STATES,
};

/**
 * A resource's state as scheduling sees it: an instance `pending` is starting, `stopping`
 * or `shutting-down` is stopping; a database `available` is running; anything else a
 * database can be (backing-up, modifying, rebooting, …) is `other`, left for a later run.
 *
 * @example
 * actualState({ kind: 'db-instance', state: 'available' }); // 'running'
 */
export const actualState = ({ kind, state }: Pick<Scheduled, 'kind' | 'state'>): ActualState =>
  STATES_OF[kind].get(state) ?? 'other';

/** The transition Nightshift last handled for a resource, and when. */
export interface LastAction {
  /** `start` → running, `stop` → stopped. */
  state: 'running' | 'stopped';
  at: Date;
}

const LAST_ACTION =
  /^(start|stop)@(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}))$/;

/**
 * `nightshift:last-action` read back (`start@<ISO time>` or `stop@<ISO time>`), or
 * undefined when it is absent or unreadable: then Nightshift has never acted on the resource.
 *
 * @example
 * readLastAction([{ Key: 'nightshift:last-action', Value: 'stop@2026-12-01T18:00:00.000Z' }]); // { state: 'stopped', at: 2026-12-01T18:00:00.000Z }
 */
export const readLastAction = (tags: readonly Tag[] | undefined): LastAction | undefined => {
  const value = tagValue(tags, LAST_ACTION_KEY);
  if (value === undefined) return undefined;
  const match = LAST_ACTION.exec(value.trim());
  if (!match) return undefined;
  const at = Date.parse(match[2] as string);
  if (Number.isNaN(at)) return undefined;
  return { state: match[1] === 'start' ? 'running' : 'stopped', at: new Date(at) };
};

/**
 * `nightshift:order`: 0 when absent, the integer it holds (`/^-?\d{1,6}$/` once trimmed), or
 * undefined when it holds anything else (a problem: the resource is left alone).
 *
 * @example
 * readOrder([{ Key: 'nightshift:order', Value: ' -2 ' }]); // -2
 */
export const readOrder = (tags: readonly Tag[] | undefined): number | undefined => {
  const value = tagValue(tags, ORDER_KEY);
  if (value === undefined) return 0;
  const trimmed = value.trim();
  // + 0 turns -0 into 0.
  return /^-?\d{1,6}$/.test(trimmed) ? Number(trimmed) + 0 : undefined;
};

const SNOOZE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** Whether a `nightshift:snooze-until` value holds a time later than `instant`. */
const snoozedPast = (snoozeUntil: string | undefined, instant: Date): boolean => {
  if (snoozeUntil === undefined) return false;
  const written = snoozeUntil.trim();
  return SNOOZE.test(written) && Date.parse(written) > instant.getTime();
};

/** `YYYY-MM-DD HH:MM` on the wall clock of `timeZone`. */
export const localStamp = (instant: Date, timeZone: string): string => {
  const { date, minutes } = localTime(instant, timeZone);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date} ${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
};

/**
 * The whole minute since which `schedule` has said stopped without a break, looking back
 * from `now` at most `maxMinutes + 1` minutes (a longer stopped time reads as that long).
 *
 * @example
 * stoppedSince(officeHours, new Date('2026-12-01T18:30:20Z'), 120); // 2026-12-01T18:00:00Z (19:00 in Berlin)
 */
export const stoppedSince = (schedule: Schedule, now: Date, maxMinutes: number): Date => {
  const first = Math.floor(now.getTime() / MINUTE_MS);
  let since = first;
  for (let minute = first - 1; minute >= first - maxMinutes - 1; minute -= 1) {
    if (dueState(schedule, new Date(minute * MINUTE_MS)).due !== 'stopped') break;
    since = minute;
  }
  return new Date(since * MINUTE_MS);
};

const scheduleNamed = (document: SchedulesDocument, name: string): Schedule | undefined =>
  Object.hasOwn(document.schedules, name) ? document.schedules[name] : undefined;

const scheduleName = (resource: Scheduled): string =>
  tagValue(resource.tags, SCHEDULE_KEY)?.trim() ?? '';

const memberOf = (resource: Scheduled): string | undefined => {
  if (resource.kind === 'instance' && resource.groupName)
    return `handled through its Auto Scaling group ${resource.groupName}`;
  if (resource.kind === 'db-instance' && resource.clusterId)
    return `handled through its Aurora cluster ${resource.clusterId}`;
  return undefined;
};

/** A due state per schedule, read once per run. */
const dueStates = (now: Date) => {
  const cache = new Map<string, DueState>();
  return (name: string, schedule: Schedule): DueState => {
    let due = cache.get(name);
    if (!due) {
      due = dueState(schedule, now);
      cache.set(name, due);
    }
    return due;
  };
};

/**
 * The instances the busy guard needs CPU figures for: every instance not in an Auto Scaling
 * group, on a schedule with `busy`, running while its schedule says stopped; over the
 * schedule's `busy.minutes`. Some may end up left alone for other reasons: one
 * GetMetricData call serves them all. Sorted by id.
 *
 * @example
 * busyQueries(document, resources, now); // [{ id: 'i-0abc', minutes: 30 }]
 */
export const busyQueries = (
  document: SchedulesDocument,
  resources: readonly Scheduled[],
  now: Date,
): BusyQuery[] => {
  const dueOf = dueStates(now);
  const queries: BusyQuery[] = [];
  for (const resource of resources) {
    if (resource.kind !== 'instance' || resource.groupName) continue;
    if (actualState(resource) !== 'running') continue;
    const name = scheduleName(resource);
    const schedule = scheduleNamed(document, name);
    if (!schedule?.busy || dueOf(name, schedule).due !== 'stopped') continue;
    queries.push({ id: resource.id, minutes: schedule.busy.minutes });
  }
  return queries.sort((a, b) => compareText(a.id, b.id));
};

/** A resource on a known schedule with a readable order: the plan decides for it. */
interface OnSchedule {
  resource: Scheduled;
  name: string;
  schedule: Schedule;
  order: number;
  actual: ActualState;
  due: DueState;
}

/** What becomes of one resource; undefined: left alone in its due state (counted). */
type Outcome =
  | { kind: 'change'; change: ReconcileChange }
  | { kind: 'skip' | 'problem'; decision: Decision<ReconcileAction> }
  | undefined;

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byKindThenId = (a: Pick<Scheduled, 'kind' | 'id'>, b: Pick<Scheduled, 'kind' | 'id'>) =>
  compareText(a.kind, b.kind) || compareText(a.id, b.id);

const inDueState = (actual: ActualState, due: DueState['due']): boolean =>
  actual === due ||
  (due === 'running' && actual === 'starting') ||
  (due === 'stopped' && actual === 'stopping');

const formatPercent = (value: number): string => String(Math.round(value * 10) / 10);

/** What the plan computes once per run and shares between resources. */
interface RunContext {
  now: Date;
  cpu: ReconcileInput['cpu'];
  onSchedule: OnSchedule[];
  /** `stoppedSince` of a schedule, computed once per schedule per run. */
  stoppedSinceOf: (item: OnSchedule, maxMinutes: number) => Date;
}

/**
 * The busy guard on an instance's stop: CPU above the schedule's `busy.cpuPercent` defers
 * it, for at most `busy.maxDeferMinutes` after the due state became stopped.
 */
const guardBusy = (
  item: OnSchedule,
  decision: ScheduleDecision,
  context: RunContext,
): ScheduleDecision => {
  const { busy } = item.schedule;
  if (!busy || decision.action !== ScheduleAction.Stop || item.resource.kind !== 'instance')
    return decision;
  const maximum = context.cpu.get(item.resource.id);
  const window = `over the last ${busy.minutes} minutes`;
  if (maximum === undefined)
    return { ...decision, reason: `${decision.reason}; no CPU data ${window} (busy guard)` };
  const figure = `CPU maximum ${formatPercent(maximum)}% ${window}`;
  if (maximum <= busy.cpuPercent)
    return {
      ...decision,
      reason: `${decision.reason}; ${figure} is not above ${busy.cpuPercent}%`,
    };
  const since = context.stoppedSinceOf(item, busy.maxDeferMinutes);
  const busyFor = `busy: ${figure} is above ${busy.cpuPercent}%`;
  if (context.now.getTime() - since.getTime() < busy.maxDeferMinutes * MINUTE_MS) {
    const until = new Date(since.getTime() + busy.maxDeferMinutes * MINUTE_MS);
    return {
      action: ScheduleAction.Leave,
      reason: `${busyFor}; stop deferred (at most until ${localStamp(until, item.schedule.timezone)} ${item.schedule.timezone})`,
      clearSnooze: decision.clearSnooze,
    };
  }
  return {
    ...decision,
    reason: `${busyFor}; stopped anyway after deferring ${busy.maxDeferMinutes} minutes (${decision.reason})`,
  };
};

/**
 * Order across runs: a start waits while a resource of a lower order, due running, is
 * still starting; a stop waits while one of a higher order, due stopped, is still stopping.
 * The wave it waits for is the first in line (the lowest order for starts, the highest for
 * stops).
 */
const waitForOrder = (
  item: OnSchedule,
  decision: ScheduleDecision,
  context: RunContext,
): ScheduleDecision => {
  const starting = decision.action === ScheduleAction.Start;
  if (!starting && decision.action !== ScheduleAction.Stop) return decision;
  const blockers = context.onSchedule.filter((other) =>
    starting
      ? other.order < item.order && other.due.due === 'running' && other.actual === 'starting'
      : other.order > item.order && other.due.due === 'stopped' && other.actual === 'stopping',
  );
  if (blockers.length === 0) return decision;
  const orders = blockers.map((other) => other.order);
  const first = starting ? Math.min(...orders) : Math.max(...orders);
  const ids = blockers
    .filter((other) => other.order === first)
    .map((other) => other.resource)
    .sort(byKindThenId)
    .map((resource) => resource.id);
  return {
    action: ScheduleAction.Leave,
    reason: `waits for order ${first}: ${ids.join(', ')} ${starting ? 'starting' : 'stopping'}`,
    clearSnooze: decision.clearSnooze,
  };
};

/**
 * The facts a stop or a start reports (`FACT` keys): what AWS said about the resource, a
 * group's capacity (its desired size now when emptied, the one restored when started) and,
 * on a start, since when Nightshift had it stopped (`nightshift:last-action` `stop@<time>`).
 */
const changeFacts = (
  resource: Scheduled,
  action: ScheduleDecision['action'],
  { restoreSize, lastAction }: { restoreSize?: GroupSize | undefined; lastAction?: LastAction },
): Details => {
  if (action !== ScheduleAction.Start && action !== ScheduleAction.Stop) return {};
  const starting = action === ScheduleAction.Start;
  return factDetails({
    kind: resource.kind,
    instanceType: resource.instanceType,
    multiAz: resource.multiAz,
    engine: resource.engine,
    members: resource.members,
    instanceTypes: resource.instanceTypes,
    // Only a group has sizes.
    capacity: (starting ? restoreSize : resource.size)?.desired,
    stoppedSince: starting && lastAction?.state === 'stopped' ? lastAction.at : undefined,
  });
};

const NO_SAVED_SIZES = `min and desired 0 and no saved sizes (${SAVED_SIZE_KEY}) to restore: set its sizes by hand`;

/** The plan for one resource on a known schedule. */
const planOne = (item: OnSchedule, context: RunContext): Outcome => {
  const { resource, schedule, due, actual } = item;
  const { now } = context;
  const lastAction = readLastAction(resource.tags);
  const snoozeUntil = tagValue(resource.tags, SNOOZE_UNTIL_KEY);
  const details: Details = { kind: resource.kind, schedule: item.name, due: due.due };
  if (item.order !== 0) details.order = item.order;
  const leave = (reason: string): Decision<ReconcileAction> =>
    decide(ReconcileAction.Leave, resource.id, reason, details);

  let decision = decideForSchedule({
    due,
    actual,
    lastActed: lastAction?.state,
    snoozeUntil,
    enforced: schedule.enforced,
    now,
  });
  if (decision.problem) return { kind: 'problem', decision: leave(decision.reason) };

  // A snooze that has not passed leaves the resource alone, the 7-day restart included.
  const snoozed = snoozeUntil !== undefined && !decision.clearSnooze;
  const restartedByAws =
    (resource.kind === 'db-instance' || resource.kind === 'db-cluster') &&
    lastAction?.state === 'stopped' &&
    now.getTime() - lastAction.at.getTime() >= RDS_RESTART_MS &&
    due.due === 'stopped' &&
    actual === 'running' &&
    !snoozed;
  if (restartedByAws) {
    decision = {
      action: ScheduleAction.Stop,
      reason: `AWS started it again after ${RDS_RESTART_DAYS} days stopped (stopped at ${lastAction.at.toISOString()}); stopped again: due stopped: ${due.reason}`,
      clearSnooze: decision.clearSnooze,
    };
  }

  decision = guardBusy(item, decision, context);

  let restoreSize: GroupSize | undefined;
  if (decision.action === ScheduleAction.Start && resource.kind === 'group') {
    restoreSize = decodeSize(tagValue(resource.tags, SAVED_SIZE_KEY));
    if (!restoreSize)
      decision = {
        action: ScheduleAction.Leave,
        reason: NO_SAVED_SIZES,
        clearSnooze: decision.clearSnooze,
      };
  }

  decision = waitForOrder(item, decision, context);

  if (decision.action === ScheduleAction.Leave) {
    if (decision.clearSnooze)
      return {
        kind: 'change',
        change: {
          ...decide(
            ReconcileAction.ClearSnooze,
            resource.id,
            `snooze passed (${SNOOZE_UNTIL_KEY} comes off); ${decision.reason}`,
            details,
          ),
          resource,
          schedule: item.name,
          order: item.order,
          due: due.due,
          clearSnooze: true,
          hadError: tagValue(resource.tags, LAST_ERROR_KEY) !== undefined,
        },
      };
    if (inDueState(actual, due.due)) return undefined;
    return { kind: 'skip', decision: leave(decision.reason) };
  }

  const change: ReconcileChange = {
    ...decide(decision.action, resource.id, decision.reason, {
      ...details,
      ...changeFacts(resource, decision.action, { restoreSize, lastAction }),
    }),
    resource,
    schedule: item.name,
    order: item.order,
    due: due.due,
    clearSnooze: decision.clearSnooze,
    hadError: tagValue(resource.tags, LAST_ERROR_KEY) !== undefined,
  };
  if (restoreSize) change.restoreSize = restoreSize;
  if (decision.action === ScheduleAction.Stop && resource.kind === 'group')
    change.sizesSaved = decodeSize(tagValue(resource.tags, SAVED_SIZE_KEY)) !== undefined;
  if (restartedByAws) change.restartedByAws = true;
  return { kind: 'change', change };
};

/**
 * The reconcile plan: what every resource tagged `nightshift:schedule` needs for the state its
 * schedule says it is due in, acting only on transitions (`decideForSchedule`), with
 * these rules on top:
 *
 * - An instance of an Auto Scaling group, or a DB instance of an Aurora cluster, is handled
 *   through its group or cluster only: skipped.
 * - A schedule name not in the document, or a `nightshift:order` that is not an integer, is
 *   a problem (reported as failed); the resource is left alone.
 * - RDS 7-day restart: a database Nightshift stopped (`nightshift:last-action` `stop@T`) at
 *   least 7 days ago that is running while due stopped, and not snoozed, is stopped again
 *   (`restartedByAws`), over the "changed by a person" rule. Without RDS events a person's
 *   start after day 7 cannot be told apart from AWS's, so such a start is stopped too.
 * - Busy guard: an instance's stop waits while its CPU maximum (`cpu`) is above the
 *   schedule's `busy.cpuPercent`, for at most `busy.maxDeferMinutes` after the due state
 *   became stopped (on the schedule's clock); then it is stopped anyway. No figures: stopped.
 * - Order across runs: a start waits while a lower order due running is starting; a stop
 *   waits while a higher order due stopped is stopping (within a run, apply does the waves).
 * - A group starts only with saved sizes (`nightshift:saved-size`) to restore.
 * - A passed snooze comes off (alone, when nothing else changes).
 * - A resource left alone in its due state is counted (`inDueState`), not listed.
 *
 * Also: the heads-up of each schedule whose next change, within its notice
 * (`notice.minutes`, 30 by default), is a stop, listing its resources that run now and are
 * not snoozed past it; a note per schedule in use. Every list is sorted by kind, then id.
 * Pure: no clock, no AWS calls.
 *
 * @example
 * const plan = planReconcile({ document, resources, cpu: await readCpuMaxima(cloudwatch, busyQueries(document, resources, now), now), now });
 */
export const planReconcile = ({ document, resources, cpu, now }: ReconcileInput): ReconcilePlan => {
  const dueOf = dueStates(now);
  const known = Object.keys(document.schedules).sort(compareText);
  const members: { resource: Scheduled; decision: Decision<ReconcileAction> }[] = [];
  const problems: { resource: Scheduled; decision: Decision<ReconcileAction> }[] = [];
  const onSchedule: OnSchedule[] = [];

  for (const resource of resources) {
    const name = scheduleName(resource);
    const details: Details = { kind: resource.kind, schedule: name };
    const member = memberOf(resource);
    if (member) {
      members.push({
        resource,
        decision: decide(ReconcileAction.Leave, resource.id, member, details),
      });
      continue;
    }
    const schedule = scheduleNamed(document, name);
    if (!schedule) {
      const names = known.length > 0 ? `known: ${known.join(', ')}` : 'it names none';
      problems.push({
        resource,
        decision: decide(
          ReconcileAction.Leave,
          resource.id,
          `schedule ${JSON.stringify(name)} (${SCHEDULE_KEY}) is not in the schedules document (${names}); left alone until the tag or the document is corrected`,
          details,
        ),
      });
      continue;
    }
    const order = readOrder(resource.tags);
    if (order === undefined) {
      problems.push({
        resource,
        decision: decide(
          ReconcileAction.Leave,
          resource.id,
          `${ORDER_KEY} ${JSON.stringify(tagValue(resource.tags, ORDER_KEY))} is not an integer (like 1 or -2); left alone until it is corrected or removed`,
          details,
        ),
      });
      continue;
    }
    onSchedule.push({
      resource,
      name,
      schedule,
      order,
      actual: actualState(resource),
      due: dueOf(name, schedule),
    });
  }

  const since = new Map<string, Date>();
  const context: RunContext = {
    now,
    cpu,
    onSchedule,
    stoppedSinceOf: ({ name, schedule }, maxMinutes) => {
      let at = since.get(name);
      if (!at) {
        at = stoppedSince(schedule, now, maxMinutes);
        since.set(name, at);
      }
      return at;
    },
  };

  const changes: ReconcileChange[] = [];
  const skips = [...members];
  const troubled = new Set<Scheduled>();
  let counted = 0;
  for (const item of onSchedule) {
    const outcome = planOne(item, context);
    if (!outcome) counted += 1;
    else if (outcome.kind === 'change') changes.push(outcome.change);
    else if (outcome.kind === 'skip')
      skips.push({ resource: item.resource, decision: outcome.decision });
    else {
      problems.push({ resource: item.resource, decision: outcome.decision });
      troubled.add(item.resource);
    }
  }

  // The schedules in use, by name; each with its resources (at least one).
  const used = [...Map.groupBy(onSchedule, (item) => item.name)].sort(([a], [b]) =>
    compareText(a, b),
  );

  const headsUp: HeadsUp[] = [];
  for (const [name, items] of used) {
    const { schedule } = items[0] as OnSchedule;
    const next = nextChange(schedule, now, {
      horizonMinutes: schedule.notice?.minutes ?? DEFAULT_NOTICE_MINUTES,
    });
    if (next?.to.due !== 'stopped') continue;
    const listed = items
      .filter(
        (item) =>
          !troubled.has(item.resource) &&
          (item.actual === 'running' || item.actual === 'starting') &&
          !snoozedPast(tagValue(item.resource.tags, SNOOZE_UNTIL_KEY), next.at),
      )
      .map(({ resource }) => ({ kind: resource.kind, id: resource.id }))
      .sort(byKindThenId);
    if (listed.length === 0) continue;
    headsUp.push({
      schedule: name,
      timezone: schedule.timezone,
      stopAt: next.at.toISOString(),
      localStopAt: localStamp(next.at, schedule.timezone),
      resources: listed,
    });
  }

  const notes = used.map(([name, items]) => {
    const { schedule } = items[0] as OnSchedule;
    const due = dueOf(name, schedule);
    return `${name} (${schedule.timezone}): due ${due.due} (${due.reason})`;
  });
  if (counted > 0) notes.push(`${counted} resources already in their due state`);

  const sorted = (entries: { resource: Scheduled; decision: Decision<ReconcileAction> }[]) =>
    entries.sort((a, b) => byKindThenId(a.resource, b.resource)).map((entry) => entry.decision);
  return {
    ...emptyPlan<ReconcileAction, ReconcileChange>(),
    changes: changes.sort((a, b) => byKindThenId(a.resource, b.resource)),
    skips: sorted(skips),
    problems: sorted(problems),
    notes,
    headsUp,
    inDueState: counted,
  };
};
