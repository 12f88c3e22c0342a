import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { asError, failureReason, PartialFailureError } from '@nightshift/runtime';
import { completeRun } from './complete.ts';
import { MAX_DELAY_SECONDS } from './dispatch.ts';
import { targetItemKey } from './keys.ts';
import { type DeadlineMessage, deadlineBody, parseMessage, type TargetMessage } from './message.ts';
import { recordTarget } from './record.ts';
import type { Target, WorkResult } from './types.ts';

/** The part of an SQS record (as Lambda's event source mapping delivers it) a worker reads. */
export interface SqsRecordLike {
  messageId: string;
  body: string;
  attributes: { ApproximateReceiveCount?: string };
}

/** What the job is told about the attempt besides its target and event. */
export interface WorkContext {
  runId: string;
  functionName: string;
  /** This delivery's number (1 for the first). */
  attempt: number;
  /** Whether SQS will not deliver the target again if this attempt fails. */
  final: boolean;
}

/**
 * The job of one target: its report's status, totals and failed entries. It throws (or
 * returns `failed`) when the target failed; SQS then delivers it again.
 */
export type Work = (
  target: Target,
  event: Record<string, unknown>,
  context: WorkContext,
) => Promise<WorkResult>;

export interface WorkerDeps {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  sns: SNSClient;
}

export interface WorkerSettings {
  /** The runs table. */
  table: string;
  /** The fan-out queue (the deadline message is sent on to it until the deadline). */
  queueUrl: string;
  /** The reports topic the summary goes to. */
  topicArn: string;
  /** The queue's redrive `maxReceiveCount`: the delivery at which a failure is final. */
  maxReceiveCount: number;
  /** The clock; default `new Date()`. */
  now?: () => Date;
  /** Days the table keeps a target's item (TTL); default 30. */
  ttlDays?: number;
  /** Called with each record that failed, before it is reported to SQS (for the log). */
  onError?: (error: Error, record: SqsRecordLike) => void;
}

/** What a record came to. */
export type RecordResult =
  | 'done'
  | 'duplicate'
  | 'summary-published'
  | 'summary-not-due'
  | 'deadline-passed-on';

const clock = (settings: WorkerSettings): Date => settings.now?.() ?? new Date();

const handleDeadline = async (
  message: DeadlineMessage,
  deps: WorkerDeps,
  settings: WorkerSettings,
): Promise<RecordResult> => {
  const now = clock(settings);
  const due = now.getTime() >= Date.parse(message.deadline);
  const { state } = await completeRun(deps, {
    table: settings.table,
    runId: message.runId,
    topicArn: settings.topicArn,
    now,
    force: due,
  });
  if (state === 'published') return 'summary-published';
  if (due || state !== 'incomplete') return 'summary-not-due';
  // SQS delays a message by 15 minutes at most: send it on until the deadline.
  const seconds = Math.ceil((Date.parse(message.deadline) - now.getTime()) / 1000);
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: settings.queueUrl,
      MessageBody: deadlineBody(message),
      DelaySeconds: Math.min(MAX_DELAY_SECONDS, seconds),
    }),
  );
  return 'deadline-passed-on';
};

const handleTarget = async (
  message: TargetMessage,
  record: SqsRecordLike,
  work: Work,
  deps: WorkerDeps,
  settings: WorkerSettings,
): Promise<RecordResult> => {
  const { runId, target, event } = message;
  const complete = () =>
    completeRun(deps, {
      table: settings.table,
      runId,
      topicArn: settings.topicArn,
      now: clock(settings),
    });

  // A target with a final result was done by an earlier delivery: do not run its job again.
  const { Item } = await deps.dynamodb.send(
    new GetItemCommand({
      TableName: settings.table,
      Key: targetItemKey(runId, target),
      ConsistentRead: true,
      ProjectionExpression: '#status',
      ExpressionAttributeNames: { '#status': 'status' },
    }),
  );
  if (Item?.status?.S) {
    // The delivery that recorded it may have died before it checked the run.
    await complete();
    return 'duplicate';
  }

  const attempt = Math.max(1, Number(record.attributes.ApproximateReceiveCount) || 1);
  const final = attempt >= settings.maxReceiveCount;
  let result: WorkResult | undefined;
  let failure: Error | undefined;
  try {
    result = await work(target, event, { runId, functionName: message.function, attempt, final });
    if (result.status === 'failed') {
      failure = new PartialFailureError(message.function, result.failed ?? []);
    }
  } catch (error) {
    failure = asError(error);
  }

  const outcome = {
    status: failure ? ('failed' as const) : ('done' as const),
    attempts: attempt,
    ...(result?.totals ? { totals: result.totals } : {}),
    ...(result?.failed ? { failed: result.failed } : {}),
    ...(failure ? { error: failureReason(failure) } : {}),
  };
  await recordTarget(deps, {
    table: settings.table,
    runId,
    target,
    outcome,
    final,
    now: clock(settings),
    ...(settings.ttlDays === undefined ? {} : { ttlDays: settings.ttlDays }),
  });
  if (!failure || final) await complete();
  if (failure) throw failure;
  return 'done';
};

/**
 * The fan-out worker for one SQS record. A `target` message runs `work` for its target
 * (unless an earlier delivery finished it), records the result (final when it succeeded
 * or this is the queue's last delivery) and publishes the run's summary if it was the
 * last to report. A `deadline` message publishes the summary once the deadline passed
 * (or earlier if every target has reported), or sends itself on until then. Throws when
 * the target failed, so SQS delivers it again and finally moves it to the dead-letter queue.
 *
 * @example
 * await handleRecord(record, (target, event) => cleanup(target, event), deps, settings);
 */
export const handleRecord = async (
  record: SqsRecordLike,
  work: Work,
  deps: WorkerDeps,
  settings: WorkerSettings,
): Promise<RecordResult> => {
  const message = parseMessage(record.body);
  return message.kind === 'deadline'
    ? handleDeadline(message, deps, settings)
    : handleTarget(message, record, work, deps, settings);
};

/** An SQS partial batch response: the records to deliver again. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * The fan-out worker for an SQS batch (event source mapping with `ReportBatchItemFailures`):
 * each record handled on its own; those that failed are returned, so SQS delivers only
 * them again.
 *
 * @example
 * export const handler = (event: SQSEvent) => handleBatch(event, work, deps, settings);
 */
export const handleBatch = async (
  event: { Records: readonly SqsRecordLike[] },
  work: Work,
  deps: WorkerDeps,
  settings: WorkerSettings,
): Promise<BatchResponse> => {
  const batchItemFailures: BatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await handleRecord(record, work, deps, settings);
    } catch (error) {
      settings.onError?.(asError(error), record);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
};
