import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SNSClient } from '@aws-sdk/client-sns';
import { ENVIRONMENT_KEY } from '@nightshift/conventions';
import { type Ec2Instance, listInstances } from '@nightshift/inventory';
import { type Decision, runJob } from '@nightshift/job';
import type { Observability } from '@nightshift/middleware';
import { type Report, resolveDryRun, type TimeBudget } from '@nightshift/runtime';
import { applyChanges } from './apply.ts';
import type { Config } from './config.ts';
import type { MorningReportEvent } from './event.ts';
import { Action, planRun } from './plan.ts';

export const SERVICE = 'morning-report';

/** The instance states a run reads (terminated ones are gone). */
const STATES = ['pending', 'running', 'stopping', 'stopped'];

/** The clients, observability and clock of a run. */
export interface Deps extends Observability {
  ec2: EC2Client;
  sns: SNSClient;
  /** The clock of the report (tests pass a fixed one). */
  now?: () => Date;
}

/**
 * One run: read the instances of the environment, plan, carry out the plan (unless dry
 * run) within the time budget, then report, count and publish. The report is returned
 * even when items failed; the handler fails the invocation afterwards.
 *
 * @example
 * const report = await run(deps, loadConfig(), { dryRun: true }, budget);
 */
export const run = async (
  { ec2, sns, logger, metrics, now }: Deps,
  config: Config,
  event: MorningReportEvent,
  budget: TimeBudget,
): Promise<Report> =>
  runJob<Action, Ec2Instance[], Decision<Action>>(
    {
      service: SERVICE,
      dryRun: resolveDryRun(event.dryRun, config.dryRun),
      read: () =>
        listInstances(ec2, { tags: { [ENVIRONMENT_KEY]: config.environment }, states: STATES }),
      plan: planRun,
      apply: (changes, outcomes) => applyChanges(changes, outcomes, { concurrency: 5, budget }),
      summarize: (report, instances) => ({
        totals: { instancesSeen: instances.length },
        metrics: {
          InstancesFlagged: report.done.filter((entry) => entry.action === Action.Flag).length,
        },
      }),
    },
    { logger, metrics, sns, topicArn: config.snsTopicArn, now },
  );
