import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import {
  ConfigError,
  createReport,
  PartialFailureError,
  type Report,
  resetClients,
  ValidationError,
} from '@nightshift/runtime';
import { createLambdaContext } from '@nightshift/testing';
import { mockClient } from 'aws-sdk-client-mock';
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

describe('The run history of a job', () => {
  const dynamodb = mockClient(DynamoDBClient);
  const ARN = 'arn:aws:lambda:eu-west-1:444455556666:function:nightshift-test-job:live';
  const context = () => ({
    ...createLambdaContext({ functionName: 'test-job' }),
    invokedFunctionArn: ARN,
  });
  let output: string[];

  beforeEach(() => {
    dynamodb.reset();
    dynamodb.on(PutItemCommand).resolves({});
    resetClients();
    output = [];
    // Warnings and errors go to stderr, the rest to stdout.
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk) => {
        output.push(String(chunk));
        return true;
      });
    }
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('HISTORY_TABLE', 'nightshift-history-staging');
    vi.stubEnv('HISTORY_RETENTION_DAYS', '');
    vi.stubEnv('NIGHTSHIFT_ENVIRONMENT', 'staging');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'WARN');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  /** A report of a run that stopped one instance, and failed another when `failed`. */
  const aReport = (failed = false) => {
    const report = createReport('test-job', { dryRun: false });
    report.done.push({
      id: 'i-1',
      action: 'stop',
      reason: 'stopped',
      details: { kind: 'instance' },
    });
    if (failed) report.failed.push({ id: 'i-2', action: 'stop', reason: 'UnauthorizedOperation' });
    report.finishedAt = new Date().toISOString();
    return report;
  };
  const handlerFor = (report: Report) =>
    jobHandler({
      service: 'test-job',
      loadConfig: () => ({}),
      eventSchema: EventSchema,
      clients: () => ({}),
      run: async () => report,
    });
  const written = () =>
    dynamodb.commandCalls(PutItemCommand).map(({ args: [command] }) => ({
      table: command.input.TableName,
      record: JSON.parse(command.input.Item?.record?.S ?? '{}'),
    }));
  const warnings = () => output.filter((line) => line.includes('Run history not written'));

  it("writes the run's record with the function's environment, account and Region", async () => {
    // Prepare
    const report = aReport();

    // Act
    const result = await handlerFor(report)({}, context());

    // Assess
    expect(result).toBe(report);
    expect(written()).toEqual([
      {
        table: 'nightshift-history-staging',
        record: expect.objectContaining({
          service: 'test-job',
          environment: 'staging',
          account: '444455556666',
          region: 'eu-west-1',
          counts: { planned: 0, done: 1, skipped: 0, failed: 0 },
          items: [
            {
              list: 'done',
              id: 'i-1',
              action: 'stop',
              reason: 'stopped',
              details: { kind: 'instance' },
            },
          ],
        }),
      },
    ]);
    expect(warnings()).toEqual([]);
  });

  it('writes the record of a failed run before the invocation fails', async () => {
    // Act
    const result = handlerFor(aReport(true))({}, context());

    // Assess
    await expect(result).rejects.toThrow(PartialFailureError);
    expect(written().map(({ record }) => record.counts.failed)).toEqual([1]);
    expect(written()[0]?.record.items.map(({ id }: { id: string }) => id)).toEqual(['i-1', 'i-2']);
  });

  it('logs a failed write and answers as without the history', async () => {
    // Prepare
    dynamodb.on(PutItemCommand).rejects(new Error('AccessDeniedException: not authorized'));
    const report = aReport();

    // Act
    const result = await handlerFor(report)({}, context());

    // Assess
    expect(result).toBe(report);
    expect(dynamodb.commandCalls(PutItemCommand)).toHaveLength(1);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain('AccessDeniedException');
  });

  it('fails a failed run for its failed item, not for a failed write', async () => {
    // Prepare
    dynamodb.on(PutItemCommand).rejects(new Error('ProvisionedThroughputExceededException'));

    // Act & Assess
    await expect(handlerFor(aReport(true))({}, context())).rejects.toThrow(PartialFailureError);
    expect(warnings()).toHaveLength(1);
  });

  it('writes nothing without HISTORY_TABLE', async () => {
    // Prepare
    vi.stubEnv('HISTORY_TABLE', '');

    // Act
    await handlerFor(aReport())({}, context());

    // Assess
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it('calls the environment unknown when NIGHTSHIFT_ENVIRONMENT is not set, and keeps records HISTORY_RETENTION_DAYS', async () => {
    // Prepare
    vi.stubEnv('NIGHTSHIFT_ENVIRONMENT', '');
    vi.stubEnv('HISTORY_RETENTION_DAYS', '7');
    const report = aReport();

    // Act
    await handlerFor(report)({}, context());

    // Assess
    expect(written()[0]?.record.environment).toBe('unknown');
    const expiresAt = dynamodb.commandCalls(PutItemCommand)[0]?.args[0].input.Item?.expiresAt?.N;
    expect(Number(expiresAt)).toBe(
      Math.floor(Date.parse(report.finishedAt ?? '') / 1000) + 7 * 86_400,
    );
  });

  it('refuses a bad HISTORY_RETENTION_DAYS at cold start, naming it', () => {
    // Prepare
    vi.stubEnv('HISTORY_RETENTION_DAYS', '0');

    // Act & Assess
    expect(() => handlerFor(aReport())).toThrow(ConfigError);
    expect(() => handlerFor(aReport())).toThrow(/HISTORY_RETENTION_DAYS/);
  });

  it('reads the history settings once, at cold start', async () => {
    // Prepare
    const handler = handlerFor(aReport());
    vi.stubEnv('HISTORY_TABLE', 'another-table');

    // Act
    await handler({}, context());

    // Assess
    expect(written().map(({ table }) => table)).toEqual(['nightshift-history-staging']);
  });
});
