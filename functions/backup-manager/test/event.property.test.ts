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
import { BackupEventSchema } from '../src/event.ts';

const parse = (event: unknown) => parseOrThrow(BackupEventSchema, event, 'event');

const BACKUP_TYPES = ['all', 'ec2', 'rds'];

/** An object whose only own key would reach the prototype, holding a valid event. */
const pollutedEvent = pollutedObject(
  fc.record({ backup_type: fc.constant('all'), environment: fc.constant('production') }),
);

/** Anything a caller could send, as a field or as the whole event. */
const anyInput = anyValue({
  edgeCases: [null, 1e308, -1, '', 'ALL', 'toString', '__proto__', 'true'],
  polluted: pollutedEvent,
});

const backupType = fc.oneof(fc.constantFrom(...BACKUP_TYPES), anyInput);
const environment = fc.oneof(
  fc.constantFrom('production', ' production\t', 'staging', '', '   ', 'x'.repeat(257)),
  fc.string({ unit: 'binary', maxLength: 300 }),
  anyInput,
);
const dryRun = fc.oneof(fc.boolean(), anyInput);

/** A scheduler event: each field present or not, valid or not, with odd extra keys. */
const backupEvent = fc
  .tuple(
    fc.option(pollutedEvent, { nil: undefined }),
    fc.record({ backup_type: backupType, environment, dryRun }, { requiredKeys: [] }),
  )
  .map(([polluted, fields]) => ({ ...polluted, ...fields }));

/** The fields the contract refuses: a known backup type, an environment of 1 to 256 characters, a boolean dry run (the type may be left out). */
const badFieldsOf = (event: unknown): string[] => {
  if (!isRecord(event)) return ['(root)'];
  const bad: string[] = [];
  const type = event.backup_type;
  if (type !== undefined && !(typeof type === 'string' && BACKUP_TYPES.includes(type)))
    bad.push('backup_type');
  const env = event.environment;
  if (!(typeof env === 'string' && env.trim().length >= 1 && env.trim().length <= 256))
    bad.push('environment');
  if (event.dryRun !== undefined && typeof event.dryRun !== 'boolean') bad.push('dryRun');
  return bad;
};

describe('backup-manager event schema, for any input', () => {
  it('parses or throws a ValidationError for any value at all', () => {
    assertParsesOrRejects({ parse, inputs: fc.anything(), numRuns: 200 });
  });

  it('accepts exactly the events the contract allows, and names every bad field', () => {
    fc.assert(
      fc.property(fc.oneof(backupEvent, anyInput), (event) => {
        // Act
        const error = rejectionOf(parse, event);

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
          expect(parsed.backup_type).toBe(event.backup_type ?? 'all');
          expect(parsed.environment).toBe((event.environment as string).trim());
          expect(parsed.dryRun).toBe(event.dryRun);
          expect(Object.prototype).not.toHaveProperty('backup_type');
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** Every AWS client the handler has: an invalid event must reach none of them. */
const mocks = [mockClient(EC2Client), mockClient(RDSClient), mockClient(SNSClient)];
let handler: LambdaHandler;

describe('backup-manager handler, for any invalid event', () => {
  beforeAll(async () => {
    vi.stubEnv('SNS_TOPIC_ARN', 'arn:aws:sns:us-east-1:123456789012:reports');
    handler = (await import('../src/handler.ts')).handler as LambdaHandler;
  });

  it('rejects it with a ValidationError, and creates, deletes, tags or reads nothing', async () => {
    await assertRejectedBeforeAnyCall({
      handler,
      events: fc.oneof(backupEvent, anyInput).filter((event) => badFieldsOf(event).length > 0),
      mocks,
      numRuns: 150,
    });
  });
});
