import { createHmac } from 'node:crypto';
import { ValidationError } from '@nightshift/runtime';
import { describe, expect, it, vi } from 'vitest';
import { createSnoozeClaim, type SnoozeClaim } from '../src/claim.ts';
import {
  DEFAULT_MAX_SNOOZE_MS,
  MAX_TOKEN_LENGTH,
  type SigningKey,
  signToken,
  TokenError,
  type TokenErrorCode,
  verifyToken,
} from '../src/token.ts';
import {
  aClaim,
  CURRENT,
  forge,
  macFor,
  NONCE,
  NOW,
  PREVIOUS,
  payloadOf,
  RETIRED,
  withPayload,
} from './fixtures.ts';

const KEYS = [CURRENT, PREVIOUS];
const HOUR = 60 * 60 * 1000;

/** The TokenError `run` throws; fails the test on anything else, or on no error. */
const refusal = (run: () => unknown): TokenError => {
  try {
    run();
  } catch (error) {
    if (error instanceof TokenError) return error;
    throw error;
  }
  throw new Error('expected a TokenError');
};
const codeOf = (token: string, keys: SigningKey[] = KEYS, now = NOW, maxSnoozeMs?: number) =>
  refusal(() => verifyToken(token, keys, { now, ...(maxSnoozeMs ? { maxSnoozeMs } : {}) })).code;

const canonical = (claim: SnoozeClaim, kid: string) =>
  `{"v":1,"action":"snooze","schedule":"${claim.schedule}","resources":${JSON.stringify(claim.resources)},"until":"${claim.until}","expires":"${claim.expires}","nonce":"${claim.nonce}","kid":"${kid}"}`;

describe('signToken and verifyToken', () => {
  it('round-trips a claim', () => {
    const claim = aClaim();
    expect(verifyToken(signToken(claim, CURRENT), KEYS, { now: NOW })).toEqual(claim);
  });

  it('writes the fields in their fixed order with the key id, and MACs a context line and that payload', () => {
    const claim = aClaim();
    const token = signToken(claim, CURRENT);
    const payload = canonical(claim, CURRENT.id);
    expect(payloadOf(token)).toBe(payload);
    expect(token).toBe(
      `${Buffer.from(payload).toString('base64url')}.${macFor(CURRENT.secret, payload)}`,
    );
    expect(token.split('.')[1]).toHaveLength(43);
  });

  it('signs alike with a secret as text or as the same bytes', () => {
    const claim = aClaim();
    const asBuffer = { id: CURRENT.id, secret: Buffer.from(CURRENT.secret) };
    expect(signToken(claim, asBuffer)).toBe(signToken(claim, CURRENT));
    expect(verifyToken(signToken(claim, CURRENT), [asBuffer], { now: NOW })).toEqual(claim);
  });

  it('refuses to sign a claim createSnoozeClaim would refuse, or with a bad key', () => {
    const claim = aClaim();
    expect(() => signToken({ ...claim, resources: ['i-2', 'i-1'] }, CURRENT)).toThrow(
      ValidationError,
    );
    expect(() => signToken({ ...claim, resources: ['i-2', 'i-1'] }, CURRENT)).toThrow(
      'Invalid snooze claim: resources: resources must be sorted, without duplicates',
    );
    expect(() => signToken({ ...claim, schedule: 'a b' }, CURRENT)).toThrow(
      'Invalid snooze claim: schedule: schedule must be a schedule name (a plain tag value)',
    );
    expect(() => signToken({ ...claim, expires: '2026-03-02T19:00:00.001Z' }, CURRENT)).toThrow(
      /expires must not be later than until/,
    );
    expect(() => signToken({ ...claim, extra: 1 } as SnoozeClaim, CURRENT)).toThrow(/extra/);
    expect(() => signToken(claim, { id: CURRENT.id, secret: 'x'.repeat(31) })).toThrow(
      /\[0\]\.secret: must be at least 32 bytes/,
    );
    expect(() => signToken(claim, { id: 'has space', secret: CURRENT.secret })).toThrow(
      /\[0\]\.id: must be a key id/,
    );
    expect(signToken(claim, { id: 'k'.repeat(64), secret: 'x'.repeat(32) })).toContain('.');
    expect(() => signToken(claim, { id: 'k'.repeat(65), secret: 'x'.repeat(32) })).toThrow(
      /\[0\]\.id/,
    );
  });

  it('keeps a token with 50 ids of 19 characters short enough for a Slack button URL', () => {
    const resources = Array.from({ length: 50 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
    const claim = createSnoozeClaim({ ...aClaim(), resources });
    const token = signToken(claim, CURRENT);
    const url = `https://${'a'.repeat(70)}.lambda-url.eu-west-1.on.aws/?t=`.slice(0, 100) + token;
    expect(resources.every((id) => id.length === 19)).toBe(true);
    expect(url.length).toBeLessThanOrEqual(3000);
    expect(encodeURIComponent(token)).toBe(token);
  });

  it('signs the largest claim to a token it reads (under MAX_TOKEN_LENGTH)', () => {
    const resources = Array.from({ length: 50 }, (_, i) => `${i}`.padStart(255, 'r'));
    const claim = createSnoozeClaim({ ...aClaim(), schedule: 's'.repeat(128), resources });
    const token = signToken(claim, { id: 'k'.repeat(64), secret: CURRENT.secret });
    expect(token.length).toBeLessThan(MAX_TOKEN_LENGTH);
    expect(
      verifyToken(token, [{ id: 'k'.repeat(64), secret: CURRENT.secret }], { now: NOW }),
    ).toEqual(claim);
  });
});

describe('verifyToken: its configuration', () => {
  const token = signToken(aClaim(), CURRENT);
  it.each([
    ['no keys', [], /\(root\): must be one or more keys/],
    ['a repeated key id', [CURRENT, { ...PREVIOUS, id: CURRENT.id }], /\[1\]\.id: must not repeat/],
    ['a short secret', [CURRENT, { ...PREVIOUS, secret: Buffer.alloc(31) }], /\[1\]\.secret/],
    ['a bad key id', [{ ...CURRENT, id: '' }], /\[0\]\.id/],
    ['a missing secret', [{ id: CURRENT.id }], /\[0\]\.secret/],
  ])('throws a ValidationError for %s', (_, keys, message) => {
    expect(() => verifyToken(token, keys as SigningKey[], { now: NOW })).toThrow(message);
    expect(() => verifyToken(token, keys as SigningKey[], { now: NOW })).toThrow(ValidationError);
  });

  it('names the keys, and refuses an entry that is not a key', () => {
    expect(() => verifyToken(token, [CURRENT, null as never], { now: NOW })).toThrow(
      'Invalid signing keys: [1].id: must be a key id: A-Z a-z 0-9 . _ : -; [1].secret: must be at least 32 bytes',
    );
    expect(() => verifyToken(token, [null as never, CURRENT], { now: NOW })).toThrow(/\[0\]\.id/);
  });

  it('throws a ValidationError for an invalid now or maximum', () => {
    expect(() => verifyToken(token, KEYS, { now: new Date('nope') })).toThrow(
      'Invalid token options: now: must be a valid Date',
    );
    expect(() => verifyToken(token, KEYS, { now: NOW, maxSnoozeMs: 0 })).toThrow(
      'Invalid token options: maxSnoozeMs: must be a positive number of milliseconds',
    );
    expect(() => verifyToken(token, KEYS, { now: new Date('nope') })).toThrow(
      /now: must be a valid Date/,
    );
    expect(() => verifyToken(token, KEYS, { now: '2026' as never })).toThrow(ValidationError);
    for (const maxSnoozeMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() => verifyToken(token, KEYS, { now: NOW, maxSnoozeMs })).toThrow(/maxSnoozeMs/);
  });
});

describe('verifyToken: tampering', () => {
  const claim = aClaim();
  const token = signToken(claim, CURRENT);
  const payload = JSON.parse(payloadOf(token)) as Record<string, unknown>;
  const reencoded = (fields: Record<string, unknown>) => withPayload(token, JSON.stringify(fields));

  it.each<[string, unknown, TokenErrorCode]>([
    ['v', 2, 'malformed'],
    ['action', 'start', 'malformed'],
    ['schedule', 'always-on', 'signature'],
    ['resources', ['i-0aaaaaaaaaaaaaaaa'], 'signature'],
    [
      'resources',
      ['i-0aaaaaaaaaaaaaaaa', 'i-0bbbbbbbbbbbbbbbb', 'i-0cccccccccccccccc'],
      'signature',
    ],
    ['resources', ['i-0aaaaaaaaaaaaaaaa', 'i-0bbbbbbbbbbbbbbbc'], 'signature'],
    ['until', '2026-03-02T19:00:00.001Z', 'signature'],
    ['until', '2026-03-02T20:00:00.000Z', 'signature'],
    ['expires', '2026-03-02T18:00:00.001Z', 'signature'],
    ['expires', '2026-03-02T17:59:59.999Z', 'signature'],
    ['nonce', 'AAECAwQFBgcICQoLDA0OEA', 'signature'],
    ['kid', PREVIOUS.id, 'signature'],
    ['kid', 'unknown-key', 'signature'],
  ])('refuses the %s field changed to %j (%s)', (field, value, code) => {
    expect(codeOf(reencoded({ ...payload, [field]: value }))).toBe(code);
  });

  it('refuses the MAC changed by any one bit', () => {
    const mac = Buffer.from(token.split('.')[1] ?? '', 'base64url');
    for (let bit = 0; bit < mac.length * 8; bit += 1) {
      const flipped = Buffer.from(mac);
      flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      expect(codeOf(`${token.split('.')[0]}.${flipped.toString('base64url')}`)).toBe('signature');
    }
  });

  it('refuses a MAC one byte short or one byte long, and an empty one', () => {
    const [payloadPart, macPart] = token.split('.') as [string, string];
    const mac = Buffer.from(macPart, 'base64url');
    expect(codeOf(`${payloadPart}.${mac.subarray(0, 31).toString('base64url')}`)).toBe('signature');
    expect(
      codeOf(`${payloadPart}.${Buffer.concat([mac, Buffer.of(0)]).toString('base64url')}`),
    ).toBe('signature');
    expect(codeOf(`${payloadPart}.`)).toBe('signature');
  });

  it('refuses the parts swapped', () => {
    const [payloadPart, macPart] = token.split('.');
    expect(codeOf(`${macPart}.${payloadPart}`)).toBe('malformed');
  });

  it('refuses a payload re-encoded with an extra field, even with a MAC of the right key', () => {
    for (const extra of [{ action2: 'start' }, { note: '' }, { __proto__: null, admin: true }]) {
      const fields = { ...payload, ...extra };
      expect(codeOf(reencoded(fields))).toBe('malformed');
      expect(codeOf(forge(JSON.stringify(fields), CURRENT.secret))).toBe('malformed');
    }
  });

  it.each(['v', 'action', 'schedule', 'resources', 'until', 'expires', 'nonce', 'kid'])(
    'refuses a payload re-encoded without %s, even with a MAC of the right key',
    (field) => {
      const { [field]: _, ...rest } = payload;
      expect(codeOf(reencoded(rest))).toBe('malformed');
      expect(codeOf(forge(JSON.stringify(rest), CURRENT.secret))).toBe('malformed');
    },
  );

  it('refuses the same fields written another way (order, spaces, escapes, numbers), even with a MAC of the right key', () => {
    const text = payloadOf(token);
    const { kid, ...fields } = payload;
    const variants = [
      JSON.stringify({ kid, ...fields }),
      JSON.stringify(payload, null, 1),
      ` ${text}`,
      text.replace('"v":1', '"v":1.0'),
      text.replace('"snooze"', '"\\u0073nooze"'),
      text.replace(',"kid"', ',"kid":"x","kid"'),
    ];
    for (const variant of variants) {
      expect(JSON.parse(variant)).toMatchObject(JSON.parse(text));
      expect(codeOf(forge(variant, CURRENT.secret))).toBe('malformed');
    }
  });

  it('refuses a resource list out of order, even with a MAC of the right key', () => {
    const fields = { ...payload, resources: [...claim.resources].reverse() };
    expect(codeOf(forge(JSON.stringify(fields), CURRENT.secret))).toBe('malformed');
  });

  it('refuses a MAC of the payload alone, without the context line', () => {
    const text = payloadOf(token);
    const bare = createHmac('sha256', CURRENT.secret).update(text).digest('base64url');
    expect(codeOf(`${token.split('.')[0]}.${bare}`)).toBe('signature');
  });

  it('refuses a MAC made with the key id left out of the payload', () => {
    const { kid: _, ...fields } = payload;
    const mac = macFor(CURRENT.secret, JSON.stringify(fields));
    expect(codeOf(`${token.split('.')[0]}.${mac}`)).toBe('signature');
  });
});

describe('verifyToken: expiry', () => {
  const token = signToken(aClaim(), CURRENT);
  it('accepts a link up to the last millisecond before it expires', () => {
    expect(verifyToken(token, KEYS, { now: new Date('2026-03-02T17:59:59.999Z') })).toEqual(
      aClaim(),
    );
  });

  it('refuses it from the moment it expires, saying when it did', () => {
    const error = refusal(() =>
      verifyToken(token, KEYS, { now: new Date('2026-03-02T18:00:00.000Z') }),
    );
    expect(error.code).toBe('expired');
    expect(error.message).toBe(
      'This link expired at 2026-03-02 18:00 UTC. Use the buttons of a newer message.',
    );
    expect(error.claim).toEqual(aClaim());
    expect(codeOf(token, KEYS, new Date('2026-03-03T00:00:00Z'))).toBe('expired');
  });

  it('checks the signature before the expiry', () => {
    expect(codeOf(token, [RETIRED], new Date('2026-03-03T00:00:00Z'))).toBe('signature');
  });
});

describe('verifyToken: too long a snooze', () => {
  const at = (until: string, expires = '2026-03-02T17:45:00.000Z') =>
    signToken(aClaim({ until, expires }), CURRENT);

  it('accepts a snooze of exactly the maximum from now, 12 h by default', () => {
    expect(DEFAULT_MAX_SNOOZE_MS).toBe(12 * HOUR);
    const until = new Date(NOW.getTime() + 12 * HOUR).toISOString();
    expect(verifyToken(at(until), KEYS, { now: NOW }).until).toBe(until);
  });

  it('refuses one a millisecond longer, saying why', () => {
    const until = new Date(NOW.getTime() + 12 * HOUR + 1).toISOString();
    const error = refusal(() => verifyToken(at(until), KEYS, { now: NOW }));
    expect(error.code).toBe('too-long');
    expect(error.message).toBe(
      'This link would keep the resources running until 2026-03-03 05:30 UTC, more than 12 h from now, which is longer than allowed.',
    );
    expect(error.claim?.until).toBe(until);
  });

  it('takes the maximum it is given', () => {
    const token = at('2026-03-02T19:00:00.000Z');
    expect(verifyToken(token, KEYS, { now: NOW, maxSnoozeMs: 1.5 * HOUR }).until).toBe(
      '2026-03-02T19:00:00.000Z',
    );
    const error = refusal(() =>
      verifyToken(token, KEYS, { now: NOW, maxSnoozeMs: 1.5 * HOUR - 1 }),
    );
    expect(error.code).toBe('too-long');
    expect(error.message).toContain('more than 1 h 29 min from now');
    expect(
      refusal(() => verifyToken(token, KEYS, { now: NOW, maxSnoozeMs: HOUR })).message,
    ).toContain('more than 1 h from now');
    expect(
      refusal(() => verifyToken(token, KEYS, { now: NOW, maxSnoozeMs: 45 * 60_000 })).message,
    ).toContain('more than 45 min from now');
  });

  it('refuses a link that outlives its snooze, which only a key holder could make', () => {
    const fields = JSON.parse(payloadOf(at('2026-03-02T19:00:00.000Z'))) as Record<string, unknown>;
    const outliving = { ...fields, expires: '2026-03-02T19:00:00.001Z' };
    const error = refusal(() =>
      verifyToken(forge(JSON.stringify(outliving), CURRENT.secret), KEYS, { now: NOW }),
    );
    expect(error.code).toBe('too-long');
    expect(error.message).toContain('usable after the time it postpones the stop to');
    const equal = { ...fields, expires: '2026-03-02T19:00:00.000Z' };
    expect(
      verifyToken(forge(JSON.stringify(equal), CURRENT.secret), KEYS, { now: NOW }).expires,
    ).toBe('2026-03-02T19:00:00.000Z');
  });

  it('refuses a snooze to a time already passed, or to now', () => {
    const fields = JSON.parse(payloadOf(at('2026-03-02T19:00:00.000Z'))) as Record<string, unknown>;
    for (const until of ['2026-03-02T17:00:00.000Z', NOW.toISOString()]) {
      const passed = { ...fields, until, expires: '2026-03-02T17:45:00.000Z' };
      const error = refusal(() =>
        verifyToken(forge(JSON.stringify(passed), CURRENT.secret), KEYS, { now: NOW }),
      );
      expect(error.code).toBe('too-long');
      expect(error.message).toContain('which has passed');
    }
    const justAhead = {
      ...fields,
      until: '2026-03-02T17:30:00.001Z',
      expires: '2026-03-02T17:30:00.001Z',
    };
    expect(
      verifyToken(forge(JSON.stringify(justAhead), CURRENT.secret), KEYS, { now: NOW }).until,
    ).toBe('2026-03-02T17:30:00.001Z');
  });
});

describe('verifyToken: key rotation', () => {
  const claim = aClaim();
  it('verifies links signed with the current or the previous key', () => {
    expect(verifyToken(signToken(claim, CURRENT), [CURRENT, PREVIOUS], { now: NOW })).toEqual(
      claim,
    );
    expect(verifyToken(signToken(claim, PREVIOUS), [CURRENT, PREVIOUS], { now: NOW })).toEqual(
      claim,
    );
  });

  it('refuses a link signed with a key no longer given', () => {
    const newer = {
      id: 'c3f5a7b9-0000-4000-8000-000000000003',
      secret: 'newer-secret-0123456789abcdefghij',
    };
    expect(codeOf(signToken(claim, PREVIOUS), [newer, CURRENT])).toBe('signature');
    expect(codeOf(signToken(claim, RETIRED), KEYS)).toBe('signature');
  });

  it('tries every key when none has the token key id', () => {
    const renamed = { id: 'renamed', secret: PREVIOUS.secret };
    expect(verifyToken(signToken(claim, PREVIOUS), [CURRENT, renamed], { now: NOW })).toEqual(
      claim,
    );
  });

  it('uses only the key named by the token key id when one has it', () => {
    const swapped = [
      { id: CURRENT.id, secret: PREVIOUS.secret },
      { id: 'other', secret: CURRENT.secret },
    ];
    expect(codeOf(signToken(claim, CURRENT), swapped)).toBe('signature');
  });
});

describe('verifyToken: malformed tokens', () => {
  const token = signToken(aClaim(), CURRENT);
  const [payloadPart, macPart] = token.split('.') as [string, string];
  const b64 = (text: string) => Buffer.from(text).toString('base64url');

  it.each<[string, unknown]>([
    ['empty', ''],
    ['a dot', '.'],
    ['one part', payloadPart],
    ['three parts', `${token}.${macPart}`],
    ['an empty payload', `.${macPart}`],
    ['padding', `${payloadPart}=.${macPart}`],
    [
      'base64 rather than base64url',
      `${payloadPart.replace(/-/g, '+').replace(/_/g, '/')}+/.${macPart}`,
    ],
    ['a space', ` ${token}`],
    ['a line break', `${token}\n`],
    ['a MAC that is not base64url', `${payloadPart}.${macPart.slice(0, -1)}=`],
    [
      'a MAC spelt a second way',
      // The MAC's last character carries two unused bits, 0 in the one spelling.
      `${payloadPart}.${macPart.slice(0, -1)}${String.fromCharCode((macPart.at(-1) ?? '').charCodeAt(0) + 1)}`,
    ],
    ['a payload that is not JSON', `${b64('not json')}.${macPart}`],
    [
      'a payload that is not UTF-8',
      `${Buffer.of(0xff, 0xfe, 0x7b).toString('base64url')}.${macPart}`,
    ],
    ['an array payload', `${b64('[]')}.${macPart}`],
    ['a null payload', `${b64('null')}.${macPart}`],
    ['a number payload', `${b64('1')}.${macPart}`],
    ['a deeply nested payload', `${b64('['.repeat(5000))}.${macPart}`],
    ['too long', `${'A'.repeat(MAX_TOKEN_LENGTH)}.${macPart}`],
    ['not a string', undefined],
    ['a number', 42],
  ])('refuses %s as malformed', (_, input) => {
    expect(codeOf(input as string)).toBe('malformed');
  });

  it('refuses anything longer than MAX_TOKEN_LENGTH unread', () => {
    const from = vi.spyOn(Buffer, 'from');
    try {
      const atLimit = `${'A'.repeat(MAX_TOKEN_LENGTH - macPart.length - 1)}.${macPart}`;
      expect(atLimit).toHaveLength(MAX_TOKEN_LENGTH);
      expect(codeOf(atLimit)).toBe('malformed');
      expect(from).toHaveBeenCalled();
      from.mockClear();
      expect(codeOf(`A${atLimit}`)).toBe('malformed');
      expect(from).not.toHaveBeenCalled();
    } finally {
      from.mockRestore();
    }
  });

  it.each([
    ['until', '2026-03-02T19:00:00Z'],
    ['until', 'nope'],
    ['expires', '2026-02-30T18:00:00.000Z'],
    ['expires', '+002026-03-02T18:00:00.000Z'],
  ])('refuses %s %j, even with a MAC of the right key', (field, value) => {
    const fields = { ...(JSON.parse(payloadOf(token)) as object), [field]: value };
    expect(codeOf(forge(JSON.stringify(fields), CURRENT.secret))).toBe('malformed');
  });

  it('refuses a payload spelt a second way in base64url', () => {
    // The payload text ends "}" so its last base64url character carries unused bits.
    const last = payloadPart.at(-1) ?? '';
    const twin = `${payloadPart.slice(0, -1)}${String.fromCharCode(last.charCodeAt(0) + 1)}`;
    expect(Buffer.from(twin, 'base64url')).toEqual(Buffer.from(payloadPart, 'base64url'));
    expect(codeOf(`${twin}.${macPart}`)).toBe('malformed');
  });

  it('never repeats the token in its message', () => {
    const error = refusal(() =>
      verifyToken(`${b64('<script>alert(1)</script>')}.${macPart}`, KEYS, { now: NOW }),
    );
    expect(error.message).toBe(
      'This link is incomplete or damaged. Open it again from the message, making sure the whole address is used.',
    );
    expect(error.claim).toBeUndefined();
    const forged = refusal(() =>
      verifyToken(signToken(aClaim({ schedule: 'evil' }), RETIRED), KEYS, { now: NOW }),
    );
    expect(forged.message).toBe(
      'This link was not issued by Nightshift, has been altered, or was signed with a key that has since been retired.',
    );
    expect(forged.message).not.toContain('evil');
    expect(forged.claim).toBeUndefined();
    expect(forged.name).toBe('TokenError');
  });

  it('keeps the nonce a caller checks for reuse as signed', () => {
    expect(verifyToken(token, KEYS, { now: NOW }).nonce).toBe(NONCE);
  });
});
