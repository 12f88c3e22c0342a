// Running a job in every account and region of TARGET_ACCOUNTS × TARGET_REGIONS: the
// scheduled invocation dispatches one SQS message per target, and the same function,
// invoked by the queue, runs today's job for each target through its spoke role. Its own
// entry point (`@nightshift/job/fanout`), so that only the jobs that fan out bundle it.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  type BatchResponse,
  type DispatchStatus,
  dispatch,
  handleBatch,
  runIdOf,
  type SqsRecordLike,
  type Target,
  type Work,
  type WorkResult,
} from '@nightshift/fanout';
import {
  HISTORY_CLIENT_LIMITS,
  type HistorySettings,
  loadHistorySettings,
  recordRun,
} from '@nightshift/history';
import { createObservability, type Observability, withNightshift } from '@nightshift/middleware';
import {
  createTimeBudget,
  envInteger,
  envString,
  getClient,
  parseOrThrow,
  parseSettings,
  type Report,
  type Schema,
  type Settings,
  type SettingsSpec,
} from '@nightshift/runtime';
import {
  isDefaultTargets,
  loadTargetSettings,
  resolveTargets,
  sessionNameFor,
  type TargetSettings,
  targetClient,
  targetCredentials,
} from '@nightshift/targets';
import * as z from 'zod/mini';
import type { ClientMakers } from './clients.ts';
import { type JobHandlerOptions, type JobLambda, jobHandler } from './jobHandler.ts';

/**
 * Whether a fan-out is asked for at all: `TARGET_ACCOUNTS` and `TARGET_REGIONS` as given
 * (trimmed, blank as not set), read before anything is checked.
 */
const FANOUT_ASKED = {
  accounts: ['TARGET_ACCOUNTS', z.optional(envString())],
  regions: ['TARGET_REGIONS', z.optional(envString())],
} as const satisfies SettingsSpec;

/** The fan-out's own settings; read only when the targets are not the default. */
export const FANOUT_SETTINGS = {
  /** `FANOUT_QUEUE_URL`: the queue of the targets' messages. */
  queueUrl: ['FANOUT_QUEUE_URL', envString()],
  /** `RUNS_TABLE`: the runs table (the run's header and each target's result). */
  table: ['RUNS_TABLE', envString()],
  /** `SNS_TOPIC_ARN`: the reports topic: the run's summary goes there. */
  topicArn: ['SNS_TOPIC_ARN', envString()],
  /** `FANOUT_MAX_RECEIVE_COUNT`: deliveries of a target's message before it is dead. */
  maxReceiveCount: ['FANOUT_MAX_RECEIVE_COUNT', envInteger({ default: 3, min: 1, max: 1000 })],
  /** `FANOUT_DEADLINE_MINUTES`: how long a run waits for its targets. */
  deadlineMinutes: ['FANOUT_DEADLINE_MINUTES', envInteger({ default: 60, min: 1, max: 1440 })],
} as const satisfies SettingsSpec;

/** Where and how a job fans out. */
export type Fanout = { targets: TargetSettings } & Settings<typeof FANOUT_SETTINGS>;

/**
 * The fan-out of a job, read from the environment: undefined with the default targets
 * (`TARGET_ACCOUNTS` unset or `self`, `TARGET_REGIONS` unset or the own region), which
 * keeps today's single-account run exactly, whatever else the environment holds.
 * Otherwise `FANOUT_QUEUE_URL`, `RUNS_TABLE` and `SNS_TOPIC_ARN` must be set; a
 * `ConfigError` names every variable that is missing or bad.
 *
 * @example
 * loadFanout({ TARGET_ACCOUNTS: 'self', AWS_REGION: 'eu-west-1' }); // undefined
 */
export const loadFanout = (
  env: Record<string, string | undefined> = process.env,
): Fanout | undefined => {
  const asked = parseSettings(FANOUT_ASKED, env);
  if ((asked.accounts === undefined || asked.accounts === 'self') && asked.regions === undefined) {
    return undefined;
  }
  const targets = loadTargetSettings(env);
  if (isDefaultTargets(targets)) return undefined;
  const why =
    'needed to run on the other accounts or Regions TARGET_ACCOUNTS and TARGET_REGIONS name';
  return {
    targets,
    ...parseSettings(FANOUT_SETTINGS, env, {
      whyRequired: { FANOUT_QUEUE_URL: why, RUNS_TABLE: why, SNS_TOPIC_ARN: why },
    }),
  };
};

/** Whether Lambda's event is a batch of the fan-out queue's messages. */
export const isSqsEvent = (event: unknown): event is { Records: SqsRecordLike[] } => {
  const records = (event as { Records?: unknown } | null)?.Records;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    records.every(
      (record) => (record as { eventSource?: unknown } | null)?.eventSource === 'aws:sqs',
    )
  );
};

let callerAccount: Promise<string> | undefined;
/** The function's own account, asked of STS once per container. */
export const ownAccount = (sts: STSClient = getClient(STSClient)): Promise<string> => {
  callerAccount ??= sts.send(new GetCallerIdentityCommand({})).then(({ Account }) => {
    if (!Account) throw new Error('STS GetCallerIdentity gave no account');
    return Account;
  });
  callerAccount.catch(() => {
    callerAccount = undefined;
  });
  return callerAccount;
};

/** Forgets the own account (tests). */
export const clearOwnAccount = (): void => {
  callerAccount = undefined;
};

/** What the scheduled invocation of a fanned-out job returns. */
export interface DispatchReport {
  service: string;
  runId: string;
  status: DispatchStatus;
  targets: number;
  enqueued: number;
  deadline: string;
}

/**
 * The id of a scheduled run: from the event's `scheduledTime` when it has one, else from
 * Lambda's request id, which stays the same when Lambda retries the invocation: a retried
 * dispatch finds its run and enqueues nothing twice.
 */
export const runIdFor = (service: string, event: unknown, requestId: string): string => {
  const time = (event as { scheduledTime?: unknown } | null)?.scheduledTime;
  return typeof time === 'string' && !Number.isNaN(Date.parse(time))
    ? runIdOf(service, time)
    : `${service}/${requestId}`;
};

/**
 * Dispatches a scheduled run: every target resolved (the organization's accounts when
 * asked), one message per target on the queue, the run's header in the runs table.
 */
export const dispatchRun = async (
  { service, fanout, logger }: { service: string; fanout: Fanout; logger: Observability['logger'] },
  event: Record<string, unknown>,
  {
    requestId,
    remainingMs,
    now = new Date(),
  }: { requestId: string; remainingMs: number; now?: Date },
): Promise<DispatchReport> => {
  const targets = await resolveTargets(fanout.targets, {
    organizations: getClient(OrganizationsClient),
    self: { accountId: await ownAccount() },
  });
  const runId = runIdFor(service, event, requestId);
  const deadline = new Date(now.getTime() + fanout.deadlineMinutes * 60_000);
  const result = await dispatch(
    { sqs: getClient(SQSClient), dynamodb: getClient(DynamoDBClient) },
    {
      queueUrl: fanout.queueUrl,
      table: fanout.table,
      runId,
      functionName: service,
      event,
      targets,
      deadline,
      now,
      leaseUntil: new Date(now.getTime() + remainingMs),
    },
  );
  const report: DispatchReport = {
    service,
    runId,
    status: result.status,
    targets: targets.length,
    enqueued: result.enqueued,
    deadline: deadline.toISOString(),
  };
  logger.info('Dispatched', { ...report });
  return report;
};

/** A target as `<account>/<region>`, for logs. */
const targetName = ({ accountId, region }: Target) => `${accountId}/${region}`;

/** What a target's run needs from the job. */
export interface TargetJob<C, S extends Schema, D> {
  service: string;
  config: C;
  schema: S;
  clients: (make: ClientMakers) => D;
  run: (deps: D & Observability, config: C, event: z.core.output<S>) => Promise<Report>;
  /**
   * The settings of a target's run: no report of its own (the run's summary is the
   * report), and whatever else only the function's own account and region can do.
   */
  forTarget: (config: C, target: Target, home: boolean) => C;
  /** Totals that are settings, not counts (`retentionDays`): left out of the run's sums. */
  settingTotals?: readonly string[];
}

/**
 * The job of one target, for the fan-out worker: the event checked again, the target's
 * clients through its spoke role (none needed for the own account), today's run, its
 * record in the run history (with the target's account and Region, in the function's own
 * table, when `history` names one; a failed write is logged, never fails the target), and
 * its report's status, totals and failed entries.
 */
export const targetWork =
  <C, S extends Schema, D>(
    job: TargetJob<C, S, D>,
    {
      fanout,
      logger,
      metrics,
      history,
    }: { fanout: Fanout; history?: HistorySettings } & Observability,
  ): Work =>
  async (target, event): Promise<WorkResult> => {
    const parsed = parseOrThrow(job.schema, event, 'event');
    const selfAccountId = await ownAccount();
    const credentials = await targetCredentials(getClient(STSClient), target, {
      roleName: fanout.targets.roleName,
      sessionName: sessionNameFor(job.service),
      selfAccountId,
    });
    const make: ClientMakers = {
      resource: (Client) => targetClient(Client, target, credentials),
      own: (Client) => getClient(Client),
    };
    const home = target.accountId === selfAccountId && target.region === fanout.targets.ownRegion;
    logger.appendKeys({ target: targetName(target) });
    try {
      const report = await job.run(
        { ...job.clients(make), logger, metrics },
        job.forTarget(job.config, target, home),
        parsed,
      );
      if (history) {
        await recordRun(
          () => getClient(DynamoDBClient, HISTORY_CLIENT_LIMITS),
          history,
          report,
          { account: target.accountId, region: target.region },
          logger,
        );
      }
      const settings = new Set(job.settingTotals ?? []);
      return {
        status: report.failed.length > 0 ? 'failed' : 'done',
        totals: Object.fromEntries(
          Object.entries(report.totals).filter(([name]) => !settings.has(name)),
        ),
        failed: report.failed.map(({ id, action, reason }) => ({ id, action, reason })),
      };
    } finally {
      logger.removeKeys(['target']);
    }
  };

/** Works a batch of the fan-out queue: each target's job, its result recorded, the summary when due. */
export const workBatch = (
  event: { Records: SqsRecordLike[] },
  work: Work,
  { fanout, logger }: { fanout: Fanout; logger: Observability['logger'] },
): Promise<BatchResponse> =>
  handleBatch(
    event,
    work,
    { dynamodb: getClient(DynamoDBClient), sqs: getClient(SQSClient), sns: getClient(SNSClient) },
    {
      table: fanout.table,
      queueUrl: fanout.queueUrl,
      topicArn: fanout.topicArn,
      maxReceiveCount: fanout.maxReceiveCount,
      onError: (error, record) =>
        logger.error('Target failed', { messageId: record.messageId, error }),
    },
  );

/** Any event: a fanned-out job checks it itself, once it knows it is not the queue's. */
const ANY_EVENT = z.unknown();

/** `jobHandler`'s options, and the settings of one target's run. */
export interface FanoutJobHandlerOptions<C, S extends Schema, D>
  extends JobHandlerOptions<C, S, D> {
  fanout: {
    /**
     * The settings of one target's run: no report of its own (the run's summary is the
     * report), and without what only the function's own account and Region (`home`) can do.
     */
    forTarget: (config: C, target: Target, home: boolean) => C;
    /** Totals that are settings, not counts (`retentionDays`): left out of the run's sums. */
    settingTotals?: readonly string[];
  };
}

/**
 * A job's handler that runs across accounts and Regions when `TARGET_ACCOUNTS` or
 * `TARGET_REGIONS` go beyond its own (`jobHandler`'s otherwise): the scheduled invocation
 * checks the event and dispatches one message per target to the fan-out queue; the same
 * handler, invoked by the queue, runs the job for each target, writes each target's record
 * in the run history (`HISTORY_TABLE`; the dispatch writes none) and answers with the
 * messages to deliver again (SQS partial batch response).
 *
 * @example
 * export const handler = fanoutJobHandler({ ...options, fanout: { forTarget: (config) => ({ ...config, snsTopicArn: undefined }) } });
 */
export const fanoutJobHandler = <C, S extends Schema, D>(
  options: FanoutJobHandlerOptions<C, S, D>,
): JobLambda<Report | BatchResponse | DispatchReport> => {
  const fanout = loadFanout();
  if (!fanout) return jobHandler(options);
  const { service, loadConfig, eventSchema, clients, run } = options;
  const { logger, metrics } = createObservability(service);
  const config = loadConfig();
  const history = loadHistorySettings();
  const schema = typeof eventSchema === 'function' ? eventSchema(config) : eventSchema;
  return withNightshift({ logger, metrics, eventSchema: ANY_EVENT }, async (event, context) => {
    if (isSqsEvent(event)) {
      const work = targetWork(
        {
          service,
          config,
          schema,
          clients,
          forTarget: options.fanout.forTarget,
          ...(options.fanout.settingTotals ? { settingTotals: options.fanout.settingTotals } : {}),
          run: (deps, targetConfig, targetEvent) =>
            run(deps, targetConfig, targetEvent, createTimeBudget(context)),
        },
        { fanout, logger, metrics, history },
      );
      return workBatch(event, work, { fanout, logger });
    }
    parseOrThrow(schema, event, 'event');
    return dispatchRun({ service, fanout, logger }, event as Record<string, unknown>, {
      requestId: context.awsRequestId,
      remainingMs: context.getRemainingTimeInMillis(),
    });
  });
};
