import { accountIdOfArn, createTimeBudget, type RemainingTime } from '@nightshift/runtime';
import type { Config } from './config.ts';
import { type InputEvent, isKinesisEvent } from './event.ts';
import { type BatchResponse, runKinesis } from './kinesis.ts';
import { type BatchSummary, type Deps, run } from './run.ts';

/**
 * Time kept back before Lambda's timeout: a stream record is started only when this much
 * is left (its alert's publish, with retries, fits in it), so that the records left are
 * reported for a new delivery instead of the timeout failing the whole batch.
 */
export const RECORD_MARGIN_MS = 10_000;

/**
 * Serves both triggers: a direct subscription event gets its batch's summary (as it always
 * did), the destination stream's Kinesis event gets `{ batchItemFailures }`, the only
 * answer the event source mapping reads.
 *
 * @example
 * export const handler = withNightshift({ logger, metrics, eventSchema: InputEventSchema }, (event, context) =>
 *   handle(deps, config, event, context));
 */
export const handle = async (
  deps: Deps,
  config: Config,
  event: InputEvent,
  context: RemainingTime & { invokedFunctionArn: string },
): Promise<BatchSummary | BatchResponse> => {
  const accountId = accountIdOfArn(context.invokedFunctionArn);
  if (!isKinesisEvent(event)) return run(deps, config, event, { accountId });
  const budget = createTimeBudget(context, { safetyMarginMs: RECORD_MARGIN_MS });
  const { batchItemFailures } = await runKinesis(deps, config, event, { accountId, budget });
  return { batchItemFailures };
};
