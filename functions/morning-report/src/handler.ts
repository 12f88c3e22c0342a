import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { jobHandler } from '@nightshift/job';
import { getClient } from '@nightshift/runtime';
import { loadConfig } from './config.ts';
import { EventSchema } from './event.ts';
import { run, SERVICE } from './run.ts';

export const handler = jobHandler({
  service: SERVICE,
  loadConfig,
  eventSchema: EventSchema,
  clients: () => ({ ec2: getClient(EC2Client), sns: getClient(SNSClient) }),
  run,
});
