import { describe, expect, it } from 'vitest';
import { createLambdaContext } from '../src/lambdaContext.ts';

describe('A fake Lambda context', () => {
  it('names the function, its log group, its request and its ARN in the region given', () => {
    // Act
    const context = createLambdaContext({
      functionName: 'snapshot-cleanup',
      requestId: 'a-b-c',
      memoryLimitInMB: 256,
      region: 'eu-west-1',
    });

    // Assess
    expect(context).toMatchObject({
      functionName: 'snapshot-cleanup',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:snapshot-cleanup',
      memoryLimitInMB: '256',
      awsRequestId: 'a-b-c',
      logGroupName: '/aws/lambda/snapshot-cleanup',
      logStreamName: '2026/01/01/[$LATEST]abc',
    });
  });

  it('defaults to us-east-1, 128 MB and a fresh request id', () => {
    // Act
    const [first, second] = [createLambdaContext(), createLambdaContext()];

    // Assess
    expect(first.invokedFunctionArn).toBe(
      'arn:aws:lambda:us-east-1:123456789012:function:nightshift-test',
    );
    expect(first.memoryLimitInMB).toBe('128');
    expect(first.awsRequestId).not.toBe(second.awsRequestId);
  });

  it('counts its remaining time down from the timeout, never below zero', async () => {
    // Prepare
    const context = createLambdaContext({ timeoutMs: 50 });

    // Act
    const atStart = context.getRemainingTimeInMillis();
    await new Promise((done) => setTimeout(done, 80));

    // Assess
    expect(atStart).toBeGreaterThan(0);
    expect(atStart).toBeLessThanOrEqual(50);
    expect(context.getRemainingTimeInMillis()).toBe(0);
  });
});
