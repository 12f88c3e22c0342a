import { envFlag, envInteger, loadConfig } from '@nightshift/middleware';
import * as z from 'zod/mini';

const tagPart = (fallback: string) =>
  z._default(z.string().check(z.trim(), z.minLength(1)), fallback);

/** Environment of the function; every variable has a default. */
export const ScalerConfigSchema = z.object({
  DRY_RUN: envFlag(),
  SNS_TOPIC_ARN: z.optional(z.string()),
  ENVIRONMENT_TAG_KEY: tagPart('Environment'),
  AUTOSCALE_TAG_KEY: tagPart('AutoScale'),
  AUTOSCALE_TAG_VALUE: tagPart('true'),
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
export const loadScalerConfig = (env: Record<string, string | undefined> = process.env) => {
  const config = loadConfig(ScalerConfigSchema, env);
  return { ...config, SNS_TOPIC_ARN: config.SNS_TOPIC_ARN?.trim() || undefined };
};
