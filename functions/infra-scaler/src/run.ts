import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSClient } from '@aws-sdk/client-sns';
import { SCALED_DOWN_KEY } from '@nightshift/conventions';
import { listDatabases, listGroups, listInstances } from '@nightshift/inventory';
import { type Job, type Outcomes, type Plan, runJob } from '@nightshift/job';
import type { SigningKey } from '@nightshift/links';
import type { Observability } from '@nightshift/middleware';
import { type Report, resolveDryRun, type TimeBudget, ValidationError } from '@nightshift/runtime';
import { type ApplyContext, applyScaleDown, applyScaleUp } from './apply.ts';
import type { Config } from './config.ts';
import { cpuStatistics } from './cpu.ts';
import { environmentIssue } from './environment.ts';
import { isReconcile, resolveAction, type ScalerEvent } from './event.ts';
import {
  type Action,
  type IdleInput,
  type Inventory,
  planIdleCheck,
  planScaleDown,
  planScaleUp,
  type ScaleDownChange,
  type ScaleUpChange,
  type Scope,
} from './plan.ts';
import type { Post } from './reconcile/headsUp.ts';
import { reconcile } from './reconcile/run.ts';
import { titled } from './titled.ts';

export type { ReconcileReport } from './reconcile/run.ts';

export const SERVICE = 'infra-scaler';

/** The clients, observability and clock of a run. */
export interface Deps extends Observability {
  ec2: EC2Client;
  autoscaling: AutoScalingClient;
  rds: RDSClient;
  cloudwatch: CloudWatchClient;
  sns: SNSClient;
  /** The clock every time read uses (tests pass a fixed one). */
  now?: () => Date;
  /** Waits between polls of started instances (tests pass one that returns at once). */
  sleep?: (ms: number) => Promise<void>;
  /** The heads-up's record of what was sent: the function's own table. */
  dynamodb: DynamoDBClient;
  /** Reads the link key secret: the function's own. */
  secretsManager: SecretsManagerClient;
  /** The signing keys of the snooze links, current first (`LINK_KEY_SECRET` read unless given). */
  loadKeys?: () => Promise<SigningKey[]>;
  /** Delivers a heads-up to a chat destination (a webhook POST unless given). */
  post?: Post;
}

/** Everything the job of one action is built from. */
interface JobContext {
  deps: Deps;
  config: Config;
  scope: Scope;
  dryRun: boolean;
  apply: ApplyContext;
}

/**
 * The job of scale_down or scale_up: the environment's instances (by these filters), its
 * groups and every database read at once; planned; applied; the applier's counts as metrics.
 */
const scalingJob = <C extends ScaleDownChange | ScaleUpChange, N extends Record<string, number>>(
  { deps, scope, dryRun, apply }: JobContext,
  {
    instances,
    plan,
    applyChanges,
    nothing,
  }: {
    instances: Parameters<typeof listInstances>[1];
    plan: (inventory: Inventory, scope: Scope) => Plan<Action, C>;
    applyChanges: (changes: C[], outcomes: Outcomes<Action>, context: ApplyContext) => Promise<N>;
    /** The counts when nothing was applied (a dry run, or nothing to change). */
    nothing: N;
  },
): Job<Action, Inventory, C> => {
  let counts = nothing;
  return {
    service: SERVICE,
    dryRun,
    read: async () => {
      const [found, groups, databases] = await Promise.all([
        listInstances(deps.ec2, instances),
        listGroups(deps.autoscaling, { key: scope.environmentTagKey, value: scope.environment }),
        listDatabases(deps.rds),
      ]);
      return { instances: found, groups, databases };
    },
    plan: (inventory) => plan(inventory, scope),
    apply: async (changes, outcomes) => {
      counts = await applyChanges(changes, outcomes, apply);
    },
    summarize: () => ({ metrics: { ...counts } }),
  };
};

/** scale_down: the running instances tagged `Environment=<environment>` and `AutoScale=true`. */
const scaleDownJob = (context: JobContext) =>
  scalingJob(context, {
    instances: {
      tags: {
        [context.scope.environmentTagKey]: context.scope.environment,
        [context.scope.autoScaleTagKey]: context.scope.autoScaleTagValue,
      },
      states: ['running'],
    },
    plan: planScaleDown,
    applyChanges: applyScaleDown,
    nothing: { InstancesStopped: 0, GroupsScaled: 0, DatabasesStopped: 0 },
  });

/** scale_up: the environment's instances that carry scale_down's mark, in any state but gone. */
const scaleUpJob = (context: JobContext) =>
  scalingJob(context, {
    instances: {
      tags: {
        [context.scope.environmentTagKey]: context.scope.environment,
        [SCALED_DOWN_KEY]: null,
      },
      states: ['pending', 'running', 'stopping', 'stopped'],
    },
    plan: planScaleUp,
    applyChanges: applyScaleUp,
    nothing: { InstancesStarted: 0, GroupsScaled: 0, DatabasesStarted: 0 },
  });

const idleCheckJob = ({
  deps,
  config,
  scope,
  dryRun,
  apply,
}: JobContext): Job<Action, IdleInput> => {
  const settings = {
    lookbackDays: config.idleLookbackDays,
    thresholdPercent: config.idleCpuThresholdPercent,
  };
  return {
    service: SERVICE,
    dryRun,
    read: async () => {
      const instances = await listInstances(deps.ec2, {
        tags: { [scope.environmentTagKey]: scope.environment },
        states: ['running'],
      });
      const cpu = await cpuStatistics(
        deps.cloudwatch,
        instances.map((instance) => instance.id),
        { lookbackDays: settings.lookbackDays, now: apply.now },
      );
      return { instances, cpu };
    },
    plan: (input) => planIdleCheck(input, settings),
    // The check changes nothing: its plan has no changes, so this is never called.
    apply: async () => undefined,
    // Flagging changes nothing: the idle instances are findings, reported done in a dry run too.
    summarize: (_report, input, plan) => {
      const idle = plan.findings?.length ?? 0;
      return {
        totals: { runningInstances: input.instances.length, idleInstances: idle },
        metrics: { IdleInstances: idle },
      };
    },
  };
};

/**
 * One run of an action: the environment checked again against `SCALED_ENVIRONMENTS` (a
 * `ValidationError` naming `environment` before any AWS call, whoever the caller), then
 * the action's job: read, plan, apply unless dry run, report, emit its metrics, publish.
 * The report is returned even when items failed; the handler fails the invocation
 * afterwards.
 *
 * @example
 * const report = await run(deps, config, { action: 'scale_down', environment: 'staging' }, budget);
 */
export const run = async (
  deps: Deps,
  config: Config,
  event: ScalerEvent,
  budget: TimeBudget,
): Promise<Report> => {
  const { now = () => new Date() } = deps;
  if (isReconcile(event)) {
    const dryRun = resolveDryRun(event.dryRun, config.dryRun);
    deps.logger.info('Scaler run', { action: 'reconcile', dryRun });
    return reconcile(deps, config, dryRun, budget, now);
  }
  const { action, environment } = resolveAction(event);
  const refused = environmentIssue(environment, config.scaledEnvironments);
  if (refused) throw new ValidationError('event', [{ path: 'environment', message: refused }]);
  const dryRun = resolveDryRun(event.dryRun, config.dryRun);
  deps.logger.info('Scaler run', { action, environment, dryRun });

  const context: JobContext = {
    deps,
    config,
    scope: {
      environment,
      environmentTagKey: config.environmentTagKey,
      autoScaleTagKey: config.autoScaleTagKey,
      autoScaleTagValue: config.autoScaleTagValue,
    },
    dryRun,
    apply: {
      ec2: deps.ec2,
      autoscaling: deps.autoscaling,
      rds: deps.rds,
      now: now(),
      budget,
      concurrency: config.concurrency,
      sleep: deps.sleep,
    },
  };
  const output = {
    logger: deps.logger,
    metrics: deps.metrics,
    sns: deps.sns,
    topicArn: config.snsTopicArn,
    now,
  };
  const title = `${action} of environment ${environment}`;
  switch (action) {
    case 'scale_down':
      return runJob(titled(title, scaleDownJob(context)), output);
    case 'scale_up':
      return runJob(titled(title, scaleUpJob(context)), output);
    case 'check':
      return runJob(titled(title, idleCheckJob(context)), output);
  }
};
