import { vi } from 'vitest';

/**
 * The handler of a function's module as Lambda loads it: the environment set first (a
 * variable given as undefined is unset; vitest puts it back after the test), then the
 * module imported, which reads its configuration at import. By default the module graph
 * is fresh, so each call reads the environment again; with `fresh: false` it is the test
 * file's own (the handler's error classes are then the ones the test imports).
 *
 * @example
 * const handler = await loadHandler(() => import('../src/handler.ts'), {
 *   SNS_TOPIC_ARN: undefined,
 *   RETENTION_DAYS: '30',
 * });
 */
export const loadHandler = async <H>(
  importModule: () => Promise<{ handler: H }>,
  env: Record<string, string | undefined> = {},
  { fresh = true }: { fresh?: boolean } = {},
): Promise<H> => {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  if (fresh) vi.resetModules();
  return (await importModule()).handler;
};
