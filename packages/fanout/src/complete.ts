import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SNS_MAX_PUBLISH_BYTES, truncateUtf8 } from '@nightshift/runtime';
import { headerKey, LIST_SK_PREFIX, runPk, TARGET_SK_PREFIX } from './keys.ts';
import { type RunSummary, renderSummary, summarizeRun, type TargetResult } from './summary.ts';
import { type Target, targetOfKey } from './types.ts';

/** How long a claimed summary may stay unpublished before another call takes it over. */
export const SUMMARY_LEASE_MS = 5 * 60_000;

export interface CompleteInput {
  table: string;
  runId: string;
  topicArn: string;
  now: Date;
  /** Publish even if some targets have not reported (the deadline passed). */
  force?: boolean;
}

/**
 * - `published`: this call published the summary;
 * - `incomplete`: targets are still missing and the summary was not forced;
 * - `already`: the summary was published, or is being published by another call;
 * - `missing`: the run has no header.
 */
export type CompleteState = 'published' | 'incomplete' | 'already' | 'missing';

const numberOf = (value: AttributeValue | undefined): number => Number(value?.N ?? 0);

const resultOf = (
  target: Target,
  item: Record<string, AttributeValue>,
): TargetResult | undefined => {
  const status = item.status?.S;
  if (status !== 'done' && status !== 'failed') return undefined;
  const totals = Object.fromEntries(
    Object.entries(item.totals?.M ?? {})
      .map(([name, value]) => [name, Number(value.N)] as const)
      .filter(([, value]) => Number.isFinite(value)),
  );
  const failed = (item.failed?.L ?? []).map((entry) => ({
    id: entry.M?.id?.S ?? '-',
    action: entry.M?.action?.S ?? '-',
    reason: entry.M?.reason?.S ?? '-',
  }));
  return {
    target,
    status,
    totals,
    failed,
    failedCount: Math.max(numberOf(item.failedCount), failed.length),
    ...(item.error?.S === undefined ? {} : { error: item.error.S }),
  };
};

/** Every item of the run's partition but the header, page after page. */
const queryRun = async (dynamodb: DynamoDBClient, table: string, runId: string) => {
  const targets: Target[] = [];
  const results: TargetResult[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: runPk(runId) } },
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const sk = item.sk?.S ?? '';
      if (sk.startsWith(LIST_SK_PREFIX)) {
        for (const key of item.targets?.L ?? []) if (key.S) targets.push(targetOfKey(key.S));
      } else if (sk.startsWith(TARGET_SK_PREFIX)) {
        const result = resultOf(targetOfKey(sk.slice(TARGET_SK_PREFIX.length)), item);
        if (result) results.push(result);
      }
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { targets, results };
};

/**
 * `completeIfDone`, saying what it found: the summary when this call published it.
 *
 * @example
 * const { state } = await completeRun({ dynamodb, sns }, { table, runId, topicArn, now });
 * if (state === 'incomplete') // check again later
 */
export const completeRun = async (
  { dynamodb, sns }: { dynamodb: DynamoDBClient; sns: SNSClient },
  { table, runId, topicArn, now, force = false }: CompleteInput,
): Promise<{ state: CompleteState; summary?: RunSummary }> => {
  const { Item: header } = await dynamodb.send(
    new GetItemCommand({ TableName: table, Key: headerKey(runId), ConsistentRead: true }),
  );
  if (!header) return { state: 'missing' };
  if (header.publishedAt) return { state: 'already' };
  const expected = numberOf(header.expected);
  if (!force && numberOf(header.completed) < expected) return { state: 'incomplete' };

  // Claim the summary: whoever wins publishes it. A claim whose holder died before
  // publishing is taken over once its lease is up.
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: headerKey(runId),
        UpdateExpression: 'SET summaryAt = :at, summaryLeaseUntil = :lease',
        ConditionExpression:
          'attribute_exists(pk) AND attribute_not_exists(publishedAt) AND ' +
          '(attribute_not_exists(summaryAt) OR summaryLeaseUntil < :now)',
        ExpressionAttributeValues: {
          ':at': { S: now.toISOString() },
          ':lease': { N: String(now.getTime() + SUMMARY_LEASE_MS) },
          ':now': { N: String(now.getTime()) },
        },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { state: 'already' };
    throw error;
  }

  let summary: RunSummary;
  try {
    const { targets, results } = await queryRun(dynamodb, table, runId);
    summary = summarizeRun({
      runId,
      function: header.function?.S ?? runId.split('/')[0] ?? runId,
      expected,
      ...(header.startedAt?.S === undefined ? {} : { startedAt: header.startedAt.S }),
      ...(header.deadline?.S === undefined ? {} : { deadline: header.deadline.S }),
      targets,
      results,
      now,
    });
    const { subject, message } = renderSummary(summary);
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: subject,
        // Attributes are a few dozen bytes; keep well under the limit with them.
        Message: truncateUtf8(message, SNS_MAX_PUBLISH_BYTES - 1_024),
        MessageAttributes: {
          service: { DataType: 'String', StringValue: summary.function },
          runId: { DataType: 'String', StringValue: runId },
          failed: { DataType: 'Number', StringValue: String(summary.failed) },
          pending: { DataType: 'Number', StringValue: String(summary.pending) },
        },
      }),
    );
  } catch (error) {
    // Give the claim back, so the next call (a retry of this message) publishes.
    await dynamodb
      .send(
        new UpdateItemCommand({
          TableName: table,
          Key: headerKey(runId),
          UpdateExpression: 'REMOVE summaryAt, summaryLeaseUntil',
          ConditionExpression: 'attribute_not_exists(publishedAt)',
        }),
      )
      .catch(() => undefined);
    throw error;
  }
  // Published: from here on the claim is never given back, so it is never published twice.
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: headerKey(runId),
      UpdateExpression: 'SET publishedAt = :at REMOVE summaryLeaseUntil',
      ExpressionAttributeValues: { ':at': { S: now.toISOString() } },
    }),
  );
  return { state: 'published', summary };
};

/**
 * Publishes the run's summary to the reports topic once, when every target has reported
 * (or, with `force`, whatever has come in: the deadline passed). Reads the header
 * consistently, claims the summary with a conditional update, reads every target item
 * (paginated) and publishes. Returns the summary when this call published it.
 *
 * @example
 * const summary = await completeIfDone({ dynamodb, sns }, { table, runId, topicArn, now: new Date() });
 */
export const completeIfDone = async (
  clients: { dynamodb: DynamoDBClient; sns: SNSClient },
  input: CompleteInput,
): Promise<RunSummary | undefined> => (await completeRun(clients, input)).summary;
