import { gunzipSync } from 'node:zlib';
import { type FieldIssue, toFieldIssues } from '@nightshift/runtime';
import * as z from 'zod/mini';

/**
 * The most a batch may unzip to: 6 MB and 64 KB, the most CloudWatch Logs can send. A batch
 * holds at most 1 MB of log messages, counted as their UTF-8 bytes plus 26 bytes per event.
 * In JSON a byte of a message takes at most six (a control character is written `\u0001`);
 * an event's id, time and keys take about 100 bytes, less than the six times 26 its share
 * of the 1 MB would; the log group, stream and filter names take a few KB at most. A larger
 * batch is not one it sent; one of tiny events up to this size keeps a 128 MB function
 * under 120 MB, where the 32 MB allowed before would not.
 */
export const MAX_UNZIPPED_BYTES = 6 * 1024 * 1024 + 64 * 1024;

/** Output chunk for gunzip: with zlib's default of 16 KB, a 1.5 MB batch unzips about 30 % slower. */
const UNZIP_CHUNK_BYTES = 256 * 1024;

/** The last millisecond of year 9999: later times (and negative ones) have no date to show in an alert. */
export const MAX_LOG_TIMESTAMP = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The JSON inside `awslogs.data`, as CloudWatch Logs sends it. */
export const LogsPayloadSchema = z.object({
  messageType: z.enum(['DATA_MESSAGE', 'CONTROL_MESSAGE']),
  owner: z.string(),
  logGroup: z.string(),
  logStream: z.string(),
  subscriptionFilters: z.array(z.string()),
  logEvents: z.array(
    z.object({
      id: z.string(),
      timestamp: z
        .number()
        .check(
          z.minimum(0, 'must be milliseconds since 1970'),
          z.maximum(MAX_LOG_TIMESTAMP, 'must be a time before the year 10000'),
        ),
      message: z.string(),
    }),
  ),
});

export type LogsPayload = z.infer<typeof LogsPayloadSchema>;

type LogEvent = LogsPayload['logEvents'][number];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isLogEvent = (value: unknown): value is LogEvent => {
  if (!isRecord(value)) return false;
  const { id, timestamp, message } = value;
  return (
    typeof id === 'string' &&
    typeof message === 'string' &&
    typeof timestamp === 'number' &&
    timestamp >= 0 &&
    timestamp <= MAX_LOG_TIMESTAMP
  );
};

/**
 * Whether `value` fits `LogsPayloadSchema`, in one plain loop that copies nothing: a
 * batch holds up to 10,000 events, and a well-formed one is the rule. Keys the schema
 * does not know are left on the objects (the schema would drop them).
 */
export const isLogsPayload = (value: unknown): value is LogsPayload => {
  if (!isRecord(value)) return false;
  const { messageType, owner, logGroup, logStream, subscriptionFilters, logEvents } = value;
  if (messageType !== 'DATA_MESSAGE' && messageType !== 'CONTROL_MESSAGE') return false;
  if (typeof owner !== 'string' || typeof logGroup !== 'string' || typeof logStream !== 'string') {
    return false;
  }
  if (!Array.isArray(subscriptionFilters) || !Array.isArray(logEvents)) return false;
  for (const filter of subscriptionFilters) if (typeof filter !== 'string') return false;
  for (const event of logEvents) if (!isLogEvent(event)) return false;
  return true;
};

/**
 * base64 → gzip → JSON → payload, each step failing with an issue that says which it is
 * not. The payload is checked by `isLogsPayload`; only one that fails it goes through
 * the schema, for issues that name each bad field.
 */
const decode = z.transform((data: string, context) => {
  const fail = (message: string) => {
    context.issues.push({ code: 'custom', message, input: data });
    return z.NEVER;
  };
  // Decoding skips characters that are not base64, so the bytes must encode back to
  // exactly the text that came in: canonical, padded base64, as CloudWatch Logs sends.
  const bytes = Buffer.from(data, 'base64');
  if (data.length === 0 || bytes.toString('base64') !== data) return fail('is not base64');
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return fail('is not gzip data');
  let text: string;
  try {
    text = gunzipSync(bytes, {
      chunkSize: UNZIP_CHUNK_BYTES,
      maxOutputLength: MAX_UNZIPPED_BYTES,
    }).toString('utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      return fail(`unzips to more than ${MAX_UNZIPPED_BYTES / 1024} KB`);
    }
    return fail(`is not valid gzip data (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail('is not JSON once unzipped');
  }
  if (isLogsPayload(json)) return json;
  const result = z.safeParse(LogsPayloadSchema, json);
  if (result.success) return result.data;
  // Each issue keeps its message and its path, which zod puts after the path of `data`.
  for (const { message, path } of result.error.issues) {
    context.issues.push({ code: 'custom', message, path, input: data });
  }
  return z.NEVER;
});

/**
 * The data of one subscription batch, as CloudWatch Logs sends it: base64 of gzip of the
 * payload JSON, decoded and validated. Both triggers carry it: `awslogs.data` of a direct
 * subscription, `kinesis.data` of each record of the destination's stream.
 */
export const LogsDataSchema = z.pipe(z.string('must be a string'), decode);

/**
 * The CloudWatch Logs subscription event, decoded and validated: `awslogs.data` must be
 * base64 of gzip of the payload JSON, and the payload must have the expected shape.
 */
export const EventSchema = z.object({
  awslogs: z.object({
    data: LogsDataSchema,
  }),
});

export type LogsEvent = z.infer<typeof EventSchema>;

/**
 * One record of the Kinesis event of the destination's stream. Only its envelope is
 * checked here: its `kinesis.data` (a batch of up to 6 MB once unzipped) is decoded when
 * the record's turn comes, by `decodeLogsData`, so that one batch at a time is in memory.
 */
export const KinesisRecordSchema = z.object({
  eventID: z.string('must be a string'),
  kinesis: z.object({
    data: z.string('must be a string'),
    sequenceNumber: z.string('must be a string').check(z.minLength(1, 'must not be empty')),
    partitionKey: z.optional(z.string('must be a string')),
  }),
});

/** The Kinesis event Lambda's event source mapping sends: records of one shard, in order. */
export const KinesisEventSchema = z.object({
  Records: z.array(KinesisRecordSchema, 'must be a list of Kinesis records'),
});

export type KinesisEvent = z.infer<typeof KinesisEventSchema>;

/**
 * Either trigger: an event with `Records` is the destination stream's Kinesis event, any
 * other is checked as a direct subscription event (so its issues stay what they were).
 */
export const InputEventSchema = z.pipe(
  z.unknown(),
  z.transform((input, context): LogsEvent | KinesisEvent => {
    const schema = isRecord(input) && 'Records' in input ? KinesisEventSchema : EventSchema;
    const result = z.safeParse(schema, input);
    if (result.success) return result.data;
    for (const { message, path } of result.error.issues) {
      context.issues.push({ code: 'custom', message, path, input });
    }
    return z.NEVER;
  }),
);

export type InputEvent = z.infer<typeof InputEventSchema>;

/** Whether the event is the destination stream's Kinesis event. */
export const isKinesisEvent = (event: InputEvent): event is KinesisEvent => 'Records' in event;

/**
 * Decodes the data of one batch through the same steps as `awslogs.data`: the payload, or
 * the issues that say why it is not one (each with its path inside the payload).
 *
 * @example
 * const decoded = decodeLogsData(record.kinesis.data);
 * if (!decoded.success) logger.error('Malformed record', { issues: decoded.issues });
 */
export const decodeLogsData = (
  data: string,
): { success: true; payload: LogsPayload } | { success: false; issues: FieldIssue[] } => {
  const result = z.safeParse(LogsDataSchema, data);
  return result.success
    ? { success: true, payload: result.data }
    : { success: false, issues: toFieldIssues(result.error.issues) };
};
