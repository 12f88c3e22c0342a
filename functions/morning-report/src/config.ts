import {
  envFlag,
  envString,
  parseSettings,
  type Settings,
  type SettingsSpec,
} from '@nightshift/runtime';
import * as z from 'zod/mini';

/** The function's settings, each read from its environment variable (the names are a contract). */
export const SETTINGS = {
  /** `DRY_RUN`: a lock; an event may turn a dry run on, never off. */
  dryRun: ['DRY_RUN', envFlag()],
  /** `ENVIRONMENT`: the `Environment` tag value of the instances a run reads. */
  environment: ['ENVIRONMENT', envString('staging')],
  /** `SNS_TOPIC_ARN`: where the report goes. */
  snsTopicArn: ['SNS_TOPIC_ARN', z.optional(envString())],
} as const satisfies SettingsSpec;

/** The function's settings. */
export type Config = Settings<typeof SETTINGS>;

/**
 * Reads and validates the function's environment (throws `ConfigError` naming every bad
 * variable).
 *
 * @example
 * const config = loadConfig(); // ENVIRONMENT unset → config.environment === 'staging'
 */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config =>
  parseSettings(SETTINGS, env);
