import { envInteger, parseEnv } from '@nightshift/runtime';
import * as z from 'zod/mini';
import { createClassifier, DEFAULT_CRITICAL_PATTERNS, DEFAULT_ERROR_PATTERNS } from './classify.ts';

/** A JSON array of regular expressions, each of which must compile. */
const envPatterns = () =>
  z.optional(
    z.pipe(
      z.string(),
      z.transform((text: string, context) => {
        const fail = (message: string) => {
          context.issues.push({ code: 'custom', message, input: text });
          return z.NEVER;
        };
        let patterns: unknown;
        try {
          patterns = JSON.parse(text);
        } catch {
          return fail(
            'must be a JSON array of regular expressions, like ["quota exceeded", "HTTP 429"]',
          );
        }
        if (!Array.isArray(patterns) || !patterns.every((pattern) => typeof pattern === 'string')) {
          return fail('must be a JSON array of strings');
        }
        for (const pattern of patterns) {
          try {
            new RegExp(pattern, 'i');
          } catch (error) {
            return fail(
              `has an invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`,
            );
          }
        }
        return patterns as string[];
      }),
    ),
  );

/** Environment of the function; every variable has a default. */
export const LogProcessorConfigSchema = z.object({
  ALERT_TOPIC_ARN: z.optional(z.string()),
  ERROR_PATTERNS: envPatterns(),
  CRITICAL_PATTERNS: envPatterns(),
  EXTRA_ERROR_PATTERNS: envPatterns(),
  EXTRA_CRITICAL_PATTERNS: envPatterns(),
  ALERT_MAX_LINES: envInteger({ default: 5, min: 1, max: 100 }),
  ALERT_MAX_LINE_LENGTH: envInteger({ default: 500, min: 50, max: 10_000 }),
});

export type LogProcessorConfig = ReturnType<typeof loadLogProcessorConfig>;

/**
 * Reads and validates the environment, and compiles the classifier once: `ERROR_PATTERNS` /
 * `CRITICAL_PATTERNS` replace the defaults, `EXTRA_*` add to them.
 *
 * @example
 * const config = loadLogProcessorConfig({ EXTRA_CRITICAL_PATTERNS: '["payment provider down"]' });
 */
export const loadLogProcessorConfig = (env: Record<string, string | undefined> = process.env) => {
  const config = parseEnv(LogProcessorConfigSchema, env);
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
  };
};
