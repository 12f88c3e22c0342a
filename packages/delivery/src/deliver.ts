import type { TimeBudget } from '@nightshift/runtime';

/** A webhook that would not take the message; names the destination, never the URL. */
export class DeliveryError extends Error {
  readonly destination: string;
  readonly status?: number;

  constructor(destination: string, message: string, status?: number) {
    super(`${destination}: ${message}`);
    this.name = 'DeliveryError';
    this.destination = destination;
    if (status !== undefined) this.status = status;
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Where webhooks may go when nothing else is configured: Slack's incoming webhooks, and
 * the two hosts of Teams Workflows webhooks (Logic Apps,
 * `prod-NN.<region>.logic.azure.com`, and Power Platform,
 * `<environment>.NN.environment.api.powerplatform.com`).
 */
export const DEFAULT_WEBHOOK_HOSTS: readonly string[] = [
  'hooks.slack.com',
  '*.logic.azure.com',
  '*.powerplatform.com',
];

/** A host name, or `*.` and a domain for any host under it. */
export const HOST_PATTERN = /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const hostAllowed = (hostname: string, allowed: readonly string[]) =>
  allowed.some((host) =>
    host.startsWith('*.') ? hostname.endsWith(host.slice(1)) : hostname === host,
  );

/**
 * Checks a webhook URL: https to one of the allowed hosts (`*.example.com` takes any host
 * under example.com), or plain http only to a loopback host (a local receiver). The error
 * names the destination, never the URL, which holds the credential.
 *
 * @example
 * checkWebhookUrl('slack', url, DEFAULT_WEBHOOK_HOSTS);
 */
export const checkWebhookUrl = (
  destination: string,
  raw: string,
  allowedHosts: readonly string[],
): URL => {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new DeliveryError(destination, 'the webhook URL is not a URL');
  }
  if (LOOPBACK.has(url.hostname) && (url.protocol === 'http:' || url.protocol === 'https:'))
    return url;
  if (url.protocol !== 'https:') {
    throw new DeliveryError(
      destination,
      `the webhook URL must be https (plain http only to a loopback host), not ${url.protocol}`,
    );
  }
  if (!hostAllowed(url.hostname, allowedHosts)) {
    throw new DeliveryError(
      destination,
      `the webhook host ${url.hostname} is not one of the allowed hosts (WEBHOOK_ALLOWED_HOSTS)`,
    );
  }
  return url;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds or an HTTP date, as Retry-After says; undefined when absent or unreadable. */
const retryAfterMs = (header: string | null): number | undefined => {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
};

/**
 * Posts JSON to a webhook with a timeout per attempt. 429 (honouring Retry-After), 5xx and
 * network errors are retried with backoff while attempts and the time budget last; any
 * other 4xx fails at once, and so does a redirect, which is never followed (it could take
 * the message, and the credential in its URL, anywhere). Errors name the destination and
 * the status, never the URL.
 *
 * @example
 * await postJson({ destination: 'slack', url, body, timeoutMs: 5_000, attempts: 4, budget });
 */
export const postJson = async ({
  destination,
  url,
  body,
  timeoutMs,
  attempts,
  budget,
  baseDelayMs = 500,
}: {
  destination: string;
  url: URL;
  body: unknown;
  timeoutMs: number;
  attempts: number;
  budget: TimeBudget;
  baseDelayMs?: number;
}): Promise<void> => {
  let last = '';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    let wait = baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.timeout(Math.min(timeoutMs, Math.max(1, budget.remainingMs()))),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return;
      last = `webhook answered ${response.status} ${response.statusText}`.trim();
      if (response.status !== 429 && response.status < 500)
        throw new DeliveryError(destination, last, response.status);
      wait = retryAfterMs(response.headers.get('retry-after')) ?? wait;
    } catch (error) {
      if (error instanceof DeliveryError) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      if (cause?.message === 'unexpected redirect')
        throw new DeliveryError(destination, 'webhook answered with a redirect, not followed');
      const code = cause?.code;
      last = `${(error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `request failed${code ? ` (${code})` : ''}`}`;
    }
    if (attempt === attempts || wait >= budget.remainingMs()) break;
    await sleep(wait);
  }
  throw new DeliveryError(destination, `${last}; gave up after retries`);
};
