import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createObservability } from '@nightshift/middleware';
import type { TimeBudget } from '@nightshift/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { Action } from '../src/plan.ts';
import { run, SERVICE } from '../src/run.ts';

const ec2Mock = mockClient(EC2Client);
const snsMock = mockClient(SNSClient);
const topicArn = 'arn:aws:sns:us-east-1:123456789012:nightshift-reports';
const now = new Date('2026-11-28T05:00:00Z');
const plenty: TimeBudget = { remainingMs: () => 600_000, isExhausted: () => false };

const setup = (env: Record<string, string> = {}) => {
  const observability = createObservability(SERVICE);
  const addMetric = vi.spyOn(observability.metrics, 'addMetric');
  const deps = { ec2: new EC2Client({}), sns: new SNSClient({}), ...observability, now: () => now };
  return { deps, config: loadConfig({ SNS_TOPIC_ARN: topicArn, ...env }), addMetric };
};

describe('morning-report run', () => {
  beforeEach(() => {
    ec2Mock.reset();
    snsMock.reset();
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            { InstanceId: 'i-1', State: { Name: 'running' } },
            { InstanceId: 'i-2', State: { Name: 'stopped' } },
            { State: { Name: 'running' } },
          ],
        },
      ],
    });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('reads the environment’s instances, carries out the plan, counts and publishes', async () => {
    // Prepare
    const { deps, config, addMetric } = setup({ ENVIRONMENT: 'qa' });

    // Act
    const report = await run(deps, config, {}, plenty);

    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: expect.arrayContaining([{ Name: 'tag:Environment', Values: ['qa'] }]),
    });
    expect(report).toMatchObject({
      service: SERVICE,
      dryRun: false,
      startedAt: now.toISOString(),
      planned: [{ id: 'i-1', action: Action.Flag }],
      done: [{ id: 'i-1', action: Action.Flag, reason: 'flagged' }],
      skipped: [{ id: 'i-2', action: Action.Skip }],
      failed: [],
      totals: { instancesSeen: 2 },
    });
    expect(addMetric).toHaveBeenCalledWith('InstancesFlagged', 'Count', 1);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, { TopicArn: topicArn });
  });

  it('in a dry run, plans and reports and carries out nothing', async () => {
    // Prepare
    const { deps, config } = setup();

    // Act
    const report = await run(deps, config, { dryRun: true }, plenty);

    // Assess
    expect(report.dryRun).toBe(true);
    expect(report.planned.map((entry) => entry.id)).toEqual(['i-1']);
    expect(report.done).toEqual([]);
  });

  it('keeps a dry run when DRY_RUN is on, whatever the event says', async () => {
    // Prepare
    const { deps, config } = setup({ DRY_RUN: 'true' });

    // Act
    const report = await run(deps, config, { dryRun: false }, plenty);

    // Assess
    expect(report.dryRun).toBe(true);
    expect(report.done).toEqual([]);
  });
});
