import { maskSecrets } from './redact.ts';

/** One thing wrong with an input: where it is, and what is wrong with it. */
export interface FieldIssue {
  /** Dotted path of the field (`tags[0].key`), or the variable name for configuration. */
  path: string;
  message: string;
}

const listIssues = (issues: readonly FieldIssue[]): string =>
  issues.map(({ path, message }) => `${path}: ${message}`).join('; ');

/**
 * An event that does not match its schema; names every bad field.
 *
 * @example
 * throw new ValidationError('event', [{ path: 'retentionDays', message: 'must be at least 1' }]);
 */
export class ValidationError extends Error {
  readonly issues: readonly FieldIssue[];

  constructor(subject: string, issues: readonly FieldIssue[], options?: ErrorOptions) {
    super(`Invalid ${subject}: ${listIssues(issues)}`, options);
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

/**
 * Environment variables that are missing or invalid; lists every one of them. It names
 * what is wrong, never a value: credentials quoted in an issue anyway are masked, since
 * Lambda logs an init error and hands it to the on-failure destination as it is.
 *
 * @example
 * throw new ConfigError([{ path: 'SNS_TOPIC_ARN', message: 'is required' }]);
 */
export class ConfigError extends Error {
  readonly issues: readonly FieldIssue[];

  constructor(issues: readonly FieldIssue[], options?: ErrorOptions) {
    const masked = issues.map(({ path, message }) => ({
      path: maskSecrets(path),
      message: maskSecrets(message),
    }));
    super(`Invalid configuration: ${listIssues(masked)}`, options);
    this.name = 'ConfigError';
    this.issues = masked;
  }
}

/**
 * Some items of a run failed while others went on; thrown after the report is out so
 * that the invocation fails and retries, dead-letter queues and alarms see it.
 *
 * @example
 * throw new PartialFailureError('snapshot-cleanup', [{ id: 'snap-1', action: 'delete', reason: 'throttled' }]);
 */
export class PartialFailureError extends Error {
  readonly failed: readonly { id: string; action: string; reason: string }[];

  constructor(service: string, failed: readonly { id: string; action: string; reason: string }[]) {
    const shown = failed.slice(0, 5).map((item) => `${item.id} (${item.action}: ${item.reason})`);
    const more = failed.length > shown.length ? ` and ${failed.length - shown.length} more` : '';
    super(`${service}: ${failed.length} item(s) failed: ${shown.join(', ')}${more}`);
    this.name = 'PartialFailureError';
    this.failed = failed;
  }
}

/**
 * Any thrown value as an `Error` (a string thrown by a library becomes its message).
 *
 * @example
 * failureReason(asError(thrown));
 */
export const asError = (error: unknown): Error =>
  error instanceof Error ? error : new Error(String(error));
