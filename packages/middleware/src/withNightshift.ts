import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Schema } from '@nightshift/runtime';
import type { Context } from 'aws-lambda';
import type { core } from 'zod/mini';
import { errorLogger } from './errorLogger.ts';
import { eventValidator } from './eventValidator.ts';
import type { Observability } from './observability.ts';

/** Sets the log's correlation id from the event's `id` (EventBridge events have one). */
const correlationIdFromEvent = (logger: Observability['logger']): MiddlewareObj => ({
  before: (request) => {
    const id = (request.event as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && id.length > 0) logger.setCorrelationId(id);
  },
});

/**
 * Wraps a handler with the Nightshift stack, in this order: Lambda context and
 * correlation id in every log line; EMF metrics with a cold-start metric, flushed even
 * when the handler fails; one error log line per failed invocation, error rethrown;
 * validation of the event, so the handler only ever sees a parsed, typed event.
 *
 * @example
 * export const handler = withNightshift(
 *   { ...createObservability('snapshot-cleanup'), eventSchema: CleanupEvent },
 *   async (event, context) => runCleanup(event, context),
 * );
 */
export const withNightshift = <S extends Schema, R>(
  { logger, metrics, eventSchema }: Observability & { eventSchema: S },
  handler: (event: core.output<S>, context: Context) => Promise<R>,
) =>
  // Lambda hands over whatever the trigger sent: the outer event is unknown until the
  // validator (the last `before`) has replaced it with the parsed event.
  middy<unknown, R, Error, Context>(handler as (event: unknown, context: Context) => Promise<R>)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(correlationIdFromEvent(logger))
    .use(errorLogger(logger))
    .use(eventValidator(eventSchema));
