import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  type BatchResultErrorEntry,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { mapSettled, ValidationError } from '@nightshift/runtime';
import { DEFAULT_TTL_DAYS, expiresAtOf, headerKey, LIST_SK_PREFIX, runPk } from './keys.ts';
import { deadlineBody, type TargetMessage } from './message.ts';
import { compareTargets, type Target, targetKey } from './types.ts';

/** SQS takes at most 10 messages per `SendMessageBatch`. */
export const SQS_BATCH_SIZE = 10;
/** SQS delays a message by at most 15 minutes. */
export const MAX_DELAY_SECONDS = 900;
/** Targets per item of the run's target list (about 25 bytes each, far under 400 KB). */
export const TARGETS_PER_LIST_ITEM = 1_000;
/** Lambda's longest timeout: a dispatcher cannot still be at work after it. */
const DEFAULT_LEASE_MS = 15 * 60_000;

export interface DispatchInput {
  queueUrl: string;
  table: string;
  runId: string;
  functionName: string;
  /** The scheduled event, passed on to every target's job. */
  event: Record<string, unknown>;
  targets: readonly Target[];
  /** When the summary is published even if some targets have not reported. */
  deadline: Date;
  now: Date;
  /**
   * Until when this dispatch holds the run (its own deadline, Lambda's remaining time):
   * a dispatch of the same run after it, when this one did not finish, sends every message
   * again. Default: 15 minutes after `now`.
   */
  leaseUntil?: Date;
  /** Days the table keeps the run (TTL); default 30. */
  ttlDays?: number;
  /** Attempts per batch for entries SQS refused (not the sender's fault); default 3. */
  attempts?: number;
  /** Wait before retrying refused entries, times the attempt number; default 200 ms. */
  retryDelayMs?: number;
  /** Batches in flight at once; default 10. */
  concurrency?: number;
}

/**
 * - `dispatched`: this call wrote the header and enqueued the targets;
 * - `duplicate`: the run was dispatched before: nothing enqueued;
 * - `in-progress`: another dispatch of the run holds it and may still be enqueueing.
 */
export type DispatchStatus = 'dispatched' | 'duplicate' | 'in-progress';

export interface DispatchResult {
  runId: string;
  enqueued: number;
  status: DispatchStatus;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const chunk = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size)
    chunks.push(items.slice(index, index + size));
  return chunks;
};

/** Sends one batch, retrying the entries SQS refused; the entries still refused at the end. */
const sendBatch = async (
  sqs: SQSClient,
  queueUrl: string,
  bodies: readonly string[],
  { attempts, retryDelayMs }: { attempts: number; retryDelayMs: number },
): Promise<BatchResultErrorEntry[]> => {
  let pending = bodies.map((body, index) => ({ Id: String(index), MessageBody: body }));
  for (let attempt = 1; ; attempt += 1) {
    const { Failed = [] } = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending }),
    );
    // An entry refused through the sender's fault (too large, bad attribute) fails again.
    if (Failed.length === 0 || attempt >= attempts || Failed.some((entry) => entry.SenderFault)) {
      return Failed;
    }
    const ids = new Set(Failed.map((entry) => entry.Id));
    pending = pending.filter((entry) => ids.has(entry.Id));
    await sleep(retryDelayMs * attempt);
  }
};

/** Writes the header if the run is new, or takes over a dispatch that died before it finished. */
const claimRun = async (
  dynamodb: DynamoDBClient,
  input: DispatchInput,
  expected: number,
  expiresAt: string,
): Promise<DispatchStatus> => {
  const leaseUntil = input.leaseUntil ?? new Date(input.now.getTime() + DEFAULT_LEASE_MS);
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: input.table,
        Key: headerKey(input.runId),
        UpdateExpression:
          'SET #function = :function, #expected = :expected, ' +
          '#completed = if_not_exists(#completed, :zero), #failed = if_not_exists(#failed, :zero), ' +
          '#startedAt = if_not_exists(#startedAt, :startedAt), #deadline = :deadline, ' +
          '#expiresAt = :expiresAt, #lease = :lease',
        ConditionExpression:
          'attribute_not_exists(pk) OR (attribute_not_exists(#enqueuedAt) AND #lease < :now)',
        ExpressionAttributeNames: {
          '#function': 'function',
          '#expected': 'expected',
          '#completed': 'completed',
          '#failed': 'failed',
          '#startedAt': 'startedAt',
          '#deadline': 'deadline',
          '#expiresAt': 'expiresAt',
          '#lease': 'dispatchLeaseUntil',
          '#enqueuedAt': 'enqueuedAt',
        },
        ExpressionAttributeValues: {
          ':function': { S: input.functionName },
          ':expected': { N: String(expected) },
          ':zero': { N: '0' },
          ':startedAt': { S: input.now.toISOString() },
          ':deadline': { S: input.deadline.toISOString() },
          ':expiresAt': { N: expiresAt },
          ':lease': { N: String(leaseUntil.getTime()) },
          ':now': { N: String(input.now.getTime()) },
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return 'dispatched';
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    return error.Item !== undefined && error.Item.enqueuedAt === undefined
      ? 'in-progress'
      : 'duplicate';
  }
};

/** Ends the dispatch's hold on the run: `enqueuedAt` when done, else a lease that is over. */
const releaseRun = (dynamodb: DynamoDBClient, input: DispatchInput, enqueued: boolean) =>
  dynamodb.send(
    new UpdateItemCommand({
      TableName: input.table,
      Key: headerKey(input.runId),
      UpdateExpression: enqueued
        ? 'SET enqueuedAt = :now REMOVE dispatchLeaseUntil'
        : 'SET dispatchLeaseUntil = :zero',
      ExpressionAttributeValues: enqueued
        ? { ':now': { S: input.now.toISOString() } }
        : { ':zero': { N: '0' } },
    }),
  );

/**
 * Starts a fanned-out run: writes the run's header (only if the run is new, so a second
 * dispatch of the same run enqueues nothing) and the list of its targets, sends one
 * message per target, 10 per `SendMessageBatch`, retrying entries SQS refused, and one
 * `deadline` message delayed until the deadline (15 minutes at most; the worker sends it
 * on again until the deadline). Throws, naming how many, when some messages could not
 * be sent; the run is then left for the next dispatch of the same run to send again.
 *
 * @example
 * await dispatch({ sqs, dynamodb }, {
 *   queueUrl, table, runId: runIdOf('snapshot-cleanup', event.time), functionName: 'snapshot-cleanup',
 *   event, targets, deadline: new Date(now.getTime() + 30 * 60_000), now,
 * }); // { runId, enqueued: 4000, status: 'dispatched' }
 */
export const dispatch = async (
  { sqs, dynamodb }: { sqs: SQSClient; dynamodb: DynamoDBClient },
  input: DispatchInput,
): Promise<DispatchResult> => {
  const { queueUrl, table, runId, functionName, event, deadline, now } = input;
  if (!(deadline.getTime() > now.getTime())) {
    throw new ValidationError('dispatch', [
      { path: 'deadline', message: 'must be later than now' },
    ]);
  }
  const byKey = new Map(input.targets.map((target) => [targetKey(target), target]));
  const targets = [...byKey.values()].sort(compareTargets);
  const expiresAt = expiresAtOf(now, input.ttlDays ?? DEFAULT_TTL_DAYS);
  const status = await claimRun(dynamodb, input, targets.length, expiresAt);
  if (status !== 'dispatched') return { runId, enqueued: 0, status };

  try {
    const lists = chunk(targets, TARGETS_PER_LIST_ITEM);
    for (const [index, list] of lists.entries()) {
      await dynamodb.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            pk: { S: runPk(runId) },
            sk: { S: `${LIST_SK_PREFIX}${String(index).padStart(4, '0')}` },
            targets: { L: list.map((target) => ({ S: targetKey(target) })) },
            expiresAt: { N: expiresAt },
          },
        }),
      );
    }

    const deadlineText = deadline.toISOString();
    const bodies = targets.map((target) =>
      JSON.stringify({
        v: 1,
        kind: 'target',
        runId,
        function: functionName,
        target: { accountId: target.accountId, region: target.region },
        event,
        deadline: deadlineText,
      } satisfies TargetMessage),
    );
    const retry = { attempts: input.attempts ?? 3, retryDelayMs: input.retryDelayMs ?? 200 };
    const sent = await mapSettled(
      chunk(bodies, SQS_BATCH_SIZE),
      (batch) => sendBatch(sqs, queueUrl, batch, retry),
      { concurrency: input.concurrency ?? 10 },
    );
    const refused = sent.succeeded.flatMap(({ value }) => value);
    const lost = refused.length + sent.failed.reduce((total, { item }) => total + item.length, 0);
    if (lost > 0) {
      const first = sent.failed[0]?.error.message ?? `${refused[0]?.Code}: ${refused[0]?.Message}`;
      throw new Error(
        `${lost} of ${targets.length} target message(s) of run ${runId} could not be sent to the queue (${first})`,
      );
    }

    // A run of no targets is summarised at once: nothing else would report it.
    const delaySeconds =
      targets.length === 0
        ? 0
        : Math.min(MAX_DELAY_SECONDS, Math.ceil((deadline.getTime() - now.getTime()) / 1000));
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: deadlineBody({ runId, function: functionName, deadline: deadlineText }),
        DelaySeconds: delaySeconds,
      }),
    );
  } catch (error) {
    // Let the next dispatch of this run (a retry) send everything again at once.
    await releaseRun(dynamodb, input, false).catch(() => undefined);
    throw error;
  }
  await releaseRun(dynamodb, input, true);
  return { runId, enqueued: targets.length, status };
};
