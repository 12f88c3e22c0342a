import type { ActionContext, ActionCounts } from './context.ts';
import { cpuStatistics } from './cpu.ts';
import { listInstances } from './ec2.ts';

/**
 * check: reports the environment's running instances whose average CPU over the
 * look-back is under the threshold, as idle candidates. Changes nothing.
 *
 * @example
 * const counts = await idleCheck(context);
 */
export const idleCheck = async ({
  deps,
  config,
  environment,
  now,
  report,
}: ActionContext): Promise<ActionCounts> => {
  const instances = await listInstances(deps.ec2, { [config.ENVIRONMENT_TAG_KEY]: environment }, [
    'running',
  ]);
  const ids = instances.map((instance) => instance.InstanceId ?? '');
  const stats = await cpuStatistics(deps.cloudwatch, ids, {
    lookbackDays: config.IDLE_LOOKBACK_DAYS,
    now,
  });
  const threshold = config.IDLE_CPU_THRESHOLD_PERCENT;
  let idle = 0;
  for (const id of ids) {
    const cpu = stats.get(id);
    if (!cpu) {
      report.skipped.push({
        id,
        action: 'check',
        reason: `no CPU data in the last ${config.IDLE_LOOKBACK_DAYS} days`,
      });
      continue;
    }
    const figures = `average CPU ${cpu.average.toFixed(1)}% (daily maximum ${cpu.maximum.toFixed(1)}%) over ${cpu.days} days`;
    const details = {
      averageCpu: Number(cpu.average.toFixed(2)),
      maximumCpu: Number(cpu.maximum.toFixed(2)),
      days: cpu.days,
    };
    if (cpu.average < threshold) {
      idle += 1;
      report.done.push({
        id,
        action: 'flag idle',
        reason: `${figures}, under ${threshold}%`,
        details,
      });
    } else {
      report.skipped.push({ id, action: 'check', reason: `busy: ${figures}`, details });
    }
  }
  report.totals.runningInstances = ids.length;
  report.totals.idleInstances = idle;
  return { IdleInstances: idle };
};
