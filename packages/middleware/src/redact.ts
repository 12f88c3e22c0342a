/** Keys whose values never reach a log line. */
const SECRET_KEY =
  /secret|password|passwd|token|authorization|api[-_]?key|webhook|credential|private[-_]?key|signature/i;

/** Credentials as they appear inside free text: log lines, URLs, error messages. */
const SECRETS_IN_TEXT: readonly [RegExp, string][] = [
  // Webhook URLs carry their credential in the URL itself.
  [/(https:\/\/hooks\.slack\.com\/)[^\s"']+/gi, '$1[REDACTED]'],
  [/([?&](?:sig|signature|token|code|api[-_]?key|access_token)=)[^&\s"']+/gi, '$1[REDACTED]'],
  // user:password@host in URLs.
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"']+:)[^\s@/"']+@/gi, '$1[REDACTED]@'],
  // AWS access key ids, and secret keys next to their name.
  [/\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b/g, '[REDACTED]'],
  [/(aws_?secret_?access_?key["']?\s*[=:]\s*["']?)[A-Za-z0-9/+=]{40}/gi, '$1[REDACTED]'],
  // Authorization headers and bearer tokens.
  [/(\b(?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=-]{8,}/g, '$1[REDACTED]'],
  // key=value and "key": "value" pairs whose key names a secret.
  [
    /((?:password|passwd|pwd|secret|token|api[-_]?key|apikey|private[-_]?key|client[-_]?secret|credentials?)["']?\s*[=:]\s*["']?)[^\s"',;&}]+/gi,
    '$1[REDACTED]',
  ],
];

export const REDACTED = '[REDACTED]';

/**
 * A `JSON.stringify` replacer that hides secrets in log lines: values under secret-like
 * keys, and credentials anywhere inside strings (see `maskSecrets`).
 *
 * @example
 * JSON.stringify({ slackWebhookUrl: url }, redactSecrets); // {"slackWebhookUrl":"[REDACTED]"}
 */
export const redactSecrets = (key: string, value: unknown): unknown => {
  if (key !== '' && SECRET_KEY.test(key) && value !== undefined && value !== null) return REDACTED;
  return typeof value === 'string' ? maskSecrets(value) : value;
};

/**
 * Masks credentials inside free text: AWS access keys, bearer tokens, `password=` and
 * similar values, credentials in URLs and webhook URLs.
 *
 * @example
 * maskSecrets('login failed password=hunter2'); // 'login failed password=[REDACTED]'
 */
export const maskSecrets = (text: string): string =>
  SECRETS_IN_TEXT.reduce(
    (masked, [pattern, replacement]) => masked.replace(pattern, replacement),
    text,
  );
