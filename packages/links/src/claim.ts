import { randomBytes } from 'node:crypto';
import { parseOrThrow } from '@nightshift/runtime';
import * as z from 'zod/mini';

/** The most resources one link may name. */
export const MAX_RESOURCES = 50;
/** The longest resource id a link may name (an Auto Scaling group name's limit). */
export const MAX_RESOURCE_ID_LENGTH = 255;
/** Random bytes in a nonce. */
export const NONCE_BYTES = 16;

/**
 * What a snooze link asks for: postpone the stop of `resources`, all on `schedule`, until
 * `until`; the link works until `expires`. Every field is covered by the token's signature.
 *
 * @example
 * const claim: SnoozeClaim = {
 *   v: 1, action: 'snooze', schedule: 'office-hours',
 *   resources: ['db-reporting', 'i-0a11a11eec53b9321'],
 *   until: '2026-03-02T19:00:00.000Z', expires: '2026-03-02T18:00:00.000Z',
 *   nonce: 'AAECAwQFBgcICQoLDA0ODw',
 * };
 */
export interface SnoozeClaim {
  /** The token format's version. */
  v: 1;
  /** The one thing a link can do. */
  action: 'snooze';
  /** The schedule's name: the value of the resources' `nightshift:schedule` tag. */
  schedule: string;
  /** Instance ids, group names or DB identifiers: 1 to 50, no duplicates, sorted. */
  resources: string[];
  /** The ISO 8601 time (UTC, `Z`) the stop is postponed to. */
  until: string;
  /** The ISO 8601 time (UTC, `Z`) the link stops working. */
  expires: string;
  /** 16 random bytes, base64url: the caller records it to refuse a second use. */
  nonce: string;
}

/** A schedule name, as the schedules document allows it (a plain tag value). */
export const SCHEDULE_NAME = /^[A-Za-z0-9._:/+=@-]{1,128}$/;
/** A resource id: printable ASCII, no control characters. */
export const RESOURCE_ID = /^[\x20-\x7e]{1,255}$/;

/**
 * Whether `text` is the one base64url spelling (no padding) of the bytes it decodes to.
 *
 * @example
 * isCanonicalBase64url('AAE'); // true
 * isCanonicalBase64url('AAF'); // false: decodes to the same bytes as 'AAE'
 */
export const isCanonicalBase64url = (text: string): boolean =>
  Buffer.from(text, 'base64url').toString('base64url') === text;

/** Whether `text` is an instant written exactly as `toISOString` writes it: UTC, milliseconds, `Z`. */
const isIsoUtc = (text: string): boolean => {
  const time = Date.parse(text);
  return !Number.isNaN(time) && new Date(time).toISOString() === text;
};

const isoUtc = (what: string) =>
  z.string(`${what} must be a time`).check(
    z.refine(isIsoUtc, {
      message: `${what} must be an ISO 8601 time in UTC as YYYY-MM-DDTHH:MM:SS.sssZ`,
    }),
  );

const isSortedAndUnique = (ids: readonly string[]): boolean =>
  ids.every((id, index) => index === 0 || (ids[index - 1] as string) < id);

/** An object's error: its unknown fields by name, else what it must be. */
export const objectError = (issue: { code?: string; keys?: readonly string[] }): string =>
  issue.code === 'unrecognized_keys'
    ? `has unknown field${issue.keys && issue.keys.length > 1 ? 's' : ''} ${(issue.keys ?? []).join(', ')}`
    : 'must be an object with v, action, schedule, resources, until, expires and nonce';

/** The fields of a claim, each checked; shared by the claim and the token's payload. */
export const claimShape = {
  v: z.literal(1, 'v must be 1'),
  action: z.literal('snooze', 'action must be snooze'),
  schedule: z
    .string('schedule must be a schedule name')
    .check(z.regex(SCHEDULE_NAME, 'schedule must be a schedule name (a plain tag value)')),
  resources: z
    .array(
      z
        .string('a resource id must be text')
        .check(
          z.regex(
            RESOURCE_ID,
            `a resource id must be 1 to ${MAX_RESOURCE_ID_LENGTH} printable ASCII characters`,
          ),
        ),
      'resources must be a list of resource ids',
    )
    .check(
      z.minLength(1, 'resources must name at least one resource'),
      z.maxLength(MAX_RESOURCES, `resources must name at most ${MAX_RESOURCES} resources`),
      z.refine(isSortedAndUnique, { message: 'resources must be sorted, without duplicates' }),
    ),
  until: isoUtc('until'),
  expires: isoUtc('expires'),
  nonce: z.string('nonce must be text').check(
    z.refine((nonce) => nonce.length === 22 && isCanonicalBase64url(nonce), {
      message: `nonce must be ${NONCE_BYTES} bytes in base64url`,
    }),
  ),
};

/**
 * A fresh nonce: 16 random bytes, base64url (22 characters).
 *
 * @example
 * newNonce(); // 'q3Jx0cXG2Y1bqYw2m0kN5A'
 */
export const newNonce = (): string => randomBytes(NONCE_BYTES).toString('base64url');

/** A claim to sign: every field checked, and its link must not work past the time it postpones to. */
export const SignableClaimSchema = z.strictObject(claimShape, { error: objectError }).check(
  // Compared only when both are times: a bad one is named by its own field already.
  z.refine(
    (claim) => !isIsoUtc(claim.until) || !isIsoUtc(claim.expires) || claim.expires <= claim.until,
    {
      message: 'expires must not be later than until (a link must not outlive its snooze)',
      path: ['expires'],
    },
  ),
);

/** A time given as a `Date` or an ISO 8601 text with a zone. */
export type TimeInput = Date | string;

const ISO_WITH_ZONE =
  /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * The instant of an ISO 8601 text with a zone, in ms, if its date and time of day are real
 * (no February 30th, no 24:00, no second 60) and its offset is one; undefined otherwise.
 */
const instantOf = (text: string): number | undefined => {
  const match = ISO_WITH_ZONE.exec(text);
  if (!match) return undefined;
  const wall = `${match[1]}T${match[2]}${match[3] ?? ':00'}`;
  const wallTime = Date.parse(`${wall}Z`);
  // Date.parse rolls February 30th over to March; the wall clock must read back the same.
  if (Number.isNaN(wallTime) || new Date(wallTime).toISOString().slice(0, 19) !== wall)
    return undefined;
  const instant = Date.parse(text);
  return Number.isNaN(instant) ? undefined : instant;
};

/** `toISOString` of a valid instant; the input unchanged (for the schema to refuse) otherwise. */
const normaliseTime = (time: unknown): unknown => {
  if (time instanceof Date) return Number.isNaN(time.getTime()) ? String(time) : time.toISOString();
  if (typeof time !== 'string') return time;
  const instant = instantOf(time);
  return instant === undefined ? time : new Date(instant).toISOString();
};

/**
 * A claim, checked and normalised: the resource ids sorted, the times in UTC as
 * `toISOString` writes them, a fresh nonce unless one is given. Throws a `ValidationError`
 * naming every bad field: a bad schedule name or resource id, no resources or more than 50,
 * a duplicate, a time without a zone, a link that would work past the time it postpones to.
 *
 * @example
 * createSnoozeClaim({
 *   schedule: 'office-hours',
 *   resources: ['i-0b22a22eec53b9321', 'i-0a11a11eec53b9321'],
 *   until: '2026-03-02T20:00:00+01:00',
 *   expires: new Date('2026-03-02T18:00:00Z'),
 * });
 * // { v: 1, action: 'snooze', schedule: 'office-hours',
 * //   resources: ['i-0a11a11eec53b9321', 'i-0b22a22eec53b9321'],
 * //   until: '2026-03-02T19:00:00.000Z', expires: '2026-03-02T18:00:00.000Z', nonce: '…' }
 */
export const createSnoozeClaim = (input: {
  schedule: string;
  resources: readonly string[];
  until: TimeInput;
  expires: TimeInput;
  nonce?: string;
}): SnoozeClaim => {
  // The default order: by UTF-16 code unit, the same in every locale.
  const resources = Array.isArray(input.resources) ? [...input.resources].sort() : input.resources;
  return parseOrThrow(
    SignableClaimSchema,
    {
      v: 1,
      action: 'snooze',
      schedule: input.schedule,
      resources,
      until: normaliseTime(input.until),
      expires: normaliseTime(input.expires),
      nonce: input.nonce ?? newNonce(),
    },
    'snooze claim',
  );
};
