import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { fanoutJobHandler } from '@nightshift/job/fanout';
import { loadConfig } from './config.ts';
import { EventSchema } from './event.ts';
import { run, SERVICE } from './run.ts';

export const handler = fanoutJobHandler({
  service: SERVICE,
  loadConfig,
  eventSchema: EventSchema,
  clients: (make) => ({ ec2: make.resource(EC2Client), sns: make.own(SNSClient) }),
  run,
  // A target's run reports only to the run's summary, which sums what it counted.
  fanout: {
    forTarget: (config) => ({ ...config, snsTopicArn: undefined }),
    settingTotals: ['retentionDays'],
  },
});
