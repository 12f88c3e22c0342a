import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  EC2Client,
  paginateDescribeInstances,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type InstantEc2,
  type MemoryInstance,
  startInstantEc2,
} from '../../scripts/bench/ec2Endpoint.ts';

const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

/** `count` instances: even ones running and on the `office` schedule, odd ones stopped and on `night`. */
const fleet = (count: number): MemoryInstance[] =>
  Array.from({ length: count }, (_, n) => ({
    id: id(n),
    state: n % 2 === 0 ? 'running' : 'stopped',
    instanceType: 't3.micro',
    tags: { 'nightshift:schedule': n % 2 === 0 ? 'office' : 'night', Name: `web <${n}> & co` },
  }));

let ec2: InstantEc2;
let client: EC2Client;

beforeAll(async () => {
  ec2 = await startInstantEc2();
  client = new EC2Client({
    endpoint: ec2.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await ec2.stop();
});

beforeEach(() => {
  ec2.clear();
});

const describeAll = async (input: DescribeInstancesCommandInput, pageSize = 1000) => {
  const pages: string[][] = [];
  for await (const page of paginateDescribeInstances({ client, pageSize }, input)) {
    pages.push(
      (page.Reservations ?? []).flatMap((reservation) =>
        (reservation.Instances ?? []).map((instance) => instance.InstanceId ?? ''),
      ),
    );
  }
  return pages;
};

describe('in-memory EC2 endpoint', () => {
  it('describes an instance as the SDK reads it: id, state code and name, type, tags, its reservation', async () => {
    // Prepare
    ec2.put(fleet(2));

    // Act
    const { Reservations = [], NextToken } = await client.send(
      new DescribeInstancesCommand({ InstanceIds: [id(1)] }),
    );

    // Assess
    expect(NextToken).toBeUndefined();
    expect(Reservations).toHaveLength(1);
    expect(Reservations[0]?.ReservationId).toMatch(/^r-/);
    expect(Reservations[0]?.Instances).toEqual([
      {
        InstanceId: id(1),
        InstanceType: 't3.micro',
        State: { Code: 80, Name: 'stopped' },
        Tags: [
          { Key: 'nightshift:schedule', Value: 'night' },
          { Key: 'Name', Value: 'web <1> & co' },
        ],
      },
    ]);
  });

  it('filters by tag key, tag value and state, and pages by at most 1,000 instances', async () => {
    // Prepare
    ec2.put(fleet(2_500));
    const running = fleet(2_500)
      .filter((instance) => instance.state === 'running')
      .map((instance) => instance.id)
      .sort();

    // Act
    const byKey = await describeAll({
      Filters: [
        { Name: 'tag-key', Values: ['nightshift:schedule'] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
      ],
    });
    const byValue = await describeAll({
      Filters: [{ Name: 'tag:nightshift:schedule', Values: ['office'] }],
    });
    const byState = await describeAll(
      { Filters: [{ Name: 'instance-state-name', Values: ['running'] }] },
      500,
    );
    const none = await describeAll({ Filters: [{ Name: 'tag-key', Values: ['absent'] }] });

    // Assess
    expect(byKey.map((page) => page.length)).toEqual([1_000, 1_000, 500]);
    expect(new Set(byKey.flat()).size).toBe(2_500);
    expect(byValue.flat()).toEqual(running);
    expect(byState.map((page) => page.length)).toEqual([500, 500, 250]);
    expect(byState.flat()).toEqual(running);
    expect(none).toEqual([[]]);
    expect(ec2.calls().DescribeInstances).toBeGreaterThanOrEqual(3 + 2 + 3 + 1);
  });

  it('stops and starts instances at once, answering their previous and current states', async () => {
    // Prepare
    ec2.put(fleet(4));

    // Act
    const stopped = await client.send(new StopInstancesCommand({ InstanceIds: [id(0), id(1)] }));
    const started = await client.send(new StartInstancesCommand({ InstanceIds: [id(3)] }));

    // Assess
    expect(stopped.StoppingInstances).toEqual([
      {
        InstanceId: id(0),
        CurrentState: { Code: 80, Name: 'stopped' },
        PreviousState: { Code: 16, Name: 'running' },
      },
      {
        InstanceId: id(1),
        CurrentState: { Code: 80, Name: 'stopped' },
        PreviousState: { Code: 80, Name: 'stopped' },
      },
    ]);
    expect(started.StartingInstances).toEqual([
      {
        InstanceId: id(3),
        CurrentState: { Code: 16, Name: 'running' },
        PreviousState: { Code: 80, Name: 'stopped' },
      },
    ]);
    expect([id(0), id(1), id(2), id(3)].map((each) => ec2.get(each)?.state)).toEqual([
      'stopped',
      'stopped',
      'running',
      'running',
    ]);
  });

  it('creates and deletes tags on many instances, a named value only when it matches', async () => {
    // Prepare
    ec2.put(fleet(3));
    const ids = [id(0), id(1), id(2)];

    // Act
    await client.send(
      new CreateTagsCommand({
        Resources: ids,
        Tags: [{ Key: 'nightshift:last-action', Value: 'stop@2025-01-01T00:00:00.000Z' }],
      }),
    );
    await client.send(
      new DeleteTagsCommand({
        Resources: ids,
        Tags: [{ Key: 'nightshift:schedule', Value: 'office' }, { Key: 'Name' }],
      }),
    );

    // Assess
    expect(ids.map((each) => ec2.get(each)?.tags)).toEqual([
      { 'nightshift:last-action': 'stop@2025-01-01T00:00:00.000Z' },
      { 'nightshift:schedule': 'night', 'nightshift:last-action': 'stop@2025-01-01T00:00:00.000Z' },
      { 'nightshift:last-action': 'stop@2025-01-01T00:00:00.000Z' },
    ]);
  });

  it('answers an unknown action, instance or filter with an error the SDK throws, and counts every call', async () => {
    // Prepare
    ec2.put(fleet(1));
    const before = ec2.calls();

    // Act & Assess
    await expect(
      client.send(new RunInstancesCommand({ ImageId: 'ami-12c6146b', MinCount: 1, MaxCount: 1 })),
    ).rejects.toMatchObject({ name: 'InvalidAction', $metadata: { httpStatusCode: 400 } });
    await expect(
      client.send(new StopInstancesCommand({ InstanceIds: [id(0), id(9)] })),
    ).rejects.toMatchObject({
      name: 'InvalidInstanceID.NotFound',
      message: `The instance ID '${id(9)}' does not exist`,
    });
    await expect(
      client.send(new DescribeInstancesCommand({ Filters: [{ Name: 'vpc-id', Values: ['x'] }] })),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    expect(ec2.get(id(0))?.state).toBe('running');
    const after = ec2.calls();
    expect({
      RunInstances: (after.RunInstances ?? 0) - (before.RunInstances ?? 0),
      StopInstances: (after.StopInstances ?? 0) - (before.StopInstances ?? 0),
      DescribeInstances: (after.DescribeInstances ?? 0) - (before.DescribeInstances ?? 0),
    }).toEqual({ RunInstances: 1, StopInstances: 1, DescribeInstances: 1 });
  });
});
