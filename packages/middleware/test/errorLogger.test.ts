import { Logger } from '@aws-lambda-powertools/logger';
import { ConfigError, PartialFailureError, ValidationError } from '@nightshift/runtime';
import { describe, expect, it, vi } from 'vitest';
import { errorLogger } from '../src/errorLogger.ts';

const onErrorWith = (error: Error | undefined) => {
  const logger = new Logger({ serviceName: 'test' });
  const logged = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
  const request = { error, event: {}, context: {}, response: undefined, internal: {} };
  errorLogger(logger).onError?.(request as never);
  return { logged, request };
};

describe('Log a failed invocation', () => {
  it('logs a ValidationError or a ConfigError once with its issues, and sets no response', () => {
    // Prepare
    const error = new ValidationError('event', [{ path: 'dryRun', message: 'must be a boolean' }]);

    // Act
    const { logged, request } = onErrorWith(error);

    // Assess
    expect(logged).toHaveBeenCalledOnce();
    expect(logged).toHaveBeenCalledWith(error.message, {
      errorName: 'ValidationError',
      issues: error.issues,
    });
    expect(request.response).toBeUndefined(); // middy rethrows: the invocation stays failed
    expect(
      onErrorWith(new ConfigError([{ path: 'X', message: 'is required' }])).logged,
    ).toHaveBeenCalledWith('Invalid configuration: X: is required', {
      errorName: 'ConfigError',
      issues: [{ path: 'X', message: 'is required' }],
    });
  });

  it('logs a PartialFailureError with the failed items', () => {
    // Prepare
    const failed = [{ id: 'i-1', action: 'stop', reason: 'throttled' }];

    // Act
    const { logged } = onErrorWith(new PartialFailureError('infra-scaler', failed));

    // Assess
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('1 item(s) failed'), {
      errorName: 'PartialFailureError',
      failed,
    });
  });

  it('masks a credential in the message and stack of any other error before it goes on', () => {
    // Prepare
    const team = 'T0';
    const error = new Error(`POST https://hooks.slack.com/services/${team}/B0/secretpart failed`);

    // Act
    const { logged } = onErrorWith(error);

    // Assess
    expect(error.message).not.toContain('secretpart');
    expect(error.stack).not.toContain('secretpart');
    expect(logged).toHaveBeenCalledWith('Invocation failed', error);
  });

  it('does nothing without an error', () => {
    expect(onErrorWith(undefined).logged).not.toHaveBeenCalled();
  });
});
