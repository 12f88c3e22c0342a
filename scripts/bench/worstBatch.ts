import { gzipSync } from 'node:zlib';
import { type BundleInvocation, invokeBundle } from '@nightshift/testing';
import type { LogBatch } from './logBatch.ts';
import { startInstantSns } from './snsEndpoint.ts';
import { median } from './stats.ts';

/** The kinds of the largest batch log-processor accepts, each as small events as they come. */
export const WORST_BATCH_KINDS = {
  /** The smallest events the schema takes: an empty id and message, time 0. */
  'empty events': { id: () => '', timestamp: () => 0, message: '' },
  /** Each event a critical line: every one is kept for the alert. */
  'critical events': { id: () => '', timestamp: () => 0, message: 'FATAL' },
  /** As CloudWatch Logs writes them: 56-digit ids, real times, a short error line. */
  'CloudWatch-like events': {
    id: (index: number) => String(index).padStart(56, '3'),
    timestamp: (index: number) => Date.UTC(2026, 10, 28, 4) + index,
    message: 'ERROR x',
  },
} as const;

export type WorstBatchKind = keyof typeof WORST_BATCH_KINDS;

/**
 * A subscription batch whose JSON is exactly `bytes` long (the largest the function takes),
 * made of as many events of `kind` as fit; the last event's message is padded with spaces
 * to the byte.
 *
 * @example
 * const batch = generateWorstBatch({ bytes: MAX_UNZIPPED_BYTES, kind: 'empty events' });
 */
export const generateWorstBatch = ({
  bytes,
  kind,
}: {
  bytes: number;
  kind: WorstBatchKind;
}): LogBatch & { kind: WorstBatchKind } => {
  const shape = WORST_BATCH_KINDS[kind];
  const envelope = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/aws/lambda/orders-api',
    logStream: '2026/11/28/[$LATEST]0f1e2d3c4b5a69788796a5b4c3d2e1f0',
    subscriptionFilters: ['nightshift-errors'],
  };
  const eventJson = (index: number, message: string = shape.message) =>
    JSON.stringify({ id: shape.id(index), timestamp: shape.timestamp(index), message });
  const empty = JSON.stringify({ ...envelope, logEvents: [] });
  // Each event adds its JSON and a comma (the first none); the last one is padded after.
  const parts: string[] = [];
  let size = empty.length;
  for (let index = 0; ; index += 1) {
    const next = eventJson(index).length + (index === 0 ? 0 : 1);
    // Room for at least one more character of padding in the last message.
    if (size + next > bytes - 1) break;
    parts.push(eventJson(index));
    size += next;
  }
  const last = parts.length - 1;
  parts[last] = eventJson(last, shape.message + ' '.repeat(bytes - size));
  const json = `${empty.slice(0, -2)}${parts.join(',')}]}`;
  if (Buffer.byteLength(json) !== bytes) {
    throw new Error(`the worst batch is ${Buffer.byteLength(json)} bytes, not ${bytes}`);
  }
  const critical = shape.message.startsWith('FATAL') ? parts.length : 0;
  const errors = critical > 0 || shape.message.startsWith('ERROR') ? parts.length : 0;
  const gzip = gzipSync(json);
  return {
    kind,
    event: { awslogs: { data: gzip.toString('base64') } },
    events: parts.length,
    jsonBytes: bytes,
    gzipBytes: gzip.length,
    intendedErrors: errors,
    intendedCritical: critical,
  };
};

/** The largest allowed batch of one kind, invoked in fresh processes: medians. */
export interface WorstBatchRun {
  kind: WorstBatchKind;
  events: number;
  jsonBytes: number;
  gzipBytes: number;
  maxRssMb: number;
  handlerMs: number;
  /** What the handler reported (the last run). */
  processedEvents: number;
  criticalCount: number;
  errors: string[];
}

/**
 * Invokes the built log-processor once per kind and round, each time in a fresh process
 * (as a cold Lambda), with a batch that unzips to exactly `bytes`, its alert answered by a
 * loopback SNS; the median peak RSS and handler time of each kind.
 *
 * @example
 * const runs = await measureWorstBatches({ bundle, bytes: MAX_UNZIPPED_BYTES, rounds: 3 });
 */
export const measureWorstBatches = async ({
  bundle,
  bytes,
  rounds,
}: {
  bundle: string;
  bytes: number;
  rounds: number;
}): Promise<WorstBatchRun[]> => {
  const sns = await startInstantSns();
  const env = {
    ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:nightshift-alerts',
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
  try {
    const batches = (Object.keys(WORST_BATCH_KINDS) as WorstBatchKind[]).map((kind) =>
      generateWorstBatch({ bytes, kind }),
    );
    const samples = new Map<WorstBatchKind, BundleInvocation<Summary>[]>();
    for (let round = 0; round < rounds; round += 1) {
      for (const batch of batches) {
        const invocation = await invokeBundle<Summary>(bundle, batch.event, {
          env,
          functionName: 'log-processor',
          sourceMaps: false,
        });
        samples.set(batch.kind, [...(samples.get(batch.kind) ?? []), invocation]);
      }
    }
    return batches.map((batch) => {
      const runs = samples.get(batch.kind) ?? [];
      const last = runs.at(-1)?.result;
      return {
        kind: batch.kind,
        events: batch.events,
        jsonBytes: batch.jsonBytes,
        gzipBytes: batch.gzipBytes,
        maxRssMb: median(runs.map((run) => run.maxRssMb ?? Number.NaN)),
        handlerMs: median(runs.map((run) => run.handlerMs ?? Number.NaN)),
        processedEvents: last?.processedEvents ?? 0,
        criticalCount: last?.criticalCount ?? 0,
        errors: runs.flatMap((run) => {
          if (run.error) return [`${run.error.name}: ${run.error.message}`];
          if (run.result?.processedEvents !== batch.events) {
            return [`processed ${run.result?.processedEvents} of ${batch.events} events`];
          }
          if (run.result.criticalCount !== batch.intendedCritical) {
            return [`${run.result.criticalCount} critical lines, not ${batch.intendedCritical}`];
          }
          return [];
        }),
      };
    });
  } finally {
    await sns.stop();
  }
};

interface Summary {
  processedEvents?: number;
  criticalCount?: number;
}
