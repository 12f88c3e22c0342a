import { DESTINATION_SETTINGS, type Destinations, resolveDestinations } from '@nightshift/delivery';
import {
  envInteger,
  envString,
  parseSettings,
  type Settings,
  type SettingsSpec,
} from '@nightshift/runtime';
import * as z from 'zod/mini';

/**
 * The function's settings, each read from its environment variable (the names are a
 * contract, shared with infra-scaler where they say so), and the chat destinations of
 * `@nightshift/delivery` that hear about each snooze.
 */
export const SETTINGS = {
  /** `ACTIONS_TABLE`: the DynamoDB table of used links (and infra-scaler's heads-ups sent). */
  actionsTable: ['ACTIONS_TABLE', envString('nightshift-actions')],
  /** `LINK_KEY_SECRET`: the Secrets Manager secret (ARN or name) of the link signing key. */
  linkKeySecret: ['LINK_KEY_SECRET', envString('nightshift-link-key')],
  /** `MAX_SNOOZE_HOURS`: the longest a link may keep anything running, from the moment it is used. */
  maxSnoozeHours: ['MAX_SNOOZE_HOURS', envInteger({ default: 12, min: 1, max: 24 })],
  /** `ENVIRONMENT`: named in the notes sent. */
  environment: ['ENVIRONMENT', envString('staging')],
  /** `SNS_TOPIC_ARN`: the reports topic, told of each snooze. */
  snsTopicArn: ['SNS_TOPIC_ARN', z.optional(envString())],
  ...DESTINATION_SETTINGS,
} as const satisfies SettingsSpec;

/** The function's settings. */
export type Config = Omit<Settings<typeof SETTINGS>, keyof typeof DESTINATION_SETTINGS> &
  Destinations;

/**
 * Reads and validates the function's environment (throws `ConfigError` naming every bad
 * variable, never a value).
 *
 * @example
 * const config = loadConfig(); // MAX_SNOOZE_HOURS unset → config.maxSnoozeHours === 12
 */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => {
  const settings = parseSettings(SETTINGS, env);
  return {
    actionsTable: settings.actionsTable,
    linkKeySecret: settings.linkKeySecret,
    maxSnoozeHours: settings.maxSnoozeHours,
    environment: settings.environment,
    snsTopicArn: settings.snsTopicArn,
    ...resolveDestinations(settings),
  };
};
