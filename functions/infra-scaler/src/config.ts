import { envFlag, envInteger, envList, envString, parseEnv } from '@nightshift/runtime';
import * as z from 'zod/mini';
import { PLAIN_TAG_VALUE } from './environment.ts';

/** The function's environment variables (the names are a contract); every one has a default. */
export const ScalerEnvSchema = z.object({
  DRY_RUN: envFlag(),
  /**
   * The environments (exact `Environment` tag values) the function may scale, comma-separated.
   * Unset: any name that is not production-like.
   */
  SCALED_ENVIRONMENTS: z.pipe(
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
  SNS_TOPIC_ARN: z.optional(envString()),
  ENVIRONMENT_TAG_KEY: envString('Environment'),
  AUTOSCALE_TAG_KEY: envString('AutoScale'),
  AUTOSCALE_TAG_VALUE: envString('true'),
  IDLE_LOOKBACK_DAYS: envInteger({ default: 14, min: 1, max: 455 }),
  IDLE_CPU_THRESHOLD_PERCENT: envInteger({ default: 10, min: 1, max: 100 }),
  SCALER_CONCURRENCY: envInteger({ default: 5, min: 1, max: 50 }),
});

/** The function's settings. */
export interface Config {
  /** `DRY_RUN`: a lock; an event may turn a dry run on, never off. */
  dryRun: boolean;
  /** `SCALED_ENVIRONMENTS`: the environments it may scale; empty, any that is not production-like. */
  scaledEnvironments: string[];
  /** `SNS_TOPIC_ARN`: where the report goes. */
  snsTopicArn?: string | undefined;
  /** `ENVIRONMENT_TAG_KEY`: the tag that holds the environment. */
  environmentTagKey: string;
  /** `AUTOSCALE_TAG_KEY`, `AUTOSCALE_TAG_VALUE`: the tag that opts a resource in. */
  autoScaleTagKey: string;
  autoScaleTagValue: string;
  /** `IDLE_LOOKBACK_DAYS`: days of CPU the idle check reads. */
  idleLookbackDays: number;
  /** `IDLE_CPU_THRESHOLD_PERCENT`: average CPU under which an instance is idle. */
  idleCpuThresholdPercent: number;
  /** `SCALER_CONCURRENCY`: groups or databases changed at once. */
  concurrency: number;
}

/**
 * Reads and validates the function's environment (throws `ConfigError` naming every bad variable).
 *
 * @example
 * const config = loadConfig(); // IDLE_LOOKBACK_DAYS unset → config.idleLookbackDays === 14
 */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => {
  const raw = parseEnv(ScalerEnvSchema, env);
  return {
    dryRun: raw.DRY_RUN,
    scaledEnvironments: raw.SCALED_ENVIRONMENTS,
    snsTopicArn: raw.SNS_TOPIC_ARN,
    environmentTagKey: raw.ENVIRONMENT_TAG_KEY,
    autoScaleTagKey: raw.AUTOSCALE_TAG_KEY,
    autoScaleTagValue: raw.AUTOSCALE_TAG_VALUE,
    idleLookbackDays: raw.IDLE_LOOKBACK_DAYS,
    idleCpuThresholdPercent: raw.IDLE_CPU_THRESHOLD_PERCENT,
    concurrency: raw.SCALER_CONCURRENCY,
  };
};
