import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { checkWebhookUrl, DeliveryError } from './deliver.ts';

/** The chat services a webhook can post to. */
export type ChatKind = 'slack' | 'teams';

/**
 * A named webhook and where its URL comes from: exactly one of `url`, `parameter` (an SSM
 * SecureString parameter) or `secret` (a Secrets Manager secret).
 */
export interface Destination {
  name: string;
  kind: ChatKind;
  url?: string;
  parameter?: string;
  secret?: string;
}

/** Webhook URLs are read at most every five minutes per container. */
const CACHE_SECONDS = 300;

/**
 * A destination's webhook URL, from its SSM SecureString parameter, its Secrets Manager
 * secret (cached) or its plain URL, checked for https and an allowed host. Errors name
 * the destination only.
 *
 * @example
 * const url = await webhookUrl(
 *   { name: 'slack', kind: 'slack', parameter: '/nightshift/slack-webhook' },
 *   DEFAULT_WEBHOOK_HOSTS,
 * );
 */
export const webhookUrl = async (
  destination: Destination,
  allowedHosts: readonly string[],
): Promise<URL> => {
  let raw: string | undefined;
  try {
    if (destination.url) raw = destination.url;
    else if (destination.parameter)
      raw = await getParameter(destination.parameter, { decrypt: true, maxAge: CACHE_SECONDS });
    else if (destination.secret)
      raw = await getSecret<string>(destination.secret, { maxAge: CACHE_SECONDS });
  } catch (error) {
    throw new DeliveryError(
      destination.name,
      `could not read the webhook URL (${(error as Error).name})`,
    );
  }
  if (!raw) throw new DeliveryError(destination.name, 'the webhook URL is empty');
  return checkWebhookUrl(destination.name, raw, allowedHosts);
};
