import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { parseOrThrow } from '@nightshift/runtime';
import {
  anyValue,
  assertParsesOrRejects,
  assertRejectedBeforeAnyCall,
  isRecord,
  type LambdaHandler,
  pollutedObject,
  rejectionOf,
} from '@nightshift/testing/properties';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import scheduled from '../events/scheduled.json' with { type: 'json' };
import { CleanupEventSchema } from '../src/event.ts';

const parse = (event: unknown) => parseOrThrow(CleanupEventSchema, event, 'event');

/** An object whose only own key would reach the prototype, holding invalid overrides. */
const pollutedEvent = pollutedObject(
  fc.record({ retentionDays: fc.constant(-1), dryRun: fc.constant('yes') }),
);

/** Anything a caller could send, as a field or as the whole event. */
const anyInput = anyValue({
  edgeCases: [null, Number.MAX_SAFE_INTEGER + 2, 1e308, -1, 0, 36_501, '30', 'true'],
  polluted: pollutedEvent,
});

const retentionDays = fc.oneof(fc.integer({ min: 1, max: 36_500 }), anyInput);
const dryRun = fc.oneof(fc.boolean(), anyInput);

/** A scheduled event, with or without the two overrides, each valid or not, and odd extra keys. */
const cleanupEvent = fc
  .tuple(
    fc.constantFrom<Record<string, unknown>>(scheduled, {}),
    fc.option(pollutedEvent, { nil: undefined }),
    fc.record({ retentionDays, dryRun }, { requiredKeys: [] }),
  )
  .map(([envelope, polluted, fields]) => ({ ...envelope, ...polluted, ...fields }));

/** The fields the contract refuses: whole days from 1 to 36500, and a boolean dry run. */
const badFieldsOf = (event: unknown): string[] => {
  if (!isRecord(event)) return ['(root)'];
  const bad: string[] = [];
  const days = event.retentionDays;
  if (
    days !== undefined &&
    !(Number.isInteger(days) && Number(days) >= 1 && Number(days) <= 36_500)
  )
    bad.push('retentionDays');
  if (event.dryRun !== undefined && typeof event.dryRun !== 'boolean') bad.push('dryRun');
  return bad;
};

describe('snapshot-cleanup event schema, for any input', () => {
  it('parses or throws a ValidationError for any value at all', () => {
    assertParsesOrRejects({ parse, inputs: fc.anything(), numRuns: 200 });
  });

  it('accepts exactly the events the contract allows, and names every bad field', () => {
    fc.assert(
      fc.property(fc.oneof(cleanupEvent, anyInput), (event) => {
        // Prepare
        const bad = badFieldsOf(event);

        // Act
        const error = rejectionOf(parse, event);

        // Assess
        expect([...new Set(error?.issues.map((issue) => issue.path))]).toEqual(bad);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the overrides of a valid event as they were sent, and pollutes no prototype', () => {
    fc.assert(
      fc.property(
        cleanupEvent.filter((event) => badFieldsOf(event).length === 0),
        (event) => {
          // Act
          const parsed = parse(event);

          // Assess
          expect(parsed.retentionDays).toBe(event.retentionDays);
          expect(parsed.dryRun).toBe(event.dryRun);
          expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
          expect(Object.prototype).not.toHaveProperty('retentionDays');
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** Every AWS client the handler has: an invalid event must reach none of them. */
const mocks = [mockClient(EC2Client), mockClient(SNSClient)];
let handler: LambdaHandler;

describe('snapshot-cleanup handler, for any invalid event', () => {
  beforeAll(async () => {
    vi.stubEnv('SNS_TOPIC_ARN', 'arn:aws:sns:us-east-1:123456789012:reports');
    handler = (await import('../src/handler.ts')).handler as LambdaHandler;
  });

  it('rejects it with a ValidationError, and deletes, tags, publishes or reads nothing', async () => {
    await assertRejectedBeforeAnyCall({
      handler,
      events: fc.oneof(cleanupEvent, anyInput).filter((event) => badFieldsOf(event).length > 0),
      mocks,
      numRuns: 150,
    });
  });
});
