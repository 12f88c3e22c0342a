import { envFlag, envInteger, envList, envString, parseEnv } from '@nightshift/runtime';
import * as z from 'zod/mini';
import { PLAIN_TAG_VALUE } from './environment.ts';

/** Environment of the function; every variable has a default. */
export const ScalerConfigSchema = z.object({
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

export type ScalerConfig = z.infer<typeof ScalerConfigSchema>;

/**
 * Reads and validates the function's environment (throws `ConfigError` naming every bad variable).
 *
 * @example
 * const config = loadScalerConfig(); // IDLE_LOOKBACK_DAYS unset → 14
 */
export const loadScalerConfig = (env: Record<string, string | undefined> = process.env) =>
  parseEnv(ScalerConfigSchema, env);
