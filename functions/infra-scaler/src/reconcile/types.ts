import type { Tag } from '@nightshift/conventions';
import type { GroupSize } from '@nightshift/inventory';
import type { Decision, Plan } from '@nightshift/job';
import type { SchedulesDocument } from '@nightshift/schedules';

/** The kinds of resource a schedule applies to. */
export type ScheduledKind = 'instance' | 'group' | 'db-instance' | 'db-cluster';

/** One resource tagged `nightshift:schedule`, as read (its tags interpreted by the plan). */
export interface Scheduled {
  kind: ScheduledKind;
  /** Instance id, group name, DB instance or cluster identifier; never empty. */
  id: string;
  /** The database's ARN (tag writes on RDS go by ARN). */
  arn?: string;
  /**
   * As AWS says it: an instance's state name (`running`, `stopped`, `pending`, …), a
   * database's status (`available`, `stopped`, `backing-up`, …); a group's is `running`
   * when its desired capacity or minimum is above 0, `stopped` when both are 0.
   */
  state: string;
  tags: Tag[];
  /** A group's sizes now. */
  size?: GroupSize;
  /** An instance's Auto Scaling group: such an instance is handled only through its group. */
  groupName?: string;
  /** A DB instance's Aurora cluster: such an instance is handled only through its cluster. */
  clusterId?: string;
  /** An instance's type, or a DB instance's class (`db.t4g.micro`), when AWS gave it. */
  instanceType?: string;
  /** A DB instance deployed Multi-AZ, when RDS said. */
  multiAz?: boolean;
  /** A database's engine (`postgres`, `aurora-mysql`), when RDS gave it. */
  engine?: string;
  /** An Aurora cluster's member classes, one per member (its DB instances with a class). */
  members?: string[];
  /** A group's instance types now, one per instance. */
  instanceTypes?: string[];
}

/** CPU maxima the busy guard reads: per instance id, the highest CPU percent in its window. */
export type CpuMaxima = ReadonlyMap<string, number>;

/** An instance the busy guard must read CPU for, and over how many minutes. */
export interface BusyQuery {
  id: string;
  minutes: number;
}

/** Everything a reconcile plan is made from. */
export interface ReconcileInput {
  document: SchedulesDocument;
  resources: Scheduled[];
  /** CPU maxima of the busy guard's candidates (`busyQueries`); absent id: no data. */
  cpu: CpuMaxima;
  /** The run's time. */
  now: Date;
}

/** The actions a reconcile report shows. */
export const ReconcileAction = {
  Start: 'start',
  Stop: 'stop',
  /** Already in its due state: the transition is recorded (`nightshift:last-action`). */
  Record: 'record',
  /** Only the passed snooze comes off. */
  ClearSnooze: 'clear snooze',
  /** Left alone (snoozed, changed by a person, in between, busy, waiting for its order). */
  Leave: 'leave',
} as const;
export type ReconcileAction = (typeof ReconcileAction)[keyof typeof ReconcileAction];

/** A change the reconcile run carries out on one resource. */
export interface ReconcileChange
  extends Decision<
    | typeof ReconcileAction.Start
    | typeof ReconcileAction.Stop
    | typeof ReconcileAction.Record
    | typeof ReconcileAction.ClearSnooze
  > {
  resource: Scheduled;
  schedule: string;
  /** `nightshift:order` (0 when the tag is absent): starts ascend, stops descend. */
  order: number;
  /** The due state the change brings the resource to (what `nightshift:last-action` records). */
  due: 'running' | 'stopped';
  /** The snooze has passed: `nightshift:snooze-until` comes off. */
  clearSnooze: boolean;
  /** A group's start: the sizes to restore (from `nightshift:saved-size`). */
  restoreSize?: GroupSize;
  /** A group's stop: its sizes are saved already (`nightshift:saved-size`), never overwritten. */
  sizesSaved?: boolean;
  /** A database stopped again after AWS started it on its own after 7 days stopped. */
  restartedByAws?: boolean;
  /** `nightshift:last-error` is on the resource: it comes off once the change succeeds. */
  hadError?: boolean;
}

/** What a reconcile plan holds beyond its decisions. */
export interface ReconcilePlan extends Plan<ReconcileAction, ReconcileChange> {
  /** The stops due within each schedule's notice window (30 minutes by default). */
  headsUp: HeadsUp[];
  /** Resources already in their due state, left alone: counted, not listed one by one. */
  inDueState: number;
}

/** A stop due soon: what the heads-up notice of a schedule lists. */
export interface HeadsUp {
  schedule: string;
  timezone: string;
  /** When the stop is due (ISO time, UTC). */
  stopAt: string;
  /** The same moment on the schedule's wall clock (`2026-12-01 19:00`). */
  localStopAt: string;
  resources: { kind: ScheduledKind; id: string }[];
}
