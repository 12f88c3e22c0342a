import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HISTORY_CLIENT_LIMITS, loadHistorySettings, recordRun } from '@nightshift/history';
import { createObservability, type Observability, withNightshift } from '@nightshift/middleware';
import {
  accountOfArn,
  createTimeBudget,
  getClient,
  type Report,
  type Schema,
  type TimeBudget,
  throwIfFailed,
} from '@nightshift/runtime';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { type ClientMakers, OWN_CLIENTS } from './clients.ts';

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
}

/** A job's Lambda handler, answering with `R`. */
export type JobLambda<R> = (event: unknown, context: Context) => Promise<R>;

/**
 * A job's Lambda handler: its logger and metrics, its settings read once, its event
 * validated by the middy stack, a time budget from Lambda's context, the run's record in
 * the run history (`HISTORY_TABLE`, `@nightshift/history`: a failed write is logged, never
 * fails the run), and the invocation failed after the report is out when anything failed
 * (so retries, the dead-letter queue and the Errors alarm see it).
 *
 * A job that can run across accounts and Regions uses `fanoutJobHandler` from
 * `@nightshift/job/fanout` instead, so that no other function bundles the fan-out.
 *
 * @example
 * export const handler = jobHandler({ service: SERVICE, loadConfig, eventSchema: EventSchema, clients: () => ({ ec2: getClient(EC2Client), sns: getClient(SNSClient) }), run });
 */
export const jobHandler = <C, S extends Schema, D>({
  service,
  loadConfig,
  eventSchema,
  clients,
  run,
}: JobHandlerOptions<C, S, D>): JobLambda<Report> => {
  const { logger, metrics } = createObservability(service);
  const config = loadConfig();
  const history = loadHistorySettings();
  const schema = typeof eventSchema === 'function' ? eventSchema(config) : eventSchema;
  return withNightshift({ logger, metrics, eventSchema: schema }, async (event, context) => {
    const report = await run(
      { ...clients(OWN_CLIENTS), logger, metrics },
      config,
      event,
      createTimeBudget(context),
    );
    // Before the invocation fails for a failed item: a failed run is history too.
    await recordRun(
      () => getClient(DynamoDBClient, HISTORY_CLIENT_LIMITS),
      history,
      report,
      {
        account: accountOfArn(context.invokedFunctionArn),
        region: process.env.AWS_REGION ?? 'unknown',
      },
      logger,
    );
    throwIfFailed(report);
    return report;
  });
};
