import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { createObservability, withNightshift } from '@nightshift/middleware';
import { createTimeBudget, getClient } from '@nightshift/runtime';
import { loadConfig } from './config.ts';
import { EventSchema } from './event.ts';
import { LOOKUP_CLIENT_LIMITS } from './message.ts';
import { run, SERVICE } from './run.ts';

const { logger, metrics } = createObservability(SERVICE);
const config = loadConfig();

export const handler = withNightshift(
  { logger, metrics, eventSchema: EventSchema },
  (event, context) =>
    run(
      // Its only calls are the optional look-ups: two attempts at most, each cut short, so
      // that a slow CodePipeline API delays the message by seconds, never stops it.
      { codepipeline: getClient(CodePipelineClient, LOOKUP_CLIENT_LIMITS), logger },
      config,
      event,
      createTimeBudget(context, { safetyMarginMs: 2_000 }),
    ),
);
