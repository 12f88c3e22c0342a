import { ValidationError } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import {
  createSnoozeClaim,
  isCanonicalBase64url,
  MAX_RESOURCES,
  newNonce,
  SignableClaimSchema,
} from '../src/claim.ts';
import { aClaim, NONCE } from './fixtures.ts';

const ids = (count: number, length = 19) =>
  Array.from({ length: count }, (_, index) => `i-${String(index).padStart(length - 2, '0')}`);

const refusal = (run: () => unknown): ValidationError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
};

describe('createSnoozeClaim', () => {
  it('sorts the resource ids, writes the times in UTC as toISOString does and keeps the nonce', () => {
    expect(
      createSnoozeClaim({
        schedule: 'office-hours',
        resources: ['i-0bbbbbbbbbbbbbbbb', 'db-main', 'i-0aaaaaaaaaaaaaaaa', 'asg-web'],
        until: '2026-03-02T20:00+01:00',
        expires: new Date('2026-03-02T18:00:00Z'),
        nonce: NONCE,
      }),
    ).toEqual({
      v: 1,
      action: 'snooze',
      schedule: 'office-hours',
      resources: ['asg-web', 'db-main', 'i-0aaaaaaaaaaaaaaaa', 'i-0bbbbbbbbbbbbbbbb'],
      until: '2026-03-02T19:00:00.000Z',
      expires: '2026-03-02T18:00:00.000Z',
      nonce: NONCE,
    });
  });

  it('sorts by code unit, not by locale, and leaves the input list as it was', () => {
    const resources = ['b', 'B', 'a', 'A', '_'];
    expect(aClaim({ resources }).resources).toEqual(['A', 'B', '_', 'a', 'b']);
    expect(resources).toEqual(['b', 'B', 'a', 'A', '_']);
  });

  it('keeps seconds and fractions of a time with an offset, to the millisecond', () => {
    expect(aClaim({ until: '2026-03-02T19:30:15.25-00:30' }).until).toBe(
      '2026-03-02T20:00:15.250Z',
    );
    expect(aClaim({ until: '2026-03-02T19:30:15.123456789-00:30' }).until).toBe(
      '2026-03-02T20:00:15.123Z',
    );
    expect(aClaim({ until: '2026-03-03T18:59+23:59' }).until).toBe('2026-03-02T19:00:00.000Z');
  });

  it('makes a fresh nonce when none is given', () => {
    const { nonce: _, ...rest } = aClaim();
    const first = createSnoozeClaim({ ...rest });
    const second = createSnoozeClaim({ ...rest });
    expect(first.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(first.nonce).not.toBe(second.nonce);
  });

  it('accepts 50 resources and ids of 255 characters, a link that expires as its snooze ends', () => {
    expect(aClaim({ resources: ids(MAX_RESOURCES) }).resources).toHaveLength(50);
    expect(aClaim({ resources: ['x'.repeat(255)] }).resources).toEqual(['x'.repeat(255)]);
    expect(aClaim({ expires: '2026-03-02T19:00:00Z' }).expires).toBe('2026-03-02T19:00:00.000Z');
  });

  it.each([
    ['no resources', { resources: [] }, 'resources', 'at least one resource'],
    ['51 resources', { resources: ids(51) }, 'resources', 'at most 50 resources'],
    ['a duplicate', { resources: ['i-1', 'i-2', 'i-1'] }, 'resources', 'without duplicates'],
    ['an empty id', { resources: [''] }, 'resources[0]', 'printable ASCII'],
    ['an id of 256 characters', { resources: ['x'.repeat(256)] }, 'resources[0]', '1 to 255'],
    ['a control character', { resources: ['i-1\n'] }, 'resources[0]', 'printable ASCII'],
    ['a non-ASCII id', { resources: ['café'] }, 'resources[0]', 'printable ASCII'],
    ['a schedule with a space', { schedule: 'office hours' }, 'schedule', 'schedule name'],
    ['an empty schedule', { schedule: '' }, 'schedule', 'schedule name'],
    ['a schedule of 129 characters', { schedule: 's'.repeat(129) }, 'schedule', 'schedule name'],
    ['a time without a zone', { until: '2026-03-02T19:00:00' }, 'until', 'ISO 8601'],
    ['a date alone', { until: '2026-03-02' }, 'until', 'ISO 8601'],
    ['February 30th', { until: '2026-02-30T19:00:00Z' }, 'until', 'ISO 8601'],
    ['February 30th with an offset', { until: '2026-02-30T19:00+01:00' }, 'until', 'ISO 8601'],
    ['24:00', { until: '2026-03-02T24:00Z' }, 'until', 'ISO 8601'],
    ['second 60', { until: '2026-03-02T19:00:60Z' }, 'until', 'ISO 8601'],
    ['an offset of 60 minutes', { until: '2026-03-02T19:00+01:60' }, 'until', 'ISO 8601'],
    ['an offset of 24 hours', { until: '2026-03-02T19:00+24:00' }, 'until', 'ISO 8601'],
    ['text before a time', { until: 'x2026-03-02T19:00Z' }, 'until', 'ISO 8601'],
    ['text after a time', { until: '2026-03-02T19:00Zx' }, 'until', 'ISO 8601'],
    ['an invalid Date', { expires: new Date('nope') }, 'expires', 'ISO 8601'],
    ['expires after until', { expires: '2026-03-02T19:00:00.001Z' }, 'expires', 'outlive'],
    ['a short nonce', { nonce: 'AAECAwQFBgcICQoLDA0ODg'.slice(0, 21) }, 'nonce', '16 bytes'],
    ['a nonce of 15 bytes', { nonce: 'AAECAwQFBgcICQoLDA0O' }, 'nonce', '16 bytes'],
    ['a nonce of 17 bytes', { nonce: 'AAECAwQFBgcICQoLDA0ODxA' }, 'nonce', '16 bytes'],
    ['a nonce spelt two ways', { nonce: 'AAECAwQFBgcICQoLDA0ODx' }, 'nonce', '16 bytes'],
    ['a nonce in base64', { nonce: 'AAECAwQFBgcICQoLDA0OD+' }, 'nonce', '16 bytes'],
  ] as const)('refuses %s, naming the field', (_, overrides, path, message) => {
    const error = refusal(() => aClaim(overrides as never));
    expect(error.issues).toEqual([expect.objectContaining({ path })]);
    expect(error.issues[0]?.message).toContain(message);
  });

  it('refuses a schedule, times and resources of the wrong type', () => {
    const error = refusal(() =>
      createSnoozeClaim({
        schedule: 7,
        resources: 'i-1',
        until: 1,
        expires: null,
      } as never),
    );
    expect(error.message).toMatch(/^Invalid snooze claim: /);
    expect(error.issues).toEqual([
      { path: 'schedule', message: 'schedule must be a schedule name' },
      { path: 'resources', message: 'resources must be a list of resource ids' },
      { path: 'until', message: 'until must be a time' },
      { path: 'expires', message: 'expires must be a time' },
    ]);
    expect(refusal(() => aClaim({ resources: [7] as never })).issues).toEqual([
      { path: 'resources[0]', message: 'a resource id must be text' },
    ]);
    expect(refusal(() => aClaim({ nonce: 7 as never })).issues).toEqual([
      { path: 'nonce', message: 'nonce must be text' },
    ]);
  });
});

describe('SignableClaimSchema', () => {
  const issuesOf = (value: unknown) => {
    const result = SignableClaimSchema.safeParse(value);
    return result.success ? [] : result.error.issues.map((issue) => issue.message);
  };

  it('accepts a claim createSnoozeClaim made', () => {
    expect(issuesOf(aClaim())).toEqual([]);
  });

  it('names unknown fields, and says what a claim is', () => {
    expect(issuesOf({ ...aClaim(), extra: 1 })).toEqual(['has unknown field extra']);
    expect(issuesOf({ ...aClaim(), a: 1, b: 2 })).toEqual(['has unknown fields a, b']);
    expect(issuesOf('claim')).toEqual([
      'must be an object with v, action, schedule, resources, until, expires and nonce',
    ]);
  });

  it('refuses unsorted ids, another version or action', () => {
    expect(issuesOf({ ...aClaim(), resources: ['b', 'a'] })).toEqual([
      'resources must be sorted, without duplicates',
    ]);
    expect(issuesOf({ ...aClaim(), v: 2, action: 'start' })).toEqual([
      'v must be 1',
      'action must be snooze',
    ]);
  });

  it.each([
    '2026-03-02T19:00:00Z',
    '2026-03-02T19:00:00.000+00:00',
    '2026-03-02T19:00:00.0000Z',
    '2026-02-30T19:00:00.000Z',
    'nope',
    '',
  ])('refuses until %j, not written as toISOString writes it', (until) => {
    expect(issuesOf({ ...aClaim(), until })).toEqual([
      'until must be an ISO 8601 time in UTC as YYYY-MM-DDTHH:MM:SS.sssZ',
    ]);
  });
});

describe('newNonce', () => {
  it('is 16 random bytes in base64url', () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    for (const nonce of nonces) {
      expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(nonce, 'base64url')).toHaveLength(16);
      expect(aClaim({ nonce }).nonce).toBe(nonce);
    }
  });
});

describe('isCanonicalBase64url', () => {
  it.each([
    ['', true],
    ['AA', true],
    ['AAE', true],
    ['_-8', true],
    ['AB', false],
    ['AAF', false],
    ['A', false],
    ['AA==', false],
    ['+/8', false],
    ['AA A', false],
  ])('%j → %s', (text, canonical) => {
    expect(isCanonicalBase64url(text)).toBe(canonical);
  });
});
