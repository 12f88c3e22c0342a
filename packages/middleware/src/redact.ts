/** Keys whose values never reach a log line. */
const SECRET_KEY =
  /secret|password|passwd|token|authorization|api[-_]?key|webhook|credential|private[-_]?key|signature/i;

/** Webhook URLs carry their credential in the URL itself. */
const SECRET_IN_URL: readonly [RegExp, string][] = [
  [/(https:\/\/hooks\.slack\.com\/)[^\s"']+/gi, '$1[REDACTED]'],
  [/([?&](?:sig|signature|token|code)=)[^&\s"']+/gi, '$1[REDACTED]'],
];

export const REDACTED = '[REDACTED]';

/**
 * A `JSON.stringify` replacer that hides secrets in log lines: values under secret-like
 * keys, and credentials embedded in webhook URLs anywhere in a string.
 *
 * @example
 * JSON.stringify({ slackWebhookUrl: url }, redactSecrets); // {"slackWebhookUrl":"[REDACTED]"}
 */
export const redactSecrets = (key: string, value: unknown): unknown => {
  if (key !== '' && SECRET_KEY.test(key) && value !== undefined && value !== null) return REDACTED;
  if (typeof value === 'string') {
    return SECRET_IN_URL.reduce(
      (text, [pattern, replacement]) => text.replace(pattern, replacement),
      value,
    );
  }
  return value;
};
