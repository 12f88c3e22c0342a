import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { createObservability, withNightshift } from '@nightshift/middleware';
import { createTimeBudget, getClient } from '@nightshift/runtime';
import { type Config, loadConfig } from './config.ts';
import { EventSchema } from './event.ts';
import { answer, run, SERVICE } from './run.ts';

const { logger, metrics } = createObservability(SERVICE);
/** Read at the first request, so that a bad setting is a logged 500 page, not a bare 502. */
let config: Config | undefined;

export const handler = withNightshift(
  { logger, metrics, eventSchema: EventSchema },
  (event, context) =>
    answer({ logger, metrics }, () => {
      config ??= loadConfig();
      return run(
        {
          ec2: getClient(EC2Client),
          autoScaling: getClient(AutoScalingClient),
          rds: getClient(RDSClient),
          dynamodb: getClient(DynamoDBClient),
          secrets: getClient(SecretsManagerClient),
          sns: getClient(SNSClient),
          logger,
          metrics,
          leaseMs: context.getRemainingTimeInMillis(),
        },
        config,
        event,
        createTimeBudget(context, { safetyMarginMs: 2_000 }),
      );
    }),
);
