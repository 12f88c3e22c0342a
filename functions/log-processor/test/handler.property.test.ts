import { gzipSync } from 'node:zlib';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ValidationError } from '@nightshift/runtime';
import { createLambdaContext } from '@nightshift/testing';
import {
  anyText,
  assertRejectedBeforeAnyCall,
  type LambdaHandler,
} from '@nightshift/testing/properties';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BatchSummary } from '../src/run.ts';
import { eventOf } from './fixtures.ts';

const snsMock = mockClient(SNSClient);
const topic = 'arn:aws:sns:us-east-1:123456789012:alerts';

let handler: LambdaHandler;

const dataOf = (bytes: Uint8Array) => ({
  awslogs: { data: Buffer.from(bytes).toString('base64') },
});

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** Events the schema must refuse: wrong envelope, bad base64, not gzip, broken gzip, not JSON, wrong shape. */
const malformedEvent = fc.oneof(
  fc.anything().filter((value) => typeof value !== 'object' || value === null),
  fc.jsonValue().map((awslogs) => ({ awslogs })),
  fc
    .jsonValue()
    .filter((data) => typeof data !== 'string')
    .map((data) => ({ awslogs: { data } })),
  fc.base64String({ minLength: 4 }).map((data) => ({ awslogs: { data: `${data}!` } })),
  fc
    .uint8Array({ minLength: 1, maxLength: 200 })
    .filter((bytes) => bytes[0] !== 0x1f)
    .map(dataOf),
  fc
    .string({ minLength: 1 })
    .map((text) => gzipSync(Buffer.from(text)))
    .chain((bytes) =>
      fc.integer({ min: 2, max: bytes.length - 1 }).map((end) => bytes.subarray(0, end)),
    )
    .map(dataOf),
  fc
    .string()
    .filter((text) => !isJson(text))
    .map((text) => dataOf(gzipSync(Buffer.from(text)))),
  fc
    .record({
      messageType: fc.constantFrom('DATA_MESSAGE', 'ERROR_MESSAGE', 7, null),
      logGroup: fc.oneof(fc.string(), fc.integer()),
      logEvents: fc.array(
        fc.record({ id: fc.integer(), timestamp: fc.string(), message: fc.constant('FATAL') }),
        { minLength: 1, maxLength: 3 },
      ),
    })
    .map(eventOf),
);

/** Batches the schema accepts, with whatever text a log line, group or stream may hold. */
const acceptedPayload = fc.record({
  messageType: fc.constantFrom('DATA_MESSAGE', 'DATA_MESSAGE', 'CONTROL_MESSAGE'),
  owner: fc.string(),
  logGroup: anyText(),
  logStream: anyText(),
  subscriptionFilters: fc.array(anyText(), { maxLength: 2 }),
  logEvents: fc.array(
    fc.record({
      id: fc.string(),
      timestamp: fc.oneof(
        fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }),
        fc.double({ min: 0, max: 1e20, noNaN: true }),
        fc.constantFrom(0, Number.MAX_SAFE_INTEGER, 8.64e15, 1e20),
      ),
      message: fc.oneof(
        anyText(300),
        fc.constantFrom('FATAL boom', 'ERROR x', 'out of memory', 'HTTP 503', 'fine'),
        anyText().map((text) => `panic: ${text}`),
      ),
    }),
    { maxLength: 12 },
  ),
});

describe('log-processor handler, for any event', () => {
  beforeAll(async () => {
    vi.stubEnv('ALERT_TOPIC_ARN', topic);
    handler = (await import('../src/handler.ts')).handler as LambdaHandler;
  });

  beforeEach(() => {
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'alert-1' });
  });

  it('rejects a malformed event with a ValidationError and sends no alert', async () => {
    await assertRejectedBeforeAnyCall({
      handler,
      events: malformedEvent,
      mocks: [snsMock],
      numRuns: 150,
    });
  });

  it('fails a batch only with a ValidationError, and processes the rest with consistent counts and at most one alert', async () => {
    await fc.assert(
      fc.asyncProperty(acceptedPayload, async (payload) => {
        // Prepare
        snsMock.resetHistory();

        // Act
        let summary: BatchSummary | undefined;
        try {
          summary = (await handler(eventOf(payload), createLambdaContext())) as BatchSummary;
        } catch (error) {
          // Assess (rejected)
          expect(error).toBeInstanceOf(ValidationError);
          expect(snsMock.calls()).toHaveLength(0);
          return;
        }

        // Assess (processed)
        const lines = payload.messageType === 'DATA_MESSAGE' ? payload.logEvents.length : 0;
        expect(summary.processedEvents).toBe(lines);
        expect(summary.criticalCount).toBeLessThanOrEqual(summary.errorCount);
        expect(summary.errorCount).toBeLessThanOrEqual(summary.processedEvents);
        expect(snsMock.commandCalls(PublishCommand)).toHaveLength(
          summary.criticalCount > 0 ? 1 : 0,
        );
        expect(snsMock.calls()).toHaveLength(summary.criticalCount > 0 ? 1 : 0);
      }),
      { numRuns: 150 },
    );
  });
});
