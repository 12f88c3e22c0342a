import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * A Lambda context like the one Lambda passes: its remaining time counts down from
 * `timeoutMs` in real time.
 *
 * @example
 * const context = createLambdaContext({ functionName: 'snapshot-cleanup', timeoutMs: 60_000 });
 */
export const createLambdaContext = ({
  functionName = 'nightshift-test',
  timeoutMs = 900_000,
  requestId = randomUUID(),
  memoryLimitInMB = 128,
}: {
  functionName?: string;
  timeoutMs?: number;
  requestId?: string;
  memoryLimitInMB?: number;
} = {}): Context => {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: String(memoryLimitInMB),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/01/01/[$LATEST]${requestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
