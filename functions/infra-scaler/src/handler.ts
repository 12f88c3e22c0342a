import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import { createObservability, withNightshift } from '@nightshift/middleware';
import { createTimeBudget, getClient, throwIfFailed } from '@nightshift/runtime';
import { loadScalerConfig } from './config.ts';
import { scalerEventSchema } from './event.ts';
import { runScaler, SERVICE } from './run.ts';

const { logger, metrics } = createObservability(SERVICE);
const config = loadScalerConfig();

export const handler = withNightshift(
  { logger, metrics, eventSchema: scalerEventSchema(config.SCALED_ENVIRONMENTS) },
  async (event, context) => {
    const report = await runScaler(
      {
        ec2: getClient(EC2Client),
        autoscaling: getClient(AutoScalingClient),
        rds: getClient(RDSClient),
        cloudwatch: getClient(CloudWatchClient),
        sns: getClient(SNSClient),
        logger,
        metrics,
      },
      config,
      event,
      createTimeBudget(context),
    );
    throwIfFailed(report);
    return report;
  },
);
