import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import { createObservability, withNightshift } from '@nightshift/middleware';
import { createTimeBudget, getClient, throwIfFailed } from '@nightshift/runtime';
import { runBackup, SERVICE } from './backup.ts';
import { loadBackupConfig } from './config.ts';
import { BackupEventSchema } from './event.ts';

const { logger, metrics } = createObservability(SERVICE);
const config = loadBackupConfig();

export const handler = withNightshift(
  { logger, metrics, eventSchema: BackupEventSchema },
  async (event, context) => {
    const report = await runBackup(
      {
        ec2: getClient(EC2Client),
        rds: getClient(RDSClient),
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
