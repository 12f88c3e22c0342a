import { BackupClient } from '@aws-sdk/client-backup';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { PricingClient } from '@aws-sdk/client-pricing';
import { RDSClient } from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import { createObservability, withNightshift } from '@nightshift/middleware';
import { accountOfArn, CLIENT_DEFAULTS, createTimeBudget, getClient } from '@nightshift/runtime';
import { loadConfig } from './config.ts';
import { EventSchema } from './event.ts';
import { run, SERVICE } from './run.ts';

const { logger, metrics } = createObservability(SERVICE);
const config = loadConfig();
// The Price List API answers in a few Regions only: its client goes to the one configured,
// with few attempts, since a missing price only makes the report say hours.
const pricing = new PricingClient({
  ...CLIENT_DEFAULTS,
  region: config.pricingRegion,
  maxAttempts: 3,
});

/**
 * The morning report, once a day. Its shape differs from the jobs': it changes nothing, so
 * there is nothing to plan or apply; it reads, computes one report and sends it.
 */
export const handler = withNightshift(
  { logger, metrics, eventSchema: EventSchema },
  (event, context) =>
    run(
      {
        dynamodb: getClient(DynamoDBClient),
        ec2: getClient(EC2Client),
        rds: getClient(RDSClient),
        backup: getClient(BackupClient),
        sns: getClient(SNSClient),
        pricing,
        logger,
        metrics,
        account: accountOfArn(context.invokedFunctionArn),
        region: process.env.AWS_REGION ?? 'unknown',
      },
      config,
      event,
      createTimeBudget(context, { safetyMarginMs: 5_000 }),
    ),
);
