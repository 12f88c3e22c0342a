import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadHandler } from './handlerModule.ts';
import {
  anyValue,
  assertParsesOrRejects,
  assertRejectedBeforeAnyCall,
  isRecord,
  type LambdaHandler,
  type MockedClient,
  pollutedObject,
  rejectionOf,
} from './properties.ts';

/** An event schema and the handler that parses it, as `describeEventContract` checks them. */
export interface EventContract<E extends Record<string, unknown>, P> {
  /** The function's name, which the two `describe` blocks start with. */
  name: string;
  /** The schema's parse: its output, or a `ValidationError` naming each bad field. */
  parse: (event: unknown) => P;
  /** Events as callers send them: each field present or not, valid or not, odd keys too. */
  events: fc.Arbitrary<E>;
  /** Anything a caller could send, as a field or as the whole event. */
  anyInput: fc.Arbitrary<unknown>;
  /**
   * Every field the event has, in the order a rejection names them, and whether the
   * contract takes a value of it, on its own (undefined when the field is left out). A
   * rejection names no other field, or `(root)` for anything but a record.
   */
  fieldRules: Record<string, (value: unknown) => boolean>;
  /**
   * The rules across fields, for an event whose fields are each valid: whether the contract
   * takes it. Without them, a rejection names exactly the fields whose rule fails, in order;
   * with them, it names at least those.
   */
  acceptsAcrossFields?: (event: Record<string, unknown>) => boolean;
  /** What a valid event parses to, checked beyond "no prototype polluted". */
  valid: { title: string; check: (event: E, parsed: P) => void };
  /** The handler module, the environment it needs, and every AWS client it has, mocked. */
  handler: {
    title: string;
    load: () => Promise<{ handler: unknown }>;
    env: Record<string, string>;
    mocks: readonly MockedClient[];
  };
}

/**
 * The inputs of an event schema's property tests. `anyInput`: anything a caller could
 * send, as a field or as the whole event: any value, the `edgeCases`, and an object whose
 * only own key would reach the prototype, holding `polluting`. `events`: an event on one
 * of the `envelopes` (by default none), maybe on such a polluted object, with each of the
 * `fields` present or not, from its own arbitraries or `anyInput`.
 *
 * @example
 * const { anyInput, events } = eventArbitraries({
 *   polluting: { retentionDays: -1 },
 *   edgeCases: [null, 0, '30'],
 *   fields: { retentionDays: fc.integer({ min: 1, max: 36_500 }), dryRun: fc.boolean() },
 * });
 */
export const eventArbitraries = ({
  polluting,
  edgeCases,
  fields,
  envelopes = [{}],
}: {
  polluting: Record<string, unknown>;
  edgeCases: readonly unknown[];
  fields: Record<string, fc.Arbitrary<unknown> | readonly fc.Arbitrary<unknown>[]>;
  envelopes?: readonly Record<string, unknown>[];
}): {
  anyInput: fc.Arbitrary<unknown>;
  events: fc.Arbitrary<Record<string, unknown>>;
} => {
  const pollutedEvent = pollutedObject(fc.constant(polluting));
  const anyInput = anyValue({ edgeCases, polluted: pollutedEvent });
  const values = Object.fromEntries(
    Object.entries(fields).map(([name, valid]) => [
      name,
      fc.oneof(...(Array.isArray(valid) ? valid : [valid]), anyInput),
    ]),
  );
  const events = fc
    .tuple(
      fc.constantFrom(...envelopes),
      fc.option(pollutedEvent, { nil: undefined }),
      fc.record(values, { requiredKeys: [] }),
    )
    .map(([envelope, polluted, present]) => ({ ...envelope, ...polluted, ...present }));
  return { anyInput, events };
};

/** The fields whose rule refuses their value, in order; `['(root)']` for anything but a record. */
const badFieldsOf = (fieldRules: Record<string, (value: unknown) => boolean>, event: unknown) =>
  isRecord(event)
    ? Object.entries(fieldRules)
        .filter(([field, accepts]) => !accepts(event[field]))
        .map(([field]) => field)
    : ['(root)'];

/** Whether the contract takes the event: a record with no bad field, across fields too. */
const takes =
  <E extends Record<string, unknown>, P>({
    fieldRules,
    acceptsAcrossFields,
  }: Pick<EventContract<E, P>, 'fieldRules' | 'acceptsAcrossFields'>) =>
  (event: unknown): event is E =>
    isRecord(event) &&
    badFieldsOf(fieldRules, event).length === 0 &&
    (acceptsAcrossFields === undefined || acceptsAcrossFields(event));

/**
 * Checks, for any event or input, that the schema accepts exactly the events the contract
 * allows and names every bad field: exactly those without rules across fields (or for
 * anything but a record), at least those and no field but the event's with them.
 *
 * @example
 * assertAcceptsExactly({ parse, events, anyInput, fieldRules });
 */
export const assertAcceptsExactly = <E extends Record<string, unknown>, P>(
  contract: Pick<
    EventContract<E, P>,
    'parse' | 'events' | 'anyInput' | 'fieldRules' | 'acceptsAcrossFields'
  >,
): void => {
  const { parse, events, anyInput, fieldRules, acceptsAcrossFields } = contract;
  const isValid = takes(contract);
  fc.assert(
    fc.property(fc.oneof(events, anyInput), (event) => {
      // Prepare
      const bad = badFieldsOf(fieldRules, event);

      // Act
      const error = rejectionOf(parse, event);

      // Assess
      const paths = [...new Set(error?.issues.map((issue) => issue.path))];
      expect(error === undefined).toBe(isValid(event));
      if (acceptsAcrossFields === undefined || !isRecord(event)) {
        expect(paths).toEqual(bad);
        return;
      }
      for (const field of bad) expect(paths).toContain(field);
      for (const path of paths) expect(['(root)', ...Object.keys(fieldRules)]).toContain(path);
    }),
    { numRuns: 200 },
  );
};

/**
 * Checks, for every valid event, `valid.check` on what it parses to, that this is a plain
 * object, and that no field of the event reached `Object.prototype`.
 *
 * @example
 * assertKeepsValidEvents({ parse, events, fieldRules, valid });
 */
export const assertKeepsValidEvents = <E extends Record<string, unknown>, P>(
  contract: Pick<
    EventContract<E, P>,
    'parse' | 'events' | 'fieldRules' | 'acceptsAcrossFields' | 'valid'
  >,
): void => {
  const { parse, events, fieldRules, valid } = contract;
  fc.assert(
    fc.property(events.filter(takes(contract)), (event) => {
      // Act
      const parsed = parse(event);

      // Assess
      valid.check(event, parsed);
      expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
      for (const field of Object.keys(fieldRules))
        expect(Object.prototype).not.toHaveProperty(field);
    }),
    { numRuns: 200 },
  );
};

/**
 * Property tests of an event contract, in two `describe` blocks: the schema, for any input,
 * parses or throws a `ValidationError`, accepts exactly the events the contract allows and
 * names every bad field, keeps what a valid event says (`valid.check`) and pollutes no
 * prototype; the handler rejects every invalid event before any AWS call.
 *
 * @example
 * describeEventContract({
 *   name: 'snapshot-cleanup',
 *   parse: (event) => parseOrThrow(EventSchema, event, 'event'),
 *   ...eventArbitraries({ polluting, edgeCases, fields: { retentionDays: days, dryRun } }),
 *   fieldRules: {
 *     retentionDays: (days) => days === undefined || isDays(days),
 *     dryRun: (dryRun) => dryRun === undefined || typeof dryRun === 'boolean',
 *   },
 *   valid: { title: 'keeps the overrides', check: (event, parsed) => expect(parsed).toEqual(event) },
 *   handler: {
 *     title: 'rejects it and deletes nothing',
 *     load: () => import('../src/handler.ts'),
 *     env: { SNS_TOPIC_ARN: topicArn },
 *     mocks: [mockClient(EC2Client), mockClient(SNSClient)],
 *   },
 * });
 */
export const describeEventContract = <E extends Record<string, unknown>, P>(
  contract: EventContract<E, P>,
): void => {
  const isValid = takes(contract);

  describe(`${contract.name} event schema, for any input`, () => {
    it('parses or throws a ValidationError for any value at all', () => {
      assertParsesOrRejects({ parse: contract.parse, inputs: fc.anything(), numRuns: 200 });
    });

    it('accepts exactly the events the contract allows, and names every bad field', () => {
      assertAcceptsExactly(contract);
    });

    it(contract.valid.title, () => {
      assertKeepsValidEvents(contract);
    });
  });

  describe(`${contract.name} handler, for any invalid event`, () => {
    let handler: LambdaHandler;
    beforeAll(async () => {
      // The same module graph as this file's: the handler's ValidationError is the one checked.
      handler = (await loadHandler(contract.handler.load, contract.handler.env, {
        fresh: false,
      })) as LambdaHandler;
    });

    it(contract.handler.title, async () => {
      await assertRejectedBeforeAnyCall({
        handler,
        events: fc.oneof(contract.events, contract.anyInput).filter((event) => !isValid(event)),
        mocks: contract.handler.mocks,
        numRuns: 150,
      });
    });
  });
};
