import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PartialFailureError, ValidationError } from '@nightshift/runtime';
import { createLambdaContext } from '@nightshift/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { createObservability } from '../src/observability.ts';
import { withNightshift } from '../src/withNightshift.ts';

const EventSchema = z.object({
  id: z.optional(z.string()),
  retentionDays: z._default(z.number().check(z.minimum(1)), 30),
  dryRun: z.optional(z.boolean()),
});

/** Every JSON line the function wrote to stdout or stderr. */
const captureOutput = () => {
  const lines: Record<string, unknown>[] = [];
  const collect = (chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n')) {
      if (line.trim().startsWith('{')) lines.push(JSON.parse(line));
    }
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(collect);
  vi.spyOn(process.stderr, 'write').mockImplementation(collect);
  return lines;
};

const isEmf = (line: Record<string, unknown>) => '_aws' in line;

describe('Wrap a handler with the Nightshift stack', () => {
  let lines: Record<string, unknown>[];

  beforeEach(() => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand'); // as Lambda sets it
    lines = captureOutput();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('rejects an invalid event with a ValidationError naming the field, without calling the handler', async () => {
    // Prepare
    const inner = vi.fn(async () => 'ran');
    const handler = withNightshift(
      { ...createObservability('test-fn'), eventSchema: EventSchema },
      inner,
    );
    const context = createLambdaContext({ functionName: 'test-fn' });

    // Act
    const invocation = handler({ retentionDays: 0, dryRun: 'yes' }, context);

    // Assess
    await expect(invocation).rejects.toThrow(ValidationError);
    await expect(handler({ retentionDays: 0 }, context)).rejects.toThrow(/retentionDays: /);
    expect(inner).not.toHaveBeenCalled();
    const errors = lines.filter((line) => line.level === 'ERROR');
    expect(errors).toHaveLength(2); // one per failed invocation, no more
    expect(errors[0]).toMatchObject({
      service: 'test-fn',
      function_request_id: context.awsRequestId,
      errorName: 'ValidationError',
      issues: [
        { path: 'retentionDays', message: expect.any(String) },
        { path: 'dryRun', message: expect.any(String) },
      ],
    });
  });

  it('passes the parsed event on and logs structured JSON with the request and correlation ids', async () => {
    // Prepare
    const { logger, metrics } = createObservability('test-fn');
    const handler = withNightshift({ logger, metrics, eventSchema: EventSchema }, async (event) => {
      logger.info('working', { retentionDays: event.retentionDays });
      metrics.addMetric('SnapshotsDeleted', MetricUnit.Count, 2);
      return { retentionDays: event.retentionDays };
    });
    const context = createLambdaContext({ functionName: 'test-fn' });

    // Act
    const result = await handler({ id: 'evt-42' }, context);

    // Assess
    expect(result).toEqual({ retentionDays: 30 });
    const info = lines.find((line) => line.message === 'working');
    expect(info).toMatchObject({
      level: 'INFO',
      service: 'test-fn',
      function_request_id: context.awsRequestId,
      function_name: 'test-fn',
      correlation_id: 'evt-42',
      cold_start: true,
      retentionDays: 30,
    });
    expect(info?.timestamp).toEqual(expect.any(String));
  });

  it('writes EMF metrics in the Nightshift namespace with a cold-start metric, on the first invocation only', async () => {
    // Prepare
    const { logger, metrics } = createObservability('test-fn');
    const handler = withNightshift({ logger, metrics, eventSchema: EventSchema }, async () => {
      metrics.addMetric('SnapshotsDeleted', MetricUnit.Count, 2);
    });

    // Act
    await handler({}, createLambdaContext({ functionName: 'test-fn' }));
    await handler({}, createLambdaContext({ functionName: 'test-fn' }));

    // Assess
    const emf = lines.filter(isEmf);
    const metricNames = (line: Record<string, unknown>) =>
      (
        line._aws as { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] }
      ).CloudWatchMetrics.flatMap((group) =>
        group.Metrics.map((metric) => `${group.Namespace}/${metric.Name}`),
      );
    expect(emf.flatMap(metricNames).sort()).toEqual([
      'Nightshift/ColdStart',
      'Nightshift/SnapshotsDeleted',
      'Nightshift/SnapshotsDeleted',
    ]);
    expect(emf.find((line) => 'SnapshotsDeleted' in line)).toMatchObject({
      service: 'test-fn',
      SnapshotsDeleted: 2,
    });
  });

  it('logs a failed invocation once, with its context, and rethrows the same error', async () => {
    // Prepare
    const failure = new Error('AccessDenied');
    const handler = withNightshift(
      { ...createObservability('test-fn'), eventSchema: EventSchema },
      async () => {
        throw failure;
      },
    );
    const context = createLambdaContext({ functionName: 'test-fn' });

    // Act & Assess
    await expect(handler({ id: 'evt-1' }, context)).rejects.toBe(failure);
    const errors = lines.filter((line) => line.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      message: 'Invocation failed',
      function_request_id: context.awsRequestId,
      correlation_id: 'evt-1',
      error: { name: 'Error', message: 'AccessDenied' },
    });
  });

  it('logs the failed items of a partial failure', async () => {
    // Prepare
    const handler = withNightshift(
      { ...createObservability('test-fn'), eventSchema: EventSchema },
      async () => {
        throw new PartialFailureError('test-fn', [
          { id: 'snap-1', action: 'delete', reason: 'InUse' },
        ]);
      },
    );

    // Act & Assess
    await expect(handler({}, createLambdaContext())).rejects.toThrow(PartialFailureError);
    expect(lines.filter((line) => line.level === 'ERROR')).toEqual([
      expect.objectContaining({
        errorName: 'PartialFailureError',
        failed: [{ id: 'snap-1', action: 'delete', reason: 'InUse' }],
      }),
    ]);
  });

  it('does not carry a correlation id over to the next invocation', async () => {
    // Prepare
    const { logger, metrics } = createObservability('test-fn');
    const handler = withNightshift({ logger, metrics, eventSchema: EventSchema }, async () => {
      logger.info('tick');
    });

    // Act
    await handler({ id: 'evt-1' }, createLambdaContext());
    await handler({}, createLambdaContext());

    // Assess
    const ticks = lines.filter((line) => line.message === 'tick');
    expect(ticks.map((line) => line.correlation_id)).toEqual(['evt-1', undefined]);
  });

  it('masks a credential quoted in a failed invocation’s error, which Lambda hands on unredacted', async () => {
    // Prepare
    const url = ['https://hooks.slack.com', 'services', 'T1', 'B1', 'token-value'].join('/');
    const handler = withNightshift(
      { ...createObservability('test-fn'), eventSchema: EventSchema },
      async () => {
        throw new Error(`request to ${url} failed`);
      },
    );

    // Act
    const error: Error = await handler({}, createLambdaContext()).catch((e) => e);

    // Assess
    expect(error.message).toBe('request to https://hooks.slack.com/[REDACTED] failed');
    expect(error.stack).not.toContain('token-value');
    expect(JSON.stringify(lines)).not.toContain('token-value');
  });

  it('redacts secrets in log lines', async () => {
    // Prepare
    const { logger, metrics } = createObservability('test-fn');
    const handler = withNightshift({ logger, metrics, eventSchema: EventSchema }, async () => {
      logger.info('config', { slackWebhookUrl: 'https://hooks.slack.com/services/A/B/C' });
    });

    // Act
    await handler({}, createLambdaContext());

    // Assess
    expect(lines.find((line) => line.message === 'config')?.slackWebhookUrl).toBe('[REDACTED]');
  });
});
