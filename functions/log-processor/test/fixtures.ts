import { gzipSync } from 'node:zlib';
import type { LogsEvent, LogsPayload } from '../src/event.ts';

/** A subscription payload with one log event per line, one second apart. */
export const payloadOf = (lines: string[], overrides: Partial<LogsPayload> = {}): LogsPayload => ({
  messageType: 'DATA_MESSAGE',
  owner: '123456789012',
  logGroup: '/aws/lambda/orders-api',
  logStream: '2026/11/28/[$LATEST]abcdef',
  subscriptionFilters: ['nightshift-errors'],
  logEvents: lines.map((message, index) => ({
    id: String(index),
    timestamp: Date.UTC(2026, 10, 28, 3, 0, index),
    message,
  })),
  ...overrides,
});

/** The Lambda event CloudWatch Logs sends for a payload. */
export const eventOf = (payload: unknown) => ({
  awslogs: { data: gzipSync(Buffer.from(JSON.stringify(payload))).toString('base64') },
});

/** The event as the handler hands it to `run`: its data decoded. */
export const logsEvent = (payload: LogsPayload): LogsEvent => ({ awslogs: { data: payload } });
