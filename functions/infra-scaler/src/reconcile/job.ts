import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { Job } from '@nightshift/job';
import type { TimeBudget } from '@nightshift/runtime';
import type { SchedulesDocument } from '@nightshift/schedules';
import { applyReconcile, type ReconcileCounts } from './apply.ts';
import { busyQueries, planReconcile } from './plan.ts';
import { readCpuMaxima, readScheduled } from './read.ts';
import type {
  HeadsUp,
  ReconcileAction,
  ReconcileChange,
  ReconcileInput,
  ReconcilePlan,
} from './types.ts';

/** What a reconcile run reads and changes with, and when it runs. */
export interface ReconcileContext {
  ec2: EC2Client;
  autoscaling: AutoScalingClient;
  rds: RDSClient;
  cloudwatch: CloudWatchClient;
  document: SchedulesDocument;
  now: Date;
  budget: TimeBudget;
  concurrency: number;
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** A heads-up as a line of the report. */
export const headsUpNote = ({ schedule, timezone, localStopAt, resources }: HeadsUp): string =>
  `heads-up: ${schedule} stops ${resources.map(({ id }) => id).join(', ')} at ${localStopAt} (${timezone})`;

const NOTHING: ReconcileCounts = {
  InstancesStopped: 0,
  InstancesStarted: 0,
  GroupsScaled: 0,
  DatabasesStopped: 0,
  DatabasesStarted: 0,
};

/**
 * The reconcile job: every resource tagged `nightshift:schedule` read (a constant number
 * of describe calls, filtered by the tag key), the CPU of the busy guard's candidates read
 * in one batch, planned against the schedules, applied in order. Its report goes to the
 * topic only when the run did, planned or failed something: a run every five minutes that
 * finds everything in its due state stays quiet. `headsUp()` gives the stops due soon, once
 * planned.
 *
 * @example
 * const job = reconcileJob({ ec2, autoscaling, rds, cloudwatch, document, now, budget, concurrency: 5 }, false);
 */
export const reconcileJob = (
  context: ReconcileContext,
  service: string,
  dryRun: boolean,
): Job<ReconcileAction, ReconcileInput, ReconcileChange> & { headsUp: () => HeadsUp[] } => {
  let counts = NOTHING;
  let planned: ReconcilePlan | undefined;
  return {
    service,
    dryRun,
    read: async () => {
      const { document, now } = context;
      const resources = await readScheduled(context);
      const cpu = await readCpuMaxima(
        context.cloudwatch,
        busyQueries(document, resources, now),
        now,
      );
      return { document, resources, cpu, now };
    },
    plan: (input) => {
      planned = planReconcile(input);
      return { ...planned, notes: [...planned.notes, ...planned.headsUp.map(headsUpNote)] };
    },
    apply: async (changes, outcomes) => {
      counts = await applyReconcile(changes, outcomes, {
        ec2: context.ec2,
        autoscaling: context.autoscaling,
        rds: context.rds,
        now: context.now,
        budget: context.budget,
        concurrency: context.concurrency,
        ...(context.sleep ? { sleep: context.sleep } : {}),
      });
    },
    summarize: (_report, input) => ({
      totals: {
        scheduledResources: input.resources.length,
        inDueState: planned?.inDueState ?? 0,
        headsUp: planned?.headsUp.length ?? 0,
      },
      metrics: { ...counts },
    }),
    publishes: (report) =>
      report.planned.length > 0 || report.done.length > 0 || report.failed.length > 0,
    headsUp: () => planned?.headsUp ?? [],
  };
};
