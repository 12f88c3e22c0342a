import { SNSClient } from '@aws-sdk/client-sns';
import { createObservability, withNightshift } from '@nightshift/middleware';
import { getClient } from '@nightshift/runtime';
import { loadLogProcessorConfig } from './config.ts';
import { LogsEventSchema } from './event.ts';
import { processBatch } from './process.ts';

export const SERVICE = 'log-processor';

const { logger, metrics } = createObservability(SERVICE);
// Patterns are compiled here, once per container.
const config = loadLogProcessorConfig();

export const handler = withNightshift({ logger, metrics, eventSchema: LogsEventSchema }, (event) =>
  processBatch(
    { sns: getClient(SNSClient), logger, metrics },
    config,
    event.awslogs.data,
    process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
  ),
);
