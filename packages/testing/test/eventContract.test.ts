import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { type FieldIssue, ValidationError } from '@nightshift/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertAcceptsExactly,
  assertKeepsValidEvents,
  describeEventContract,
  type EventContract,
  eventArbitraries,
} from '../src/eventContract.ts';
import { anyValue, isRecord } from '../src/properties.ts';

// A stand-in contract: a non-empty `id`, an optional boolean `dryRun`; across fields, a
// dry run only of ids that start with `t`.
const anyInput = anyValue({ edgeCases: ['', null, 'toString'] });
const events = fc.record(
  { id: fc.oneof(fc.string(), anyInput), dryRun: fc.oneof(fc.boolean(), anyInput) },
  { requiredKeys: [] },
);
const fieldRules = {
  id: (id: unknown) => typeof id === 'string' && id.length > 0,
  dryRun: (dryRun: unknown) => dryRun === undefined || typeof dryRun === 'boolean',
};
const acceptsAcrossFields = (event: Record<string, unknown>) =>
  event.dryRun !== true || String(event.id).startsWith('t');

interface Parsed {
  id: string;
  dryRun?: boolean;
}

/** The stand-in schema's parse; `flaws` break it in the ways the checks must catch. */
const parserWith =
  (
    flaws: {
      lenientDryRun?: boolean;
      misnamed?: string;
      acrossAs?: string;
      dropsDryRun?: boolean;
      nullPrototype?: boolean;
    } = {},
  ) =>
  (input: unknown): Parsed => {
    if (!isRecord(input))
      throw new ValidationError('event', [{ path: '(root)', message: 'must be an object' }]);
    const issues: FieldIssue[] = [];
    if (!(typeof input.id === 'string' && input.id.length > 0))
      issues.push({ path: 'id', message: 'is required' });
    if (!flaws.lenientDryRun && input.dryRun !== undefined && typeof input.dryRun !== 'boolean')
      issues.push({ path: flaws.misnamed ?? 'dryRun', message: 'must be true or false' });
    if (issues.length === 0 && flaws.acrossAs && !acceptsAcrossFields(input))
      issues.push({ path: flaws.acrossAs, message: 'a dry run needs a test id' });
    if (issues.length > 0) throw new ValidationError('event', issues);
    const parsed: Parsed = flaws.nullPrototype ? Object.create(null) : {};
    parsed.id = input.id as string;
    if (!flaws.dropsDryRun && input.dryRun !== undefined) parsed.dryRun = input.dryRun as boolean;
    return parsed;
  };

const valid: EventContract<Record<string, unknown>, Parsed>['valid'] = {
  title: 'keeps the id and the dry run of a valid event, and pollutes no prototype',
  check: (event, parsed) => {
    expect(parsed.id).toBe(event.id);
    expect(parsed.dryRun).toBe(event.dryRun);
  },
};
const contract = { events, anyInput, fieldRules, valid };

const snsMock = mockClient(SNSClient);
const sns = new SNSClient({ region: 'us-east-1' });

// A contract its schema and handler keep: these tests pass.
describeEventContract({
  ...contract,
  name: 'stand-in',
  parse: parserWith(),
  handler: {
    title: 'rejects it with a ValidationError before it lists any topic',
    load: async () => ({
      handler: async (event: unknown) => {
        parserWith()(event);
        await sns.send(new ListTopicsCommand({}));
      },
    }),
    env: {},
    mocks: [snsMock],
  },
});

describe('Checking that a schema accepts exactly what its contract allows', () => {
  it('passes with rules across fields when the schema names at least the bad fields', () => {
    // Act & Assess
    assertAcceptsExactly({
      ...contract,
      acceptsAcrossFields,
      parse: parserWith({ acrossAs: 'id' }),
    });
  });

  it.each([
    ['accepts a bad field', { lenientDryRun: true }],
    ['names another field than the bad one', { misnamed: 'dry_run' }],
    ['refuses what the contract allows', { acrossAs: 'id' }],
  ])('fails for a schema that %s', (_case, flaws) => {
    // Act & Assess
    expect(() => assertAcceptsExactly({ ...contract, parse: parserWith(flaws) })).toThrow(
      /Property failed/,
    );
  });

  it('fails, with rules across fields, for a schema that ignores them or names a field the event has not', () => {
    // Act & Assess
    expect(() =>
      assertAcceptsExactly({ ...contract, acceptsAcrossFields, parse: parserWith() }),
    ).toThrow(/Property failed/);
    expect(() =>
      assertAcceptsExactly({
        ...contract,
        acceptsAcrossFields,
        parse: parserWith({ acrossAs: 'mode' }),
      }),
    ).toThrow(/Property failed/);
  });
});

describe('Checking what a valid event parses to', () => {
  it.each([
    ['drops a field', { dropsDryRun: true }],
    ['gives an object without the plain prototype', { nullPrototype: true }],
  ])('fails for a schema that %s', (_case, flaws) => {
    // Act & Assess
    expect(() => assertKeepsValidEvents({ ...contract, parse: parserWith(flaws) })).toThrow(
      /Property failed/,
    );
  });
});

describe('The inputs of an event schema', () => {
  const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'];
  const { anyInput, events } = eventArbitraries({
    polluting: { mode: 'polluted' },
    edgeCases: ['edge'],
    envelopes: [{ source: 'scheduler' }, {}],
    fields: { mode: fc.constant('fast'), size: [fc.constant(1), fc.constant(2)] },
  });
  const samples = fc.sample(events, { numRuns: 2_000, seed: 1 });

  it('puts the fields, each present or not, on every envelope, some on a polluted object', () => {
    // Assess
    const keys = new Set(samples.flatMap((sample) => Object.keys(sample)));
    expect([...keys].sort()).toEqual(
      ['mode', 'size', 'source', ...PROTOTYPE_KEYS.filter((key) => keys.has(key))].sort(),
    );
    expect(samples.some((sample) => PROTOTYPE_KEYS.some((key) => Object.hasOwn(sample, key)))).toBe(
      true,
    );
    expect(samples.some((sample) => sample.source === 'scheduler')).toBe(true);
    expect(samples.some((sample) => !('source' in sample))).toBe(true);
    for (const field of ['mode', 'size'])
      expect(samples.some((sample) => !(field in sample))).toBe(true);
  });

  it('gives each field its own values and any other', () => {
    // Assess
    const modes = samples.map((sample) => sample.mode);
    const sizes = samples.map((sample) => sample.size);
    expect(modes).toContain('fast');
    expect(sizes).toContain(1);
    expect(sizes).toContain(2);
    expect(modes).toContain('edge');
    expect(modes.some((mode) => mode !== undefined && mode !== 'fast' && mode !== 'edge')).toBe(
      true,
    );
  });

  it('takes the edge cases and the polluted object into any input', () => {
    // Act
    const inputs = fc.sample(anyInput, { numRuns: 2_000, seed: 1 });

    // Assess
    expect(inputs).toContain('edge');
    expect(inputs).toContainEqual(expect.objectContaining({ constructor: { mode: 'polluted' } }));
    expect(Object.prototype).not.toHaveProperty('mode');
  });
});
