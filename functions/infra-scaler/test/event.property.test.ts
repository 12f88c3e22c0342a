import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
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
import { resolveAction, ScalerEventSchema } from '../src/event.ts';

const parse = (event: unknown) => parseOrThrow(ScalerEventSchema, event, 'event');

const ACTIONS = ['scale_down', 'scale_up', 'check'];
const ALIASES = ['scale_down_staging', 'scale_up_staging'];

/** An object whose only own key would reach the prototype, holding a valid event. */
const pollutedEvent = pollutedObject(
  fc.record({ action: fc.constant('scale_down'), environment: fc.constant('staging') }),
);

/** Anything a caller could send, as a field or as the whole event. */
const anyInput = anyValue({
  edgeCases: [null, 1e308, -1, '', 'SCALE_DOWN', 'toString', 'constructor', 'true'],
  polluted: pollutedEvent,
});

const action = fc.oneof(fc.constantFrom(...ACTIONS, ...ALIASES), anyInput);
const environment = fc.oneof(
  fc.constantFrom(
    'staging',
    ' staging\n',
    'production',
    'Prod-EU',
    'prd',
    'product',
    'preprod',
    'prod*',
    '*',
    '?roduction',
    'dev',
    '',
    '   ',
    'x'.repeat(257),
  ),
  fc.string({ unit: 'binary', maxLength: 300 }),
  anyInput,
);
const dryRun = fc.oneof(fc.boolean(), anyInput);

/** A scheduler event: each field present or not, valid or not, with odd extra keys. */
const scalerEvent = fc
  .tuple(
    fc.option(pollutedEvent, { nil: undefined }),
    fc.record({ action, environment, dryRun }, { requiredKeys: [] }),
  )
  .map(([polluted, fields]) => ({ ...polluted, ...fields }));

/** The fields the contract refuses, each on its own (before the checks across fields). */
const badFieldsOf = (event: Record<string, unknown>): string[] => {
  const bad: string[] = [];
  const action = event.action;
  if (
    action !== undefined &&
    !(typeof action === 'string' && [...ACTIONS, ...ALIASES].includes(action))
  )
    bad.push('action');
  const env = event.environment;
  if (
    env !== undefined &&
    !(typeof env === 'string' && env.trim().length >= 1 && env.trim().length <= 256)
  )
    bad.push('environment');
  if (event.dryRun !== undefined && typeof event.dryRun !== 'boolean') bad.push('dryRun');
  return bad;
};

/** The characters AWS takes in a tag value (ASCII): nothing else may name an environment. */
const TAG_CHARACTERS = new Set(
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 _.:/=+-@',
);

/** `prod`, `production`, `prd` in any case, alone or before anything but a letter. */
const productionLike = (name: string) => {
  const lower = name.toLowerCase();
  return ['prod', 'production', 'prd'].some(
    (word) => lower.startsWith(word) && !/[a-z]/.test(lower.charAt(word.length)),
  );
};

/** With no SCALED_ENVIRONMENTS: a plain tag value that is not production-like. */
const scalable = (name: string) =>
  [...name].every((character) => TAG_CHARACTERS.has(character)) && !productionLike(name);

/**
 * Whether the contract takes the event: valid fields (a left-out action is check), an
 * environment unless an alias or a check, staging with an alias, and an environment the
 * function may scale.
 */
const isValid = (event: unknown): event is Record<string, unknown> => {
  if (!isRecord(event) || badFieldsOf(event).length > 0) return false;
  const env = (event.environment as string | undefined)?.trim();
  const action = (event.action as string | undefined) ?? 'check';
  if (ALIASES.includes(action)) return env === undefined || env === 'staging';
  // A check without an environment checks staging, as the original script did.
  if (action === 'check') return scalable(env ?? 'staging');
  return env !== undefined && scalable(env);
};

describe('infra-scaler event schema, for any input', () => {
  it('parses or throws a ValidationError for any value at all', () => {
    assertParsesOrRejects({ parse, inputs: fc.anything(), numRuns: 200 });
  });

  it('accepts exactly the events the contract allows, and names every bad field', () => {
    fc.assert(
      fc.property(fc.oneof(scalerEvent, anyInput), (event) => {
        // Act
        const error = rejectionOf(parse, event);

        // Assess
        expect(error === undefined).toBe(isValid(event));
        if (!error) return;
        const paths = new Set(error.issues.map((issue) => issue.path));
        if (!isRecord(event)) expect([...paths]).toEqual(['(root)']);
        else for (const field of badFieldsOf(event)) expect(paths).toContain(field);
        for (const path of paths)
          expect(['(root)', 'action', 'environment', 'dryRun']).toContain(path);
      }),
      { numRuns: 200 },
    );
  });

  it('resolves every valid event to an action and the environment it names', () => {
    fc.assert(
      fc.property(scalerEvent.filter(isValid), (event) => {
        // Act
        const resolved = resolveAction(parse(event));

        // Assess
        expect(ACTIONS).toContain(resolved.action);
        expect(resolved.environment).toBe(
          ALIASES.includes(event.action as string) || event.environment === undefined
            ? 'staging'
            : (event.environment as string).trim(),
        );
        expect(Object.prototype).not.toHaveProperty('action');
      }),
      { numRuns: 200 },
    );
  });
});

/** Every AWS client the handler has: an invalid event must reach none of them. */
const mocks = [
  mockClient(EC2Client),
  mockClient(AutoScalingClient),
  mockClient(RDSClient),
  mockClient(CloudWatchClient),
  mockClient(SNSClient),
];
let handler: LambdaHandler;

describe('infra-scaler handler, for any invalid event', () => {
  beforeAll(async () => {
    vi.stubEnv('SNS_TOPIC_ARN', 'arn:aws:sns:us-east-1:123456789012:reports');
    handler = (await import('../src/handler.ts')).handler as LambdaHandler;
  });

  it('rejects it with a ValidationError, and stops, starts, scales, tags or reads nothing', async () => {
    await assertRejectedBeforeAnyCall({
      handler,
      events: fc.oneof(scalerEvent, anyInput).filter((event) => !isValid(event)),
      mocks,
      numRuns: 150,
    });
  });
});
