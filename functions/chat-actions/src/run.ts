import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import { type Post, webhookPost } from '@nightshift/delivery';
import {
  claimOnce,
  loadSigningKeys,
  markDone,
  type OnceRecord,
  type SnoozeClaim,
  TokenError,
  type TokenErrorCode,
  verifyToken,
} from '@nightshift/links';
import type { Observability } from '@nightshift/middleware';
import { DAY_MS, HOUR_MS, type TimeBudget } from '@nightshift/runtime';
import type { Config } from './config.ts';
import { type FunctionUrlEvent, type LinkRequest, readRequest } from './event.ts';
import { MAX_USER_AGENT, sendNote } from './notify.ts';
import { confirmPage, errorPage, failurePage, resultPage, type UrlResponse } from './pages.ts';
import { snooze } from './snooze.ts';

/** The function's name: its logger's service and its metrics' dimension. */
export const SERVICE = 'chat-actions';

/** The clients, observability and clock of a request. */
export interface Deps extends Observability {
  ec2: EC2Client;
  autoScaling: AutoScalingClient;
  rds: RDSClient;
  dynamodb: DynamoDBClient;
  secrets: SecretsManagerClient;
  sns: SNSClient;
  /** The clock (tests pass a fixed one). */
  now?: () => Date;
  /** Delivers a note to a chat destination (a webhook POST unless a test replaces it). */
  post?: Post;
  /**
   * How long this invocation may still run, in ms: the lease of a link's record, after
   * which a use that died half-way may be done again (the handler gives Lambda's remaining time).
   */
  leaseMs?: number;
}

/** The lease of a link's record when none is given: the function's timeout. */
export const DEFAULT_LEASE_MS = 30_000;

/** The status and words of each refusal of a token. */
export const REFUSALS: Record<TokenErrorCode, { status: number; title: string }> = {
  malformed: { status: 400, title: 'Not a valid link' },
  signature: { status: 400, title: 'Not a valid link' },
  expired: { status: 410, title: 'Link expired' },
  'too-long': { status: 400, title: 'Link asks for too much' },
};

/** The key of a used link's record. */
export const nonceKey = (nonce: string): string => `nonce#${nonce}`;

/**
 * The once-only record of a link's use: `nonce#<nonce>` with who used it and what it asked
 * for, kept a day past the link's expiry.
 */
export const useRecord = (
  table: string,
  claim: SnoozeClaim,
  request: Pick<LinkRequest, 'sourceIp' | 'userAgent'>,
  now: Date,
): OnceRecord => ({
  table,
  key: nonceKey(claim.nonce),
  attributes: {
    at: { S: now.toISOString() },
    sourceIp: { S: request.sourceIp || 'unknown' },
    userAgent: { S: request.userAgent.slice(0, MAX_USER_AGENT) || 'unknown' },
    schedule: { S: claim.schedule },
    until: { S: claim.until },
    resources: { L: claim.resources.map((name) => ({ S: name })) },
  },
  expiresAt: Date.parse(claim.expires) + DAY_MS,
});

/** The page of a link whose record was claimed already: used, or being used right now. */
const claimedPage = (outcome: 'done' | 'busy') =>
  outcome === 'done'
    ? errorPage(409, 'Link already used', 'This link has been used already; each link works once.')
    : errorPage(
        409,
        'Link in use',
        'This link is being used right now. If nothing changes, open it again in a minute.',
      );

const count = (metrics: Observability['metrics'], name: string, value: number) =>
  metrics.addMetric(name, MetricUnit.Count, value);

/**
 * One request to a link: GET shows what the link would do (and changes nothing), POST
 * does it: verify the token, record its nonce once, tag the named resources still on its
 * schedule, tell the reports topic and the chat, show the result. A bad, expired, reused or
 * oversized token gets its page and a 4xx, and nothing changes.
 *
 * @example
 * const response = await run(deps, loadConfig(), event, budget);
 */
export const run = async (
  deps: Deps,
  config: Config,
  event: FunctionUrlEvent,
  budget: TimeBudget,
): Promise<UrlResponse> => {
  const { logger, metrics } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const request = readRequest(event);
  if (!['GET', 'HEAD', 'POST'].includes(request.method)) {
    const response = errorPage(405, 'Not allowed', 'A link is opened (GET) and confirmed (POST).');
    return { ...response, headers: { ...response.headers, allow: 'GET, POST' } };
  }
  const [token, ...others] = request.tokens;
  if (token === undefined || others.length > 0) {
    count(metrics, 'LinksRefused', 1);
    return errorPage(400, 'Not a valid link', 'The link has no token, or more than one.');
  }
  const keys = await loadSigningKeys(deps.secrets, config.linkKeySecret, { previous: true });
  let claim: SnoozeClaim;
  try {
    claim = verifyToken(token, keys, { now, maxSnoozeMs: config.maxSnoozeHours * HOUR_MS });
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    const { status, title } = REFUSALS[error.code];
    logger.warn('Link refused', {
      code: error.code,
      method: request.method,
      sourceIp: request.sourceIp,
    });
    count(metrics, 'LinksRefused', 1);
    return errorPage(status, title, error.message);
  }
  if (request.method !== 'POST') return confirmPage(claim, token, now);

  // Claimed before the tags are written, marked done after the note: a use that dies in
  // between leaves the record pending, and the link works again once this invocation's
  // time is up (the tag is the same value, so doing it twice changes nothing more).
  const record = useRecord(config.actionsTable, claim, request, now);
  const leaseUntil = new Date(now.getTime() + (deps.leaseMs ?? DEFAULT_LEASE_MS));
  const outcome = await claimOnce(deps.dynamodb, record, now, leaseUntil);
  if (outcome !== 'claimed') {
    logger.warn(outcome === 'done' ? 'Link used again' : 'Link in use', {
      schedule: claim.schedule,
      sourceIp: request.sourceIp,
    });
    count(metrics, 'LinksRefused', 1);
    return claimedPage(outcome);
  }
  const result = await snooze(deps, claim);
  count(metrics, 'LinksUsed', 1);
  count(metrics, 'ResourcesKept', result.kept.length);
  const used = {
    schedule: claim.schedule,
    until: claim.until,
    kept: result.kept,
    leftAlone: result.leftAlone,
    sourceIp: request.sourceIp,
    userAgent: request.userAgent.slice(0, MAX_USER_AGENT),
  };
  if (result.failed.length > 0) {
    logger.error('Resources could not be kept running', {
      ...used,
      failed: result.failed.map(({ name, error }) => ({ name, error: error.message })),
    });
  } else {
    logger.info('Link used', used);
  }
  if (result.kept.length > 0) {
    const post = deps.post ?? webhookPost(config, budget);
    const { failed } = await sendNote({ sns: deps.sns, post }, config, {
      ...used,
      environment: config.environment,
    });
    if (failed.length > 0) logger.warn('Note not sent everywhere', { failed });
  }
  // Done once the note is out: a use that dies before this is done again, note included,
  // once the lease is up. A resource that failed is tried again the same way.
  if (result.failed.length === 0) {
    await markDone(
      deps.dynamodb,
      { ...record, attributes: { kept: { N: String(result.kept.length) } } },
      (deps.now ?? (() => new Date()))(),
    ).catch((error: unknown) =>
      logger.warn('Link use not marked done; it can be used again once its lease is up', {
        error: String(error),
      }),
    );
  }
  return resultPage(claim, result, now);
};

/**
 * The response to any request: `handle`'s, or, when it fails (AWS or the function itself),
 * a 500 page, with the error logged once. Never throws, so the caller always gets a page.
 *
 * @example
 * export const handler = withNightshift(stack, (event) => answer(logger, () => run(...)));
 */
export const answer = async (
  { logger, metrics }: Observability,
  handle: () => Promise<UrlResponse>,
): Promise<UrlResponse> => {
  try {
    return await handle();
  } catch (error) {
    logger.error('Link could not be handled', error as Error);
    count(metrics, 'LinkErrors', 1);
    return failurePage();
  }
};
