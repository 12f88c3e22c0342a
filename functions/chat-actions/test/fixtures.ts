import { createSnoozeClaim, type SigningKey, type SnoozeClaim, signToken } from '@nightshift/links';
import openLink from '../events/open-link.json' with { type: 'json' };
import type { FunctionUrlEvent } from '../src/event.ts';

/** The time links are used in these tests: 17:30 UTC, the stop due at 18:00. */
export const NOW = new Date('2026-03-02T17:30:00.000Z');

export const CURRENT: SigningKey = {
  id: 'b7e9c0d2-0000-4000-8000-000000000002',
  secret: 'current-secret-0123456789abcdefgh',
};
export const PREVIOUS: SigningKey = {
  id: 'a1d4f3e5-0000-4000-8000-000000000001',
  secret: 'previous-secret-0123456789abcdefg',
};
export const RETIRED: SigningKey = {
  id: '9c0b1a2f-0000-4000-8000-000000000000',
  secret: 'retired-secret-0123456789abcdefgh',
};

export const SECRET_ARN =
  'arn:aws:secretsmanager:eu-west-1:123456789012:secret:nightshift-link-key-AbCdEf';
export const TABLE = 'nightshift-actions-staging';
export const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:nightshift-reports-staging';

/** A claim to keep two instances of office-hours running one hour past the 18:00 stop. */
export const aClaim = (
  overrides: Partial<Parameters<typeof createSnoozeClaim>[0]> = {},
): SnoozeClaim =>
  createSnoozeClaim({
    schedule: 'office-hours',
    resources: ['instance:i-0aaaaaaaaaaaaaaaa', 'instance:i-0bbbbbbbbbbbbbbbb'],
    until: '2026-03-02T19:00:00.000Z',
    expires: '2026-03-02T18:00:00.000Z',
    nonce: 'AAECAwQFBgcICQoLDA0ODw',
    ...overrides,
  });

export const aToken = (claim: SnoozeClaim = aClaim(), key: SigningKey = CURRENT): string =>
  signToken(claim, key);

/** The sample GET event with `query` as its query string (as Lambda sends it). */
export const getEvent = (query: string): FunctionUrlEvent => {
  const params = Object.fromEntries(new URLSearchParams(query));
  const event = structuredClone(openLink) as Record<string, unknown>;
  event.rawQueryString = query;
  if (query === '') delete event.queryStringParameters;
  else event.queryStringParameters = params;
  return event as unknown as FunctionUrlEvent;
};

/** A POST of the confirmation form: `body` as the browser sends it, base64 as Lambda passes a form. */
export const postEvent = (body: string, { base64 = true } = {}): FunctionUrlEvent => {
  const event = structuredClone(openLink) as Record<string, unknown> & {
    requestContext: { http: { method: string } };
    headers: Record<string, string>;
  };
  event.requestContext.http.method = 'POST';
  event.rawQueryString = '';
  delete event.queryStringParameters;
  event.headers['content-type'] = 'application/x-www-form-urlencoded';
  event.body = base64 ? Buffer.from(body).toString('base64') : body;
  event.isBase64Encoded = base64;
  return event as unknown as FunctionUrlEvent;
};
