import type { TimeBudget } from '@nightshift/middleware';

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

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Checks a webhook URL: https, or plain http only to a loopback host (a local receiver).
 * The error names the destination, never the URL, which holds the credential.
 *
 * @example
 * checkWebhookUrl('slack', url);
 */
export const checkWebhookUrl = (destination: string, raw: string): URL => {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new DeliveryError(destination, 'the webhook URL is not a URL');
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    return url;
  throw new DeliveryError(
    destination,
    `the webhook URL must be https (plain http only to a loopback host), not ${url.protocol}`,
  );
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
 * other 4xx fails at once. Errors name the destination and the status, never the URL.
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
      const code = (error as { cause?: { code?: string } }).cause?.code;
      last = `${(error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `request failed${code ? ` (${code})` : ''}`}`;
    }
    if (attempt === attempts || wait >= budget.remainingMs()) break;
    await sleep(wait);
  }
  throw new DeliveryError(destination, `${last}; gave up after retries`);
};
