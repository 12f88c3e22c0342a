import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { ValidationError } from '@nightshift/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  anyText,
  anyValue,
  assertParsesOrRejects,
  assertRejectedBeforeAnyCall,
  isRecord,
  type LambdaHandler,
  pollutedObject,
  rejectionOf,
} from '../src/properties.ts';

const invalid = () => new ValidationError('event', [{ path: 'id', message: 'is required' }]);

/** Takes only `{ id: string }`, as a schema parsed with parseOrThrow would. */
const parseId = (input: unknown) => {
  if (isRecord(input) && typeof input.id === 'string') return input;
  throw invalid();
};

describe('Property-test arbitraries', () => {
  it('builds polluted objects whose only own key is a prototype key, and pollutes nothing', () => {
    // Act
    const samples = fc.sample(pollutedObject(fc.constant({ id: 'x' })), { numRuns: 100, seed: 1 });

    // Assess
    for (const sample of samples) {
      expect(['__proto__', 'constructor', 'prototype']).toContain(Object.keys(sample)[0]);
      expect(Object.keys(sample)).toHaveLength(1);
      expect(Object.getPrototypeOf(sample)).toBe(Object.prototype);
    }
    expect(Object.prototype).not.toHaveProperty('id');
  });

  it('mixes the edge cases and polluted objects it is given into any value', () => {
    // Act
    const samples = fc.sample(
      anyValue({ edgeCases: ['edge'], polluted: fc.constant('polluted') }),
      {
        numRuns: 2_000,
        seed: 1,
      },
    );
    const withoutEdgeCases = fc.sample(anyValue({ edgeCases: [] }), { numRuns: 100, seed: 1 });

    // Assess
    expect(samples).toContain('edge');
    expect(samples).toContain('polluted');
    expect(withoutEdgeCases).toHaveLength(100);
  });

  it('keeps any text within its maximum number of characters', () => {
    fc.assert(
      fc.property(anyText(5), (text) => {
        // Assess
        expect([...text].length).toBeLessThanOrEqual(5);
      }),
    );
  });

  it('takes only plain objects for records', () => {
    // Act & Assess
    expect([{}, { a: 1 }, [], null, 'x', 1, undefined].map(isRecord)).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('Property-test checks on parsing', () => {
  it('gives the ValidationError a parse throws, or undefined when it parses', () => {
    // Act
    const accepted = rejectionOf(parseId, { id: 'a' });
    const rejected = rejectionOf(parseId, {});

    // Assess
    expect(accepted).toBeUndefined();
    expect(rejected?.issues).toEqual([{ path: 'id', message: 'is required' }]);
  });

  it('fails when a parse throws anything but a ValidationError', () => {
    // Prepare
    const crashing = () => {
      throw new TypeError('boom');
    };

    // Act & Assess
    expect(() => rejectionOf(crashing, {})).toThrow(/ValidationError/);
    expect(() => assertParsesOrRejects({ parse: crashing, inputs: fc.anything() })).toThrow(
      /Property failed/,
    );
  });

  it('fails when a parse rejects without naming an issue', () => {
    // Prepare
    const silent = () => {
      throw new ValidationError('event', []);
    };

    // Act & Assess
    assertParsesOrRejects({ parse: parseId, inputs: fc.anything(), numRuns: 50 });
    expect(() => assertParsesOrRejects({ parse: silent, inputs: fc.anything() })).toThrow(
      /Property failed/,
    );
  });
});

describe('Property-test check that a handler rejects before any call', () => {
  const snsMock = mockClient(SNSClient);
  const sns = new SNSClient({ region: 'us-east-1' });
  const events = fc.anything();

  it('passes for a handler that rejects every event with a ValidationError at once', async () => {
    // Prepare
    await sns.send(new ListTopicsCommand({})); // history from before the check does not count
    const handler: LambdaHandler = async () => {
      throw invalid();
    };

    // Act & Assess
    await assertRejectedBeforeAnyCall({ handler, events, mocks: [snsMock], numRuns: 20 });
  });

  it('fails for a handler that resolves, throws another error, or calls AWS or fetch first', async () => {
    // Prepare
    const fetch = vi.fn();
    const handlers: [LambdaHandler, RegExp][] = [
      [async () => 'done', /resolved/],
      [
        async () => {
          throw new TypeError('boom');
        },
        /instance of ValidationError/,
      ],
      [
        async () => {
          await sns.send(new ListTopicsCommand({}));
          throw invalid();
        },
        /ListTopicsCommand/,
      ],
      [
        async () => {
          fetch('https://hooks.example.com');
          throw invalid();
        },
        /not to be called|not been called|not.*called/,
      ],
    ];

    // Act & Assess
    for (const [handler, reason] of handlers) {
      await expect(
        assertRejectedBeforeAnyCall({ handler, events, mocks: [snsMock], fetch, numRuns: 5 }),
      ).rejects.toMatchObject({ cause: { message: expect.stringMatching(reason) } });
    }
  });
});
