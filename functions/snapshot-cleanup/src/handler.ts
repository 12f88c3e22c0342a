import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { createObservability, withNightshift } from '@nightshift/middleware';
import { createTimeBudget, getClient, throwIfFailed } from '@nightshift/runtime';
import { runCleanup, SERVICE } from './cleanup.ts';
import { loadCleanupConfig } from './config.ts';
import { CleanupEventSchema } from './event.ts';

const { logger, metrics } = createObservability(SERVICE);
const config = loadCleanupConfig();

export const handler = withNightshift(
  { logger, metrics, eventSchema: CleanupEventSchema },
  async (event, context) => {
    const report = await runCleanup(
      { ec2: getClient(EC2Client), sns: getClient(SNSClient), logger, metrics },
      config,
      event,
      createTimeBudget(context),
    );
    throwIfFailed(report);
    return report;
  },
);
