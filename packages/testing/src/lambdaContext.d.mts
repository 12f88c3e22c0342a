import type { Context } from 'aws-lambda';

/**
 * A Lambda context like the one Lambda passes: its remaining time counts down from
 * `timeoutMs` in real time; its ARN names `region`.
 *
 * @example
 * const context = createLambdaContext({ functionName: 'snapshot-cleanup', timeoutMs: 60_000 });
 */
export declare const createLambdaContext: (options?: {
  functionName?: string;
  timeoutMs?: number;
  requestId?: string;
  memoryLimitInMB?: number;
  region?: string;
}) => Context;
