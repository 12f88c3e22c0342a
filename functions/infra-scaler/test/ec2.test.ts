import { DescribeInstancesCommand, EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';
import type { TimeBudget } from '@nightshift/runtime';
import { describe, expect, it, vi } from 'vitest';
import { stopAndMark, watchStart } from '../src/ec2.ts';
import { awsError, ec2Mock, instanceIdsOf, now, plenty } from './fixtures.ts';

const ec2 = new EC2Client({});
const ids = (count: number) => Array.from({ length: count }, (_, i) => `i-${i}`);

describe('stopAndMark', () => {
  it('reads nothing again when every stop succeeds', async () => {
    // Act
    const outcome = await stopAndMark(ec2, ['i-1'], now);

    // Assess
    expect(outcome).toEqual({ stopped: [{ id: 'i-1' }], failed: [] });
    expect(instanceIdsOf(ec2Mock)).toEqual([]);
  });

  it('reads the instances whose stop failed again, 200 ids per call', async () => {
    // Prepare
    ec2Mock.on(StopInstancesCommand).rejects(awsError('InternalError', 'try again'));
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-0' }, {}] }, {}],
    });

    // Act
    const outcome = await stopAndMark(ec2, ids(201), now);

    // Assess
    expect(instanceIdsOf(ec2Mock)).toEqual([ids(201).slice(0, 200), ['i-200']]);
    expect(outcome.stopped).toEqual([]);
    expect(outcome.failed).toHaveLength(201);
    expect(outcome.failed[0]).toEqual({
      id: 'i-0',
      error: expect.objectContaining({ name: 'InternalError' }),
      markKept: true,
    });
  });
});

describe('watchStart', () => {
  const budget = (remainingMs: number): TimeBudget => ({
    remainingMs: () => remainingMs,
    isExhausted: () => false,
  });

  it('counts an instance seen without a state as still pending, and one that stops without a reason as fallen back', async () => {
    // Prepare
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [
          { Instances: [{ InstanceId: 'i-1' }, { InstanceId: 'i-2', State: { Name: 'stopped' } }] },
        ],
      })
      .resolves({
        Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'running' } }] }],
      });
    const sleep = vi.fn(async () => undefined);

    // Act
    const watch = await watchStart(ec2, ['i-1', 'i-2'], { budget: plenty, sleep });

    // Assess
    expect(watch).toEqual({
      running: ['i-1'],
      fellBack: [{ id: 'i-2', state: 'stopped', reason: 'EC2 gave no reason' }],
      pending: [],
    });
    expect(sleep).toHaveBeenCalledTimes(1);
  });

  it('polls again while exactly one poll interval of the budget is left', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'pending' } }] }],
    });
    const sleep = vi.fn(async () => undefined);

    // Act
    const watch = await watchStart(ec2, ['i-1'], {
      budget: budget(1_000),
      pollMs: 1_000,
      waitMs: 3_000,
      sleep,
    });

    // Assess
    expect(sleep.mock.calls).toEqual([[1_000], [1_000]]);
    expect(watch.pending).toEqual(['i-1']);
  });

  it('waits between polls by itself when given no sleep', async () => {
    // Prepare
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'pending' } }] }],
      })
      .resolves({
        Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'running' } }] }],
      });

    // Act
    const watch = await watchStart(ec2, ['i-1'], { budget: plenty, pollMs: 1, waitMs: 10 });

    // Assess
    expect(watch.running).toEqual(['i-1']);
  });
});
