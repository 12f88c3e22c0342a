import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import { jobHandler } from '@nightshift/job';
import { getClient } from '@nightshift/runtime';
import { loadConfig } from './config.ts';
import { eventSchemaFor } from './event.ts';
import { run, SERVICE } from './run.ts';

export const handler = jobHandler({
  service: SERVICE,
  loadConfig,
  eventSchema: eventSchemaFor,
  clients: () => ({
    ec2: getClient(EC2Client),
    autoscaling: getClient(AutoScalingClient),
    rds: getClient(RDSClient),
    cloudwatch: getClient(CloudWatchClient),
    sns: getClient(SNSClient),
  }),
  run,
});
