import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createLambdaContext } from '@nightshift/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import dryRun from '../events/dry-run.json' with { type: 'json' };

const ec2Mock = mockClient(EC2Client);
const snsMock = mockClient(SNSClient);

/** The handler module as Lambda loads it: configuration read at import, from this environment. */
const loadHandler = async (env: Record<string, string | undefined>) => {
  vi.stubEnv('SNS_TOPIC_ARN', undefined);
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  return (await import('../src/handler.ts')).handler;
};

describe('morning-report handler', () => {
  beforeEach(() => {
    ec2Mock.reset();
    snsMock.reset();
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'running' } }] }],
    });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
  });

  it('runs the sample event and returns the report', async () => {
    // Prepare
    const handler = await loadHandler({});

    // Act
    const report = await handler(dryRun, createLambdaContext());

    // Assess
    expect(report).toMatchObject({ service: 'morning-report', dryRun: true, done: [] });
    expect(report.planned.map((entry) => entry.id)).toEqual(['i-1']);
  });

  it('refuses an invalid event naming the field, and reads nothing', async () => {
    // Prepare
    const handler = await loadHandler({});

    // Act
    const invocation = handler({ dryRun: 'yes' }, createLambdaContext());

    // Assess
    await expect(invocation).rejects.toMatchObject({ name: 'ValidationError' });
    expect(ec2Mock.calls()).toHaveLength(0);
    expect(snsMock.calls()).toHaveLength(0);
  });

  it('fails at cold start with every invalid variable named', async () => {
    // Act & Assess
    await expect(loadHandler({ DRY_RUN: 'maybe' })).rejects.toThrow(/DRY_RUN/);
  });
});
