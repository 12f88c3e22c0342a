import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { Report } from '@nightshift/runtime';
import { expiresAtOf, historyKey } from './keys.ts';
import { toRunRecord } from './record.ts';
import type { HistorySettings } from './settings.ts';
import type { RunRecord } from './types.ts';

/** Where a failed write is told: anything with Powertools Logger's `warn`. */
export interface HistoryLogger {
  warn: (message: string, ...extra: Record<string, unknown>[]) => void;
}

/** The table a record goes to, and how long it stays there. */
export interface HistoryTarget {
  table: string;
  retentionDays: number;
}

/**
 * How much a record has to tell: its items and failures. A quiet run (a reconcile that
 * found everything in its due state) has 0, and a reader may leave it out on the server
 * (`readRuns`' `notableOnly`).
 */
export const notableOf = (record: RunRecord): number => record.items.length + record.counts.failed;

/**
 * Writes a run's record: one `PutItem` of `{ pk, sk, record, notable, expiresAt }`. Never throws: a
 * failure is logged as a warning (`Run history not written`) and the answer is `false`,
 * so that the history never fails a run.
 *
 * @example
 * await writeRun(dynamodb, { table: 'nightshift-history-staging', retentionDays: 400 }, record, logger); // true
 */
export const writeRun = async (
  dynamodb: DynamoDBClient,
  { table, retentionDays }: HistoryTarget,
  record: RunRecord,
  logger: HistoryLogger,
): Promise<boolean> => {
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          ...historyKey(record),
          record: { S: JSON.stringify(record) },
          notable: { N: String(notableOf(record)) },
          expiresAt: { N: String(expiresAtOf(record.finishedAt, retentionDays)) },
        },
      }),
    );
    return true;
  } catch (error) {
    logger.warn('Run history not written', { error });
    return false;
  }
};

/** Where a run ran, besides its environment (which the settings give). */
export interface RunPlace {
  account: string;
  region: string;
}

/**
 * The history write's client limits: two attempts of at most 3 seconds each, so that a slow
 * table costs a run seconds of the margin its report keeps, never its timeout.
 */
export const HISTORY_CLIENT_LIMITS = { maxAttempts: 2, requestTimeoutMs: 3_000 } as const;

/**
 * A job's whole history step: nothing without a table (`HISTORY_TABLE` unset); otherwise
 * the run's record (`toRunRecord`, in the settings' environment) written with `writeRun`.
 * Never throws; says whether a record was written.
 *
 * @example
 * await recordRun(() => getClient(DynamoDBClient), settings, report, { account, region }, logger);
 */
export const recordRun = async (
  dynamodb: () => DynamoDBClient,
  settings: HistorySettings,
  report: Report,
  { account, region }: RunPlace,
  logger: HistoryLogger,
): Promise<boolean> => {
  const { table, retentionDays, environment } = settings;
  if (table === undefined) return false;
  let record: RunRecord;
  try {
    record = toRunRecord(report, { environment, account, region });
  } catch (error) {
    logger.warn('Run history not written', { error });
    return false;
  }
  return writeRun(dynamodb(), { table, retentionDays }, record, logger);
};
