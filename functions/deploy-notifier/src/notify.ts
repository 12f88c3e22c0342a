import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { mapSettled, type Observability, type TimeBudget } from '@nightshift/middleware';
import { type Destination, type NotifierConfig, routeFor } from './config.ts';
import { postJson } from './deliver.ts';
import { levelOf, type PipelineEvent } from './event.ts';
import { enrichMessage, LOOKUP_DEADLINE_MS, messageFromEvent } from './message.ts';
import { renderSlack, renderTeams } from './render.ts';
import { webhookUrl } from './webhooks.ts';

/** What one event led to. */
export interface NotifyResult {
  pipeline: string;
  state: string;
  notified: string[];
  failed: { destination: string; reason: string }[];
  skipped?: string;
}

/**
 * One event: decide whether its state notifies, build and enrich the message, and post
 * it, rendered for each routed destination. Throws when any destination failed, after
 * trying them all, so that Lambda retries and then dead-letters the event.
 *
 * @example
 * await notify({ codepipeline, logger }, config, event, budget);
 */
export const notify = async (
  { codepipeline, logger }: Pick<Observability, 'logger'> & { codepipeline: CodePipelineClient },
  config: NotifierConfig,
  event: PipelineEvent,
  budget: TimeBudget,
  post: (destination: Destination, body: unknown) => Promise<void> = async (destination, body) =>
    postJson({
      destination: destination.name,
      url: await webhookUrl(destination, config.allowedHosts),
      body,
      timeoutMs: config.timeoutMs,
      attempts: config.attempts,
      budget,
    }),
): Promise<NotifyResult> => {
  const { pipeline, state } = event.detail;
  const level = levelOf(event);
  const base = { pipeline, state, notified: [], failed: [] };
  if (!config.notify[level].has(state.toUpperCase())) {
    logger.info('State not notified', { level, pipeline, state });
    return { ...base, skipped: `${level} state ${state} is not notified` };
  }
  const destinations = routeFor(config, pipeline);
  if (destinations.length === 0) {
    logger.warn('No destination configured: set SLACK_WEBHOOK_* or TEAMS_WEBHOOK_*', {
      pipeline,
      state,
    });
    return { ...base, skipped: 'no destination configured' };
  }
  // The look-ups may take their deadline, but never the time the deliveries need.
  const message = await enrichMessage(codepipeline, logger, messageFromEvent(event), {
    deadlineMs: Math.min(LOOKUP_DEADLINE_MS, budget.remainingMs()),
  });
  const outcome = await mapSettled(
    destinations,
    (destination) =>
      post(destination, destination.kind === 'slack' ? renderSlack(message) : renderTeams(message)),
    { concurrency: destinations.length },
  );
  const result: NotifyResult = {
    ...base,
    notified: outcome.succeeded.map(({ item }) => item.name),
    failed: outcome.failed.map(({ item, error }) => ({
      destination: item.name,
      reason: error.message,
    })),
  };
  logger.info('Notified', { ...result });
  if (result.failed.length > 0) {
    throw new Error(
      `Delivery failed: ${result.failed.map((failure) => failure.reason).join('; ')}`,
    );
  }
  return result;
};
