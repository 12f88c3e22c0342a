import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import {
  loadSigningKeys,
  type SnoozeClaim,
  TokenError,
  type TokenErrorCode,
  verifyToken,
} from '@nightshift/links';
import type { Observability } from '@nightshift/middleware';
import { DAY_MS, type TimeBudget } from '@nightshift/runtime';
import type { Config } from './config.ts';
import { type FunctionUrlEvent, type LinkRequest, readRequest } from './event.ts';
import { MAX_USER_AGENT, type Post, postTo, sendNote } from './notify.ts';
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
}

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
 * Records a link as used, once: a conditional put of `nonce#<nonce>` with who used it and
 * what it asked for, kept a day past the link's expiry. False when it was used before.
 *
 * @example
 * if (!(await recordUse(dynamodb, table, claim, request, now))) return reusedPage();
 */
export const recordUse = async (
  dynamodb: DynamoDBClient,
  table: string,
  claim: SnoozeClaim,
  request: Pick<LinkRequest, 'sourceIp' | 'userAgent'>,
  now: Date,
): Promise<boolean> => {
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: nonceKey(claim.nonce) },
          at: { S: now.toISOString() },
          sourceIp: { S: request.sourceIp || 'unknown' },
          userAgent: { S: request.userAgent.slice(0, MAX_USER_AGENT) || 'unknown' },
          schedule: { S: claim.schedule },
          until: { S: claim.until },
          resources: { L: claim.resources.map((name) => ({ S: name })) },
          expiresAt: { N: String(Math.ceil((Date.parse(claim.expires) + DAY_MS) / 1000)) },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

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
    claim = verifyToken(token, keys, { now, maxSnoozeMs: config.maxSnoozeHours * 60 * 60 * 1000 });
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

  if (!(await recordUse(deps.dynamodb, config.actionsTable, claim, request, now))) {
    logger.warn('Link used again', { schedule: claim.schedule, sourceIp: request.sourceIp });
    count(metrics, 'LinksRefused', 1);
    return errorPage(
      409,
      'Link already used',
      'This link has been used already; each link works once.',
    );
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
    const post = deps.post ?? postTo(config, budget);
    const { failed } = await sendNote({ sns: deps.sns, post }, config, {
      ...used,
      environment: config.environment,
    });
    if (failed.length > 0) logger.warn('Note not sent everywhere', { failed });
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
