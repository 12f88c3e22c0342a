import {
  type ActionExecutionDetail,
  type CodePipelineClient,
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
} from '@aws-sdk/client-codepipeline';
import type { Tone } from '@nightshift/delivery/chat';
import type { Observability } from '@nightshift/middleware';
import { type AdditionalAttributes, levelOf, type PipelineEvent } from './event.ts';

/** One deployment notice, whatever the channel. */
export interface DeploymentMessage {
  title: string;
  tone: Tone;
  pipeline: string;
  state: string;
  executionId: string;
  /** The event's time (ISO 8601). */
  time: string;
  region: string;
  account: string;
  /** The stage (and action) an event about a stage or action speaks of. */
  stage?: string;
  action?: string;
  trigger?: string;
  source?: { revision: string; summary?: string; url?: string };
  failure?: {
    stage?: string;
    action?: string;
    message?: string;
    url?: string;
    /** The other actions that failed with it, when the notification names several. */
    others?: { action: string; message?: string }[];
  };
  executionUrl: string;
}

const TONES: Record<string, Tone> = {
  SUCCEEDED: 'good',
  FAILED: 'bad',
  CANCELED: 'warning',
  STOPPED: 'warning',
  STOPPING: 'warning',
  SUPERSEDED: 'neutral',
  STARTED: 'neutral',
  RESUMED: 'neutral',
};

/**
 * The console page of a pipeline execution.
 *
 * @example
 * executionUrl('eu-west-1', 'web', 'a1b2'); // https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/web/executions/a1b2/timeline?region=eu-west-1
 */
export const executionUrl = (region: string, pipeline: string, executionId: string): string =>
  `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${encodeURIComponent(pipeline)}/executions/${encodeURIComponent(executionId)}/timeline?region=${region}`;

/** A failed action a notification names: its name and CodePipeline's error text. */
type FailedAction = NonNullable<AdditionalAttributes['failedActions']>[number];

/** The failed actions, each once: a notification may name the same one twice. */
const distinct = (actions: readonly FailedAction[]) => {
  const seen = new Set<string>();
  return actions.filter(({ action, additionalInformation }) => {
    const key = JSON.stringify([action, additionalInformation]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

/**
 * What a failed pipeline or stage notification says about its failure: the failed stage,
 * the first failed action with its error, and the others.
 */
const failureFromAttributes = (
  stage: string | undefined,
  additional: AdditionalAttributes,
): DeploymentMessage['failure'] => {
  const [first, ...others] = distinct(additional.failedActions ?? []);
  if (!first) return undefined;
  const failedStage = additional.failedStage || stage;
  return {
    ...(failedStage ? { stage: failedStage } : {}),
    action: first.action,
    ...(first.additionalInformation ? { message: first.additionalInformation } : {}),
    ...(others.length > 0
      ? {
          others: others.map(({ action, additionalInformation }) => ({
            action,
            ...(additionalInformation ? { message: additionalInformation } : {}),
          })),
        }
      : {}),
  };
};

/** The source revision a stage notification carries (CodeCommit and S3 sources). */
const sourceFromAttributes = (
  additional: AdditionalAttributes | undefined,
): DeploymentMessage['source'] => {
  const variables = additional?.sourceActions?.find(
    (source) => source.sourceActionVariables?.CommitId,
  )?.sourceActionVariables;
  if (!variables?.CommitId) return undefined;
  const where = [
    variables.RepositoryName,
    variables.BranchName ? `branch ${variables.BranchName}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return { revision: variables.CommitId, ...(where ? { summary: where } : {}) };
};

/**
 * The message an event makes on its own, before enrichment. `additional` is what a
 * CodeStar notification rule added to the event: the failed stage and actions with their
 * errors, or the source revision; the look-ups replace these fields when they answer.
 *
 * @example
 * const message = messageFromEvent(event);
 */
export const messageFromEvent = (
  event: PipelineEvent,
  additional?: AdditionalAttributes,
): DeploymentMessage => {
  const { detail } = event;
  const level = levelOf(event);
  const subject =
    level === 'pipeline'
      ? detail.pipeline
      : level === 'stage'
        ? `${detail.pipeline} / ${detail.stage}`
        : `${detail.pipeline} / ${detail.stage} / ${detail.action}`;
  const trigger = detail['execution-trigger'];
  const result = detail['execution-result'];
  const summary = result?.['external-execution-summary'] || additional?.additionalInformation;
  const failure =
    detail.state !== 'FAILED'
      ? undefined
      : level === 'action'
        ? {
            ...(detail.stage ? { stage: detail.stage } : {}),
            ...(detail.action ? { action: detail.action } : {}),
            ...(summary ? { message: summary } : {}),
            ...(result?.['external-execution-url']
              ? { url: result['external-execution-url'] }
              : {}),
          }
        : additional && failureFromAttributes(detail.stage, additional);
  const source = sourceFromAttributes(additional);
  return {
    title: `${subject}: ${detail.state.toLowerCase()}`,
    tone: TONES[detail.state] ?? 'neutral',
    pipeline: detail.pipeline,
    state: detail.state,
    executionId: detail['execution-id'],
    time: event.time,
    region: event.region,
    account: event.account,
    ...(detail.stage ? { stage: detail.stage } : {}),
    ...(detail.action ? { action: detail.action } : {}),
    ...(trigger?.['trigger-type']
      ? { trigger: [trigger['trigger-type'], trigger['trigger-detail']].filter(Boolean).join(': ') }
      : {}),
    ...(source ? { source } : {}),
    ...(failure ? { failure } : {}),
    executionUrl: executionUrl(event.region, detail.pipeline, detail['execution-id']),
  };
};

/**
 * The client of the optional look-ups: two attempts at most, each cut off after two
 * seconds, within the look-up's deadline.
 */
export const LOOKUP_CLIENT_LIMITS = { maxAttempts: 2, requestTimeoutMs: 2_000 } as const;

/** How long each optional look-up may take, retries included, before the message goes without it. */
export const LOOKUP_DEADLINE_MS = 3_000;

/** `call`, or a TimeoutError once `ms` have passed (its signal aborts the request then). */
const withDeadline = async <T>(ms: number, call: (signal: AbortSignal) => Promise<T>) => {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = Object.assign(new Error(`no answer within ${ms} ms`), {
        name: 'TimeoutError',
      });
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([call(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
};

/**
 * The first failed action of an execution, page by page: the one the message already
 * names (from the event or its notification) when it names one.
 */
const findFailedAction = async (
  codepipeline: CodePipelineClient,
  message: DeploymentMessage,
  abortSignal: AbortSignal,
): Promise<ActionExecutionDetail | undefined> => {
  const action = message.failure?.action ?? message.action;
  const stage = action ? message.failure?.stage : undefined;
  let nextToken: string | undefined;
  do {
    const page = await codepipeline.send(
      new ListActionExecutionsCommand({
        pipelineName: message.pipeline,
        filter: { pipelineExecutionId: message.executionId },
        ...(nextToken ? { nextToken } : {}),
      }),
      { abortSignal },
    );
    const failed = (page.actionExecutionDetails ?? []).find(
      (detail) =>
        detail.status === 'Failed' &&
        (!action || detail.actionName === action) &&
        (!stage || detail.stageName === stage),
    );
    if (failed) return failed;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
};

/**
 * Adds what the event does not carry: the source revision and trigger
 * (`GetPipelineExecution`) and, for a failure, the failed stage and action with its
 * error and external link (`ListActionExecutions`; the action the message already names,
 * if any). What a look-up answers replaces what a notification rule said, which never
 * has these links; what it leaves out keeps it. The look-ups are optional: each gets
 * `deadlineMs` (pass a client with few attempts), and when one fails or runs out of time
 * the message goes out without its fields, and the failure is logged.
 *
 * @example
 * const full = await enrichMessage(codepipeline, logger, messageFromEvent(event));
 */
export const enrichMessage = async (
  codepipeline: CodePipelineClient,
  logger: Observability['logger'],
  message: DeploymentMessage,
  { deadlineMs = LOOKUP_DEADLINE_MS }: { deadlineMs?: number } = {},
): Promise<DeploymentMessage> => {
  const enriched = { ...message };
  try {
    const { pipelineExecution } = await withDeadline(deadlineMs, (abortSignal) =>
      codepipeline.send(
        new GetPipelineExecutionCommand({
          pipelineName: message.pipeline,
          pipelineExecutionId: message.executionId,
        }),
        { abortSignal },
      ),
    );
    const revision = pipelineExecution?.artifactRevisions?.[0];
    if (revision?.revisionId) {
      enriched.source = {
        revision: revision.revisionId,
        ...(revision.revisionSummary ? { summary: revision.revisionSummary } : {}),
        ...(revision.revisionUrl ? { url: revision.revisionUrl } : {}),
      };
    }
    const trigger = pipelineExecution?.trigger;
    if (!enriched.trigger && trigger?.triggerType) {
      enriched.trigger = [trigger.triggerType, trigger.triggerDetail].filter(Boolean).join(': ');
    }
  } catch (error) {
    logger.warn('Could not read the pipeline execution; sending without its source revision', {
      error: error as Error,
    });
  }
  if (message.state !== 'FAILED') return enriched;
  try {
    const failed = await withDeadline(deadlineMs, (abortSignal) =>
      findFailedAction(codepipeline, message, abortSignal),
    );
    if (failed) {
      const result = failed.output?.executionResult;
      enriched.failure = {
        ...(failed.stageName ? { stage: failed.stageName } : {}),
        ...(failed.actionName ? { action: failed.actionName } : {}),
        ...(result?.errorDetails?.message || result?.externalExecutionSummary
          ? { message: result?.errorDetails?.message ?? result?.externalExecutionSummary }
          : message.failure?.message
            ? { message: message.failure.message }
            : {}),
        ...(result?.externalExecutionUrl
          ? { url: result.externalExecutionUrl }
          : message.failure?.url
            ? { url: message.failure.url }
            : {}),
        ...(message.failure?.others ? { others: message.failure.others } : {}),
      };
    }
  } catch (error) {
    logger.warn('Could not list the action executions; sending without the failed action', {
      error: error as Error,
    });
  }
  return enriched;
};
