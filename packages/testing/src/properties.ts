import { ValidationError } from '@nightshift/runtime';
import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { expect, type MockInstance } from 'vitest';
import { createLambdaContext } from './lambdaContext.ts';

/** fast-check's parameters for `numRuns` runs, or its own default when undefined. */
const runs = (numRuns: number | undefined): fc.Parameters<unknown> =>
  numRuns === undefined ? {} : { numRuns };

/**
 * An object whose only own key (`__proto__`, `constructor` or `prototype`) would reach the
 * prototype if it were assigned naively; built with `JSON.parse`, which makes it an own key.
 * The key holds what `value` generates, by default any dictionary of JSON values.
 *
 * @example
 * const polluted = pollutedObject(fc.record({ environment: fc.constant('production') }));
 */
export const pollutedObject = (
  value: fc.Arbitrary<unknown> = fc.dictionary(fc.string(), fc.jsonValue()),
): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), value)
    .map(
      ([key, inner]) =>
        JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(inner)}}`) as Record<string, unknown>,
    );

/**
 * Anything a caller could put in a field: every JSON type, any string, doubles, integers,
 * the contract's own `edgeCases`, and `polluted` objects (by default `pollutedObject()`).
 *
 * @example
 * const retentionDays = fc.oneof(
 *   fc.integer({ min: 1, max: 36_500 }),
 *   anyValue({ edgeCases: [0, 36_501, '30'] }),
 * );
 */
export const anyValue = ({
  edgeCases,
  polluted = pollutedObject(),
}: {
  edgeCases: readonly unknown[];
  polluted?: fc.Arbitrary<unknown>;
}): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.jsonValue(),
    fc.string({ unit: 'binary' }),
    fc.double(),
    fc.integer(),
    ...(edgeCases.length > 0 ? [fc.constantFrom<unknown>(...edgeCases)] : []),
    polluted,
  );

/**
 * Any text of at most `maxLength` characters, lone surrogate halves (which JSON escapes
 * can carry) included.
 *
 * @example
 * const message = anyText(300);
 */
export const anyText = (maxLength?: number): fc.Arbitrary<string> =>
  fc.string({
    unit: fc.oneof(
      { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 9 },
      { arbitrary: fc.constantFrom('\ud800', '\udfff'), weight: 1 },
    ),
    ...(maxLength === undefined ? {} : { maxLength }),
  });

/**
 * Whether a value is a plain record: an object, neither null nor an array.
 *
 * @example
 * if (!isRecord(event)) return ['(root)'];
 */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The `ValidationError` that `parse` rejects `input` with, or undefined when it parses;
 * any other exception fails the test.
 *
 * @example
 * const parse = (event: unknown) => parseOrThrow(EventSchema, event, 'event');
 * expect(rejectionOf(parse, { retentionDays: 0 })?.issues[0]?.path).toBe('retentionDays');
 */
export const rejectionOf = (
  parse: (input: unknown) => unknown,
  input: unknown,
): ValidationError | undefined => {
  try {
    parse(input);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
};

/**
 * Checks that `parse` returns, or throws a `ValidationError` with at least one issue, for
 * every input `inputs` generates; any other exception fails.
 *
 * @example
 * assertParsesOrRejects({ parse, inputs: fc.anything(), numRuns: 200 });
 */
export const assertParsesOrRejects = ({
  parse,
  inputs,
  numRuns,
}: {
  parse: (input: unknown) => unknown;
  inputs: fc.Arbitrary<unknown>;
  numRuns?: number;
}): void => {
  fc.assert(
    fc.property(inputs, (input) => {
      // Act
      const error = rejectionOf(parse, input);

      // Assess
      if (error) expect(error.issues.length).toBeGreaterThan(0);
    }),
    runs(numRuns),
  );
};

/** A Lambda handler as a test calls it: any event, a context, a promise. */
export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

/** What the check reads of an `aws-sdk-client-mock` mock: the commands it received. */
export interface MockedClient {
  calls(): readonly { args: readonly unknown[] }[];
  resetHistory(): void;
}

/**
 * Checks, for every event `events` generates, that `handler` rejects it with a
 * `ValidationError` before it sends a command on any of `mocks` or calls the `fetch` spy.
 * History is cleared before each run; what the mocks answer is left to the test.
 *
 * @example
 * await assertRejectedBeforeAnyCall({
 *   handler,
 *   events: fc.anything().filter((event) => !isValid(event)),
 *   mocks: [ec2Mock, snsMock],
 *   numRuns: 150,
 * });
 */
export const assertRejectedBeforeAnyCall = async ({
  handler,
  events,
  mocks,
  fetch,
  numRuns,
}: {
  handler: LambdaHandler;
  events: fc.Arbitrary<unknown>;
  mocks: readonly MockedClient[];
  fetch?: MockInstance;
  numRuns?: number;
}): Promise<void> => {
  const sentCommands = () =>
    mocks.flatMap((mock) =>
      mock.calls().map((call) => (call.args[0] as object | undefined)?.constructor.name),
    );

  await fc.assert(
    fc.asyncProperty(events, async (event) => {
      // Prepare
      for (const mock of mocks) mock.resetHistory();
      fetch?.mockClear();

      // Act
      const invocation = handler(event, createLambdaContext());

      // Assess
      await expect(invocation).rejects.toBeInstanceOf(ValidationError);
      expect(sentCommands()).toEqual([]);
      if (fetch) expect(fetch).not.toHaveBeenCalled();
    }),
    runs(numRuns),
  );
};
