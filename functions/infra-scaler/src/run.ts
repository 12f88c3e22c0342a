import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  createReport,
  logReport,
  publishReport,
  type Report,
  resolveDryRun,
  type TimeBudget,
  ValidationError,
} from '@nightshift/runtime';
import type { ScalerConfig } from './config.ts';
import type { ActionContext, ActionCounts, ScalerDeps } from './context.ts';
import { environmentIssue } from './environment.ts';
import { resolveAction, type ScalerAction, type ScalerEvent } from './event.ts';
import { idleCheck } from './idleCheck.ts';
import { scaleDown } from './scaleDown.ts';
import { scaleUp } from './scaleUp.ts';

export const SERVICE = 'infra-scaler';

const ACTIONS: Record<ScalerAction, (context: ActionContext) => Promise<ActionCounts>> = {
  scale_down: scaleDown,
  scale_up: scaleUp,
  check: idleCheck,
};

/**
 * One run of an action: the environment checked again against `SCALED_ENVIRONMENTS` (a
 * `ValidationError` naming `environment` before any AWS call, whoever the caller), plan, apply unless dry run, then report, emit the action's
 * metrics and publish. The report is returned even when items failed; the handler fails
 * the invocation afterwards.
 *
 * @example
 * const report = await runScaler(deps, config, { action: 'scale_down', environment: 'staging' }, budget);
 */
export const runScaler = async (
  deps: ScalerDeps,
  config: ScalerConfig,
  event: ScalerEvent,
  budget: TimeBudget,
): Promise<Report> => {
  const now = (deps.now ?? (() => new Date()))();
  const { action, environment } = resolveAction(event);
  const refused = environmentIssue(environment, config.SCALED_ENVIRONMENTS);
  if (refused) throw new ValidationError('event', [{ path: 'environment', message: refused }]);
  const dryRun = resolveDryRun(event.dryRun, config.DRY_RUN);
  const report = createReport(SERVICE, { dryRun, now });
  deps.logger.info('Scaler run', { action, environment, dryRun });

  const counts = await ACTIONS[action]({ deps, config, environment, dryRun, now, budget, report });
  report.notes.unshift(`${action} of environment ${environment}`);
  report.finishedAt = new Date().toISOString();
  for (const [name, value] of Object.entries(counts))
    deps.metrics.addMetric(name, MetricUnit.Count, value);
  logReport(deps.logger, report);
  if (config.SNS_TOPIC_ARN)
    await publishReport(deps.sns, { topicArn: config.SNS_TOPIC_ARN, report });
  return report;
};
