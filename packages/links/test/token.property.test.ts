import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSnoozeClaim, MAX_RESOURCES } from '../src/claim.ts';
import { signToken, TokenError, verifyToken } from '../src/token.ts';
import { CURRENT, NOW, PREVIOUS } from './fixtures.ts';

const KEYS = [CURRENT, PREVIOUS];
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The claim of `token`, or the TokenError it is refused with; any other error escapes. */
const outcome = (token: string): unknown => {
  try {
    return verifyToken(token, KEYS, { now: NOW });
  } catch (error) {
    if (error instanceof TokenError) return error;
    throw error;
  }
};

const idArb = fc.stringMatching(/^[\x20-\x7e]{1,40}$/);
const claimArb = fc.record({
  schedule: fc.stringMatching(/^[A-Za-z0-9._:/+=@-]{1,128}$/),
  resources: fc.uniqueArray(idArb, { minLength: 1, maxLength: MAX_RESOURCES }),
  // The link works for up to 2 h from now, the snooze lasts up to 12 h from now.
  expiresIn: fc.integer({ min: 1, max: 2 * 3_600_000 }),
  untilAfterExpiry: fc.integer({ min: 0, max: 10 * 3_600_000 }),
});
const tokenArb = fc
  .tuple(claimArb, fc.constantFrom(CURRENT, PREVIOUS))
  .map(([{ schedule, resources, expiresIn, untilAfterExpiry }, key]) => {
    const expires = new Date(NOW.getTime() + expiresIn);
    const claim = createSnoozeClaim({
      schedule,
      resources,
      expires,
      until: new Date(expires.getTime() + untilAfterExpiry),
    });
    return { claim, token: signToken(claim, key) };
  });

/** Strings near the shape of a token: base64url parts and dots, often around a real one. */
const tokenLikeArb = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc
    .array(fc.string({ unit: fc.constantFrom(...BASE64URL, '.', '=') }), { maxLength: 3 })
    .map((parts) => parts.join('.')),
  fc
    .tuple(fc.json(), fc.string({ unit: fc.constantFrom(...BASE64URL) }))
    .map(([json, mac]) => `${Buffer.from(json).toString('base64url')}.${mac}`),
  tokenArb.chain(({ token }) =>
    fc
      .tuple(fc.nat({ max: token.length }), fc.nat({ max: token.length }), fc.string())
      .map(([from, length, insert]) => token.slice(0, from) + insert + token.slice(from + length)),
  ),
);

describe('verifyToken, for any input', () => {
  it('returns a claim or throws a TokenError, never another error', () => {
    fc.assert(
      fc.property(tokenLikeArb, (input) => {
        const result = outcome(input);
        expect(result instanceof TokenError || typeof result === 'object').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips a random claim signed with either key', () => {
    fc.assert(
      fc.property(tokenArb, ({ claim, token }) => {
        expect(verifyToken(token, KEYS, { now: NOW })).toEqual(claim);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a valid token with any one character changed', () => {
    fc.assert(
      fc.property(
        tokenArb.chain(({ token }) =>
          fc.tuple(
            fc.constant(token),
            fc.nat({ max: token.length - 1 }),
            fc.oneof(
              fc.constantFrom(...BASE64URL, '.', '=', '+', '/'),
              fc.string({ minLength: 1, maxLength: 1 }),
            ),
          ),
        ),
        ([token, index, replacement]) => {
          fc.pre(token[index] !== replacement);
          const changed = token.slice(0, index) + replacement + token.slice(index + 1);
          expect(outcome(changed)).toBeInstanceOf(TokenError);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
