import type { BatchResponse, Target } from '@nightshift/fanout';
import { createObservability, type Observability, withNightshift } from '@nightshift/middleware';
import {
  createTimeBudget,
  parseOrThrow,
  type Report,
  type Schema,
  type TimeBudget,
  throwIfFailed,
} from '@nightshift/runtime';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import {
  type ClientMakers,
  type DispatchReport,
  dispatchRun,
  isSqsEvent,
  loadFanout,
  OWN_CLIENTS,
  targetWork,
  workBatch,
} from './fanout.ts';

/** Any event: a fanned-out job checks it itself, once it knows it is not the queue's. */
const ANY_EVENT = z.unknown();

/** How a function's handler is wired: everything `jobHandler` needs, nothing else. */
export interface JobHandlerOptions<C, S extends Schema, D> {
  service: string;
  /** Reads the function's settings; called once, at cold start. */
  loadConfig: () => C;
  /** The event schema, or one made from the settings (allowed environments, …). */
  eventSchema: S | ((config: C) => S);
  /**
   * The AWS clients of a run: those of the resources it acts on from `make.resource`, those
   * of the function's own topic, tables and parameters from `make.own` (both cached).
   */
  clients: (make: ClientMakers) => D;
  /** The function's entry point. */
  run: (
    deps: D & Observability,
    config: C,
    event: z.core.output<S>,
    budget: TimeBudget,
  ) => Promise<Report>;
  /**
   * Whether the job may run across accounts and regions (`TARGET_ACCOUNTS`,
   * `TARGET_REGIONS`), and the settings of one target's run: with no report of its own, and
   * without what only the function's own account and region (`home`) can do.
   */
  fanout?: {
    forTarget: (config: C, target: Target, home: boolean) => C;
    /** Totals that are settings, not counts (`retentionDays`): left out of the run's sums. */
    settingTotals?: readonly string[];
  };
}

/**
 * A job's Lambda handler: its logger and metrics, its settings read once, its event
 * validated by the middy stack, a time budget from Lambda's context, and the invocation
 * failed after the report is out when anything failed (so retries, the dead-letter queue
 * and the Errors alarm see it).
 *
 * A job with `fanout`, when its targets are more than this account and region, dispatches
 * instead: the scheduled event is checked, then one message per target goes to the fan-out
 * queue; the same handler, invoked by the queue, runs the job for each target and answers
 * with the messages to deliver again (SQS partial batch response).
 *
 * @example
 * export const handler = jobHandler({ service: SERVICE, loadConfig, eventSchema: EventSchema, clients: () => ({ ec2: getClient(EC2Client), sns: getClient(SNSClient) }), run });
 */
/** A job's Lambda handler, answering with `R`. */
export type JobLambda<R> = (event: unknown, context: Context) => Promise<R>;

export function jobHandler<C, S extends Schema, D>(
  options: JobHandlerOptions<C, S, D> & { fanout?: undefined },
): JobLambda<Report>;
export function jobHandler<C, S extends Schema, D>(
  options: JobHandlerOptions<C, S, D>,
): JobLambda<Report | BatchResponse | DispatchReport>;
export function jobHandler<C, S extends Schema, D>({
  service,
  loadConfig,
  eventSchema,
  clients,
  run,
  fanout: fanoutOptions,
}: JobHandlerOptions<C, S, D>): JobLambda<Report | BatchResponse | DispatchReport> {
  const { logger, metrics } = createObservability(service);
  const config = loadConfig();
  const schema = typeof eventSchema === 'function' ? eventSchema(config) : eventSchema;
  // With the default targets (this account, this region) nothing fans out.
  const fanout = fanoutOptions ? loadFanout() : undefined;
  if (!fanout || !fanoutOptions) {
    return withNightshift({ logger, metrics, eventSchema: schema }, async (event, context) => {
      const report = await run(
        { ...clients(OWN_CLIENTS), logger, metrics },
        config,
        event,
        createTimeBudget(context),
      );
      throwIfFailed(report);
      return report;
    });
  }
  return withNightshift({ logger, metrics, eventSchema: ANY_EVENT }, async (event, context) => {
    if (isSqsEvent(event)) {
      const work = targetWork(
        {
          service,
          config,
          schema,
          clients,
          forTarget: fanoutOptions.forTarget,
          ...(fanoutOptions.settingTotals ? { settingTotals: fanoutOptions.settingTotals } : {}),
          run: (deps, targetConfig, targetEvent) =>
            run(deps, targetConfig, targetEvent, createTimeBudget(context)),
        },
        { fanout, logger, metrics },
      );
      return workBatch(event, work, { fanout, logger });
    }
    parseOrThrow(schema, event, 'event');
    return dispatchRun({ service, fanout, logger }, event as Record<string, unknown>, {
      requestId: context.awsRequestId,
      remainingMs: context.getRemainingTimeInMillis(),
    });
  });
}
