import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  type GetPipelineExecutionCommandOutput,
  ListActionExecutionsCommand,
  type ListActionExecutionsCommandOutput,
} from '@aws-sdk/client-codepipeline';
import { type Destination, TEAMS_MAX_BYTES } from '@nightshift/delivery';
import { createObservability } from '@nightshift/middleware';
import { parseOrThrow, type TimeBudget } from '@nightshift/runtime';
import { eventBridgeTwin, notificationOf } from '@nightshift/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import pipelineFailed from '../events/pipeline-failed.json' with { type: 'json' };
import snsActionFailed from '../events/sns-action-failed.json' with { type: 'json' };
import snsApprovalNeeded from '../events/sns-approval-needed.json' with { type: 'json' };
import snsPipelineFailed from '../events/sns-pipeline-failed.json' with { type: 'json' };
import snsPipelineSucceeded from '../events/sns-pipeline-succeeded.json' with { type: 'json' };
import snsStageFailed from '../events/sns-stage-failed.json' with { type: 'json' };
import { loadConfig } from '../src/config.ts';
import { EventSchema } from '../src/event.ts';
import { MAX_OTHERS_SHOWN } from '../src/render.ts';
import { type NotifyResult, run, type SnsNotifyResult } from '../src/run.ts';
import { limitIssues } from './fixtures.ts';

const codepipelineMock = mockClient(CodePipelineClient);
const plenty: TimeBudget = { remainingMs: () => 60_000, isExhausted: () => false };

type SnsEvent = typeof snsPipelineFailed;
type Notification = Record<string, unknown> & {
  detailType: string;
  detail: Record<string, unknown>;
  additionalAttributes?: Record<string, unknown>;
};

/** The notification an SNS event's first record carries. */
const messageOf = (event: SnsEvent): Notification => notificationOf(event) as Notification;

/** The SNS event with its first record's message replaced. */
const withMessage = (event: SnsEvent, message: unknown): SnsEvent => {
  const copy = structuredClone(event);
  const [record] = copy.Records;
  if (record) record.Sns.Message = typeof message === 'string' ? message : JSON.stringify(message);
  return copy;
};

const DEFAULT_ENV = {
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/a',
  TEAMS_WEBHOOK_URL: 'https://prod-01.westeurope.logic.azure.com/workflows/b',
};

/** Runs one raw event through the handler's schema and notifier; collects what was posted. */
const notified = async (raw: unknown, env: Record<string, string> = {}) => {
  const posts: Record<string, unknown> = {};
  const order: string[] = [];
  const post = async (destination: Destination, body: unknown) => {
    expect(limitIssues(destination.kind, body)).toEqual([]);
    order.push(destination.name);
    posts[`${destination.name}#${order.filter((name) => name === destination.name).length}`] = body;
  };
  const deps = { codepipeline: new CodePipelineClient({}), ...createObservability('test') };
  const config = loadConfig({ ...DEFAULT_ENV, ...env });
  const result = await run(deps, config, parseOrThrow(EventSchema, raw, 'event'), plenty, post);
  return { result, slack: posts['slack#1'], teams: posts['teams#1'], posts, order };
};

/** A notification and its EventBridge twin, each through the notifier, with the same look-up answers. */
const both = async (event: SnsEvent, env: Record<string, string> = {}) => {
  codepipelineMock.resetHistory();
  const sns = await notified(event, env);
  const snsCalls = codepipelineMock.calls().map((call) => call.args[0].input);
  codepipelineMock.resetHistory();
  const twin = await notified(eventBridgeTwin(messageOf(event)), env);
  const twinCalls = codepipelineMock.calls().map((call) => call.args[0].input);
  return { sns, twin, snsCalls, twinCalls };
};

type SlackBody = { text: string; attachments: { color: string; blocks: SlackBlock[] }[] };
type SlackBlock = { type: string; text?: { text: string }; elements?: { url?: string }[] };
type TeamsBody = {
  attachments: { content: { body: { text?: string }[]; actions: { url: string }[] } }[];
};
const slackBlocks = (body: unknown) => (body as SlackBody).attachments[0]?.blocks ?? [];
const teamsBlocks = (body: unknown) => (body as TeamsBody).attachments[0]?.content.body ?? [];

const answer = {
  execution: (revision?: {
    revisionId: string;
    revisionSummary?: string;
    revisionUrl?: string;
  }): GetPipelineExecutionCommandOutput => ({
    $metadata: {},
    pipelineExecution: {
      status: 'Failed',
      ...(revision ? { artifactRevisions: [{ name: 'Source', ...revision }] } : {}),
      trigger: { triggerType: 'StartPipelineExecution', triggerDetail: 'a person' },
    },
  }),
  failedActions: (
    ...actions: { stage: string; action: string; message: string; url: string }[]
  ): ListActionExecutionsCommandOutput => ({
    $metadata: {},
    actionExecutionDetails: [
      { stageName: 'Source', actionName: 'Source', status: 'Succeeded' },
      ...actions.map(({ stage, action, message, url }) => ({
        stageName: stage,
        actionName: action,
        status: 'Failed' as const,
        output: {
          executionResult: {
            externalExecutionSummary: message,
            externalExecutionUrl: url,
            errorDetails: { code: 'JobFailed', message },
          },
        },
      })),
    ],
  }),
};

const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
const COMMIT = {
  revisionId: '0f3c2a1b9e8d7c6b5a49382716050f1e2d3c4b5a',
  revisionSummary: 'Add the Airbyte connection tests',
  revisionUrl: 'https://github.com/acme/workflows/commit/0f3c2a1b',
};

describe('An SNS-wrapped notification gives the messages of its EventBridge twin', () => {
  beforeEach(() => {
    codepipelineMock.reset();
    codepipelineMock.on(GetPipelineExecutionCommand).resolves(answer.execution(COMMIT));
  });

  it('a succeeded pipeline (additionalAttributes {})', async () => {
    // Act
    const { sns, twin, snsCalls, twinCalls } = await both(snsPipelineSucceeded);

    // Assess
    expect(sns.slack).toEqual(twin.slack);
    expect(sns.teams).toEqual(twin.teams);
    expect(JSON.stringify(sns.slack)).toContain('CronLambdasCDKPipeline: succeeded');
    expect(JSON.stringify(sns.slack)).toContain('0f3c2a1b9e8d Add the Airbyte connection tests');
    expect(snsCalls).toEqual(twinCalls);
    expect(snsCalls).toEqual([
      {
        pipelineName: 'CronLambdasCDKPipeline',
        pipelineExecutionId: '87864de9-5bf8-4dc9-abe6-a27914a39aa8',
      },
    ]);
    expect(sns.result).toEqual({
      records: [
        {
          messageId: '154c3f2a-148e-5214-bf66-66cbae112a5b',
          pipeline: 'CronLambdasCDKPipeline',
          state: 'SUCCEEDED',
          notified: ['slack', 'teams'],
          failed: [],
        },
      ],
    });
  });

  it('a failed pipeline whose rule names the failed action twice: the action once, with its log', async () => {
    // Prepare
    const url = 'https://console.aws.amazon.com/codesuite/codebuild/projects/tests/build/1';
    codepipelineMock.on(ListActionExecutionsCommand).resolves(
      answer.failedActions({
        stage: 'TEST',
        action: 'TestAirbyteConnections',
        message: 'Build terminated with state: FAILED',
        url,
      }),
    );

    // Act
    const { sns, twin } = await both(snsPipelineFailed);

    // Assess
    expect(sns.slack).toEqual(twin.slack);
    expect(sns.teams).toEqual(twin.teams);
    const slack = JSON.stringify(sns.slack);
    expect(slack).toContain('*Failed:* TEST / TestAirbyteConnections');
    expect(slack.split('TestAirbyteConnections')).toHaveLength(2);
    expect(slack).not.toContain('Also failed');
    expect(slack).toContain(url);
  });

  it('a failed action', async () => {
    // Prepare: CodePipeline answers what the event says.
    const detail = messageOf(snsActionFailed).detail as {
      'execution-result': { 'external-execution-url': string };
    };
    codepipelineMock.on(ListActionExecutionsCommand).resolves(
      answer.failedActions({
        stage: 'Build',
        action: 'Build',
        message: 'Build terminated with state: FAILED',
        url: detail['execution-result']['external-execution-url'],
      }),
    );

    // Act
    const { sns, twin, snsCalls, twinCalls } = await both(snsActionFailed);

    // Assess
    expect(sns.slack).toEqual(twin.slack);
    expect(sns.teams).toEqual(twin.teams);
    expect(snsCalls).toEqual(twinCalls);
    expect(JSON.stringify(sns.slack)).toContain('meerkat / Build / Build: failed');
  });

  it('a failed stage, when stage failures are notified', async () => {
    // Prepare
    codepipelineMock.on(ListActionExecutionsCommand).resolves(
      answer.failedActions({
        stage: 'DeployCronLambdaStage',
        action: 'CronLambdaStack.Deploy',
        message:
          'Failed to execute change set. Current stack status: UPDATE_ROLLBACK_COMPLETE. Reason: No reason was provided.',
        url: 'https://us-west-2.console.aws.amazon.com/cloudformation/home?region=us-west-2#/stacks',
      }),
    );

    // Act
    const { sns, twin } = await both(snsStageFailed, { NOTIFY_STAGE_STATES: 'FAILED' });

    // Assess
    expect(sns.slack).toEqual(twin.slack);
    expect(sns.teams).toEqual(twin.teams);
    expect(JSON.stringify(sns.teams)).toContain(
      'Failed: DeployCronLambdaStage / CronLambdaStack.Deploy',
    );
    expect((sns.slack as SlackBody).text).toBe(
      'CronLambdasCDKPipeline / DeployCronLambdaStage: failed',
    );
    expect(JSON.stringify(sns.slack)).toContain('*Stage*\\nDeployCronLambdaStage');
  });

  it.each([
    ['empty', {}],
    ['absent', undefined],
  ])(
    'a failed pipeline whose additionalAttributes are %s: the look-ups find the failure, as for the twin',
    async (_, additionalAttributes) => {
      // Prepare
      codepipelineMock.on(ListActionExecutionsCommand).resolves(
        answer.failedActions({
          stage: 'TEST',
          action: 'TestAirbyteConnections',
          message: 'Build terminated with state: FAILED',
          url: 'https://console.aws.amazon.com/codebuild/x',
        }),
      );
      const { additionalAttributes: _captured, ...message } = messageOf(snsPipelineFailed);
      const event = withMessage(
        snsPipelineFailed,
        additionalAttributes ? { ...message, additionalAttributes } : message,
      );

      // Act
      const { sns, twin, snsCalls, twinCalls } = await both(event);

      // Assess
      expect(sns.slack).toEqual(twin.slack);
      expect(sns.teams).toEqual(twin.teams);
      expect(snsCalls).toEqual(twinCalls);
      expect(codepipelineMock).toHaveReceivedCommandTimes(ListActionExecutionsCommand, 1);
      expect(JSON.stringify(sns.slack)).toContain('*Failed:* TEST / TestAirbyteConnections');
    },
  );
});

describe('What a notification rule adds', () => {
  beforeEach(() => {
    codepipelineMock.reset();
  });

  it('gives the failed stage, action and error when CodePipeline cannot be read, where the twin has none', async () => {
    // Prepare
    codepipelineMock.on(GetPipelineExecutionCommand).rejects(denied);
    codepipelineMock.on(ListActionExecutionsCommand).rejects(denied);

    // Act
    const { sns, twin } = await both(snsPipelineFailed);

    // Assess: the twin's messages with the failure added, and nothing else changed.
    const failure = {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*Failed:* TEST / TestAirbyteConnections\n```Build terminated with state: FAILED```',
      },
    };
    const twinSlack = slackBlocks(twin.slack);
    expect(slackBlocks(sns.slack)).toEqual([
      ...twinSlack.slice(0, 2),
      failure,
      ...twinSlack.slice(2),
    ]);
    expect({ ...(sns.slack as SlackBody), attachments: [] }).toEqual({
      ...(twin.slack as SlackBody),
      attachments: [],
    });
    const twinTeams = teamsBlocks(twin.teams);
    expect(teamsBlocks(sns.teams)).toEqual([
      ...twinTeams.slice(0, 2),
      {
        type: 'TextBlock',
        text: 'Failed: TEST / TestAirbyteConnections',
        weight: 'Bolder',
        color: 'Attention',
        wrap: true,
      },
      {
        type: 'TextBlock',
        text: 'Build terminated with state: FAILED',
        fontType: 'Monospace',
        wrap: true,
      },
      ...twinTeams.slice(2),
    ]);
    expect(JSON.stringify(twin.slack)).not.toContain('TestAirbyteConnections');
  });

  it('lists every other failed action once under "Also failed", the rest as the twin', async () => {
    // Prepare: three actions failed in the stage, one of them named twice.
    codepipelineMock.on(GetPipelineExecutionCommand).resolves(answer.execution(COMMIT));
    codepipelineMock.on(ListActionExecutionsCommand).resolves(
      answer.failedActions({
        stage: 'TEST',
        action: 'TestAirbyteConnections',
        message: 'Build terminated with state: FAILED',
        url: 'https://console.aws.amazon.com/codebuild/a',
      }),
    );
    const message = messageOf(snsPipelineFailed);
    const event = withMessage(snsPipelineFailed, {
      ...message,
      additionalAttributes: {
        failedActionCount: 4,
        failedActions: [
          {
            action: 'TestAirbyteConnections',
            additionalInformation: 'Build terminated with state: FAILED',
          },
          { action: 'TestDags', additionalInformation: 'Build terminated with state: FAILED' },
          {
            action: 'TestAirbyteConnections',
            additionalInformation: 'Build terminated with state: FAILED',
          },
          { action: 'TestFlows' },
        ],
        failedStage: 'TEST',
      },
    });

    // Act
    const { sns, twin } = await both(event);

    // Assess
    const also = {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: '*Also failed:*\n• TestDags: Build terminated with state: FAILED\n• TestFlows',
      },
    };
    const twinSlack = slackBlocks(twin.slack);
    expect(slackBlocks(sns.slack)).toEqual([...twinSlack.slice(0, 3), also, ...twinSlack.slice(3)]);
    const twinTeams = teamsBlocks(twin.teams);
    expect(teamsBlocks(sns.teams)).toEqual([
      ...twinTeams.slice(0, 4),
      {
        type: 'TextBlock',
        text: 'Also failed:\n- TestDags: Build terminated with state: FAILED\n- TestFlows',
        wrap: true,
      },
      ...twinTeams.slice(4),
    ]);
  });

  it('looks up the link of the action the notification names, not of the first failed one', async () => {
    // Prepare: CodePipeline lists another failed action first.
    codepipelineMock.on(GetPipelineExecutionCommand).resolves(answer.execution());
    codepipelineMock.on(ListActionExecutionsCommand).resolves(
      answer.failedActions(
        {
          stage: 'TEST',
          action: 'TestDags',
          message: 'another action of the same stage',
          url: 'https://console.aws.amazon.com/codebuild/dags',
        },
        {
          stage: 'Lint',
          action: 'TestAirbyteConnections',
          message: 'an action of the same name in another stage',
          url: 'https://console.aws.amazon.com/codebuild/lint',
        },
        {
          stage: 'TEST',
          action: 'TestAirbyteConnections',
          message: 'Build terminated with state: FAILED',
          url: 'https://console.aws.amazon.com/codebuild/test',
        },
      ),
    );

    // Act
    const { slack } = await notified(snsPipelineFailed);

    // Assess
    const text = JSON.stringify(slack);
    expect(text).toContain('*Failed:* TEST / TestAirbyteConnections');
    expect(text).toContain('https://console.aws.amazon.com/codebuild/test');
    expect(text).not.toContain('codebuild/lint');
    expect(text).not.toContain('codebuild/dags');
  });

  it('gives the source revision of a stage notification when CodePipeline cannot be read; CodePipeline wins when it answers', async () => {
    // Prepare: a stage started with a CodeCommit source (captured sample, as the rule sent it).
    const started = withMessage(snsStageFailed, {
      account: '803700595459',
      detailType: 'CodePipeline Stage Execution State Change',
      region: 'eu-west-1',
      source: 'aws.codepipeline',
      time: '2020-04-02T15:13:44Z',
      notificationRuleArn:
        'arn:aws:codestar-notifications:eu-west-1:803700595459:notificationrule/eac314920eebe4dd54e45a5675caa24eab8b3a95',
      detail: {
        pipeline: 'AnsiblePipeline',
        'execution-id': '18fba762-fce1-4d6e-898f-e0e2e9e6ef4c',
        state: 'STARTED',
        stage: 'DeployDEV',
        version: 7,
      },
      resources: ['arn:aws:codepipeline:eu-west-1:803700595459:AnsiblePipeline'],
      additionalAttributes: {
        sourceActions: [
          {
            sourceActionName: 'Source',
            sourceActionProvider: 'CodeCommit',
            sourceActionVariables: {
              BranchName: 'master',
              CommitId: 'd17ef562e6dc06e8322632a59524b44b5aa3dbf7',
              RepositoryName: 'Core_API_Proxy',
            },
          },
        ],
      },
    });
    const env = { NOTIFY_STAGE_STATES: 'STARTED' };
    codepipelineMock.on(GetPipelineExecutionCommand).rejects(denied);

    // Act
    const unread = await both(started, env);
    codepipelineMock.on(GetPipelineExecutionCommand).resolves(answer.execution(COMMIT));
    const read = await both(started, env);

    // Assess
    expect(JSON.stringify(unread.sns.slack)).toContain(
      '*Source*\\nd17ef562e6dc Core_API_Proxy, branch master',
    );
    expect(JSON.stringify(unread.twin.slack)).not.toContain('*Source*');
    expect(read.sns.slack).toEqual(read.twin.slack);
    expect(read.sns.teams).toEqual(read.twin.teams);
  });

  it("takes a failed action's error from the notification when the event has no summary", async () => {
    // Prepare
    codepipelineMock.on(GetPipelineExecutionCommand).rejects(denied);
    codepipelineMock.on(ListActionExecutionsCommand).rejects(denied);
    const message = messageOf(snsActionFailed);
    const { 'execution-result': _, ...detail } = message.detail;
    const event = withMessage(snsActionFailed, {
      ...message,
      detail,
      additionalAttributes: { additionalInformation: 'Deployment d-ABC failed' },
    });

    // Act
    const { slack } = await notified(event);

    // Assess
    expect(JSON.stringify(slack)).toContain('```Deployment d-ABC failed```');
  });

  it('keeps the Teams message under 28 KB and each Slack section under 3,000 characters with a thousand failed actions', async () => {
    // Prepare
    codepipelineMock.on(GetPipelineExecutionCommand).rejects(denied);
    codepipelineMock.on(ListActionExecutionsCommand).rejects(denied);
    const message = messageOf(snsPipelineFailed);
    const event = withMessage(snsPipelineFailed, {
      ...message,
      additionalAttributes: {
        failedStage: 'S'.repeat(5_000),
        failedActions: Array.from({ length: 1_000 }, (_, index) => ({
          action: `Shard${index}${'é'.repeat(3_000)}`,
          additionalInformation: `"€\\${'stack frame '.repeat(2_000)}`,
        })),
      },
    });

    // Act
    const { slack, teams } = await notified(event);

    // Assess
    expect(Buffer.byteLength(JSON.stringify(teams))).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
    for (const block of slackBlocks(slack)) {
      expect(block.text?.text.length ?? 0).toBeLessThan(3_000);
    }
    const also = slackBlocks(slack).find((block) => block.text?.text.startsWith('*Also failed:*'));
    expect(also?.text?.text.split('\n')).toHaveLength(MAX_OTHERS_SHOWN + 2);
    expect(also?.text?.text).toMatch(/\nand 994 more$/);
  });
});

describe('A topic shared with other messages', () => {
  beforeEach(() => {
    codepipelineMock.reset();
    codepipelineMock.on(GetPipelineExecutionCommand).resolves(answer.execution(COMMIT));
  });

  it.each([
    [
      'a manual approval request (captured)',
      snsApprovalNeeded,
      'its source is not aws.codepipeline',
    ],
    [
      'text someone published',
      withMessage(snsPipelineFailed, 'Hello from SNS!'),
      'the message is not JSON',
    ],
    ['a JSON list', withMessage(snsPipelineFailed, [1, 2]), 'the message is not a JSON object'],
    [
      "another service's notification rule",
      withMessage(snsPipelineFailed, {
        ...messageOf(snsPipelineFailed),
        source: 'aws.codebuild',
        detailType: 'CodeBuild Build State Change',
      }),
      'its source is not aws.codepipeline',
    ],
  ])('skips %s, posting nothing and calling nothing, and says why', async (_, event, why) => {
    // Act
    const { result, posts } = await notified(event);

    // Assess
    expect(result).toEqual({
      records: [
        {
          messageId: event.Records[0]?.Sns.MessageId,
          skipped: `not a CodePipeline notification: ${why}`,
        },
      ],
    });
    expect(posts).toEqual({});
    expect(codepipelineMock.calls()).toHaveLength(0);
  });

  it('takes an EventBridge event an EventBridge rule published to the topic as that event', async () => {
    // Prepare
    const wrapped = withMessage(snsPipelineSucceeded, {
      ...pipelineFailed,
      detail: { ...pipelineFailed.detail, state: 'SUCCEEDED' },
    });

    // Act
    const sns = await notified(wrapped);
    const direct = await notified({
      ...pipelineFailed,
      detail: { ...pipelineFailed.detail, state: 'SUCCEEDED' },
    });

    // Assess
    expect(sns.slack).toEqual(direct.slack);
    expect(sns.teams).toEqual(direct.teams);
  });
});

describe('An SNS event with several records', () => {
  beforeEach(() => {
    codepipelineMock.reset();
    codepipelineMock.on(GetPipelineExecutionCommand).resolves(answer.execution(COMMIT));
    codepipelineMock.on(ListActionExecutionsCommand).resolves({});
  });

  const several = {
    Records: [
      ...snsPipelineFailed.Records,
      ...snsApprovalNeeded.Records,
      ...snsPipelineSucceeded.Records,
    ],
  };

  it('notifies each CodePipeline notification in turn and skips the others', async () => {
    // Act
    const { result, order, posts } = await notified(several);

    // Assess
    expect((result as SnsNotifyResult).records.map((record) => record.messageId)).toEqual([
      '302ff896-60ff-5926-b7d4-a3e99c46ba0c',
      '341a58fe-f662-55aa-b071-038041d6eb47',
      '154c3f2a-148e-5214-bf66-66cbae112a5b',
    ]);
    expect(
      (result as SnsNotifyResult).records.map((record) =>
        'skipped' in record ? record.skipped : (record as NotifyResult).state,
      ),
    ).toEqual([
      'FAILED',
      'not a CodePipeline notification: its source is not aws.codepipeline',
      'SUCCEEDED',
    ]);
    expect(order).toEqual(['slack', 'teams', 'slack', 'teams']);
    expect((posts['slack#1'] as SlackBody).text).toBe(
      'workflow-resources-pipeline-test-sandbox-pipeline: failed',
    );
    expect((posts['slack#2'] as SlackBody).text).toBe('CronLambdasCDKPipeline: succeeded');
  });

  it('delivers the other records when one fails, then fails the invocation naming it', async () => {
    // Prepare
    const delivered: string[] = [];
    const post = async (destination: Destination, body: unknown) => {
      expect(limitIssues(destination.kind, body)).toEqual([]);
      const title = (body as { text?: string }).text ?? 'teams card';
      if (destination.name === 'slack' && title.startsWith('workflow-')) {
        throw new Error('slack: webhook answered 500 Internal Server Error; gave up after retries');
      }
      delivered.push(`${destination.name}: ${title}`);
    };
    const deps = { codepipeline: new CodePipelineClient({}), ...createObservability('test') };

    // Act & Assess
    await expect(
      run(deps, loadConfig(DEFAULT_ENV), parseOrThrow(EventSchema, several, 'event'), plenty, post),
    ).rejects.toThrow(
      'Delivery failed: slack: webhook answered 500 Internal Server Error; gave up after retries',
    );
    expect(delivered).toEqual([
      'teams: teams card',
      'slack: CronLambdasCDKPipeline: succeeded',
      'teams: teams card',
    ]);
  });
});
