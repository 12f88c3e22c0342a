import type { TimeBudget } from '@nightshift/runtime';
import { postJson } from './deliver.ts';
import type { Destinations } from './destinations.ts';
import { type Destination, webhookUrl } from './webhooks.ts';

/** Delivers one rendered message to one destination (a webhook POST unless a test replaces it). */
export type Post = (destination: Destination, body: unknown) => Promise<void>;

/**
 * The webhook delivery of a function's destinations: the destination's URL read and
 * checked against the allowed hosts, the message posted with its timeout and retries
 * within the budget.
 *
 * @example
 * const post = webhookPost(config, budget);
 * await post(destination, renderSlack(message));
 */
export const webhookPost =
  (
    settings: Pick<Destinations, 'allowedHosts' | 'timeoutMs' | 'attempts'>,
    budget: TimeBudget,
  ): Post =>
  async (destination, body) =>
    postJson({
      destination: destination.name,
      url: await webhookUrl(destination, settings.allowedHosts),
      body,
      timeoutMs: settings.timeoutMs,
      attempts: settings.attempts,
      budget,
    });
