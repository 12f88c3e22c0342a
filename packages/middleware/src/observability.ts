import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { redactSecrets } from '@nightshift/runtime';

/** The CloudWatch namespace of every Nightshift metric. */
export const METRICS_NAMESPACE = 'Nightshift';

/** A function's logger and metrics, created once per container. */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

/**
 * Creates a function's structured JSON logger (level from `POWERTOOLS_LOG_LEVEL` or
 * Lambda's log level, secrets redacted) and its EMF metrics (namespace `Nightshift`,
 * service = the function's name). Metrics go to the log as EMF: no PutMetricData calls.
 *
 * @example
 * const { logger, metrics } = createObservability('snapshot-cleanup');
 */
export const createObservability = (service: string): Observability => ({
  logger: new Logger({ serviceName: service, jsonReplacerFn: redactSecrets }),
  metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service }),
});
