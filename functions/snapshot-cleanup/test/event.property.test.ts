import { EC2Client } from '@aws-sdk/client-ec2';
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
  // Held by an object whose only own key would reach the prototype: invalid overrides.
  polluting: { retentionDays: -1, dryRun: 'yes' },
  edgeCases: [null, Number.MAX_SAFE_INTEGER + 2, 1e308, -1, 0, 36_501, '30', 'true'],
  // A scheduled event, with or without the two overrides, each valid or not, and odd extra keys.
  envelopes: [scheduled, {}],
  fields: { retentionDays: fc.integer({ min: 1, max: 36_500 }), dryRun: fc.boolean() },
});

describeEventContract({
  name: 'snapshot-cleanup',
  parse,
  ...inputs,
  // The contract: whole days from 1 to 36500 and a boolean dry run, each optional.
  fieldRules: {
    retentionDays: (days) =>
      days === undefined || (Number.isInteger(days) && Number(days) >= 1 && Number(days) <= 36_500),
    dryRun: (dryRun) => dryRun === undefined || typeof dryRun === 'boolean',
  },
  valid: {
    title: 'keeps the overrides of a valid event as they were sent, and pollutes no prototype',
    check: (event, parsed) => {
      expect(parsed.retentionDays).toBe(event.retentionDays);
      expect(parsed.dryRun).toBe(event.dryRun);
    },
  },
  handler: {
    title: 'rejects it with a ValidationError, and deletes, tags, publishes or reads nothing',
    load: () => import('../src/handler.ts'),
    env: { SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:reports' },
    // Every AWS client the handler has: an invalid event must reach none of them.
    mocks: [mockClient(EC2Client), mockClient(SNSClient)],
  },
});
