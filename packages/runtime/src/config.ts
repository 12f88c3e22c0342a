import * as z from 'zod/mini';
import { ConfigError } from './errors.ts';
import { type Schema, toFieldIssues } from './validation.ts';

/** How a missing variable is explained. */
export interface ParseOptions {
  /** By variable: why it is required here, added to "is required but not set". */
  whyRequired?: Readonly<Record<string, string>>;
}

/**
 * Reads typed configuration from environment variables, validating all of them at once.
 * Call it at module scope (cold start) so that a misconfigured function fails on its
 * first invocation with a `ConfigError` that lists every missing or invalid variable.
 * The error says what is wrong with each, never its value: a variable may hold a
 * credential (a webhook URL), and Lambda logs an init error and sends it on.
 *
 * @example
 * const config = parseEnv(z.object({ RETENTION_DAYS: envInteger({ default: 30, min: 1 }) }));
 */
export const parseEnv = <S extends Schema>(
  schema: S,
  rawEnv: Record<string, string | undefined> = process.env,
  { whyRequired = {} }: ParseOptions = {},
): z.core.output<S> => {
  // A variable set to an empty string (a blank template parameter) counts as not set.
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, value]) => value?.trim()));
  const result = z.safeParse(schema, env);
  if (!result.success) {
    const issues = toFieldIssues(result.error.issues).map((issue) => {
      const name = issue.path.split(/[.[]/)[0] ?? issue.path;
      const why = whyRequired[name];
      return env[name] === undefined
        ? { path: name, message: `is required but not set${why ? ` (${why})` : ''}` }
        : { path: issue.path, message: issue.message };
    });
    throw new ConfigError(issues);
  }
  return result.data;
};

/**
 * A whole number from an environment variable, with a default when it is not set.
 *
 * @example
 * envInteger({ default: 7, min: 1, max: 3650 });
 */
export const envInteger = (options: { default: number; min?: number; max?: number }) =>
  z._default(
    z.pipe(
      z.string().check(z.regex(/^\s*-?\d+\s*$/, 'must be a whole number')),
      z.pipe(
        z.transform((value: string) => Number.parseInt(value, 10)),
        z
          .number()
          .check(
            z.minimum(options.min ?? Number.MIN_SAFE_INTEGER, `must be at least ${options.min}`),
            z.maximum(options.max ?? Number.MAX_SAFE_INTEGER, `must be at most ${options.max}`),
          ),
      ),
    ),
    options.default,
  );

/**
 * A true/false switch from an environment variable (`true/false`, `1/0`, `yes/no`, `on/off`).
 *
 * @example
 * envFlag(); // DRY_RUN unset → false
 */
export const envFlag = (defaultValue = false) =>
  z._default(z.stringbool({ error: 'must be true or false' }), defaultValue);

/**
 * A non-empty string from an environment variable, trimmed: required, or with a default
 * when it is not set.
 *
 * @example
 * envString(); // SNS_TOPIC_ARN
 * envString('Environment'); // ENVIRONMENT_TAG_KEY
 */
export function envString(): z.ZodMiniString<string>;
export function envString(defaultValue: string): z.ZodMiniDefault<z.ZodMiniString<string>>;
export function envString(defaultValue?: string) {
  const value = z.string().check(z.trim(), z.minLength(1, 'must not be empty'));
  return defaultValue === undefined ? value : z._default(value, defaultValue);
}

/**
 * A comma-separated list from an environment variable, empty entries dropped.
 *
 * @example
 * envList(['ERROR', 'Exception']); // "ERROR, FATAL" → ['ERROR', 'FATAL']
 */
export const envList = (defaultValue: string[] = []) =>
  z._default(
    z.pipe(
      z.string(),
      z.transform((value: string) =>
        value
          .split(',')
          .map((entry) => entry.trim())
          .filter((entry) => entry.length > 0),
      ),
    ),
    defaultValue,
  );

/**
 * A JSON document from an environment variable, checked against `schema`; optional (unset
 * → `undefined`). A value that is not JSON fails with a message that shows `example`.
 *
 * @example
 * envJson(z.array(z.string()), '["quota exceeded", "HTTP 429"]'); // EXTRA_CRITICAL_PATTERNS
 */
export const envJson = <S extends z.ZodMiniType>(schema: S, example: string) =>
  z.optional(
    z.pipe(
      z.string(),
      z.pipe(
        z.transform((text: string, context) => {
          try {
            return JSON.parse(text) as unknown;
          } catch {
            context.issues.push({
              code: 'custom',
              message: `must be JSON, like ${example}`,
              input: text,
            });
            return z.NEVER;
          }
        }),
        schema,
      ),
    ),
  );

/** One setting: the environment variable it is read from, and its schema. */
export type Setting<T extends z.ZodMiniType = z.ZodMiniType> = readonly [
  variable: string,
  schema: T,
];

/** A function's settings, each named once: `{ retentionDays: ['RETENTION_DAYS', envInteger(…)] }`. */
export type SettingsSpec = Record<string, Setting>;

/** The typed settings object a spec reads into. */
export type Settings<S extends SettingsSpec> = { [K in keyof S]: z.core.output<S[K][1]> };

/**
 * Reads a function's settings from the environment: each setting names its variable (the
 * names are a contract) and its schema once, and comes back under its own camelCase name.
 * Every variable is validated at once, as `parseEnv` does.
 *
 * @example
 * const SETTINGS = { retentionDays: ['RETENTION_DAYS', envInteger({ default: 30, min: 1 })] } as const;
 * parseSettings(SETTINGS, { RETENTION_DAYS: '45' }); // { retentionDays: 45 }
 */
export const parseSettings = <S extends SettingsSpec>(
  spec: S,
  env: Record<string, string | undefined> = process.env,
  options: ParseOptions = {},
): Settings<S> => {
  const schema = z.object(
    Object.fromEntries(Object.values(spec).map(([variable, type]) => [variable, type])),
  );
  const raw = parseEnv(schema, env, options) as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(spec).map(([name, [variable]]) => [name, raw[variable]]),
  ) as Settings<S>;
};
