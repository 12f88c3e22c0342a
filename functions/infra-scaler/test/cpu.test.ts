import {
  CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { cpuStatistics } from '../src/cpu.ts';
import { cwMock, now } from './fixtures.ts';

const cloudwatch = new CloudWatchClient({});
const queriesOf = () =>
  cwMock.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input.MetricDataQueries);

describe('cpuStatistics', () => {
  it('asks for the daily Average and Maximum of each instance over the look-back, 500 queries per call', async () => {
    // Prepare
    const ids = Array.from({ length: 251 }, (_, i) => `i-${i}`);
    cwMock.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

    // Act
    const stats = await cpuStatistics(cloudwatch, ids, { lookbackDays: 3, now });

    // Assess
    expect(queriesOf().map((queries) => queries?.length)).toEqual([500, 2]);
    const input = cwMock.commandCalls(GetMetricDataCommand)[1]?.args[0].input;
    expect(input?.StartTime).toEqual(new Date(now.getTime() - 3 * 86_400_000));
    expect(input?.EndTime).toEqual(now);
    expect(input?.MetricDataQueries).toEqual([
      {
        Id: 'avg250',
        MetricStat: {
          Metric: {
            Namespace: 'AWS/EC2',
            MetricName: 'CPUUtilization',
            Dimensions: [{ Name: 'InstanceId', Value: 'i-250' }],
          },
          Period: 86_400,
          Stat: 'Average',
        },
        ReturnData: true,
      },
      expect.objectContaining({
        Id: 'max250',
        MetricStat: expect.objectContaining({ Stat: 'Maximum' }),
      }),
    ]);
    expect(stats.size).toBe(0);
  });

  it('averages the daily averages across pages, takes the highest daily maximum, and leaves out an instance without data', async () => {
    // Prepare
    cwMock
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'avg0', Values: [2, 4] },
          { Id: 'max0', Values: [9] },
          { Values: [99] },
        ],
        NextToken: 'next',
      })
      .resolves({
        MetricDataResults: [
          { Id: 'avg0', Values: [6] },
          { Id: 'max0', Values: [30, 12] },
          { Id: 'avg2', Values: [8, 10] },
          { Id: 'max1', Values: [50] },
        ],
      });

    // Act
    const stats = await cpuStatistics(cloudwatch, ['i-0', 'i-1', 'i-2'], { lookbackDays: 14, now });

    // Assess
    expect(cwMock).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    expect([...stats]).toEqual([
      ['i-0', { average: 4, maximum: 30, days: 3 }],
      ['i-2', { average: 9, maximum: 9, days: 2 }],
    ]);
  });

  it('calls nothing for no instances', async () => {
    expect((await cpuStatistics(cloudwatch, [], { lookbackDays: 14, now })).size).toBe(0);
    expect(cwMock).not.toHaveReceivedCommand(GetMetricDataCommand);
    expect(queriesOf()).toEqual([] as MetricDataQuery[][]);
  });
});
