import { SNSClient } from '@aws-sdk/client-sns';
import { createObservability, withNightshift } from '@nightshift/middleware';
import { getClient } from '@nightshift/runtime';
import { loadConfig } from './config.ts';
import { InputEventSchema } from './event.ts';
import { handle } from './handle.ts';
import { SERVICE } from './run.ts';

const { logger, metrics } = createObservability(SERVICE);
// Patterns are compiled here, once per container.
const config = loadConfig();

export const handler = withNightshift(
  { logger, metrics, eventSchema: InputEventSchema },
  (event, context) =>
    handle({ sns: getClient(SNSClient), logger, metrics }, config, event, context),
);
