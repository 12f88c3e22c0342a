import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { maskSecrets } from '@nightshift/runtime';
import { DEFAULT_TTL_DAYS, expiresAtOf, headerKey, targetItemKey } from './keys.ts';
import type { FailedEntry, Target, TargetOutcome } from './types.ts';

/** Failed entries kept per target item. */
export const MAX_FAILED_ENTRIES = 10;
/** Longest reason of a failed entry kept, in characters. */
export const MAX_REASON_LENGTH = 500;
/** Longest error of a failed target kept, in characters. */
export const MAX_ERROR_LENGTH = 2_000;

const cut = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 3)}...`;

const totalsOf = (totals: Record<string, number> = {}): AttributeValue => ({
  M: Object.fromEntries(
    Object.entries(totals)
      .filter(([, value]) => Number.isFinite(value))
      .map(([name, value]) => [name, { N: String(value) }]),
  ),
});

const entryOf = ({ id, action, reason }: FailedEntry): AttributeValue => ({
  M: {
    id: { S: cut(String(id), MAX_REASON_LENGTH) },
    action: { S: cut(String(action), MAX_REASON_LENGTH) },
    reason: { S: cut(maskSecrets(String(reason)), MAX_REASON_LENGTH) },
  },
});

export interface RecordTargetInput {
  table: string;
  runId: string;
  target: Target;
  outcome: TargetOutcome;
  /**
   * Whether a failure is the target's last attempt (SQS will not deliver it again). A
   * `done` outcome is always final.
   */
  final: boolean;
  now: Date;
  /** Days the table keeps the item (TTL); default 30. */
  ttlDays?: number;
}

/**
 * Records what an attempt at a target came to. A final result (done, or the last failed
 * attempt) is one `TransactWriteItems`: the target's item, only if it has no final result
 * yet, and `ADD completed 1` (and `failed 1`) on the run's header, so a target counts
 * once however often it is delivered. A failure SQS will retry only notes the attempts
 * and the error on the target's item, and counts nothing. Returns whether it counted.
 * Throws when the run has no header (never dispatched, or expired).
 *
 * @example
 * await recordTarget({ dynamodb }, {
 *   table, runId, target, now, final: true,
 *   outcome: { status: 'done', attempts: 1, totals: { snapshotsDeleted: 3 }, failed: [] },
 * }); // true
 */
export const recordTarget = async (
  { dynamodb }: { dynamodb: DynamoDBClient },
  { table, runId, target, outcome, final, now, ttlDays = DEFAULT_TTL_DAYS }: RecordTargetInput,
): Promise<boolean> => {
  const expiresAt = expiresAtOf(now, ttlDays);
  const failed = outcome.status === 'failed';
  const error = cut(maskSecrets(outcome.error ?? 'failed'), MAX_ERROR_LENGTH);

  if (failed && !final) {
    try {
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: table,
          Key: targetItemKey(runId, target),
          UpdateExpression:
            'SET accountId = :account, #region = :region, attempts = :attempts, lastError = :error, lastAttemptAt = :now, expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(#status)',
          ExpressionAttributeNames: { '#status': 'status', '#region': 'region' },
          ExpressionAttributeValues: {
            ':account': { S: target.accountId },
            ':region': { S: target.region },
            ':attempts': { N: String(outcome.attempts) },
            ':error': { S: error },
            ':now': { S: now.toISOString() },
            ':expiresAt': { N: expiresAt },
          },
        }),
      );
    } catch (caught) {
      // The target has a final result already (another delivery finished it): keep it.
      if (!(caught instanceof ConditionalCheckFailedException)) throw caught;
    }
    return false;
  }

  const entries = outcome.failed ?? [];
  const item: Record<string, AttributeValue> = {
    ...targetItemKey(runId, target),
    accountId: { S: target.accountId },
    region: { S: target.region },
    status: { S: outcome.status },
    attempts: { N: String(outcome.attempts) },
    finishedAt: { S: now.toISOString() },
    totals: totalsOf(outcome.totals),
    failed: { L: entries.slice(0, MAX_FAILED_ENTRIES).map(entryOf) },
    failedCount: { N: String(entries.length) },
    expiresAt: { N: expiresAt },
    ...(failed ? { error: { S: error } } : {}),
  };
  try {
    await dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: table,
              Item: item,
              ConditionExpression: 'attribute_not_exists(#status)',
              ExpressionAttributeNames: { '#status': 'status' },
            },
          },
          {
            Update: {
              TableName: table,
              Key: headerKey(runId),
              UpdateExpression: failed
                ? 'ADD #completed :one, #failed :one'
                : 'ADD #completed :one',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: {
                '#completed': 'completed',
                ...(failed ? { '#failed': 'failed' } : {}),
              },
              ExpressionAttributeValues: { ':one': { N: '1' } },
            },
          },
        ],
      }),
    );
    return true;
  } catch (caught) {
    if (!(caught instanceof TransactionCanceledException)) throw caught;
    const [put, header] = caught.CancellationReasons ?? [];
    // The target has its final result already: a duplicate delivery, counted before.
    if (put?.Code === 'ConditionalCheckFailed') return false;
    if (header?.Code === 'ConditionalCheckFailed') {
      throw new Error(
        `run ${runId} has no header in table ${table}: it was never dispatched, or has expired`,
        {
          cause: caught,
        },
      );
    }
    throw caught;
  }
};
