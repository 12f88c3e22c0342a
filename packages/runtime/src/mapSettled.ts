import pLimit from 'p-limit';
import { asError } from './errors.ts';
import type { TimeBudget } from './timeBudget.ts';

/** What became of every item of a bounded-concurrency run, in input order. */
export interface SettledMap<T, R> {
  succeeded: { item: T; value: R }[];
  failed: { item: T; error: Error }[];
  /** Items never started because the time budget ran out. */
  notStarted: T[];
}

/**
 * Runs `fn` over `items` with at most `concurrency` calls in flight. A failed item does
 * not stop the others; it is collected with its error. With a `budget`, no new item
 * starts once the budget is exhausted; those items come back as `notStarted`.
 *
 * @example
 * const { succeeded, failed, notStarted } = await mapSettled(ids, (id) => deleteSnapshot(id), {
 *   concurrency: 5,
 *   budget,
 * });
 */
export const mapSettled = async <T, R>(
  items: readonly T[],
  fn: (item: T) => Promise<R>,
  { concurrency, budget }: { concurrency: number; budget?: TimeBudget },
): Promise<SettledMap<T, R>> => {
  const limit = pLimit(concurrency);
  type Outcome =
    | { kind: 'ok'; item: T; value: R }
    | { kind: 'error'; item: T; error: Error }
    | { kind: 'skipped'; item: T };
  const outcomes = await Promise.all(
    items.map((item) =>
      limit(async (): Promise<Outcome> => {
        if (budget?.isExhausted()) return { kind: 'skipped', item };
        try {
          return { kind: 'ok', item, value: await fn(item) };
        } catch (error) {
          return { kind: 'error', item, error: asError(error) };
        }
      }),
    ),
  );
  const result: SettledMap<T, R> = { succeeded: [], failed: [], notStarted: [] };
  for (const outcome of outcomes) {
    if (outcome.kind === 'ok') result.succeeded.push({ item: outcome.item, value: outcome.value });
    else if (outcome.kind === 'error')
      result.failed.push({ item: outcome.item, error: outcome.error });
    else result.notStarted.push(outcome.item);
  }
  return result;
};
