import {
  CopySnapshotCommand,
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  AddTagsToResourceCommand,
  CreateDBClusterSnapshotCommand,
  CreateDBSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { parseOrThrow, ValidationError } from '@nightshift/middleware';
import { createLambdaContext } from '@nightshift/testing';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BackupEventSchema } from '../src/event.ts';

const parse = (event: unknown) => parseOrThrow(BackupEventSchema, event, 'event');

const BACKUP_TYPES = ['all', 'ec2', 'rds'];

/** An object whose only own key would reach the prototype if it were assigned naively. */
const pollutedObject = fc
  .tuple(
    fc.constantFrom('__proto__', 'constructor', 'prototype'),
    fc.record({ backup_type: fc.constant('all'), environment: fc.constant('production') }),
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
  fc.constantFrom<unknown>(null, 1e308, -1, '', 'ALL', 'toString', '__proto__', 'true'),
  pollutedObject,
);

const backupType = fc.oneof(fc.constantFrom(...BACKUP_TYPES), anyValue);
const environment = fc.oneof(
  fc.constantFrom('production', ' production\t', 'staging', '', '   ', 'x'.repeat(257)),
  fc.string({ unit: 'binary', maxLength: 300 }),
  anyValue,
);
const dryRun = fc.oneof(fc.boolean(), anyValue);

/** A scheduler event: each field present or not, valid or not, with odd extra keys. */
const backupEvent = fc
  .tuple(
    fc.option(pollutedObject, { nil: undefined }),
    fc.record({ backup_type: backupType, environment, dryRun }, { requiredKeys: [] }),
  )
  .map(([polluted, fields]) => ({ ...polluted, ...fields }));

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The fields the contract refuses: a known backup type, an environment of 1 to 256 characters, a boolean dry run. */
const badFieldsOf = (event: unknown): string[] => {
  if (!isRecord(event)) return ['(root)'];
  const bad: string[] = [];
  if (typeof event.backup_type !== 'string' || !BACKUP_TYPES.includes(event.backup_type))
    bad.push('backup_type');
  const env = event.environment;
  if (!(typeof env === 'string' && env.trim().length >= 1 && env.trim().length <= 256))
    bad.push('environment');
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

describe('backup-manager event schema, for any input', () => {
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
      fc.property(fc.oneof(backupEvent, anyValue), (event) => {
        // Act
        const error = rejectionOf(event);

        // Assess
        expect([...new Set(error?.issues.map((issue) => issue.path))]).toEqual(badFieldsOf(event));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the fields of a valid event, the environment trimmed, and pollutes no prototype', () => {
    fc.assert(
      fc.property(
        backupEvent.filter((event) => badFieldsOf(event).length === 0),
        (event) => {
          // Act
          const parsed = parse(event);

          // Assess
          expect(parsed.backup_type).toBe(event.backup_type);
          expect(parsed.environment).toBe((event.environment as string).trim());
          expect(parsed.dryRun).toBe(event.dryRun);
          expect(Object.prototype).not.toHaveProperty('backup_type');
        },
      ),
      { numRuns: 200 },
    );
  });
});

const ec2Mock = mockClient(EC2Client);
const rdsMock = mockClient(RDSClient);
const snsMock = mockClient(SNSClient);
const mocks = [ec2Mock, rdsMock, snsMock];
/** The commands that change something; the ones that only read are counted below. */
const MUTATING: string[] = [
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  CopySnapshotCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  CreateDBSnapshotCommand,
  CreateDBClusterSnapshotCommand,
  DeleteDBSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  AddTagsToResourceCommand,
  PublishCommand,
].map((command) => command.name);
/** The names of the commands every mock received. */
const sentCommands = () =>
  mocks.flatMap((mock) => mock.calls().map((call) => call.args[0].constructor.name));

type Handler = (event: unknown, context: Context) => Promise<unknown>;
let handler: Handler;

describe('backup-manager handler, for any invalid event', () => {
  beforeAll(async () => {
    vi.stubEnv('SNS_TOPIC_ARN', 'arn:aws:sns:us-east-1:123456789012:reports');
    handler = (await import('../src/handler.ts')).handler as Handler;
  });

  beforeEach(() => {
    for (const mock of mocks) mock.reset();
  });

  it('rejects it with a ValidationError, and creates, deletes, tags or reads nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(backupEvent, anyValue).filter((event) => badFieldsOf(event).length > 0),
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
