import { describe, expect, it } from 'vitest';
import { asError, ConfigError, PartialFailureError, ValidationError } from '../src/errors.ts';

describe('Errors', () => {
  it('a ValidationError names every bad field of its subject', () => {
    // Act
    const error = new ValidationError('event', [
      { path: 'retentionDays', message: 'must be at least 1' },
      { path: 'dryRun', message: 'must be a boolean' },
    ]);

    // Assess
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe(
      'Invalid event: retentionDays: must be at least 1; dryRun: must be a boolean',
    );
    expect(error.issues).toHaveLength(2);
  });

  it('a ConfigError names every bad variable and masks a credential quoted in an issue', () => {
    // Prepare
    const team = 'T0';

    // Act
    const error = new ConfigError([
      {
        path: 'SLACK_WEBHOOK_URL',
        message: `https://hooks.slack.com/services/${team}/B0/secretpart is not allowed`,
      },
    ]);

    // Assess
    expect(error.name).toBe('ConfigError');
    expect(error.message).toMatch(/^Invalid configuration: SLACK_WEBHOOK_URL: /);
    expect(error.message).not.toContain('secretpart');
    expect(JSON.stringify(error.issues)).not.toContain('secretpart');
  });

  it('a PartialFailureError shows the first five failures and counts the rest', () => {
    // Prepare
    const failed = Array.from({ length: 7 }, (_, index) => ({
      id: `i-${index}`,
      action: 'stop',
      reason: 'throttled',
    }));

    // Act
    const error = new PartialFailureError('infra-scaler', failed);

    // Assess
    expect(error.name).toBe('PartialFailureError');
    expect(error.message).toBe(
      'infra-scaler: 7 item(s) failed: i-0 (stop: throttled), i-1 (stop: throttled), i-2 (stop: throttled), i-3 (stop: throttled), i-4 (stop: throttled) and 2 more',
    );
    expect(error.failed).toHaveLength(7);
  });

  it('asError keeps an Error and wraps anything else thrown', () => {
    // Prepare
    const original = new TypeError('bad');

    // Act & Assess
    expect(asError(original)).toBe(original);
    expect(asError('a string')).toEqual(new Error('a string'));
    expect(asError(42).message).toBe('42');
  });
});
