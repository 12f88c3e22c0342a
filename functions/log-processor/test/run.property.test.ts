import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createObservability } from '@nightshift/middleware';
import { SNS_MAX_PUBLISH_BYTES, SNS_MAX_SUBJECT_LENGTH } from '@nightshift/runtime';
import { anyText } from '@nightshift/testing/properties';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import type { LogsPayload } from '../src/event.ts';
import { run } from '../src/run.ts';
import { logsEvent } from './fixtures.ts';

const snsMock = mockClient(SNSClient);
const topic = 'arn:aws:sns:us-east-1:123456789012:alerts';
const deps = { sns: new SNSClient({}), ...createObservability('log-processor') };
const withTopic = loadConfig({
  ALERT_TOPIC_ARN: topic,
  ALERT_MAX_LINES: '3',
  AWS_REGION: 'eu-west-1',
});
const withoutTopic = loadConfig({ AWS_REGION: 'eu-west-1' });

/** Log lines as they come: plain text, JSON, stack traces, colour codes, any unicode, long ones. */
const logLine = fc.oneof(
  anyText(300),
  fc.constantFrom(
    'INFO all good',
    'ERROR upstream failed',
    'FATAL: database connection failed',
    'java.lang.OutOfMemoryError: Java heap space',
    '10.0.0.1 - - "GET / HTTP/1.1" 503 0',
    'non-fatal warning',
    '\u001b[31mERROR\u001b[0m boom',
  ),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc
    .tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 1_000, max: 20_000 }))
    .map(([chunk, times]) => `${chunk} `.repeat(times).slice(0, 262_144)),
);

const payload: fc.Arbitrary<LogsPayload> = fc.record({
  messageType: fc.constantFrom('DATA_MESSAGE', 'DATA_MESSAGE', 'CONTROL_MESSAGE'),
  owner: fc.stringMatching(/^\d{12}$/),
  logGroup: anyText(600),
  logStream: anyText(),
  subscriptionFilters: fc.array(fc.string(), { maxLength: 2 }),
  logEvents: fc.array(
    fc.record({
      id: fc.string(),
      timestamp: fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }),
      message: logLine,
    }),
    { maxLength: 15 },
  ),
});

describe('Processing any batch', () => {
  beforeEach(() => {
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'alert-1' });
  });

  it('counts every line once: critical ≤ errors ≤ processed, each as the classifier says', async () => {
    await fc.assert(
      fc.asyncProperty(payload, async (batch) => {
        // Prepare
        snsMock.resetHistory();
        const severities = batch.logEvents.map((event) =>
          withTopic.classifier.classify(event.message),
        );

        // Act
        const summary = await run(deps, withTopic, logsEvent(batch));

        // Assess
        expect(summary.criticalCount).toBeLessThanOrEqual(summary.errorCount);
        expect(summary.errorCount).toBeLessThanOrEqual(summary.processedEvents);
        if (batch.messageType === 'CONTROL_MESSAGE') {
          expect(summary).toMatchObject({ processedEvents: 0, errorCount: 0, criticalCount: 0 });
          expect(snsMock.calls()).toHaveLength(0);
          return;
        }
        expect(summary.processedEvents).toBe(batch.logEvents.length);
        expect(summary.errorCount).toBe(severities.filter((s) => s !== 'none').length);
        expect(summary.criticalCount).toBe(severities.filter((s) => s === 'critical').length);
        expect(snsMock.calls()).toHaveLength(summary.criticalCount > 0 ? 1 : 0);
      }),
      { numRuns: 150 },
    );
  });

  it('sends an alert that SNS takes: a short ASCII subject, well-formed text within 256 KB', async () => {
    await fc.assert(
      fc.asyncProperty(
        payload.map((batch) => ({
          ...batch,
          messageType: 'DATA_MESSAGE' as const,
          logEvents: [{ id: '0', timestamp: 0, message: 'FATAL first' }, ...batch.logEvents],
        })),
        async (batch) => {
          // Prepare
          snsMock.resetHistory();

          // Act
          const summary = await run(deps, withTopic, logsEvent(batch));

          // Assess
          expect(summary.alertMessageId).toBe('alert-1');
          const [call] = snsMock.commandCalls(PublishCommand);
          const input = call?.args[0].input;
          expect(input?.Subject?.length).toBeLessThanOrEqual(SNS_MAX_SUBJECT_LENGTH);
          expect(input?.Subject).toMatch(/^[\x20-\x7e]+$/);
          expect(Buffer.byteLength(input?.Message ?? '')).toBeLessThan(SNS_MAX_PUBLISH_BYTES);
          expect(input?.Message?.isWellFormed()).toBe(true);
          for (const attribute of Object.values(input?.MessageAttributes ?? {})) {
            expect(attribute.StringValue?.isWellFormed()).toBe(true);
          }
          expect(input?.MessageAttributes?.criticalCount?.StringValue).toBe(
            String(summary.criticalCount),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never publishes when no alert topic is set, whatever the batch', async () => {
    await fc.assert(
      fc.asyncProperty(payload, async (batch) => {
        // Prepare
        snsMock.resetHistory();

        // Act
        const summary = await run(deps, withoutTopic, logsEvent(batch));

        // Assess
        expect(summary.alertMessageId).toBeUndefined();
        expect(snsMock.calls()).toHaveLength(0);
      }),
      { numRuns: 100 },
    );
  });
});
