import { type core, safeParse } from 'zod/mini';
import { type FieldIssue, ValidationError } from './errors.ts';

/** Any zod schema, full or mini. */
export type Schema = core.$ZodType;

const formatPath = (path: readonly PropertyKey[]): string => {
  if (path.length === 0) return '(root)';
  return path
    .map((segment, index) =>
      typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
};

/**
 * Turns zod's issues into one issue per bad field, with a readable path.
 *
 * @example
 * toFieldIssues(result.error.issues); // [{ path: 'retentionDays', message: 'Too small: ...' }]
 */
export const toFieldIssues = (issues: readonly core.$ZodIssue[]): FieldIssue[] =>
  issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));

/**
 * Parses `input` with `schema`, or throws a `ValidationError` naming every bad field.
 *
 * @example
 * const event = parseOrThrow(EventSchema, rawEvent, 'event');
 */
export const parseOrThrow = <S extends Schema>(
  schema: S,
  input: unknown,
  subject: string,
): core.output<S> => {
  const result = safeParse(schema, input);
  if (!result.success) {
    throw new ValidationError(subject, toFieldIssues(result.error.issues), { cause: result.error });
  }
  return result.data;
};
