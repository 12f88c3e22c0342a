import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
} from '@aws-sdk/client-codepipeline';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Destination } from '@nightshift/delivery';
import { createObservability } from '@nightshift/middleware';
import type { TimeBudget } from '@nightshift/runtime';
import { SECRET_SAMPLES } from '@nightshift/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import actionFailed from '../events/action-failed.json' with { type: 'json' };
import pipelineFailed from '../events/pipeline-failed.json' with { type: 'json' };
import pipelineSucceeded from '../events/pipeline-succeeded.json' with { type: 'json' };
import { loadConfig } from '../src/config.ts';
import { PipelineEventSchema } from '../src/event.ts';
import { LOOKUP_DEADLINE_MS } from '../src/message.ts';
import { notifyNotice } from '../src/run.ts';
import { limitIssues } from './fixtures.ts';

const codepipelineMock = mockClient(CodePipelineClient);
const ssmMock = mockClient(SSMClient);
const plenty: TimeBudget = { remainingMs: () => 60_000, isExhausted: () => false };
/** An EventBridge event as the handler hands it over: one notice. */
const parse = (event: unknown) => ({ event: PipelineEventSchema.parse(event) });

const setup = (
  env: Record<string, string> = {
    SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/a',
    TEAMS_WEBHOOK_URL: 'https://prod-01.westeurope.logic.azure.com/workflows/b',
  },
) => {
  const posted: { destination: string; body: unknown }[] = [];
  const post = async (destination: Destination, body: unknown) => {
    expect(limitIssues(destination.kind, body)).toEqual([]);
    posted.push({ destination: destination.name, body });
  };
  return {
    deps: { codepipeline: new CodePipelineClient({}), ...createObservability('deploy-notifier') },
    config: loadConfig(env),
    post,
    posted,
  };
};

describe('Notifying a pipeline event', () => {
  beforeEach(() => {
    codepipelineMock.reset();
    ssmMock.reset();
    codepipelineMock.on(GetPipelineExecutionCommand).resolves({
      pipelineExecution: {
        artifactRevisions: [
          {
            name: 'Source',
            revisionId: '9f8e7d6c5b4a39281706',
            revisionSummary: 'Fix rounding in invoices\n\nlong body',
            revisionUrl: 'https://github.com/acme/payments/commit/9f8e7d6',
          },
        ],
      },
    });
    codepipelineMock.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: [
        { stageName: 'Source', actionName: 'Checkout', status: 'Succeeded' },
        {
          stageName: 'Build',
          actionName: 'UnitTests',
          status: 'Failed',
          output: {
            executionResult: {
              externalExecutionUrl: 'https://codebuild/log',
              externalExecutionSummary: 'Build failed',
              errorDetails: { code: 'JobFailed', message: '3 tests failed in InvoiceTest' },
            },
          },
        },
      ],
    });
  });

  it('posts a failure with its why to every default destination, each in its own format', async () => {
    // Prepare
    const { deps, config, post, posted } = setup();

    // Act
    const result = await notifyNotice(deps, config, parse(pipelineFailed), plenty, post);

    // Assess
    expect(result.notified).toEqual(['slack', 'teams']);
    expect(codepipelineMock).toHaveReceivedCommandWith(GetPipelineExecutionCommand, {
      pipelineName: 'payments-api',
      pipelineExecutionId: 'a1b2c3d4-5678-90ab-cdef-111122223333',
    });
    expect(codepipelineMock).toHaveReceivedCommandWith(ListActionExecutionsCommand, {
      pipelineName: 'payments-api',
      filter: { pipelineExecutionId: 'a1b2c3d4-5678-90ab-cdef-111122223333' },
    });
    const slack = JSON.stringify(posted.find((p) => p.destination === 'slack')?.body);
    expect(slack).toContain('*Failed:* Build / UnitTests');
    expect(slack).toContain('3 tests failed in InvoiceTest');
    expect(slack).toContain('9f8e7d6c5b4a Fix rounding in invoices');
    expect(slack).toContain('https://codebuild/log');
    const teams = posted.find((p) => p.destination === 'teams')?.body as {
      attachments: { contentType: string }[];
    };
    expect(teams.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
  });

  it('still sends the message when enrichment fails, and logs why', async () => {
    // Prepare
    codepipelineMock
      .on(GetPipelineExecutionCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    codepipelineMock
      .on(ListActionExecutionsCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const { deps, config, post, posted } = setup();
    const warn = vi.spyOn(deps.logger, 'warn');

    // Act
    await notifyNotice(deps, config, parse(pipelineFailed), plenty, post);

    // Assess
    expect(posted).toHaveLength(2);
    expect(JSON.stringify(posted[0]?.body)).not.toContain('Failed:');
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('does not notify states left out of the configuration', async () => {
    // Prepare
    const { deps, config, post, posted } = setup({
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/a',
      NOTIFY_PIPELINE_STATES: 'FAILED',
    });

    // Act
    const result = await notifyNotice(deps, config, parse(pipelineSucceeded), plenty, post);

    // Assess
    expect(result.skipped).toBe('pipeline state SUCCEEDED is not notified');
    expect(posted).toEqual([]);
    expect(codepipelineMock.calls()).toHaveLength(0);
  });

  it('notifies a failed action by default, and no stage state', async () => {
    // Prepare
    const { deps, config, post, posted } = setup();
    const stage = { ...actionFailed, 'detail-type': 'CodePipeline Stage Execution State Change' };

    // Act
    await notifyNotice(deps, config, parse(actionFailed), plenty, post);
    const stageResult = await notifyNotice(deps, config, parse(stage), plenty, post);

    // Assess
    expect(posted).toHaveLength(2);
    expect(stageResult.skipped).toBe('stage state FAILED is not notified');
  });

  it('fails the invocation when a destination fails, after trying the others', async () => {
    // Prepare
    const { deps, config, posted } = setup();
    const post = async (destination: Destination, body: unknown) => {
      if (destination.name === 'teams') throw new Error('teams: webhook answered 404 Not Found');
      expect(limitIssues(destination.kind, body)).toEqual([]);
      posted.push({ destination: destination.name, body });
    };

    // Act & Assess
    await expect(notifyNotice(deps, config, parse(pipelineFailed), plenty, post)).rejects.toThrow(
      'Delivery failed: teams: webhook answered 404 Not Found',
    );
    expect(posted.map((p) => p.destination)).toEqual(['slack']);
  });
});

describe('Optional look-ups', () => {
  beforeEach(() => {
    codepipelineMock.reset();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the message without them when CodePipeline does not answer within 3 s each', async () => {
    // Prepare: both calls hang; each should be cut off at its deadline.
    vi.useFakeTimers();
    const hang = () => new Promise<never>(() => undefined);
    codepipelineMock.on(GetPipelineExecutionCommand).callsFake(hang);
    codepipelineMock.on(ListActionExecutionsCommand).callsFake(hang);
    const { deps, config, post, posted } = setup();
    const warn = vi.spyOn(deps.logger, 'warn');

    // Act
    const sent = notifyNotice(deps, config, parse(pipelineFailed), plenty, post);
    await vi.advanceTimersByTimeAsync(LOOKUP_DEADLINE_MS - 1);
    const beforeFirstDeadline = codepipelineMock.calls().length;
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(LOOKUP_DEADLINE_MS);
    const result = await sent;

    // Assess
    expect(LOOKUP_DEADLINE_MS).toBe(3_000);
    expect(beforeFirstDeadline).toBe(1);
    expect(result.notified).toEqual(['slack', 'teams']);
    expect(posted).toHaveLength(2);
    expect(warn).toHaveBeenCalledTimes(2);
    const signals = codepipelineMock
      .calls()
      .map((call) => (call.args as unknown[])[1] as { abortSignal?: AbortSignal } | undefined)
      .map((options) => options?.abortSignal);
    expect(signals).toHaveLength(2);
    expect(signals.map((signal) => signal?.aborted)).toEqual([true, true]);
  });

  it('gives the look-ups no more than the time left', async () => {
    // Prepare: both calls hang, and the budget has 200 ms left.
    vi.useFakeTimers();
    const hang = () => new Promise<never>(() => undefined);
    codepipelineMock.on(GetPipelineExecutionCommand).callsFake(hang);
    codepipelineMock.on(ListActionExecutionsCommand).callsFake(hang);
    const { deps, config, post, posted } = setup();
    const short: TimeBudget = { remainingMs: () => 200, isExhausted: () => false };
    let result: Awaited<ReturnType<typeof notifyNotice>> | undefined;

    // Act: two deadlines of 200 ms pass, not of 3 s.
    const sent = notifyNotice(deps, config, parse(pipelineFailed), short, post).then((value) => {
      result = value;
    });
    await vi.advanceTimersByTimeAsync(400);

    // Assess
    expect(result?.notified).toEqual(['slack', 'teams']);
    expect(posted).toHaveLength(2);
    await sent;
  });

  it('goes through the pages of action executions to the failed action', async () => {
    // Prepare
    codepipelineMock.on(GetPipelineExecutionCommand).resolves({});
    codepipelineMock
      .on(ListActionExecutionsCommand)
      .resolvesOnce({
        actionExecutionDetails: [{ stageName: 'Source', actionName: 'Pull', status: 'Succeeded' }],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        actionExecutionDetails: [
          {
            stageName: 'Deploy',
            actionName: 'Stack',
            status: 'Failed',
            output: { executionResult: { errorDetails: { message: 'Stack rolled back' } } },
          },
        ],
      });
    const { deps, config, post, posted } = setup();

    // Act
    await notifyNotice(deps, config, parse(pipelineFailed), plenty, post);

    // Assess
    expect(codepipelineMock).toHaveReceivedNthCommandWith(ListActionExecutionsCommand, 2, {
      pipelineName: 'payments-api',
      filter: { pipelineExecutionId: 'a1b2c3d4-5678-90ab-cdef-111122223333' },
      nextToken: 'page-2',
    });
    expect(JSON.stringify(posted[0]?.body)).toContain('*Failed:* Deploy / Stack');
    expect(JSON.stringify(posted[0]?.body)).toContain('Stack rolled back');
  });

  it('keeps the Teams message under 28 KB and masks secrets when many actions failed with long errors', async () => {
    // Prepare: a thousand failed actions, each with a long error quoting a credential.
    const [sample] = SECRET_SAMPLES.filter((candidate) => candidate.kind === 'password');
    if (!sample) throw new Error('the secret samples have no password');
    const error = `${sample.text} ${'stack frame '.repeat(5_000)}`;
    codepipelineMock.on(GetPipelineExecutionCommand).resolves({});
    codepipelineMock.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: Array.from({ length: 1_000 }, (_, index) => ({
        stageName: 'Test',
        actionName: `Shard${index}`,
        status: 'Failed',
        output: {
          executionResult: {
            errorDetails: { message: error },
            externalExecutionUrl: 'https://eu-west-1.console.aws.amazon.com/codebuild/x',
          },
        },
      })),
    });
    const { deps, config, post, posted } = setup();

    // Act
    await notifyNotice(deps, config, parse(pipelineFailed), plenty, post);

    // Assess
    const teams = JSON.stringify(posted.find((p) => p.destination === 'teams')?.body);
    const slack = JSON.stringify(posted.find((p) => p.destination === 'slack')?.body);
    expect(Buffer.byteLength(teams)).toBeLessThan(28 * 1024);
    expect(teams).toContain('Failed: Test / Shard0');
    expect(teams).not.toContain(sample.secret);
    expect(slack).not.toContain(sample.secret);
    expect(teams).toContain('[REDACTED]');
  });
});

describe('Webhook URL from SSM', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads the SecureString once per container, and never logs it, even quoted in an error', async () => {
    // Prepare
    const secretUrl = [
      'https://hooks.slack.com',
      'services',
      'T1',
      'B1',
      'secret-token-value',
    ].join('/');
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: secretUrl } });
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG');
    const { webhookUrl } = await import('@nightshift/delivery');
    const deps = {
      codepipeline: new CodePipelineClient({}),
      ...createObservability('deploy-notifier'),
    };
    const config = loadConfig({ SLACK_WEBHOOK_PARAMETER: '/nightshift/slack-webhook' });
    const fetched: string[] = [];
    const post = async (destination: Destination) => {
      const url = (await webhookUrl(destination, config.allowedHosts)).href;
      fetched.push(url);
      throw new Error(`request to ${url} failed, reason: socket hang up`);
    };

    // Act
    await notifyNotice(deps, config, parse(pipelineFailed), plenty, post).catch(() => undefined);
    await notifyNotice(deps, config, parse(pipelineFailed), plenty, post).catch(() => undefined);

    // Assess: the failure is logged, with the URL masked.
    expect(fetched).toEqual([secretUrl, secretUrl]);
    expect(lines.join('')).toContain('request to https://hooks.slack.com/[REDACTED] failed');
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/nightshift/slack-webhook',
      WithDecryption: true,
    });
    expect(lines.join('')).not.toContain('secret-token-value');
    expect(lines.length).toBeGreaterThan(0);
  });
});
