import { gzipSync } from 'node:zlib';
import { seededRandom } from '@nightshift/testing';

/** A CloudWatch Logs subscription batch made for the throughput benchmark. */
export interface LogBatch {
  /** The event as the function receives it. */
  event: { awslogs: { data: string } };
  events: number;
  /** Size of the decompressed JSON payload. */
  jsonBytes: number;
  gzipBytes: number;
  /** Lines written to be error lines (critical ones included) and critical lines. */
  intendedErrors: number;
  intendedCritical: number;
}

const pick = <T>(random: () => number, list: readonly T[]): T =>
  list[Math.floor(random() * list.length)] as T;

const PATHS = ['/api/orders', '/api/orders/{id}', '/api/cart', '/api/users/{id}', '/health'];
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT'];

const infoLine = (random: () => number): string => {
  const id = Math.floor(random() * 1e6);
  const path = pick(random, PATHS).replace('{id}', String(id));
  const ms = Math.floor(random() * 900) + 3;
  switch (Math.floor(random() * 4)) {
    case 0:
      return `INFO ${pick(random, METHODS)} ${path} 200 ${ms}ms req=${id.toString(16)}`;
    case 1:
      return `DEBUG cache hit=${random() < 0.8} key=order:${id} ttl=${Math.floor(random() * 3600)}s`;
    case 2:
      return `WARN slow query ${ms * 10}ms on orders (customer ${id})`;
    default:
      return `INFO processed ${Math.floor(random() * 500)} messages from orders-events in ${ms}ms`;
  }
};

const ERROR_LINES = [
  'ERROR payment provider call timed out after 10000ms (order {id})',
  'ERROR failed to render invoice {id}: template missing field "total"',
  "TypeError: Cannot read properties of undefined (reading 'items') at handler (/var/task/index.mjs:1:{id})",
  'WARN retry 3/5 failed: connection reset by peer while calling inventory service for order {id}',
  'ERROR ValidationException: 1 validation error detected: value at "quantity" failed to satisfy constraint (order {id})',
];
const CRITICAL_LINES = [
  'FATAL: database connection failed: too many clients already (pool orders-db, order {id})',
  'java.lang.OutOfMemoryError: Java heap space while building report {id}',
  'ENOSPC: no space left on device, write /tmp/export-{id}.csv',
  'panic: runtime error: index out of range [{id}] with length 0',
];

/**
 * A deterministic batch of `count` log events (about 150 bytes each as JSON, so 10,000
 * make about 1.5 MB): about 10 % error lines, a tenth of them critical, the rest ordinary
 * request, cache and slow-query lines.
 *
 * @example
 * const batch = generateLogBatch({ count: 10_000, seed: 7 });
 */
export const generateLogBatch = ({
  count,
  seed,
  errorShare = 0.1,
  criticalShare = 0.01,
}: {
  count: number;
  seed: number;
  errorShare?: number;
  criticalShare?: number;
}): LogBatch => {
  const random = seededRandom(seed);
  const start = Date.parse('2026-11-28T04:00:00Z');
  let intendedErrors = 0;
  let intendedCritical = 0;
  const logEvents = Array.from({ length: count }, (_, index) => {
    const roll = random();
    const id = String(Math.floor(random() * 1e6));
    let message: string;
    if (roll < criticalShare) {
      message = pick(random, CRITICAL_LINES).replace('{id}', id);
      intendedCritical += 1;
      intendedErrors += 1;
    } else if (roll < errorShare) {
      message = pick(random, ERROR_LINES).replace('{id}', id);
      intendedErrors += 1;
    } else {
      message = infoLine(random);
    }
    const digits = Array.from({ length: 56 }, () => Math.floor(random() * 10)).join('');
    return { id: digits, timestamp: start + index * 25, message };
  });
  const json = JSON.stringify({
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/aws/lambda/orders-api',
    logStream: '2026/11/28/[$LATEST]0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    subscriptionFilters: ['nightshift-errors'],
    logEvents,
  });
  const gzip = gzipSync(json);
  return {
    event: { awslogs: { data: gzip.toString('base64') } },
    events: count,
    jsonBytes: Buffer.byteLength(json),
    gzipBytes: gzip.length,
    intendedErrors,
    intendedCritical,
  };
};
