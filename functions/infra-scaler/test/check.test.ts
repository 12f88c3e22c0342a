import { GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import {
  cwMock,
  ec2Mock,
  givenInstances,
  instance,
  metricsOf,
  now,
  run,
  sentNames,
} from './fixtures.ts';

describe('check', () => {
  it('asks for daily CPU in batches of 500 queries and flags instances under the threshold', async () => {
    // Prepare
    const ids = Array.from({ length: 300 }, (_, i) => `i-${i}`);
    givenInstances(...ids.map((id) => instance(id, 'running')));
    cwMock
      .on(GetMetricDataCommand)
      .callsFake(async ({ MetricDataQueries }: { MetricDataQueries: MetricDataQuery[] }) => ({
        MetricDataResults: MetricDataQueries.filter(
          (query) => query.Id !== 'avg2' && query.Id !== 'max2',
        ).map((query) => {
          const index = Number(query.Id?.slice(3));
          const busy = index % 2 === 1;
          return {
            Id: query.Id,
            Values: query.Id?.startsWith('avg')
              ? [busy ? 40 : 3, busy ? 50 : 5]
              : [busy ? 90 : 12, 20],
          };
        }),
      }));

    // Act
    const { report, addMetric } = await run(
      { action: 'check', environment: 'staging' },
      { IDLE_CPU_THRESHOLD_PERCENT: '10' },
    );

    // Assess
    expect(cwMock).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    const first = cwMock.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(first?.MetricDataQueries).toHaveLength(500);
    expect(first?.MetricDataQueries?.[0]).toMatchObject({
      MetricStat: {
        Metric: {
          Namespace: 'AWS/EC2',
          MetricName: 'CPUUtilization',
          Dimensions: [{ Name: 'InstanceId', Value: 'i-0' }],
        },
        Period: 86_400,
        Stat: 'Average',
      },
    });
    expect(first?.StartTime).toEqual(new Date(now.getTime() - 14 * 86_400_000));
    expect(report.done).toHaveLength(149);
    expect(report.done[0]).toEqual({
      id: 'i-0',
      action: 'flag idle',
      reason: 'average CPU 4.0% (daily maximum 20.0%) over 2 days, under 10%',
      details: { averageCpu: 4, maximumCpu: 20, days: 2 },
    });
    expect(report.skipped).toContainEqual({
      id: 'i-2',
      action: 'check',
      reason: 'no CPU data in the last 14 days',
    });
    expect(sentNames(ec2Mock)).toEqual(['DescribeInstancesCommand']);
    expect(metricsOf(addMetric)).toEqual({ IdleInstances: 149 });
  });
});
