import {
  type CloudWatchClient,
  type MetricDataQuery,
  paginateGetMetricData,
} from '@aws-sdk/client-cloudwatch';
import { DAY_MS } from '@nightshift/runtime';

/** An instance's CPU over the look-back: the mean of its daily averages, its highest daily maximum. */
export interface CpuStats {
  average: number;
  maximum: number;
  days: number;
}

/** GetMetricData takes at most 500 queries per call. */
const QUERIES_PER_CALL = 500;
/** One datapoint per day. */
const DAY_SECONDS = DAY_MS / 1000;

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * CPUUtilization of each instance over the last `lookbackDays`, two queries per instance
 * (daily Average and Maximum), 500 queries per call. Instances with no data are absent
 * from the result.
 *
 * @example
 * const stats = await cpuStatistics(cloudwatch, ['i-1'], { lookbackDays: 14, now: new Date() });
 */
export const cpuStatistics = async (
  cloudwatch: CloudWatchClient,
  instanceIds: readonly string[],
  { lookbackDays, now }: { lookbackDays: number; now: Date },
): Promise<Map<string, CpuStats>> => {
  const query = (
    index: number,
    instanceId: string,
    stat: 'Average' | 'Maximum',
  ): MetricDataQuery => ({
    Id: `${stat === 'Average' ? 'avg' : 'max'}${index}`,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/EC2',
        MetricName: 'CPUUtilization',
        Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
      },
      Period: DAY_SECONDS,
      Stat: stat,
    },
    ReturnData: true,
  });
  const queries = instanceIds.flatMap((id, index) => [
    query(index, id, 'Average'),
    query(index, id, 'Maximum'),
  ]);
  const values = new Map<string, number[]>();
  for (let start = 0; start < queries.length; start += QUERIES_PER_CALL) {
    const pages = paginateGetMetricData(
      { client: cloudwatch },
      {
        MetricDataQueries: queries.slice(start, start + QUERIES_PER_CALL),
        StartTime: new Date(now.getTime() - lookbackDays * DAY_MS),
        EndTime: now,
      },
    );
    for await (const page of pages) {
      for (const result of page.MetricDataResults ?? []) {
        if (!result.Id) continue;
        values.set(result.Id, [...(values.get(result.Id) ?? []), ...(result.Values ?? [])]);
      }
    }
  }
  const stats = new Map<string, CpuStats>();
  instanceIds.forEach((id, index) => {
    const averages = values.get(`avg${index}`) ?? [];
    const maxima = values.get(`max${index}`) ?? [];
    if (averages.length === 0) return;
    stats.set(id, {
      average: mean(averages),
      maximum: maxima.length > 0 ? Math.max(...maxima) : mean(averages),
      days: averages.length,
    });
  });
  return stats;
};
