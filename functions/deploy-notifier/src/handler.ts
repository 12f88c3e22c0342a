import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import {
  createObservability,
  createTimeBudget,
  getClient,
  withNightshift,
} from '@nightshift/middleware';
import { loadNotifierConfig } from './config.ts';
import { PipelineEventSchema } from './event.ts';
import { notify } from './notify.ts';

export const SERVICE = 'deploy-notifier';

const { logger, metrics } = createObservability(SERVICE);
const config = loadNotifierConfig();

export const handler = withNightshift(
  { logger, metrics, eventSchema: PipelineEventSchema },
  (event, context) =>
    notify(
      { codepipeline: getClient(CodePipelineClient), logger },
      config,
      event,
      createTimeBudget(context, { safetyMarginMs: 2_000 }),
    ),
);
