import { BackupClient } from '@aws-sdk/client-backup';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { PricingClient } from '@aws-sdk/client-pricing';
import { RDSClient } from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import { parseOrThrow } from '@nightshift/runtime';
import { describeEventContract, eventArbitraries } from '@nightshift/testing/unit';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { expect } from 'vitest';
import scheduled from '../events/scheduled.json' with { type: 'json' };
import { EventSchema } from '../src/event.ts';

const parse = (event: unknown) => parseOrThrow(EventSchema, event, 'event');

const inputs = eventArbitraries({
  // Held by an object whose only own key would reach the prototype: an invalid override.
  polluting: { dryRun: 'yes' },
  edgeCases: [null, 0, 1, 'true', 'false', []],
  // A scheduled event, with or without a dry run, valid or not, and odd extra keys.
  envelopes: [scheduled, {}],
  fields: { dryRun: fc.boolean() },
});

describeEventContract({
  name: 'morning-report',
  parse,
  ...inputs,
  // The contract: a boolean dry run, optional.
  fieldRules: {
    dryRun: (dryRun) => dryRun === undefined || typeof dryRun === 'boolean',
  },
  valid: {
    title: 'keeps the dry run of a valid event as it was sent, and pollutes no prototype',
    check: (event, parsed) => {
      expect(parsed.dryRun).toBe(event.dryRun);
    },
  },
  handler: {
    title: 'rejects it with a ValidationError, and changes, publishes or reads nothing',
    load: () => import('../src/handler.ts'),
    env: {
      HISTORY_TABLE: 'nightshift-history-dev',
      SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:reports',
    },
    // Every AWS client the handler has: an invalid event must reach none of them.
    mocks: [
      mockClient(DynamoDBClient),
      mockClient(EC2Client),
      mockClient(RDSClient),
      mockClient(BackupClient),
      mockClient(PricingClient),
      mockClient(SNSClient),
    ],
  },
});
