import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Observability } from '@nightshift/middleware';
import { createReport, logReport, publishReport, type Report } from '@nightshift/runtime';
import { type Decision, toEntry } from './decision.ts';
import { type Outcomes, recordInto } from './outcomes.ts';

/** What a planner returns: typed decisions, nothing carried out yet. */
export interface Plan<A extends string, C extends Decision<A> = Decision<A>> {
  /** What to change; carried out by `apply` unless this is a dry run. */
  changes: C[];
  /** What is left alone, and why. */
  skips: Decision<A>[];
  /** What a person must look at: reported as failed, so the invocation fails. */
  problems: Decision<A>[];
  /**
   * What the run found without changing anything (an idle instance flagged): reported as
   * done in every run, a dry run too, since carrying it out is reporting it.
   */
  findings?: Decision<A>[];
  /** What a reader must know to read the report right. */
  notes: string[];
}

/** A plan with nothing in it, for planners to fill. */
export const emptyPlan = <A extends string, C extends Decision<A> = Decision<A>>(): Plan<A, C> => ({
  changes: [],
  skips: [],
  problems: [],
  findings: [],
  notes: [],
});

/** Figures of a finished run: report totals, EMF metric counts, notes. */
export interface Summary {
  totals?: Record<string, number>;
  metrics?: Record<string, number>;
  notes?: string[];
}

/** One run of a job that changes resources, as `runJob` carries it out. */
export interface Job<A extends string, R, C extends Decision<A> = Decision<A>> {
  service: string;
  dryRun: boolean;
  /** Reads what the plan needs (AWS calls, no changes). */
  read: () => Promise<R>;
  /** Decides, from what was read only: pure, so a dry run and a test see the same plan. */
  plan: (input: R) => Plan<A, C>;
  /** Carries out the changes and records each outcome (never called in a dry run). */
  apply: (changes: C[], outcomes: Outcomes<A>) => Promise<void>;
  /** The figures of the run, once applied (or planned, in a dry run). */
  summarize?: (report: Report, input: R, plan: Plan<A, C>) => Summary;
  /**
   * Whether the finished report goes to the reports topic (default: always). A job that runs
   * every few minutes publishes only the runs that did, planned or failed something.
   */
  publishes?: (report: Report) => boolean;
}

/** Where a run reports: the function's logger and metrics, and the reports topic if any. */
export interface JobOutput extends Observability {
  sns: SNSClient;
  topicArn?: string | undefined;
  /** The clock the report's start and finish are read from (a run's injected `now`). */
  now?: () => Date;
}

/**
 * The one shape of a run that changes resources: read → plan (pure) → apply (unless dry
 * run) → report → metrics → publish. The report is returned even when items failed; the
 * handler (`jobHandler`) fails the invocation afterwards, once the report is out.
 *
 * @example
 * const report = await runJob({ service, dryRun, read, plan, apply }, { logger, metrics, sns, topicArn });
 */
export const runJob = async <A extends string, R, C extends Decision<A>>(
  job: Job<A, R, C>,
  { logger, metrics, sns, topicArn, now = () => new Date() }: JobOutput,
): Promise<Report> => {
  const report = createReport(job.service, { dryRun: job.dryRun, now: now() });
  const input = await job.read();
  const plan = job.plan(input);
  report.planned.push(...plan.changes.map((decision) => toEntry(decision)));
  report.skipped.push(...plan.skips.map((decision) => toEntry(decision)));
  report.failed.push(...plan.problems.map((decision) => toEntry(decision)));
  report.done.push(...(plan.findings ?? []).map((decision) => toEntry(decision)));
  report.notes.push(...plan.notes);
  logger.info('Planned', {
    dryRun: job.dryRun,
    changes: plan.changes.length,
    skips: plan.skips.length,
    problems: plan.problems.length,
    findings: plan.findings?.length ?? 0,
  });

  if (!job.dryRun && plan.changes.length > 0) await job.apply(plan.changes, recordInto<A>(report));

  const summary = job.summarize?.(report, input, plan) ?? {};
  report.totals = { ...report.totals, ...summary.totals };
  report.notes.push(...(summary.notes ?? []));
  report.finishedAt = now().toISOString();
  for (const [name, value] of Object.entries(summary.metrics ?? {}))
    metrics.addMetric(name, MetricUnit.Count, value);
  logReport(logger, report);
  if (topicArn && (job.publishes?.(report) ?? true)) await publishReport(sns, { topicArn, report });
  return report;
};
