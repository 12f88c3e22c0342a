import {
  envInteger,
  envJson,
  envString,
  parseSettings,
  type Settings,
  type SettingsSpec,
} from '@nightshift/runtime';
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

/** The function's settings, each read from its environment variable (the names are a contract). */
export const SETTINGS = {
  /** `ALERT_TOPIC_ARN`: where alerts go; none is sent when it is not set. */
  alertTopicArn: ['ALERT_TOPIC_ARN', z.optional(envString())],
  /** `ERROR_PATTERNS`, `CRITICAL_PATTERNS`: replace the default patterns. */
  errorPatterns: ['ERROR_PATTERNS', envPatterns()],
  criticalPatterns: ['CRITICAL_PATTERNS', envPatterns()],
  /** `EXTRA_ERROR_PATTERNS`, `EXTRA_CRITICAL_PATTERNS`: add to them. */
  extraErrorPatterns: ['EXTRA_ERROR_PATTERNS', envPatterns()],
  extraCriticalPatterns: ['EXTRA_CRITICAL_PATTERNS', envPatterns()],
  /** `ALERT_MAX_LINES`, `ALERT_MAX_LINE_LENGTH`: critical lines an alert shows, and characters of each. */
  maxLines: ['ALERT_MAX_LINES', envInteger({ default: 5, min: 1, max: 100 })],
  maxLineLength: ['ALERT_MAX_LINE_LENGTH', envInteger({ default: 500, min: 50, max: 10_000 })],
  /** `AWS_REGION`, `AWS_DEFAULT_REGION`: set by Lambda; the Region of the Logs Insights link in an alert. */
  awsRegion: ['AWS_REGION', z.optional(envString())],
  awsDefaultRegion: ['AWS_DEFAULT_REGION', z.optional(envString())],
} as const satisfies SettingsSpec;

/** The function's settings, read once per container. */
export type Config = Pick<
  Settings<typeof SETTINGS>,
  'alertTopicArn' | 'maxLines' | 'maxLineLength'
> & {
  /** The patterns, compiled once. */
  classifier: Classifier;
  /** The function's Region. */
  region: string;
};

/**
 * Reads and validates the environment (throws `ConfigError` naming every bad variable), and
 * compiles the classifier once: `ERROR_PATTERNS` / `CRITICAL_PATTERNS` replace the
 * defaults, `EXTRA_*` add to them.
 *
 * @example
 * const config = loadConfig({ EXTRA_CRITICAL_PATTERNS: '["payment provider down"]' });
 */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => {
  const settings = parseSettings(SETTINGS, env);
  const classifier = createClassifier({
    critical: [
      ...(settings.criticalPatterns ?? DEFAULT_CRITICAL_PATTERNS),
      ...(settings.extraCriticalPatterns ?? []),
    ],
    error: [
      ...(settings.errorPatterns ?? DEFAULT_ERROR_PATTERNS),
      ...(settings.extraErrorPatterns ?? []),
    ],
  });
  return {
    alertTopicArn: settings.alertTopicArn,
    maxLines: settings.maxLines,
    maxLineLength: settings.maxLineLength,
    classifier,
    region: settings.awsRegion ?? settings.awsDefaultRegion ?? 'us-east-1',
  };
};
