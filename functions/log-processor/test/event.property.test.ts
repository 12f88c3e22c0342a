import { gzipSync } from 'node:zlib';
import { parseOrThrow, type ValidationError } from '@nightshift/runtime';
import { anyValue, assertParsesOrRejects, rejectionOf } from '@nightshift/testing/properties';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EventSchema,
  isLogsPayload,
  type LogsPayload,
  LogsPayloadSchema,
  MAX_LOG_TIMESTAMP,
} from '../src/event.ts';
import { eventOf } from './fixtures.ts';

const parse = (event: unknown) => parseOrThrow(EventSchema, event, 'event');

const pathsOf = (error: ValidationError | undefined) => error?.issues.map((issue) => issue.path);

/** Anything a caller could send, at any level of the envelope or the payload. */
const anyInput = anyValue({
  edgeCases: [undefined, null, Number.MAX_SAFE_INTEGER + 2, 1e308, -1, '', [], {}],
});

const logEvent = fc.record({
  id: fc.string(),
  timestamp: fc.integer({ min: 0, max: MAX_LOG_TIMESTAMP }),
  message: fc.string({ unit: 'grapheme', maxLength: 200 }),
});

const payload: fc.Arbitrary<LogsPayload> = fc.record({
  messageType: fc.constantFrom('DATA_MESSAGE', 'CONTROL_MESSAGE'),
  owner: fc.stringMatching(/^\d{12}$/),
  logGroup: fc.string({ unit: 'grapheme' }),
  logStream: fc.string({ unit: 'grapheme' }),
  subscriptionFilters: fc.array(fc.string(), { maxLength: 3 }),
  logEvents: fc.array(logEvent, { maxLength: 10 }),
});

const PAYLOAD_FIELDS = [
  'messageType',
  'owner',
  'logGroup',
  'logStream',
  'subscriptionFilters',
  'logEvents',
] as const;

/** Whether a value has the type (and range) the payload schema asks of a field. */
const fitsPayloadField = (field: (typeof PAYLOAD_FIELDS)[number], value: unknown): boolean => {
  switch (field) {
    case 'messageType':
      return value === 'DATA_MESSAGE' || value === 'CONTROL_MESSAGE';
    case 'subscriptionFilters':
      return Array.isArray(value) && value.every((entry) => typeof entry === 'string');
    case 'logEvents':
      return Array.isArray(value) && value.length === 0;
    default:
      return typeof value === 'string';
  }
};

const dataOf = (bytes: Uint8Array) => ({
  awslogs: { data: Buffer.from(bytes).toString('base64') },
});
const gzipOf = (text: string) => gzipSync(Buffer.from(text, 'utf8'));
const isJson = (text: string) => {
  try {
    JSON.parse(Buffer.from(text, 'utf8').toString('utf8'));
    return true;
  } catch {
    return false;
  }
};

const runs = { numRuns: 200 };

describe('CloudWatch Logs event schema, for any input', () => {
  it('decodes every well-formed event back to its payload', () => {
    fc.assert(
      fc.property(payload, (sent) => {
        // Act
        const event = parse(eventOf(sent));

        // Assess
        expect(event.awslogs.data).toEqual(sent);
      }),
      runs,
    );
  });

  it('parses or throws a ValidationError for any value at any level of the envelope', () => {
    assertParsesOrRejects({
      parse,
      inputs: fc.oneof(
        fc.anything(),
        anyInput,
        anyInput.map((awslogs) => ({ awslogs })),
        anyInput.map((data) => ({ awslogs: { data } })),
      ),
      ...runs,
    });
  });

  it('rejects data that is not base64, saying so', () => {
    // Prepare
    const notBase64 = fc.oneof(
      fc.constant(''),
      fc
        .tuple(
          fc.base64String(),
          fc.constantFrom('!', ' ', '\n', '-', '_', '=', '.', 'é', '\u0000', '\u{1f525}'),
          fc.base64String(),
        )
        .map(([before, odd, after]) => before + odd + after),
      fc.base64String({ minLength: 4 }).map((valid) => `${valid}A`),
    );

    fc.assert(
      fc.property(notBase64, (data) => {
        // Act
        const error = rejectionOf(parse, { awslogs: { data } });

        // Assess
        expect(error?.message).toMatch(/awslogs\.data: is not base64/);
      }),
      runs,
    );
  });

  it('rejects base64 of anything that is not gzip, saying so', () => {
    // Prepare
    const notGzip = fc
      .uint8Array({ minLength: 1, maxLength: 300 })
      .filter((bytes) => !(bytes[0] === 0x1f && bytes[1] === 0x8b));

    fc.assert(
      fc.property(notGzip, (bytes) => {
        // Act
        const error = rejectionOf(parse, dataOf(bytes));

        // Assess
        expect(pathsOf(error)).toEqual(['awslogs.data']);
        expect(error?.message).toMatch(/is not gzip data/);
      }),
      runs,
    );
  });

  it('rejects a truncated gzip stream, and never crashes on a corrupted one', () => {
    // Prepare
    const zipped = payload.map((sent) => gzipOf(JSON.stringify(sent)));
    const truncated = zipped.chain((bytes) =>
      fc.integer({ min: 2, max: bytes.length - 1 }).map((end) => bytes.subarray(0, end)),
    );
    const corrupted = zipped.chain((bytes) =>
      fc
        .tuple(fc.integer({ min: 2, max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }))
        .map(([at, mask]) => {
          const copy = Uint8Array.from(bytes);
          copy[at] = (copy[at] ?? 0) ^ mask;
          return copy;
        }),
    );

    fc.assert(
      fc.property(truncated, corrupted, (cut, flipped) => {
        // Act
        const cutError = rejectionOf(parse, dataOf(cut));
        const flippedError = rejectionOf(parse, dataOf(flipped));

        // Assess
        expect(cutError?.message).toMatch(/awslogs\.data: is not valid gzip data/);
        for (const path of pathsOf(flippedError) ?? []) expect(path).toMatch(/^awslogs\.data/);
      }),
      runs,
    );
  });

  it('rejects gzip of text that is not JSON, saying so', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }).filter((text) => !isJson(text)),
        (text) => {
          // Act
          const error = rejectionOf(parse, dataOf(gzipOf(text)));

          // Assess
          expect(error?.message).toMatch(/awslogs\.data: is not JSON once unzipped/);
        },
      ),
      runs,
    );
  });

  it('rejects gzip of JSON of any other shape, naming fields inside the payload', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => {
        // Act
        const error = rejectionOf(parse, eventOf(json));

        // Assess
        for (const path of pathsOf(error) ?? []) expect(path).toMatch(/^awslogs\.data/);
      }),
      runs,
    );
  });

  it('names a payload field that is missing or of the wrong type', () => {
    fc.assert(
      fc.property(
        payload,
        fc.constantFrom(...PAYLOAD_FIELDS),
        fc.option(anyInput, { nil: undefined }),
        (sent, field, value) => {
          // Prepare
          fc.pre(!fitsPayloadField(field, value));
          const mutated: Record<string, unknown> = { ...sent, [field]: value };
          if (value === undefined) delete mutated[field];

          // Act
          const error = rejectionOf(parse, eventOf(mutated));

          // Assess
          expect(error).toBeDefined();
          expect(pathsOf(error)?.some((path) => path.startsWith(`awslogs.data.${field}`))).toBe(
            true,
          );
        },
      ),
      runs,
    );
  });

  it('accepts a log event timestamp only within the range a date can show', () => {
    // Prepare
    const timestamp = fc.oneof(
      fc.double(),
      fc.integer({ min: -1e6, max: MAX_LOG_TIMESTAMP }),
      fc.constantFrom(-1, 0, MAX_LOG_TIMESTAMP, MAX_LOG_TIMESTAMP + 1, 8.64e15, 1e20, -8.64e15),
    );

    fc.assert(
      fc.property(payload, timestamp, (sent, value) => {
        // Prepare
        const event = eventOf({
          ...sent,
          logEvents: [{ id: '1', timestamp: value, message: 'FATAL boom' }],
        });
        // JSON has no NaN or Infinity: they arrive as null.
        const sentValue = Number.isFinite(value) ? value : null;
        const acceptable =
          typeof sentValue === 'number' && sentValue >= 0 && sentValue <= MAX_LOG_TIMESTAMP;

        // Act
        const error = rejectionOf(parse, event);

        // Assess
        if (acceptable) expect(error).toBeUndefined();
        else expect(pathsOf(error)).toEqual(['awslogs.data.logEvents[0].timestamp']);
      }),
      runs,
    );
  });

  it('takes the fast check for a payload only where the schema would accept it', () => {
    // Prepare: payloads, payloads with one field or one log event field replaced, anything.
    const logEventField = fc.constantFrom('id', 'timestamp', 'message');
    const candidate = fc.oneof(
      payload,
      fc
        .tuple(payload, fc.constantFrom(...PAYLOAD_FIELDS), anyInput)
        .map(([sent, field, value]) => ({ ...sent, [field]: value })),
      fc.tuple(payload, logEvent, logEventField, anyInput).map(([sent, event, field, value]) => ({
        ...sent,
        logEvents: [...sent.logEvents, { ...event, [field]: value }],
      })),
      fc
        .tuple(payload, fc.constantFrom(...PAYLOAD_FIELDS))
        .map(([sent, field]) =>
          Object.fromEntries(Object.entries(sent).filter(([key]) => key !== field)),
        ),
      fc.tuple(payload, anyInput).map(([sent, extra]) => ({ ...sent, extra })),
      fc
        .tuple(payload, fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.array(logEvent)))
        .map(([sent, entry]) => ({ ...sent, logEvents: [...sent.logEvents, entry] })),
      fc.array(payload, { maxLength: 2 }),
      anyInput,
    );

    fc.assert(
      fc.property(candidate, (value) => {
        // Act & Assess
        expect(isLogsPayload(value)).toBe(LogsPayloadSchema.safeParse(value).success);
      }),
      { numRuns: 1_000 },
    );
  });

  it('takes no field from a __proto__ or constructor key, and pollutes no prototype', () => {
    fc.assert(
      fc.property(
        payload,
        fc.constantFrom('__proto__', 'constructor', 'prototype'),
        (sent, key) => {
          // Prepare
          const json = `{${JSON.stringify(key)}:${JSON.stringify(sent)}}`;
          const event = {
            awslogs: { data: gzipOf(json).toString('base64') },
          };

          // Act
          const error = rejectionOf(parse, event);

          // Assess
          expect(pathsOf(error)).toEqual(PAYLOAD_FIELDS.map((field) => `awslogs.data.${field}`));
          expect(({} as Record<string, unknown>).logGroup).toBeUndefined();
          expect(Object.prototype).not.toHaveProperty('messageType');
        },
      ),
      runs,
    );
  });
});
