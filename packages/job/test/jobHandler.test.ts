import { SNSClient } from '@aws-sdk/client-sns';
import { createReport, PartialFailureError, ValidationError } from '@nightshift/runtime';
import { createLambdaContext } from '@nightshift/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { jobHandler } from '../src/jobHandler.ts';

const EventSchema = z.object({ dryRun: z.optional(z.boolean()) });

describe('Wire a job into a Lambda handler', () => {
  beforeEach(() => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('reads the settings once, validates the event and runs with clients, observability and a time budget', async () => {
    // Prepare
    const loadConfig = vi.fn(() => ({ dryRun: false }));
    const run = vi.fn(
      async (
        deps: { sns: SNSClient },
        config: { dryRun: boolean },
        event: { dryRun?: boolean | undefined },
        budget: { remainingMs: () => number },
      ) => {
        expect(deps.sns).toBeInstanceOf(SNSClient);
        expect(config).toEqual({ dryRun: false });
        expect(event).toEqual({ dryRun: true });
        expect(budget.remainingMs()).toBeGreaterThan(0);
        return createReport('test-job', { dryRun: true });
      },
    );
    const handler = jobHandler({
      service: 'test-job',
      loadConfig,
      eventSchema: EventSchema,
      clients: () => ({ sns: new SNSClient({}) }),
      run,
    });
    const context = createLambdaContext({ functionName: 'test-job', timeoutMs: 60_000 });

    // Act
    const first = await handler({ dryRun: true }, context);
    await handler({ dryRun: true }, context);

    // Assess
    expect(first.service).toBe('test-job');
    expect(run).toHaveBeenCalledTimes(2);
    expect(loadConfig).toHaveBeenCalledOnce();
    await expect(handler({ dryRun: 'yes' }, context)).rejects.toThrow(ValidationError);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('makes the event schema from the settings when given a function', async () => {
    // Prepare
    const handler = jobHandler({
      service: 'test-job',
      loadConfig: () => ({ allowed: ['staging'] }),
      eventSchema: (config: { allowed: string[] }) =>
        z.object({ environment: z.enum(config.allowed) }),
      clients: () => ({}),
      run: async () => createReport('test-job', { dryRun: false }),
    });
    const context = createLambdaContext({ functionName: 'test-job' });

    // Act & Assess
    await expect(handler({ environment: 'staging' }, context)).resolves.toMatchObject({
      service: 'test-job',
    });
    await expect(handler({ environment: 'production' }, context)).rejects.toThrow(/environment/);
  });

  it('fails the invocation after the run when anything failed', async () => {
    // Prepare
    const report = createReport('test-job', { dryRun: false });
    report.failed.push({ id: 'i-1', action: 'stop', reason: 'UnauthorizedOperation' });
    const handler = jobHandler({
      service: 'test-job',
      loadConfig: () => ({}),
      eventSchema: EventSchema,
      clients: () => ({}),
      run: async () => report,
    });

    // Act & Assess
    await expect(handler({}, createLambdaContext({ functionName: 'test-job' }))).rejects.toThrow(
      PartialFailureError,
    );
  });
});
