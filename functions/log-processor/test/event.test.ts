import { gzipSync } from 'node:zlib';
import { parseOrThrow } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import {
  EventSchema,
  isLogsPayload,
  type LogsPayload,
  MAX_LOG_TIMESTAMP,
  MAX_UNZIPPED_BYTES,
} from '../src/event.ts';
import { eventOf, payloadOf } from './fixtures.ts';

const parse = (event: unknown) => parseOrThrow(EventSchema, event, 'event');

describe('Decoding a CloudWatch Logs event', () => {
  it('decodes base64 gzip JSON into the payload', () => {
    // Prepare
    const payload = payloadOf(['ERROR one', 'fine']);

    // Act & Assess
    expect(parse(eventOf(payload)).awslogs.data).toEqual(payload);
  });

  it.each([
    ['not base64', { awslogs: { data: 'this is not base64!' } }, /awslogs\.data: is not base64/],
    [
      'base64 of plain text',
      { awslogs: { data: Buffer.from('hello world').toString('base64') } },
      /awslogs\.data: is not gzip data/,
    ],
    [
      'a truncated gzip stream',
      { awslogs: { data: gzipSync(Buffer.from('{"a":1}')).subarray(0, 12).toString('base64') } },
      /awslogs\.data: is not valid gzip data/,
    ],
    [
      'a gzip bomb',
      { awslogs: { data: gzipSync(Buffer.alloc(33 * 1024 * 1024, 32)).toString('base64') } },
      /awslogs\.data: unzips to more than 6208 KB/,
    ],
    [
      'gzip of non-JSON',
      { awslogs: { data: gzipSync(Buffer.from('not json')).toString('base64') } },
      /awslogs\.data: is not JSON once unzipped/,
    ],
    [
      'JSON of the wrong shape',
      eventOf({ messageType: 'DATA_MESSAGE', logGroup: 7 }),
      /awslogs\.data\.owner: .*awslogs\.data\.logGroup: /,
    ],
    ['no awslogs at all', { detail: {} }, /awslogs: /],
    ['data that is not a string', { awslogs: { data: 5 } }, /awslogs\.data: must be a string/],
    [
      'base64 that starts like gzip but is not',
      { awslogs: { data: Buffer.from([0x1f, 0x00, 0x08, 0x00]).toString('base64') } },
      /awslogs\.data: is not gzip data/,
    ],
    [
      'base64 whose second byte only is gzip',
      { awslogs: { data: Buffer.from([0x00, 0x8b, 0x08, 0x00]).toString('base64') } },
      /awslogs\.data: is not gzip data/,
    ],
    [
      'a log event that is not an object',
      eventOf({ ...payloadOf(['FATAL one']), logEvents: [payloadOf(['x']).logEvents[0], null] }),
      /awslogs\.data\.logEvents\[1\]: /,
    ],
  ])('rejects %s, saying which', (_case, event, message) => {
    expect(() => parse(event)).toThrow(message);
  });
});

describe('A log event time', () => {
  const at = (timestamp: number) => ({
    ...payloadOf(['FATAL x']),
    logEvents: [{ id: '1', timestamp, message: 'FATAL x' }],
  });

  it.each([0, MAX_LOG_TIMESTAMP])('is taken at %i, the ends of the range', (timestamp) => {
    expect(isLogsPayload(at(timestamp))).toBe(true);
    expect(parse(eventOf(at(timestamp))).awslogs.data.logEvents[0]?.timestamp).toBe(timestamp);
  });

  it.each([
    [-1, 'must be milliseconds since 1970'],
    [MAX_LOG_TIMESTAMP + 1, 'must be a time before the year 10000'],
  ])('is refused at %i, saying why', (timestamp, reason) => {
    expect(isLogsPayload(at(timestamp))).toBe(false);
    expect(() => parse(eventOf(at(timestamp)))).toThrow(
      `awslogs.data.logEvents[0].timestamp: ${reason}`,
    );
  });
});

describe('A well-formed batch', () => {
  it('is taken as JSON.parse made it, keys the schema does not know included, without a copy', () => {
    // Prepare
    const payload = { ...payloadOf(['ERROR one']), region: 'eu-west-1' };

    // Act
    const decoded = parse(eventOf(payload)).awslogs.data;

    // Assess
    expect(decoded).toEqual(payload);
  });

  it('fails with zod issues of its own kind, naming the step', () => {
    // Act
    let error: unknown;
    try {
      parse({ awslogs: { data: Buffer.from('plain').toString('base64') } });
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect((error as { cause?: { issues?: { code: string }[] } }).cause?.issues).toEqual([
      expect.objectContaining({ code: 'custom', message: 'is not gzip data' }),
    ]);
  });

  it('names each bad field of the payload in a zod issue of its own kind', () => {
    // Act
    let error: unknown;
    try {
      parse(eventOf({ ...payloadOf([]), owner: 7, logEvents: [{ id: 1 }] }));
    } catch (caught) {
      error = caught;
    }

    // Assess
    const issues = (error as { cause?: { issues?: { code: string; path: unknown[] }[] } }).cause
      ?.issues;
    expect(issues?.length).toBeGreaterThanOrEqual(2);
    for (const issue of issues ?? []) {
      expect(issue.code).toBe('custom');
      expect(issue.path[0]).toBe('awslogs');
    }
  });
});

/** A payload whose JSON is exactly `bytes` long: one line padded with ASCII letters. */
const payloadOfSize = (bytes: number): LogsPayload => {
  const payload = payloadOf(['FATAL ']);
  const padding = bytes - Buffer.byteLength(JSON.stringify(payload));
  const [event] = payload.logEvents;
  if (event) event.message += 'x'.repeat(padding);
  expect(Buffer.byteLength(JSON.stringify(payload))).toBe(bytes);
  return payload;
};

describe('The unzipped size of a batch', () => {
  it('is capped at 6 MB and 64 KB, the most CloudWatch Logs can send', () => {
    expect(MAX_UNZIPPED_BYTES).toBe(6 * 1024 * 1024 + 64 * 1024);
  });

  it('accepts a batch that unzips to exactly the cap', () => {
    // Prepare
    const payload = payloadOfSize(MAX_UNZIPPED_BYTES);

    // Act & Assess
    expect(parse(eventOf(payload)).awslogs.data.logEvents[0]?.message).toHaveLength(
      payload.logEvents[0]?.message.length ?? 0,
    );
  });

  it('rejects a batch one byte over the cap with a ValidationError, saying so', () => {
    // Act & Assess
    expect(() => parse(eventOf(payloadOfSize(MAX_UNZIPPED_BYTES + 1)))).toThrow(
      expect.objectContaining({
        name: 'ValidationError',
        message: 'Invalid event: awslogs.data: unzips to more than 6208 KB',
      }),
    );
  });

  it.each([
    [1, 'one event of the largest size'],
    [4, 'the fewest events of at most 256 KB'],
    [100, 'a hundred events'],
    [10_000, 'the most events'],
  ])(
    'accepts the largest batch CloudWatch Logs can send in %i events (%s): 1 MB of control characters',
    (events) => {
      // Prepare: 1 MB counts each message's UTF-8 bytes plus 26 per event; a control character
      // takes six bytes in JSON; ids have 56 digits, names the longest CloudWatch Logs allows.
      const perMessage = Math.floor((1024 * 1024 - 26 * events) / events);
      const payload = payloadOf(
        Array.from({ length: events }, () => '\u0001'.repeat(perMessage)),
        {
          logGroup: '\u0002'.repeat(512),
          logStream: '\u0003'.repeat(512),
          subscriptionFilters: ['\u0004'.repeat(512), '\u0005'.repeat(512)],
        },
      );
      for (const event of payload.logEvents) {
        event.id = event.id.padStart(56, '3');
        event.timestamp = Date.UTC(2286, 0, 1);
      }
      expect(Buffer.byteLength(JSON.stringify(payload))).toBeGreaterThan(
        events <= 4 ? 6 * 1024 * 1024 : 5 * 1024 * 1024,
      );

      // Act & Assess
      expect(parse(eventOf(payload)).awslogs.data.logEvents).toHaveLength(events);
    },
  );
});
