import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';

/**
 * What a claim of a once-only record found:
 * - `claimed`: the caller holds it now and does the work (the record was new, or an
 *   earlier holder's lease ran out before it marked it done);
 * - `done`: the work was done already;
 * - `busy`: another invocation holds it and may still be working.
 */
export type ClaimOutcome = 'claimed' | 'done' | 'busy';

/** A once-only record: a key of the actions table and what it notes about the work. */
export interface OnceRecord {
  table: string;
  /** The table's key `pk`: `nonce#<nonce>`, `heads-up#<schedule>#<stop>`. */
  key: string;
  /** Attributes the record notes (who, what); never `pk`, `state`, `leaseUntil`, `expiresAt`. */
  attributes?: Record<string, AttributeValue>;
  /** When the table's TTL removes the record, in ms since the epoch. */
  expiresAt: number;
}

const RESERVED = new Set(['pk', 'state', 'leaseUntil', 'expiresAt', 'doneAt']);

/** `SET a = :a, …` with placeholders for names too, so no attribute collides with a reserved word. */
const setClauses = (attributes: Record<string, AttributeValue>, prefix: string) => {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const clauses = Object.entries(attributes).map(([name, value], index) => {
    if (RESERVED.has(name)) throw new Error(`${name} is kept by the record itself`);
    names[`#${prefix}${index}`] = name;
    values[`:${prefix}${index}`] = value;
    return `#${prefix}${index} = :${prefix}${index}`;
  });
  return { clauses, names, values };
};

/**
 * Claims the work of a once-only record (a link's use, a heads-up): one conditional update
 * that writes `state = pending` with a lease, if the record is new or its lease ran out
 * while pending. The holder does the work, then `markDone`. A holder that dies between
 * the two leaves the record pending; once its lease ends (set it to the holder's own
 * deadline: it cannot be working past it), the next claim takes it over and does the work
 * again, so the work must be safe to repeat. A record written without a state (by an
 * earlier version) counts as done.
 *
 * @example
 * const outcome = await claimOnce(dynamodb, { table, key: 'nonce#q3Jx…', expiresAt }, now, deadline);
 * if (outcome === 'claimed') { await work(); await markDone(dynamodb, { table, key }, new Date()); }
 */
export const claimOnce = async (
  dynamodb: DynamoDBClient,
  record: OnceRecord,
  now: Date,
  leaseUntil: Date,
): Promise<ClaimOutcome> => {
  const { clauses, names, values } = setClauses(record.attributes ?? {}, 'a');
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: record.table,
        Key: { pk: { S: record.key } },
        UpdateExpression: `SET ${['#state = :pending', 'leaseUntil = :lease', 'expiresAt = :expires', ...clauses].join(', ')}`,
        ConditionExpression:
          'attribute_not_exists(pk) OR (#state = :pending AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#state': 'state', ...names },
        ExpressionAttributeValues: {
          ':pending': { S: 'pending' },
          ':lease': { N: String(leaseUntil.getTime()) },
          ':now': { N: String(now.getTime()) },
          ':expires': { N: String(Math.ceil(record.expiresAt / 1000)) },
          ...values,
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return 'claimed';
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // Without the old item (not returned), the safe reading is that someone holds it.
    const state = error.Item?.state?.S;
    return error.Item === undefined || state === 'pending' ? 'busy' : 'done';
  }
};

/**
 * Marks a claimed record done, with what the work found, if the record is still there (a
 * record the table's TTL removed is not written again). Never throws for a missing record.
 *
 * @example
 * await markDone(dynamodb, { table, key, attributes: { kept: { N: '2' } } }, new Date());
 */
export const markDone = async (
  dynamodb: DynamoDBClient,
  record: Pick<OnceRecord, 'table' | 'key' | 'attributes'>,
  now: Date,
): Promise<void> => {
  const { clauses, names, values } = setClauses(record.attributes ?? {}, 'd');
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: record.table,
        Key: { pk: { S: record.key } },
        UpdateExpression: `SET ${['#state = :done', 'doneAt = :at', ...clauses].join(', ')} REMOVE leaseUntil`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#state': 'state', ...names },
        ExpressionAttributeValues: {
          ':done': { S: 'done' },
          ':at': { S: now.toISOString() },
          ...values,
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};
