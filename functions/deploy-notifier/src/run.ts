import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { type Post, routeFor, webhookPost } from '@nightshift/delivery';
import type { Observability } from '@nightshift/middleware';
import { mapSettled, type TimeBudget } from '@nightshift/runtime';
import type { Config } from './config.ts';
import { levelOf, type NotifierEvent, type PipelineNotice } from './event.ts';
import { enrichMessage, LOOKUP_DEADLINE_MS, messageFromEvent } from './message.ts';
import { renderSlack, renderTeams } from './render.ts';

/** The function's name: its logger's service and its metrics' dimension. */
export const SERVICE = 'deploy-notifier';

/** What one event led to. */
export interface NotifyResult {
  pipeline: string;
  state: string;
  notified: string[];
  failed: { destination: string; reason: string }[];
  skipped?: string;
}

/** What an SNS event led to: each record's result, or why it was skipped. */
export interface SnsNotifyResult {
  records: ({ messageId: string } & (NotifyResult | { skipped: string }))[];
}

/** What a run needs: the CodePipeline client of the optional look-ups, and the logger. */
export type Deps = Pick<Observability, 'logger'> & { codepipeline: CodePipelineClient };
const deliveryFailed = (failed: readonly { reason: string }[]) =>
  new Error(`Delivery failed: ${failed.map((failure) => failure.reason).join('; ')}`);

/**
 * One state change: decide whether its state notifies, build and enrich the message, and
 * post it, rendered for each routed destination. Throws when any destination failed,
 * after trying them all, so that the event lands in the dead-letter queue.
 *
 * @example
 * await notifyNotice({ codepipeline, logger }, config, { event }, budget);
 */
export const notifyNotice = async (
  { codepipeline, logger }: Deps,
  config: Config,
  { event, additional }: PipelineNotice,
  budget: TimeBudget,
  post: Post = webhookPost(config, budget),
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
  const message = await enrichMessage(codepipeline, logger, messageFromEvent(event, additional), {
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
  if (result.failed.length > 0) throw deliveryFailed(result.failed);
  return result;
};

/**
 * The function's entry point, for a parsed event: an EventBridge event is one notice; an
 * SNS event notifies each of its records in turn and skips (and logs) those that are not
 * CodePipeline notifications. When a destination failed for any record, it throws after
 * all were tried.
 *
 * @example
 * await run({ codepipeline, logger }, config, parseOrThrow(EventSchema, raw, 'event'), budget);
 */
export const run = async (
  deps: Deps,
  config: Config,
  event: NotifierEvent,
  budget: TimeBudget,
  post: Post = webhookPost(config, budget),
): Promise<NotifyResult | SnsNotifyResult> => {
  if (event.kind === 'eventbridge') return notifyNotice(deps, config, event.notice, budget, post);
  const records: SnsNotifyResult['records'] = [];
  const failed: { reason: string }[] = [];
  for (const record of event.records) {
    const { messageId } = record;
    if ('skipped' in record) {
      deps.logger.info('Not a CodePipeline notification; skipped', {
        messageId,
        reason: record.skipped,
      });
      records.push({ messageId, skipped: `not a CodePipeline notification: ${record.skipped}` });
      continue;
    }
    try {
      records.push({
        messageId,
        ...(await notifyNotice(deps, config, record.notice, budget, post)),
      });
    } catch (error) {
      failed.push({ reason: (error as Error).message.replace(/^Delivery failed: /, '') });
    }
  }
  if (failed.length > 0) throw deliveryFailed(failed);
  return { records };
};
