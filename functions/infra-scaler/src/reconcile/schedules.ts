import { getParameter as getSsmParameter } from '@aws-lambda-powertools/parameters/ssm';
import { asError, ValidationError } from '@nightshift/runtime';
import { parseSchedules, type SchedulesDocument } from '@nightshift/schedules';

/** Where the schedules document comes from (the function's settings). */
export interface SchedulesSource {
  /** `SCHEDULES`: the document itself (JSON text). */
  schedules?: string | undefined;
  /** `SCHEDULES_PARAMETER`: the name of the SSM parameter holding the document. */
  schedulesParameter?: string | undefined;
}

/** Reads an SSM parameter's value (undefined when it has none). */
export type ParameterReader = (name: string) => Promise<string | undefined>;

/** A schedules document in SSM is read at most every five minutes per container. */
const CACHE_SECONDS = 300;

const readCached: ParameterReader = (name) => getSsmParameter(name, { maxAge: CACHE_SECONDS });

/** SSM's ParameterNotFound, as the SDK throws it or as Powertools wraps it (its cause). */
const isNotFound = (error: Error): boolean =>
  error.name === 'ParameterNotFound' ||
  (error.cause instanceof Error && error.cause.name === 'ParameterNotFound');

const notFound = (name: string, options?: ErrorOptions) =>
  new ValidationError(
    'SCHEDULES_PARAMETER',
    [{ path: 'SCHEDULES_PARAMETER', message: `the SSM parameter ${name} does not exist` }],
    options,
  );

/**
 * The schedules document: `SCHEDULES` (the JSON text) when it is set, else the SSM parameter
 * `SCHEDULES_PARAMETER` names (Powertools, cached five minutes per container), checked by
 * `parseSchedules` (its `ValidationError` names each bad field by its path). Neither set: a
 * `ValidationError` naming `SCHEDULES`; a parameter that does not exist: one naming it; any
 * other failure to read it rejects, naming the parameter.
 *
 * @example
 * const document = await loadSchedules({ schedulesParameter: '/nightshift/schedules' });
 */
export const loadSchedules = async (
  config: SchedulesSource,
  { getParameter = readCached }: { getParameter?: ParameterReader } = {},
): Promise<SchedulesDocument> => {
  if (config.schedules !== undefined) return parseSchedules(config.schedules);
  const name = config.schedulesParameter;
  if (name === undefined) {
    throw new ValidationError('SCHEDULES', [
      {
        path: 'SCHEDULES',
        message:
          'is not set: set SCHEDULES to the schedules document, or SCHEDULES_PARAMETER to the name of the SSM parameter holding it',
      },
    ]);
  }
  let text: string | undefined;
  try {
    text = await getParameter(name);
  } catch (thrown) {
    const error = asError(thrown);
    if (isNotFound(error)) throw notFound(name, { cause: error });
    throw new Error(
      `Could not read the schedules document from the SSM parameter ${name} (${error.name})`,
      { cause: error },
    );
  }
  if (text === undefined) throw notFound(name);
  return parseSchedules(text);
};
