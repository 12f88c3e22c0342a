import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import {
  ConfigError,
  maskSecrets,
  PartialFailureError,
  ValidationError,
} from '@nightshift/runtime';

/**
 * A middy middleware that logs a failed invocation once, with its context, and lets
 * the error go on so the invocation stays failed (retries, dead-letter queue, alarms).
 * Credentials quoted in the error's message or stack are masked first: Lambda hands both
 * to the on-failure destination, where no log redaction applies.
 *
 * @example
 * middy(handler).use(errorLogger(logger));
 */
export const errorLogger = (logger: Logger): MiddlewareObj => {
  const errorLoggerOnError: MiddlewareObj['onError'] = (request) => {
    const { error } = request;
    if (error) {
      error.message = maskSecrets(error.message);
      if (error.stack) error.stack = maskSecrets(error.stack);
    }
    if (error instanceof ValidationError || error instanceof ConfigError) {
      logger.error(error.message, { errorName: error.name, issues: error.issues });
    } else if (error instanceof PartialFailureError) {
      logger.error(error.message, { errorName: error.name, failed: error.failed });
    } else if (error) {
      logger.error('Invocation failed', error);
    }
    // No response is set, so middy rethrows the error after the other onError phases.
  };
  return { onError: errorLoggerOnError };
};
