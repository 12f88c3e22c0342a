import { createHmac } from 'node:crypto';
import { createSnoozeClaim, type SnoozeClaim } from '../src/claim.ts';

/** The run the links are used in: 17:30 UTC, the stop due at 18:00. */
export const NOW = new Date('2026-03-02T17:30:00.000Z');

export const CURRENT = {
  id: 'b7e9c0d2-0000-4000-8000-000000000002',
  secret: 'current-secret-0123456789abcdefgh',
};
export const PREVIOUS = {
  id: 'a1d4f3e5-0000-4000-8000-000000000001',
  secret: 'previous-secret-0123456789abcdefg',
};
export const RETIRED = {
  id: '9c0b1a2f-0000-4000-8000-000000000000',
  secret: 'retired-secret-0123456789abcdefgh',
};

export const NONCE = 'AAECAwQFBgcICQoLDA0ODw';

/** A claim to keep two instances running one hour past the stop, the link good until the stop. */
export const aClaim = (
  overrides: Partial<Parameters<typeof createSnoozeClaim>[0]> = {},
): SnoozeClaim =>
  createSnoozeClaim({
    schedule: 'office-hours',
    resources: ['i-0bbbbbbbbbbbbbbbb', 'i-0aaaaaaaaaaaaaaaa'],
    until: '2026-03-02T19:00:00.000Z',
    expires: '2026-03-02T18:00:00.000Z',
    nonce: NONCE,
    ...overrides,
  });

/** The MAC the token format defines: HMAC-SHA-256 over the context line and the payload text. */
export const macFor = (secret: string | Buffer, payload: string): string =>
  createHmac('sha256', secret)
    .update('nightshift.links.snooze.v1\n')
    .update(payload)
    .digest('base64url');

/** A token of any payload text, with a MAC made by `secret`: what only a key holder can make. */
export const forge = (payload: string, secret: string | Buffer): string =>
  `${Buffer.from(payload).toString('base64url')}.${macFor(secret, payload)}`;

/** The payload text of a token. */
export const payloadOf = (token: string): string =>
  Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8');

/** `token` with its payload replaced by `payload` and its MAC kept. */
export const withPayload = (token: string, payload: string): string =>
  `${Buffer.from(payload).toString('base64url')}.${token.split('.')[1]}`;
