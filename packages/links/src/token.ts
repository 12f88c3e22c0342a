import { createHmac, timingSafeEqual } from 'node:crypto';
import { type FieldIssue, HOUR_MS, parseOrThrow, ValidationError } from '@nightshift/runtime';
import * as z from 'zod/mini';
import {
  claimShape,
  isCanonicalBase64url,
  SignableClaimSchema,
  type SnoozeClaim,
} from './claim.ts';

/**
 * A signing key: its id (the secret's version id) and its secret, at least 32 bytes.
 *
 * @example
 * const key: SigningKey = { id: secret.VersionId, secret: secret.SecretString };
 */
export interface SigningKey {
  id: string;
  secret: string | Buffer;
}

/** The longest snooze a link may ask for, from the time it is used, unless told otherwise. */
export const DEFAULT_MAX_SNOOZE_MS = 12 * HOUR_MS;
/** The fewest bytes a secret may have (as many as the MAC). */
export const MIN_SECRET_BYTES = 32;
/** A key id: a Secrets Manager version id (a UUID) or any short plain name. */
export const KEY_ID = /^[A-Za-z0-9._:-]{1,64}$/;
/**
 * The longest token looked at: a claim with 50 resource ids of 255 characters and the
 * longest schedule name and key id signs to less (tested); a longer input is refused unread.
 */
export const MAX_TOKEN_LENGTH = 24_000;

const MAC_BYTES = 32;
/** Put before the payload in the MAC's input, so a MAC made for anything else never verifies. */
const MAC_CONTEXT = 'nightshift.links.snooze.v1\n';

/** Why a token is refused. */
export type TokenErrorCode = 'malformed' | 'signature' | 'expired' | 'too-long';

/**
 * A token refused: its `code` says why, its `message` says so to a person (plain text, for a
 * web page; it never repeats what the token says unless the signature holds). `claim` is set
 * when the signature holds but the link is expired or asks for too much.
 *
 * @example
 * try {
 *   verifyToken(token, keys, { now: new Date() });
 * } catch (error) {
 *   if (error instanceof TokenError) return page(error.code === 'malformed' ? 400 : 403, error.message);
 *   throw error;
 * }
 */
export class TokenError extends Error {
  readonly code: TokenErrorCode;
  readonly claim: SnoozeClaim | undefined;

  constructor(code: TokenErrorCode, message: string, claim?: SnoozeClaim) {
    super(message);
    this.name = 'TokenError';
    this.code = code;
    this.claim = claim;
  }
}

/** A token's payload: the claim's fields and the key id, nothing else. */
const PayloadSchema = z.strictObject({
  ...claimShape,
  kid: z.string().check(z.regex(KEY_ID)),
});

/** The one serialisation of a claim and a key id: every field, in a fixed order, kid last. */
const canonicalPayload = (claim: SnoozeClaim, kid: string): string =>
  JSON.stringify({
    v: claim.v,
    action: claim.action,
    schedule: claim.schedule,
    resources: claim.resources,
    until: claim.until,
    expires: claim.expires,
    nonce: claim.nonce,
    kid,
  });

const macOf = (secret: string | Buffer, payload: string): Buffer =>
  createHmac('sha256', secret).update(MAC_CONTEXT).update(payload).digest();

/** Throws a `ValidationError` unless `keys` are one or more keys with distinct ids and long secrets. */
const checkKeys = (keys: readonly SigningKey[]): void => {
  const issues: FieldIssue[] = [];
  if (!Array.isArray(keys) || keys.length === 0)
    issues.push({ path: '(root)', message: 'must be one or more keys' });
  else
    keys.forEach((key, index) => {
      if (typeof key?.id !== 'string' || !KEY_ID.test(key.id))
        issues.push({ path: `[${index}].id`, message: 'must be a key id: A-Z a-z 0-9 . _ : -' });
      else if (keys.findIndex((other) => other?.id === key.id) !== index)
        issues.push({ path: `[${index}].id`, message: 'must not repeat another key id' });
      const secret = key?.secret;
      const length =
        typeof secret === 'string'
          ? Buffer.byteLength(secret)
          : Buffer.isBuffer(secret)
            ? secret.length
            : 0;
      if (length < MIN_SECRET_BYTES)
        issues.push({
          path: `[${index}].secret`,
          message: `must be at least ${MIN_SECRET_BYTES} bytes`,
        });
    });
  if (issues.length > 0) throw new ValidationError('signing keys', issues);
};

/**
 * The token of a claim: `<base64url(payload)>.<base64url(MAC)>`. The payload is the claim's
 * fields in a fixed order and the key's id as `kid`, as JSON; the MAC is HMAC-SHA-256 with the
 * key's secret over a fixed context string and that payload, so no field can be changed,
 * added, reordered or dropped without breaking it. Throws a `ValidationError` for a claim
 * `createSnoozeClaim` would refuse or a bad key.
 *
 * @example
 * const token = signToken(claim, { id: secret.VersionId, secret: secret.SecretString });
 * const url = `${baseUrl}?t=${token}`; // base64url and '.': nothing to escape
 */
export const signToken = (claim: SnoozeClaim, key: SigningKey): string => {
  checkKeys([key]);
  const checked = parseOrThrow(SignableClaimSchema, claim, 'snooze claim');
  const payload = canonicalPayload(checked, key.id);
  return `${Buffer.from(payload).toString('base64url')}.${macOf(key.secret, payload).toString('base64url')}`;
};

const MALFORMED =
  'This link is incomplete or damaged. Open it again from the message, making sure the whole address is used.';
const SIGNATURE =
  'This link was not issued by Nightshift, has been altered, or was signed with a key that has since been retired.';

const readable = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
const duration = (ms: number): string => {
  const minutes = Math.floor(ms / 60_000);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (rest === 0) return `${hours} h`;
  return hours === 0 ? `${rest} min` : `${hours} h ${rest} min`;
};

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * The claim of a token, if a given key signed it and it may be used at `now`; throws a
 * `TokenError` otherwise, and nothing else for any string:
 * - `malformed`: not two canonical base64url parts, not JSON, not exactly the fields of a
 *   claim and a key id in their one serialisation;
 * - `signature`: no given key made its MAC (the key named by `kid`, or each given key when
 *   none has that id, so a renamed key still verifies);
 * - `expired`: `now` is at or after `expires`;
 * - `too-long`: `until` has passed, is more than `maxSnoozeMs` (12 h) after `now`, or is
 *   before `expires`.
 * Pass the current and the previous key, so links signed before a rotation keep working.
 * Whether the nonce was used before is the caller's check. A bad `keys`, `now` or
 * `maxSnoozeMs` is a configuration error: a `ValidationError`.
 *
 * @example
 * const claim = verifyToken(token, [
 *   { id: current.VersionId, secret: current.SecretString },
 *   { id: previous.VersionId, secret: previous.SecretString },
 * ], { now: new Date() });
 * // claim.resources: the ids to set nightshift:snooze-until on, to claim.until
 */
export const verifyToken = (
  token: string,
  keys: readonly SigningKey[],
  options: { now: Date; maxSnoozeMs?: number },
): SnoozeClaim => {
  checkKeys(keys);
  const { now, maxSnoozeMs = DEFAULT_MAX_SNOOZE_MS } = options;
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new ValidationError('token options', [{ path: 'now', message: 'must be a valid Date' }]);
  if (!Number.isFinite(maxSnoozeMs) || maxSnoozeMs <= 0)
    throw new ValidationError('token options', [
      { path: 'maxSnoozeMs', message: 'must be a positive number of milliseconds' },
    ]);

  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH)
    throw new TokenError('malformed', MALFORMED);
  const parts = token.split('.');
  if (parts.length !== 2) throw new TokenError('malformed', MALFORMED);
  const [payloadPart, macPart] = parts as [string, string];
  if (!isCanonicalBase64url(payloadPart) || !isCanonicalBase64url(macPart))
    throw new TokenError('malformed', MALFORMED);
  // Invalid UTF-8 decodes to U+FFFD, which no canonical payload holds (it is all ASCII).
  const payload = Buffer.from(payloadPart, 'base64url').toString('utf8');
  const parsed = z.safeParse(PayloadSchema, parseJson(payload));
  if (!parsed.success) throw new TokenError('malformed', MALFORMED);
  const { kid, ...claim } = parsed.data;
  if (canonicalPayload(claim, kid) !== payload) throw new TokenError('malformed', MALFORMED);

  const mac = Buffer.from(macPart, 'base64url');
  const named = keys.filter((key) => key.id === kid);
  const candidates = named.length > 0 ? named : keys;
  const signed =
    mac.length === MAC_BYTES &&
    candidates.some((key) => timingSafeEqual(macOf(key.secret, payload), mac));
  if (!signed) throw new TokenError('signature', SIGNATURE);

  const nowMs = now.getTime();
  const untilMs = Date.parse(claim.until);
  if (nowMs >= Date.parse(claim.expires))
    throw new TokenError(
      'expired',
      `This link expired at ${readable(claim.expires)}. Use the buttons of a newer message.`,
      claim,
    );
  if (untilMs <= nowMs)
    throw new TokenError(
      'too-long',
      `This link postponed the stop until ${readable(claim.until)}, which has passed.`,
      claim,
    );
  if (untilMs - nowMs > maxSnoozeMs)
    throw new TokenError(
      'too-long',
      `This link would keep the resources running until ${readable(claim.until)}, more than ${duration(maxSnoozeMs)} from now, which is longer than allowed.`,
      claim,
    );
  if (claim.expires > claim.until)
    throw new TokenError(
      'too-long',
      'This link would stay usable after the time it postpones the stop to, which is not allowed.',
      claim,
    );
  return claim;
};
