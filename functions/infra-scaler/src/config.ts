import { AUTOSCALE_TAG, ENVIRONMENT_KEY } from '@nightshift/conventions';
import { DESTINATION_SETTINGS, type Destinations, resolveDestinations } from '@nightshift/delivery';
import {
  envFlag,
  envInteger,
  envList,
  envString,
  parseSettings,
  type Settings,
  type SettingsSpec,
} from '@nightshift/runtime';
import * as z from 'zod/mini';
import { PLAIN_TAG_VALUE } from './environment.ts';

/** A URL on this machine: the local chat-actions endpoint of the demo. */
const LOOPBACK_URL = /^http:\/\/(?:127\.0\.0\.1|localhost)(?::\d+)?\//;

/** The function's settings, each read from its environment variable (the names are a contract); every one has a default. */
export const SETTINGS = {
  /** `DRY_RUN`: a lock; an event may turn a dry run on, never off. */
  dryRun: ['DRY_RUN', envFlag()],
  /**
   * `SCALED_ENVIRONMENTS`: the environments (exact `Environment` tag values) the function may
   * scale, comma-separated. Unset: any name that is not production-like.
   */
  scaledEnvironments: [
    'SCALED_ENVIRONMENTS',
    z.pipe(
      envList(),
      z.array(
        z
          .string()
          .check(
            z.regex(
              PLAIN_TAG_VALUE,
              'must list plain tag values: letters, digits, spaces and _ . : / = + - @ only (no wildcard such as * or ?)',
            ),
          ),
      ),
    ),
  ],
  /** `SNS_TOPIC_ARN`: where the report goes. */
  snsTopicArn: ['SNS_TOPIC_ARN', z.optional(envString())],
  /** `ENVIRONMENT_TAG_KEY`: the tag that holds the environment. */
  environmentTagKey: ['ENVIRONMENT_TAG_KEY', envString(ENVIRONMENT_KEY)],
  /** `AUTOSCALE_TAG_KEY`, `AUTOSCALE_TAG_VALUE`: the tag that opts a resource in. */
  autoScaleTagKey: ['AUTOSCALE_TAG_KEY', envString(AUTOSCALE_TAG.Key)],
  autoScaleTagValue: ['AUTOSCALE_TAG_VALUE', envString(AUTOSCALE_TAG.Value)],
  /** `IDLE_LOOKBACK_DAYS`: days of CPU the idle check reads. */
  idleLookbackDays: ['IDLE_LOOKBACK_DAYS', envInteger({ default: 14, min: 1, max: 455 })],
  /** `IDLE_CPU_THRESHOLD_PERCENT`: average CPU under which an instance is idle. */
  idleCpuThresholdPercent: [
    'IDLE_CPU_THRESHOLD_PERCENT',
    envInteger({ default: 10, min: 1, max: 100 }),
  ],
  /**
   * `SCHEDULES`: the schedules document itself (JSON). Read, and checked field by field, by
   * each reconcile run: a bad document fails that run, never the other events.
   */
  schedules: ['SCHEDULES', z.optional(envString())],
  /** `SCHEDULES_PARAMETER`: the name of the SSM parameter holding the document (when `SCHEDULES` is unset). */
  schedulesParameter: ['SCHEDULES_PARAMETER', z.optional(envString())],
  /** `SCALER_CONCURRENCY`: groups or databases changed at once. */
  concurrency: ['SCALER_CONCURRENCY', envInteger({ default: 5, min: 1, max: 50 })],
  /**
   * `ACTIONS_TABLE`: the DynamoDB table that records each heads-up sent (once per schedule
   * and stop). With `LINK_KEY_SECRET` and `CHAT_ACTIONS_URL`, turns the heads-up messages
   * on; without any of the three, heads-ups are only logged.
   */
  actionsTable: ['ACTIONS_TABLE', z.optional(envString())],
  /** `LINK_KEY_SECRET`: the Secrets Manager secret (ARN) whose current version signs the snooze links. */
  linkKeySecret: ['LINK_KEY_SECRET', z.optional(envString())],
  /** `CHAT_ACTIONS_URL`: the chat-actions function's URL the snooze links open (https, or http to a loopback host). */
  chatActionsUrl: [
    'CHAT_ACTIONS_URL',
    z.optional(
      envString().check(
        z.refine(
          (url) => /^https:\/\/[^\s/?#]+/.test(url) || LOOPBACK_URL.test(url),
          'must be an https URL (plain http only to 127.0.0.1 or localhost)',
        ),
      ),
    ),
  ],
  /** `MAX_SNOOZE_HOURS`: the longest a snooze link may keep a resource running; a link that would ask for more is left out. */
  maxSnoozeHours: ['MAX_SNOOZE_HOURS', envInteger({ default: 12, min: 1, max: 168 })],
  /** The chat destinations of the heads-up (`SLACK_WEBHOOK_*`, `TEAMS_WEBHOOK_*`, `DESTINATIONS`, `ROUTES` matching the schedule name, …). */
  ...DESTINATION_SETTINGS,
} as const satisfies SettingsSpec;

/** The function's settings, and the heads-up's chat destinations checked together. */
export type Config = Settings<typeof SETTINGS> & { chat: Destinations };

/**
 * Reads and validates the function's environment (throws `ConfigError` naming every bad variable).
 *
 * @example
 * const config = loadConfig(); // IDLE_LOOKBACK_DAYS unset → config.idleLookbackDays === 14
 */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => {
  const settings = parseSettings(SETTINGS, env);
  return { ...settings, chat: resolveDestinations(settings) };
};
