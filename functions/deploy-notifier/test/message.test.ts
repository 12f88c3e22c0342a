import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
} from '@aws-sdk/client-codepipeline';
import { createObservability } from '@nightshift/middleware';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import actionFailed from '../events/action-failed.json' with { type: 'json' };
import pipelineFailed from '../events/pipeline-failed.json' with { type: 'json' };
import { type AdditionalAttributes, PipelineEventSchema } from '../src/event.ts';
import { enrichMessage, messageFromEvent } from '../src/message.ts';

const codepipelineMock = mockClient(CodePipelineClient);
const { logger } = createObservability('test');
const failedPipeline = PipelineEventSchema.parse(pipelineFailed);
const stageStarted = PipelineEventSchema.parse({
  ...pipelineFailed,
  'detail-type': 'CodePipeline Stage Execution State Change',
  detail: { pipeline: 'payments-api', 'execution-id': 'e-1', stage: 'Deploy', state: 'STARTED' },
});

describe('The message of a notification', () => {
  it('takes an event time with a UTC offset', () => {
    // Act
    const event = PipelineEventSchema.parse({
      ...pipelineFailed,
      time: '2026-11-28T03:14:07+01:00',
    });

    // Assess
    expect(messageFromEvent(event).time).toBe('2026-11-28T03:14:07+01:00');
  });

  it('names one failed action exactly, with no list of others', () => {
    // Act
    const message = messageFromEvent(failedPipeline, {
      failedStage: 'TEST',
      failedActions: [
        { action: 'Unit', additionalInformation: 'Build terminated with state: FAILED' },
        { action: 'Unit', additionalInformation: 'Build terminated with state: FAILED' },
      ],
    });

    // Assess
    expect(message.failure).toEqual({
      stage: 'TEST',
      action: 'Unit',
      message: 'Build terminated with state: FAILED',
    });
  });

  it('shows no failure for a state other than FAILED, whatever the event or rule carries', () => {
    // Prepare
    const action = PipelineEventSchema.parse(actionFailed);
    const rule = { failedStage: 'TEST', failedActions: [{ action: 'Unit' }] };

    // Act
    const succeededAction = messageFromEvent(
      { ...action, detail: { ...action.detail, state: 'SUCCEEDED' } },
      { additionalInformation: 'done' },
    );
    const stoppedPipeline = messageFromEvent(
      { ...failedPipeline, detail: { ...failedPipeline.detail, state: 'STOPPED' } },
      rule,
    );

    // Assess
    expect(succeededAction.failure).toBeUndefined();
    expect(stoppedPipeline.failure).toBeUndefined();
  });

  it('takes the stage of a stage notification when the rule names no failed stage', () => {
    // Act
    const message = messageFromEvent(
      { ...stageStarted, detail: { ...stageStarted.detail, state: 'FAILED' } },
      { failedActions: [{ action: 'Stack' }] },
    );

    // Assess
    expect(message.failure).toEqual({ stage: 'Deploy', action: 'Stack' });
  });

  it.each<[string, AdditionalAttributes, unknown]>([
    [
      'the first source action with a commit',
      {
        sourceActions: [
          { sourceActionName: 'Artifacts' },
          {
            sourceActionName: 'Source',
            sourceActionVariables: {
              CommitId: 'abc123',
              RepositoryName: 'api',
              BranchName: 'main',
            },
          },
        ],
      },
      { revision: 'abc123', summary: 'api, branch main' },
    ],
    [
      'a commit with its branch only',
      { sourceActions: [{ sourceActionVariables: { CommitId: 'abc123', BranchName: 'main' } }] },
      { revision: 'abc123', summary: 'branch main' },
    ],
    [
      'a commit alone',
      { sourceActions: [{ sourceActionVariables: { CommitId: 'abc123' } }] },
      { revision: 'abc123' },
    ],
    ['no commit (a CodeStar connection source)', { sourceActions: [] }, undefined],
  ])('reads the source revision from %s', (_, additional, source) => {
    // Act
    const message = messageFromEvent(stageStarted, additional);

    // Assess
    expect(message.source).toEqual(source);
  });
});

describe('Enriching a message', () => {
  beforeEach(() => {
    codepipelineMock.reset();
  });
  const codepipeline = () => new CodePipelineClient({});

  it("takes the trigger from CodePipeline when the event has none, and keeps the event's own", async () => {
    // Prepare
    codepipelineMock.on(GetPipelineExecutionCommand).resolves({
      pipelineExecution: {
        artifactRevisions: [{ revisionId: 'abc123' }],
        trigger: { triggerType: 'StartPipelineExecution', triggerDetail: 'a person' },
      },
    });
    codepipelineMock.on(ListActionExecutionsCommand).resolves({});
    const base = messageFromEvent(failedPipeline);
    const { trigger: _, ...withoutTrigger } = base;

    // Act
    const fromLookUp = await enrichMessage(codepipeline(), logger, withoutTrigger);
    const kept = await enrichMessage(codepipeline(), logger, base);

    // Assess
    expect(fromLookUp.trigger).toBe('StartPipelineExecution: a person');
    expect(fromLookUp.source).toEqual({ revision: 'abc123' });
    expect(kept.trigger).toBe(base.trigger);
  });

  it('keeps what the notification said when CodePipeline finds the action but says nothing of it', async () => {
    // Prepare
    codepipelineMock.on(GetPipelineExecutionCommand).resolves({});
    codepipelineMock.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: [{ stageName: 'TEST', actionName: 'Unit', status: 'Failed' }],
    });
    const message = messageFromEvent(PipelineEventSchema.parse(actionFailed), {
      additionalInformation: 'ignored: the event has a summary',
    });

    // Act
    const enriched = await enrichMessage(codepipeline(), logger, {
      ...message,
      failure: {
        stage: 'TEST',
        action: 'Unit',
        message: 'Build terminated with state: FAILED',
        url: 'https://eu-west-1.console.aws.amazon.com/codebuild/unit',
        others: [{ action: 'Lint' }],
      },
    });

    // Assess
    expect(enriched.failure).toEqual({
      stage: 'TEST',
      action: 'Unit',
      message: 'Build terminated with state: FAILED',
      url: 'https://eu-west-1.console.aws.amazon.com/codebuild/unit',
      others: [{ action: 'Lint' }],
    });
  });

  it("takes the external summary when CodePipeline has no error details, and CodePipeline's link", async () => {
    // Prepare
    codepipelineMock.on(GetPipelineExecutionCommand).resolves({});
    codepipelineMock.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: [
        {
          stageName: 'Build',
          actionName: 'UnitTests',
          status: 'Failed',
          output: {
            executionResult: {
              externalExecutionSummary: '12 tests failed',
              externalExecutionUrl: 'https://eu-west-1.console.aws.amazon.com/codebuild/42',
            },
          },
        },
      ],
    });

    // Act
    const enriched = await enrichMessage(
      codepipeline(),
      logger,
      messageFromEvent(PipelineEventSchema.parse(actionFailed)),
    );

    // Assess
    expect(enriched.failure).toEqual({
      stage: 'Build',
      action: 'UnitTests',
      message: '12 tests failed',
      url: 'https://eu-west-1.console.aws.amazon.com/codebuild/42',
    });
  });
});
