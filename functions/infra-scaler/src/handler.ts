import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { fanoutJobHandler } from '@nightshift/job/fanout';
import { loadConfig } from './config.ts';
import { eventSchemaFor } from './event.ts';
import { run, SERVICE } from './run.ts';

export const handler = fanoutJobHandler({
  service: SERVICE,
  loadConfig,
  eventSchema: eventSchemaFor,
  clients: (make) => ({
    ec2: make.resource(EC2Client),
    autoscaling: make.resource(AutoScalingClient),
    rds: make.resource(RDSClient),
    cloudwatch: make.resource(CloudWatchClient),
    sns: make.own(SNSClient),
    // The reconcile's heads-ups: their records in the actions table and the link key secret.
    dynamodb: make.own(DynamoDBClient),
    secretsManager: make.own(SecretsManagerClient),
  }),
  run,
  // A target's run reports only to the run's summary. Its heads-ups go out only from the
  // function's own account and region, where chat-actions can act on the links.
  fanout: {
    forTarget: (config, _target, home) => ({
      ...config,
      snsTopicArn: undefined,
      ...(home ? {} : { chatActionsUrl: undefined }),
    }),
  },
});
