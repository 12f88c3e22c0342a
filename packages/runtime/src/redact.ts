/** Keys whose values never reach a log line. */
const SECRET_KEY =
  /secret|password|passwd|token|authorization|api[-_]?key|webhook|credential|private[-_]?key|signature/i;

/**
 * Credentials as they appear inside free text: log lines, URLs, error messages. Every
 * pattern runs in time linear in the text: each starts with a literal or a single
 * character class, and no quantified part is followed by one that can match the same text.
 */
const SECRETS_IN_TEXT: readonly [RegExp, string][] = [
  // PEM private keys, up to their end line or, cut off, to the end of the text.
  [
    /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)/g,
    '[REDACTED]',
  ],
  // Webhook URLs carry their credential in the URL itself.
  [/(https:\/\/hooks\.slack\.com\/)[^\s"']+/gi, '$1[REDACTED]'],
  // (token=, api_key= and the like are masked below, wherever they are.)
  [/([?&](?:sig|signature|code|key)=)[^&\s"'#]+/gi, '$1[REDACTED]'],
  // user:password@host in URLs (the user may be empty, as in redis://:password@host).
  [/(:\/\/[^\s:/@"']*:)[^\s@/"']+@/g, '$1[REDACTED]@'],
  // AWS access key ids.
  [/\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b/g, '[REDACTED]'],
  // GitHub tokens (classic and fine-grained) and Slack tokens.
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, '[REDACTED]'],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}/g, '[REDACTED]'],
  [/\b(?:xox[abeprs]|xapp)-[A-Za-z0-9-]{10,}/g, '[REDACTED]'],
  // JSON web tokens: three base64url parts, the first a JSON object ("eyJ" is "{").
  [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[REDACTED]'],
  // Authorization headers and bearer tokens.
  [/(\b(?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=-]{8,}/g, '$1[REDACTED]'],
  // name=value, name: value and "name": "value" whose name says it is a secret; a quoted
  // value is masked up to its closing quote, spaces and all.
  [
    /((?:password|passwd|pwd|secret|token|api[-_]?key|private[-_]?key|secret[-_]?access[-_]?key|credentials?)\\?["']?\s*[=:]\s*)(?:(\\?["'])[^"'\\\r\n]*|[^\s"'\\,;&}]+)/gi,
    '$1$2[REDACTED]',
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
  if (SECRET_KEY.test(key) && value !== undefined && value !== null) return REDACTED;
  return typeof value === 'string' ? maskSecrets(value) : value;
};

/**
 * Masks credentials inside free text: AWS access keys, bearer tokens, GitHub and Slack
 * tokens, JSON web tokens, PEM private keys, `password=` and similar values, credentials
 * in URLs and webhook URLs.
 *
 * @example
 * maskSecrets('login failed password=hunter2'); // 'login failed password=[REDACTED]'
 */
export const maskSecrets = (text: string): string =>
  SECRETS_IN_TEXT.reduce(
    (masked, [pattern, replacement]) => masked.replace(pattern, replacement),
    text,
  );
