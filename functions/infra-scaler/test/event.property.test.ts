import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand as DeleteGroupTagsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  EC2Client,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  AddTagsToResourceCommand,
  RDSClient,
  RemoveTagsFromResourceCommand,
  StartDBClusterCommand,
  StartDBInstanceCommand,
  StopDBClusterCommand,
  StopDBInstanceCommand,
} from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { parseOrThrow, ValidationError } from '@nightshift/middleware';
import { createLambdaContext } from '@nightshift/testing';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { resolveAction, ScalerEventSchema } from '../src/event.ts';

const parse = (event: unknown) => parseOrThrow(ScalerEventSchema, event, 'event');

const ACTIONS = ['scale_down', 'scale_up', 'check'];
const ALIASES = ['scale_down_staging', 'scale_up_staging'];

/** An object whose only own key would reach the prototype if it were assigned naively. */
const pollutedObject = fc
  .tuple(
    fc.constantFrom('__proto__', 'constructor', 'prototype'),
    fc.record({ action: fc.constant('scale_down'), environment: fc.constant('staging') }),
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
  fc.constantFrom<unknown>(null, 1e308, -1, '', 'SCALE_DOWN', 'toString', 'constructor', 'true'),
  pollutedObject,
);

const action = fc.oneof(fc.constantFrom(...ACTIONS, ...ALIASES), anyValue);
const environment = fc.oneof(
  fc.constantFrom('staging', ' staging\n', 'production', 'dev', '', '   ', 'x'.repeat(257)),
  fc.string({ unit: 'binary', maxLength: 300 }),
  anyValue,
);
const dryRun = fc.oneof(fc.boolean(), anyValue);

/** A scheduler event: each field present or not, valid or not, with odd extra keys. */
const scalerEvent = fc
  .tuple(
    fc.option(pollutedObject, { nil: undefined }),
    fc.record({ action, environment, dryRun }, { requiredKeys: [] }),
  )
  .map(([polluted, fields]) => ({ ...polluted, ...fields }));

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The fields the contract refuses, each on its own (before the checks across fields). */
const badFieldsOf = (event: Record<string, unknown>): string[] => {
  const bad: string[] = [];
  if (typeof event.action !== 'string' || ![...ACTIONS, ...ALIASES].includes(event.action))
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

/** Whether the contract takes the event: valid fields, an environment unless an alias, staging with an alias. */
const isValid = (event: unknown): event is Record<string, unknown> => {
  if (!isRecord(event) || badFieldsOf(event).length > 0) return false;
  const env = (event.environment as string | undefined)?.trim();
  const alias = ALIASES.includes(event.action as string);
  return alias ? env === undefined || env === 'staging' : env !== undefined;
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

describe('infra-scaler event schema, for any input', () => {
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
      fc.property(fc.oneof(scalerEvent, anyValue), (event) => {
        // Act
        const error = rejectionOf(event);

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
          ALIASES.includes(event.action as string)
            ? 'staging'
            : (event.environment as string).trim(),
        );
        expect(Object.prototype).not.toHaveProperty('action');
      }),
      { numRuns: 200 },
    );
  });
});

const ec2Mock = mockClient(EC2Client);
const asgMock = mockClient(AutoScalingClient);
const rdsMock = mockClient(RDSClient);
const cwMock = mockClient(CloudWatchClient);
const snsMock = mockClient(SNSClient);
const mocks = [ec2Mock, asgMock, rdsMock, cwMock, snsMock];
/** The commands that change something; the ones that only read are counted below. */
const MUTATING: string[] = [
  StopInstancesCommand,
  StartInstancesCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  UpdateAutoScalingGroupCommand,
  CreateOrUpdateTagsCommand,
  DeleteGroupTagsCommand,
  StopDBInstanceCommand,
  StartDBInstanceCommand,
  StopDBClusterCommand,
  StartDBClusterCommand,
  AddTagsToResourceCommand,
  RemoveTagsFromResourceCommand,
  PutMetricDataCommand,
  PublishCommand,
].map((command) => command.name);
/** The names of the commands every mock received. */
const sentCommands = () =>
  mocks.flatMap((mock) => mock.calls().map((call) => call.args[0].constructor.name));

type Handler = (event: unknown, context: Context) => Promise<unknown>;
let handler: Handler;

describe('infra-scaler handler, for any invalid event', () => {
  beforeAll(async () => {
    vi.stubEnv('SNS_TOPIC_ARN', 'arn:aws:sns:us-east-1:123456789012:reports');
    handler = (await import('../src/handler.ts')).handler as Handler;
  });

  beforeEach(() => {
    for (const mock of mocks) mock.reset();
  });

  it('rejects it with a ValidationError, and stops, starts, scales, tags or reads nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(scalerEvent, anyValue).filter((event) => !isValid(event)),
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
