import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Fault,
  type FaultProxy,
  type ForwardedCall,
  startFaultProxy,
} from '../src/faultProxy.ts';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** An upstream that answers every call with an empty success, counting what reaches it. */
const startUpstream = async () => {
  let reached = 0;
  const server = createServer((_request, response) => {
    reached += 1;
    response.writeHead(200, { 'content-type': 'text/xml' }).end('<Response></Response>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise((resolve) => server.close(() => resolve())));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reached: () => reached,
  };
};

const proxyOf = async (target: string, kinds: Fault[], rate = 1): Promise<FaultProxy> => {
  const proxy = await startFaultProxy({ target, rate, kinds });
  stops.push(() => proxy.stop());
  return proxy;
};

const config = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  maxAttempts: 1,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { name: string; $metadata?: object }) => error,
  );

describe('fault proxy', () => {
  it('throttles each protocol with the error codes and statuses AWS sends', async () => {
    // Prepare
    const upstream = await startUpstream();
    const proxy = await proxyOf(upstream.endpoint, ['throttle']);

    // Act
    const ec2 = await errorOf(
      new EC2Client(config(proxy.endpoint)).send(new DescribeSnapshotsCommand({})),
    );
    const rds = await errorOf(
      new RDSClient(config(proxy.endpoint)).send(new DescribeDBInstancesCommand({})),
    );
    const sqs = await errorOf(
      new SQSClient(config(proxy.endpoint)).send(new ListQueuesCommand({})),
    );

    // Assess
    expect(ec2).toMatchObject({
      name: 'RequestLimitExceeded',
      $metadata: { httpStatusCode: 503 },
    });
    expect(rds).toMatchObject({ name: 'Throttling', $metadata: { httpStatusCode: 400 } });
    expect(sqs).toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(upstream.reached()).toBe(0);
    expect(proxy.stats()).toMatchObject({
      requests: 3,
      faults: { throttle: 3, unavailable: 0, drop: 0, lost: 0 },
      forwarded: {},
    });
  });

  it('answers 503, cuts the connection before or after acting, and forwards what it spares', async () => {
    // Prepare
    const upstream = await startUpstream();
    const unavailable = await proxyOf(upstream.endpoint, ['unavailable']);
    const dropping = await proxyOf(upstream.endpoint, ['drop']);
    const losing = await proxyOf(upstream.endpoint, ['lost']);
    const passing = await proxyOf(upstream.endpoint, ['drop'], 0);

    // Act
    const refused = await errorOf(
      new EC2Client(config(unavailable.endpoint)).send(new DescribeSnapshotsCommand({})),
    );
    const cut = await errorOf(
      new EC2Client(config(dropping.endpoint)).send(new DescribeSnapshotsCommand({})),
    );
    const lost = await errorOf(
      new EC2Client(config(losing.endpoint)).send(new DescribeSnapshotsCommand({})),
    );
    const spared = await errorOf(
      new EC2Client(config(passing.endpoint)).send(new DescribeSnapshotsCommand({})),
    );

    // Assess
    expect(refused).toMatchObject({ $metadata: { httpStatusCode: 503 } });
    expect(cut).toMatchObject({ name: expect.stringMatching(/Error/) });
    expect(lost).toMatchObject({ name: expect.stringMatching(/Error/) });
    expect(spared).toBeUndefined();
    expect(upstream.reached()).toBe(2);
    expect(losing.stats().forwarded).toEqual({ DescribeSnapshots: 1 });
    expect(passing.stats().forwarded).toEqual({ DescribeSnapshots: 1 });
  });

  it('faults only the named actions, always the first ones when asked', async () => {
    // Prepare
    const upstream = await startUpstream();
    const proxy = await startFaultProxy({
      target: upstream.endpoint,
      rate: 0,
      first: 1,
      actions: ['DescribeDBInstances'],
      kinds: ['throttle'],
    });
    stops.push(() => proxy.stop());
    const rds = new RDSClient(config(proxy.endpoint));
    const ec2 = new EC2Client(config(proxy.endpoint));

    // Act
    const outcomes = [
      await errorOf(ec2.send(new DescribeSnapshotsCommand({}))),
      await errorOf(rds.send(new DescribeDBInstancesCommand({}))),
      await errorOf(rds.send(new DescribeDBInstancesCommand({}))),
    ];

    // Assess
    expect(outcomes.map((outcome) => outcome?.name)).toEqual([undefined, 'Throttling', undefined]);
    expect(proxy.stats().forwarded).toEqual({ DescribeSnapshots: 1, DescribeDBInstances: 1 });
  });

  it('lists the calls in order and lets a hook lose an answer after the call took effect', async () => {
    // Prepare
    const upstream = await startUpstream();
    const seen: ForwardedCall[] = [];
    const proxy = await startFaultProxy({
      target: upstream.endpoint,
      rate: 0,
      onAnswer: (call) => {
        seen.push(call);
        return call.action === 'DescribeDBInstances' && call.occurrence === 2 ? 'lose' : 'deliver';
      },
    });
    stops.push(() => proxy.stop());
    const rds = new RDSClient(config(proxy.endpoint));
    const ec2 = new EC2Client(config(proxy.endpoint));

    // Act
    const outcomes = [
      await errorOf(rds.send(new DescribeDBInstancesCommand({}))),
      await errorOf(ec2.send(new DescribeSnapshotsCommand({}))),
      await errorOf(rds.send(new DescribeDBInstancesCommand({}))),
      await errorOf(rds.send(new DescribeDBInstancesCommand({}))),
    ];
    await proxy.idle();

    // Assess
    expect(outcomes.map((outcome) => outcome?.name !== undefined)).toEqual([
      false,
      false,
      true,
      false,
    ]);
    expect(upstream.reached()).toBe(4);
    expect(seen).toEqual([
      { index: 1, action: 'DescribeDBInstances', occurrence: 1 },
      { index: 2, action: 'DescribeSnapshots', occurrence: 1 },
      { index: 3, action: 'DescribeDBInstances', occurrence: 2 },
      { index: 4, action: 'DescribeDBInstances', occurrence: 3 },
    ]);
    expect(proxy.stats().calls).toEqual([
      'DescribeDBInstances',
      'DescribeSnapshots',
      'DescribeDBInstances',
      'DescribeDBInstances',
    ]);
  });

  it('holds an answer until the hook settles, and is idle only once it is sent', async () => {
    // Prepare
    const upstream = await startUpstream();
    let release: (fate: 'deliver') => void = () => undefined;
    const held = new Promise<'deliver'>((resolve) => {
      release = resolve;
    });
    let called = false;
    const proxy = await startFaultProxy({
      target: upstream.endpoint,
      rate: 0,
      onAnswer: () => {
        called = true;
        return held;
      },
    });
    stops.push(() => proxy.stop());

    // Act
    const answer = errorOf(
      new EC2Client(config(proxy.endpoint)).send(new DescribeSnapshotsCommand({})),
    );
    while (!called) await new Promise((resolve) => setTimeout(resolve, 5));
    let idle = false;
    const idled = proxy.idle().then(() => {
      idle = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const idleWhileHeld = idle;
    release('deliver');
    await idled;

    // Assess
    expect(upstream.reached()).toBe(1);
    expect(idleWhileHeld).toBe(false);
    expect(await answer).toBeUndefined();
    expect(idle).toBe(true);
  });
});
