import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import { parseOrThrow } from '@nightshift/runtime';
import { describeEventContract, eventArbitraries } from '@nightshift/testing/unit';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { expect } from 'vitest';
import { EventSchema } from '../src/event.ts';

const parse = (event: unknown) => parseOrThrow(EventSchema, event, 'event');

const BACKUP_TYPES = ['all', 'ec2', 'rds'];

const inputs = eventArbitraries({
  // Held by an object whose only own key would reach the prototype: a valid event.
  polluting: { backup_type: 'all', environment: 'production' },
  edgeCases: [null, 1e308, -1, '', 'ALL', 'toString', '__proto__', 'true'],
  // A scheduler event: each field present or not, valid or not, with odd extra keys.
  fields: {
    backup_type: fc.constantFrom(...BACKUP_TYPES),
    environment: [
      fc.constantFrom('production', ' production\t', 'staging', '', '   ', 'x'.repeat(257)),
      fc.string({ unit: 'binary', maxLength: 300 }),
    ],
    dryRun: fc.boolean(),
  },
});

describeEventContract({
  name: 'backup-manager',
  parse,
  ...inputs,
  // The contract: a known backup type (or none), an environment of 1 to 256 characters, a
  // boolean dry run (or none).
  fieldRules: {
    backup_type: (type) =>
      type === undefined || (typeof type === 'string' && BACKUP_TYPES.includes(type)),
    environment: (env) =>
      typeof env === 'string' && env.trim().length >= 1 && env.trim().length <= 256,
    dryRun: (dryRun) => dryRun === undefined || typeof dryRun === 'boolean',
  },
  valid: {
    title: 'keeps the fields of a valid event, the environment trimmed, and pollutes no prototype',
    check: (event, parsed) => {
      expect(parsed.backup_type).toBe(event.backup_type ?? 'all');
      expect(parsed.environment).toBe((event.environment as string).trim());
      expect(parsed.dryRun).toBe(event.dryRun);
    },
  },
  handler: {
    title: 'rejects it with a ValidationError, and creates, deletes, tags or reads nothing',
    load: () => import('../src/handler.ts'),
    env: { SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:reports' },
    // Every AWS client the handler has: an invalid event must reach none of them.
    mocks: [mockClient(EC2Client), mockClient(RDSClient), mockClient(SNSClient)],
  },
});
