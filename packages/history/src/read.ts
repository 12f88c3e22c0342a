import { type AttributeValue, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import { daysBetween, HISTORY_PK_PREFIX } from './keys.ts';
import type { RunRecord } from './types.ts';

/** Day partitions read at once. */
export const READ_CONCURRENCY = 4;

const Count = z.number();
const Value = z.union([z.string(), z.number(), z.boolean()]);
const RecordSchema = z.object({
  service: z.string(),
  environment: z.string(),
  account: z.string(),
  region: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  dryRun: z.boolean(),
  counts: z.object({ planned: Count, done: Count, skipped: Count, failed: Count }),
  totals: z.record(z.string(), z.number()),
  items: z.array(
    z.object({
      list: z.enum(['done', 'failed', 'skipped']),
      id: z.string(),
      action: z.string(),
      reason: z.string(),
      details: z.optional(z.record(z.string(), Value)),
    }),
  ),
  truncated: z.optional(z.number()),
});

/** A record's JSON read back, or undefined when it is not one. */
export const parseRunRecord = (text: string | undefined): RunRecord | undefined => {
  let json: unknown;
  try {
    // A missing record (`undefined`) is not JSON either.
    json = JSON.parse(String(text));
  } catch {
    return undefined;
  }
  const parsed = z.safeParse(RecordSchema, json);
  if (!parsed.success) return undefined;
  const { truncated, items, ...record } = parsed.data;
  return {
    ...record,
    items: items.map(({ details, ...item }) => ({ ...item, ...(details ? { details } : {}) })),
    ...(truncated === undefined ? {} : { truncated }),
  };
};

/** What `readRuns` found. */
export interface RunsRead {
  /** The records, by `finishedAt`. */
  records: RunRecord[];
  /** Items whose `record` is missing or is not a record: skipped. */
  unreadable: number;
}

const readDay = async (
  dynamodb: DynamoDBClient,
  table: string,
  day: string,
  from: string,
  to: string,
  notableOnly: boolean,
): Promise<RunsRead> => {
  const found: RunsRead = { records: [], unreadable: 0 };
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ...(notableOnly
          ? {
              FilterExpression: '#notable > :quiet',
              ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#notable': 'notable' },
              ExpressionAttributeValues: {
                ':pk': { S: `${HISTORY_PK_PREFIX}${day}` },
                ':from': { S: from },
                ':to': { S: to },
                ':quiet': { N: '0' },
              },
            }
          : {
              ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
              ExpressionAttributeValues: {
                ':pk': { S: `${HISTORY_PK_PREFIX}${day}` },
                ':from': { S: from },
                ':to': { S: to },
              },
            }),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const record = parseRunRecord(item.record?.S);
      if (record) found.records.push(record);
      else found.unreadable += 1;
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return found;
};

/**
 * The records of the runs that finished from `from` (included) to `to` (excluded): a
 * `Query` of each UTC day's partition between the two times, every page. A record that
 * does not parse is skipped and counted. A failed query throws.
 *
 * @example
 * const { records, unreadable } = await readRuns(dynamodb, 'nightshift-history-staging', { from: new Date(Date.now() - 86_400_000), to: new Date() });
 */
export const readRuns = async (
  dynamodb: DynamoDBClient,
  table: string,
  {
    from,
    to,
    notableOnly = false,
  }: {
    from: Date;
    to: Date;
    /** Only records with items or failures (`notable` above 0), filtered by DynamoDB. */
    notableOnly?: boolean;
  },
): Promise<RunsRead> => {
  const days = daysBetween(from, to);
  const [fromIso, toIso] = [from.toISOString(), to.toISOString()];
  const results: RunsRead[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < days.length) {
      const index = next;
      next += 1;
      results[index] = await readDay(
        dynamodb,
        table,
        days[index] as string,
        fromIso,
        toIso,
        notableOnly,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, days.length) }, worker));
  const records = results.flatMap((result) => result.records);
  records.sort((a, b) => Date.parse(a.finishedAt) - Date.parse(b.finishedAt));
  return { records, unreadable: results.reduce((sum, result) => sum + result.unreadable, 0) };
};
