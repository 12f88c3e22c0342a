import { gunzipSync } from 'node:zlib';
import * as z from 'zod/mini';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The most a batch may unzip to. CloudWatch Logs sends at most 1 MB of log data per
 * batch; anything far larger is not a real batch and would exhaust the function's memory.
 */
export const MAX_UNZIPPED_BYTES = 32 * 1024 * 1024;

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

/** base64 → gzip → JSON, each step failing with an issue that says which it is not. */
const decode = z.transform((data: string, context) => {
  const fail = (message: string) => {
    context.issues.push({ code: 'custom', message, input: data });
    return z.NEVER;
  };
  if (data.length === 0 || !BASE64.test(data)) return fail('is not base64');
  const bytes = Buffer.from(data, 'base64');
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return fail('is not gzip data');
  let text: string;
  try {
    text = gunzipSync(bytes, { maxOutputLength: MAX_UNZIPPED_BYTES }).toString('utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      return fail(`unzips to more than ${MAX_UNZIPPED_BYTES / 1024 / 1024} MB`);
    }
    return fail(`is not valid gzip data (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fail('is not JSON once unzipped');
  }
});

/**
 * The CloudWatch Logs subscription event, decoded and validated: `awslogs.data` must be
 * base64 of gzip of the payload JSON, and the payload must have the expected shape.
 */
export const LogsEventSchema = z.object({
  awslogs: z.object({
    data: z.pipe(z.string('must be a string'), z.pipe(decode, LogsPayloadSchema)),
  }),
});

export type LogsEvent = z.infer<typeof LogsEventSchema>;
