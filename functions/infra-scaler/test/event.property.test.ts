import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import { parseOrThrow } from '@nightshift/runtime';
import { describeEventContract, eventArbitraries } from '@nightshift/testing/unit';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { expect } from 'vitest';
import { EventSchema, isReconcile, resolveAction } from '../src/event.ts';

const parse = (event: unknown) => parseOrThrow(EventSchema, event, 'event');

const ACTIONS = ['scale_down', 'scale_up', 'check'];
const RECONCILE = 'reconcile';
const ALIASES = ['scale_down_staging', 'scale_up_staging'];

const inputs = eventArbitraries({
  // Held by an object whose only own key would reach the prototype: a valid event.
  polluting: { action: 'scale_down', environment: 'staging' },
  edgeCases: [null, 1e308, -1, '', 'SCALE_DOWN', 'toString', 'constructor', 'true'],
  // A scheduler event: each field present or not, valid or not, with odd extra keys.
  fields: {
    action: fc.constantFrom(...ACTIONS, RECONCILE, ...ALIASES),
    environment: [
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
    ],
    dryRun: fc.boolean(),
  },
});

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
 * Whether the contract takes an event whose fields are each valid (a left-out action is
 * check): an environment unless an alias or a check, staging with an alias, and an
 * environment the function may scale.
 */
const acceptsAcrossFields = (event: Record<string, unknown>): boolean => {
  const env = (event.environment as string | undefined)?.trim();
  const action = (event.action as string | undefined) ?? 'check';
  if (ALIASES.includes(action)) return env === undefined || env === 'staging';
  // The schedules decide what a reconcile acts on: it names no environment.
  if (action === RECONCILE) return env === undefined;
  // A check without an environment checks staging, as the original script did.
  if (action === 'check') return scalable(env ?? 'staging');
  return env !== undefined && scalable(env);
};

describeEventContract({
  name: 'infra-scaler',
  parse,
  ...inputs,
  // Each field on its own, before the rules across fields.
  fieldRules: {
    action: (action) =>
      action === undefined ||
      (typeof action === 'string' && [...ACTIONS, RECONCILE, ...ALIASES].includes(action)),
    environment: (env) =>
      env === undefined ||
      (typeof env === 'string' && env.trim().length >= 1 && env.trim().length <= 256),
    dryRun: (dryRun) => dryRun === undefined || typeof dryRun === 'boolean',
  },
  acceptsAcrossFields,
  valid: {
    title: 'resolves every valid event to a reconcile, or an action and the environment it names',
    check: (event, parsed) => {
      if (event.action === RECONCILE) {
        expect(isReconcile(parsed)).toBe(true);
        expect(parsed).not.toHaveProperty('environment');
        return;
      }
      expect(isReconcile(parsed)).toBe(false);
      const resolved = resolveAction(parsed);
      expect(ACTIONS).toContain(resolved.action);
      expect(resolved.environment).toBe(
        ALIASES.includes(event.action as string) || event.environment === undefined
          ? 'staging'
          : (event.environment as string).trim(),
      );
    },
  },
  handler: {
    title: 'rejects it with a ValidationError, and stops, starts, scales, tags or reads nothing',
    load: () => import('../src/handler.ts'),
    env: { SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:reports' },
    // Every AWS client the handler has: an invalid event must reach none of them.
    mocks: [
      mockClient(EC2Client),
      mockClient(AutoScalingClient),
      mockClient(RDSClient),
      mockClient(CloudWatchClient),
      mockClient(SNSClient),
    ],
  },
});
