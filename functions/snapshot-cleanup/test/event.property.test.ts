import {
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeleteTagsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { parseOrThrow, ValidationError } from '@nightshift/middleware';
import { createLambdaContext } from '@nightshift/testing';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import scheduled from '../events/scheduled.json' with { type: 'json' };
import { CleanupEventSchema } from '../src/event.ts';

const parse = (event: unknown) => parseOrThrow(CleanupEventSchema, event, 'event');

/** An object whose only own key would reach the prototype if it were assigned naively. */
const pollutedObject = fc
  .tuple(
    fc.constantFrom('__proto__', 'constructor', 'prototype'),
    fc.record({ retentionDays: fc.constant(-1), dryRun: fc.constant('yes') }),
  )
  .map(
    ([key, value]) =>
      JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(value)}}`) as Record<string, unknown>,
  );

/** Anything a caller could put in a field: every JSON type, extremes, odd strings, pollution keys. */
const anyValue = fc.oneof(
  fc.jsonValue(),
  fc.string({ unit: 'binary' }),
  fc.double(),
  fc.integer(),
  fc.constantFrom<unknown>(null, Number.MAX_SAFE_INTEGER + 2, 1e308, -1, 0, 36_501, '30', 'true'),
  pollutedObject,
);

const retentionDays = fc.oneof(fc.integer({ min: 1, max: 36_500 }), anyValue);
const dryRun = fc.oneof(fc.boolean(), anyValue);

/** A scheduled event, with or without the two overrides, each valid or not, and odd extra keys. */
const cleanupEvent = fc
  .tuple(
    fc.constantFrom<Record<string, unknown>>(scheduled, {}),
    fc.option(pollutedObject, { nil: undefined }),
    fc.record({ retentionDays, dryRun }, { requiredKeys: [] }),
  )
  .map(([envelope, polluted, fields]) => ({ ...envelope, ...polluted, ...fields }));

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

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

/** The error an event is rejected with, or undefined when it parses; any other exception fails. */
const rejectionOf = (event: unknown): ValidationError | undefined => {
  try {
    parse(event);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
};

describe('snapshot-cleanup event schema, for any input', () => {
  it('parses or throws a ValidationError for any value at all', () => {
    fc.assert(
      fc.property(fc.anything(), (event) => {
        // Act
        const error = rejectionOf(event);

        // Assess
        if (error) expect(error.issues.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });

  it('accepts exactly the events the contract allows, and names every bad field', () => {
    fc.assert(
      fc.property(fc.oneof(cleanupEvent, anyValue), (event) => {
        // Prepare
        const bad = badFieldsOf(event);

        // Act
        const error = rejectionOf(event);

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

const ec2Mock = mockClient(EC2Client);
const snsMock = mockClient(SNSClient);
const mocks = [ec2Mock, snsMock];
/** The commands that change something; the ones that only read are counted below. */
const MUTATING: string[] = [
  DeleteSnapshotCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  PublishCommand,
].map((command) => command.name);
/** The names of the commands every mock received. */
const sentCommands = () =>
  mocks.flatMap((mock) => mock.calls().map((call) => call.args[0].constructor.name));

type Handler = (event: unknown, context: Context) => Promise<unknown>;
let handler: Handler;

describe('snapshot-cleanup handler, for any invalid event', () => {
  beforeAll(async () => {
    vi.stubEnv('SNS_TOPIC_ARN', 'arn:aws:sns:us-east-1:123456789012:reports');
    handler = (await import('../src/handler.ts')).handler as Handler;
  });

  beforeEach(() => {
    for (const mock of mocks) mock.reset();
  });

  it('rejects it with a ValidationError, and deletes, tags, publishes or reads nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(cleanupEvent, anyValue).filter((event) => badFieldsOf(event).length > 0),
        async (event) => {
          // Prepare
          for (const mock of mocks) mock.resetHistory();

          // Act
          const invocation = handler(event, createLambdaContext());

          // Assess
          await expect(invocation).rejects.toBeInstanceOf(ValidationError);
          expect(sentCommands().filter((name) => MUTATING.includes(name))).toEqual([]);
          expect(sentCommands()).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});
