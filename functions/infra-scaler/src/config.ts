import { envFlag, envInteger, envString, loadConfig } from '@nightshift/middleware';
import * as z from 'zod/mini';

/** Environment of the function; every variable has a default. */
export const ScalerConfigSchema = z.object({
  DRY_RUN: envFlag(),
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
  loadConfig(ScalerConfigSchema, env);
