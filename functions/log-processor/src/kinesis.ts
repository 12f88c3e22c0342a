import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FieldIssue, TimeBudget } from '@nightshift/runtime';
import type { Config } from './config.ts';
import { decodeLogsData, type KinesisEvent } from './event.ts';
import { type BatchSummary, type Deps, processBatch, type Source } from './run.ts';

/** The answer Lambda's event source mapping reads: the records to deliver again. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** What became of one record of the stream. */
export type RecordOutcome =
  | { sequenceNumber: string; status: 'processed'; summary: BatchSummary }
  /** Not a subscription batch (not base64, gzip, JSON or the payload's shape, or too large): dropped. */
  | { sequenceNumber: string; status: 'malformed'; issues: FieldIssue[] }
  /** Processing failed (the alert could not be published): delivered again. */
  | { sequenceNumber: string; status: 'failed'; error: string }
  /** Not started: an earlier record failed, or the time ran out; delivered again. */
  | { sequenceNumber: string; status: 'deferred' };

/** What a Kinesis batch amounted to: the mapping's answer, and each record's outcome. */
export interface KinesisSummary extends BatchResponse {
  records: RecordOutcome[];
}

/**
 * The records of the destination's stream (each one subscription batch of some account of
 * the organization), one after another: each record's data is decoded through the same
 * steps as `awslogs.data` only when its turn comes, so one batch of up to 6 MB is in memory
 * at a time, then processed as a direct batch (metrics, at most one alert), named after
 * its account when it is not the function's.
 *
 * Which records are delivered again (`batchItemFailures`):
 * - a malformed record is logged and counted (`MalformedRecords`) and is not: the same
 *   bytes would fail the same way on every delivery;
 * - a record whose processing fails (its alert not published) is, and the records after it
 *   are not started: Lambda delivers a shard's records again from the lowest sequence
 *   number reported, so processing them now would alert them twice;
 * - when `budget` is exhausted before a record starts (never before the first), that
 *   record is reported and the rest wait, rather than the timeout failing the whole batch.
 *
 * @example
 * const { batchItemFailures } = await runKinesis(deps, config, event, { accountId, budget });
 */
export const runKinesis = async (
  deps: Deps,
  config: Config,
  event: KinesisEvent,
  { accountId, budget }: Source & { budget?: TimeBudget } = {},
): Promise<KinesisSummary> => {
  const { logger, metrics } = deps;
  const records: RecordOutcome[] = [];
  let stopped = false;
  for (const [index, record] of event.Records.entries()) {
    const { sequenceNumber } = record.kinesis;
    if (stopped || (index > 0 && budget?.isExhausted())) {
      stopped = true;
      records.push({ sequenceNumber, status: 'deferred' });
      continue;
    }
    // Each batch's metrics go out with its own log group as the dimension.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    const decoded = decodeLogsData(record.kinesis.data);
    if (!decoded.success) {
      logger.error('Malformed record dropped: not a CloudWatch Logs subscription batch', {
        sequenceNumber,
        eventID: record.eventID,
        issues: decoded.issues,
      });
      metrics.singleMetric().addMetric('MalformedRecords', MetricUnit.Count, 1);
      records.push({ sequenceNumber, status: 'malformed', issues: decoded.issues });
      continue;
    }
    try {
      const summary = await processBatch(deps, config, decoded.payload, { accountId });
      records.push({ sequenceNumber, status: 'processed', summary });
    } catch (error) {
      logger.error('Record failed; it and the records after it will be delivered again', {
        sequenceNumber,
        eventID: record.eventID,
        error: error as Error,
      });
      records.push({ sequenceNumber, status: 'failed', error: (error as Error).message });
      stopped = true;
    }
  }
  const retried = records.find(
    (outcome) => outcome.status === 'failed' || outcome.status === 'deferred',
  );
  const counts = Object.fromEntries(
    (['processed', 'malformed', 'failed', 'deferred'] as const).map((status) => [
      status,
      records.filter((outcome) => outcome.status === status).length,
    ]),
  );
  logger.info('Stream batch processed', { records: records.length, ...counts });
  return {
    // The first record not done: Lambda delivers it and every later one again.
    batchItemFailures: retried ? [{ itemIdentifier: retried.sequenceNumber }] : [],
    records,
  };
};
