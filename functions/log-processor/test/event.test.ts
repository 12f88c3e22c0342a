import { gzipSync } from 'node:zlib';
import { parseOrThrow } from '@nightshift/middleware';
import { describe, expect, it } from 'vitest';
import { LogsEventSchema } from '../src/event.ts';
import { eventOf, payloadOf } from './fixtures.ts';

const parse = (event: unknown) => parseOrThrow(LogsEventSchema, event, 'event');

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
      /awslogs\.data: unzips to more than 32 MB/,
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
  ])('rejects %s, saying which', (_case, event, message) => {
    expect(() => parse(event)).toThrow(message);
  });
});
