import { envInteger, envJson, envString, parseEnv } from '@nightshift/runtime';
import * as z from 'zod/mini';
import {
  type Classifier,
  createClassifier,
  DEFAULT_CRITICAL_PATTERNS,
  DEFAULT_ERROR_PATTERNS,
} from './classify.ts';

/** The error of a pattern that does not compile, or undefined when it compiles. */
const compileError = (pattern: string): string | undefined => {
  try {
    new RegExp(pattern, 'i');
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
};

/** A JSON array of regular expressions, each of which must compile. */
const envPatterns = () =>
  envJson(
    z.array(z.string('must be a string'), 'must be a JSON array of strings').check((context) => {
      for (const pattern of context.value) {
        const error = compileError(pattern);
        if (error === undefined) continue;
        context.issues.push({
          code: 'custom',
          message: `has an invalid regular expression ${JSON.stringify(pattern)}: ${error}`,
          input: context.value,
        });
        return;
      }
    }),
    '["quota exceeded", "HTTP 429"]',
  );

/** Environment of the function; every variable has a default. */
export const LogProcessorEnvSchema = z.object({
  ALERT_TOPIC_ARN: z.optional(z.string()),
  ERROR_PATTERNS: envPatterns(),
  CRITICAL_PATTERNS: envPatterns(),
  EXTRA_ERROR_PATTERNS: envPatterns(),
  EXTRA_CRITICAL_PATTERNS: envPatterns(),
  ALERT_MAX_LINES: envInteger({ default: 5, min: 1, max: 100 }),
  ALERT_MAX_LINE_LENGTH: envInteger({ default: 500, min: 50, max: 10_000 }),
  // Set by Lambda; the Region of the Logs Insights link in an alert.
  AWS_REGION: z.optional(envString()),
  AWS_DEFAULT_REGION: z.optional(envString()),
});

/** The function's settings, read once per container. */
export interface Config {
  /** Where alerts go; none is sent when it is not set. */
  alertTopicArn: string | undefined;
  /** Critical lines an alert shows, and characters of each. */
  maxLines: number;
  maxLineLength: number;
  /** The patterns, compiled once. */
  classifier: Classifier;
  /** The function's Region. */
  region: string;
}

/**
 * Reads and validates the environment, and compiles the classifier once: `ERROR_PATTERNS` /
 * `CRITICAL_PATTERNS` replace the defaults, `EXTRA_*` add to them.
 *
 * @example
 * const config = loadConfig({ EXTRA_CRITICAL_PATTERNS: '["payment provider down"]' });
 */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => {
  const config = parseEnv(LogProcessorEnvSchema, env);
  const classifier = createClassifier({
    critical: [
      ...(config.CRITICAL_PATTERNS ?? DEFAULT_CRITICAL_PATTERNS),
      ...(config.EXTRA_CRITICAL_PATTERNS ?? []),
    ],
    error: [
      ...(config.ERROR_PATTERNS ?? DEFAULT_ERROR_PATTERNS),
      ...(config.EXTRA_ERROR_PATTERNS ?? []),
    ],
  });
  return {
    alertTopicArn: config.ALERT_TOPIC_ARN?.trim() || undefined,
    maxLines: config.ALERT_MAX_LINES,
    maxLineLength: config.ALERT_MAX_LINE_LENGTH,
    classifier,
    region: config.AWS_REGION ?? config.AWS_DEFAULT_REGION ?? 'us-east-1',
  };
};
