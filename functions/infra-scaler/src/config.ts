import { AUTOSCALE_TAG, ENVIRONMENT_KEY } from '@nightshift/conventions';
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
} as const satisfies SettingsSpec;

/** The function's settings. */
export type Config = Settings<typeof SETTINGS>;

/**
 * Reads and validates the function's environment (throws `ConfigError` naming every bad variable).
 *
 * @example
 * const config = loadConfig(); // IDLE_LOOKBACK_DAYS unset → config.idleLookbackDays === 14
 */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config =>
  parseSettings(SETTINGS, env);
