import { webhookPost } from '@nightshift/delivery';
import { runJob } from '@nightshift/job';
import { loadSigningKeys } from '@nightshift/links';
import { DEFAULT_SAFETY_MARGIN_MS, type Report, type TimeBudget } from '@nightshift/runtime';
import type { Config } from '../config.ts';
import { type Deps, SERVICE } from '../run.ts';
import { titled } from '../titled.ts';
import { sendHeadsUps } from './headsUp.ts';
import { reconcileJob } from './job.ts';
import { loadSchedules } from './schedules.ts';
import type { HeadsUp } from './types.ts';

/** A reconcile's report: the stops due soon beside it, for the heads-up. */
export type ReconcileReport = Report & { headsUp: HeadsUp[] };

/**
 * A reconcile: the schedules document read and checked (a `ValidationError` naming the
 * path before any AWS call), then every resource tagged `nightshift:schedule` brought to
 * its due state. The stops due soon are logged and returned beside the report; unless in
 * a dry run, and when `ACTIONS_TABLE`, `LINK_KEY_SECRET` and `CHAT_ACTIONS_URL` are all
 * set, each is then sent once with its snooze links (`sendHeadsUps`): a heads-up that
 * fails is a note of the returned report, never a failed run. The heads-up's record and
 * the link key are read through `deps.dynamodb` and `deps.secretsManager`, the clients the
 * handler makes of the function's own account.
 */
export const reconcile = async (
  deps: Deps,
  config: Config,
  dryRun: boolean,
  budget: TimeBudget,
  now: () => Date,
): Promise<ReconcileReport> => {
  const document = await loadSchedules(config);
  const job = reconcileJob(
    {
      ec2: deps.ec2,
      autoscaling: deps.autoscaling,
      rds: deps.rds,
      cloudwatch: deps.cloudwatch,
      document,
      now: now(),
      budget,
      concurrency: config.concurrency,
      sleep: deps.sleep,
    },
    SERVICE,
    dryRun,
  );
  const report = await runJob(
    titled(`reconcile of ${Object.keys(document.schedules).length} schedules`, job),
    {
      logger: deps.logger,
      metrics: deps.metrics,
      sns: deps.sns,
      topicArn: config.snsTopicArn,
      now,
    },
  );
  const headsUp = job.headsUp();
  for (const notice of headsUp) deps.logger.info('Heads-up', { headsUp: notice });
  const { actionsTable, linkKeySecret, chatActionsUrl } = config;
  if (dryRun || !actionsTable || !linkKeySecret || !chatActionsUrl || headsUp.length === 0)
    return { ...report, headsUp };
  const { dynamodb, secretsManager } = deps;
  const sent = await sendHeadsUps(
    headsUp,
    document.schedules,
    {
      dynamodb,
      sns: deps.sns,
      logger: deps.logger,
      loadKeys: deps.loadKeys ?? (() => loadSigningKeys(secretsManager, linkKeySecret)),
      post: deps.post ?? webhookPost(config.chat, budget),
      now: now(),
      // The invocation's end: the budget and the margin it keeps for the report.
      leaseUntil: new Date(now().getTime() + budget.remainingMs() + DEFAULT_SAFETY_MARGIN_MS),
    },
    {
      actionsTable,
      chatActionsUrl,
      maxSnoozeHours: config.maxSnoozeHours,
      ...(config.snsTopicArn ? { topicArn: config.snsTopicArn } : {}),
      chat: config.chat,
    },
  );
  return { ...report, notes: [...report.notes, ...sent.notes], headsUp };
};
