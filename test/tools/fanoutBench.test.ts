import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import {
  DeleteSnapshotCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cleanupSeed, perTarget, targetAccounts } from '../../scripts/bench/fanout.ts';
import {
  accessKeyFor,
  accountOfAccessKey,
  callKind,
  credentialScope,
  HUB_ACCOUNT,
  MAPPING_ACCESS_KEY,
  type OrgEndpoint,
  startOrgEndpoint,
} from '../../scripts/bench/orgEndpoint.ts';
import {
  extrapolatedSeconds,
  type FanoutFigures,
  type FanoutRow,
  fanoutTargets,
  modelledSeconds,
} from '../../scripts/bench/report.ts';

const DAY_MS = 86_400_000;

describe('fan-out bench helpers', () => {
  it('reads the access key, Region and service of a SigV4 credential scope', () => {
    expect(
      credentialScope(
        'AWS4-HMAC-SHA256 Credential=ASIA200000000001/20261130/us-west-2/ec2/aws4_request, SignedHeaders=host, Signature=abc',
      ),
    ).toEqual({ accessKeyId: 'ASIA200000000001', region: 'us-west-2', service: 'ec2' });
    expect(credentialScope('')).toBeUndefined();
  });

  it('names the account in a spoke session key, and the hub for any other key', () => {
    expect(accountOfAccessKey(accessKeyFor('200000000042'))).toBe('200000000042');
    expect(accountOfAccessKey('bench')).toBe(HUB_ACCOUNT);
    expect(accountOfAccessKey('ASIA12345')).toBe(HUB_ACCOUNT);
  });

  it('counts STS, SQS, DynamoDB, SNS and Organizations as the fan-out, the rest as the job', () => {
    expect(['sts', 'sqs', 'dynamodb', 'sns', 'organizations'].map(callKind)).toEqual(
      Array(5).fill('fanout'),
    );
    expect(['ec2', 'autoscaling', 'rds', 'monitoring'].map(callKind)).toEqual(Array(4).fill('job'));
  });

  it('seeds 100 snapshots of 20 live volumes, the 40 past 30 days due', () => {
    const now = new Date('2026-11-30T08:00:00Z');
    const { snapshots, volumeIds, due } = cleanupSeed(now, 20);
    expect(snapshots).toHaveLength(100);
    expect(new Set(snapshots.map((snapshot) => snapshot.id)).size).toBe(100);
    expect(volumeIds).toHaveLength(20);
    expect(snapshots.every((snapshot) => volumeIds.includes(snapshot.volumeId))).toBe(true);
    const old = snapshots.filter((s) => now.getTime() - s.startTime.getTime() > 30 * DAY_MS);
    expect(due).toBe(40);
    expect(old).toHaveLength(40);
  });

  it('numbers target accounts apart from the hub, and divides calls by the targets', () => {
    expect(targetAccounts(2)).toEqual(['200000000001', '200000000002']);
    expect(targetAccounts(50)).not.toContain(HUB_ACCOUNT);
    expect(perTarget({ 'ec2:DeleteSnapshot': 80, 'sts:AssumeRole': 1 }, 2)).toEqual({
      'ec2:DeleteSnapshot': 40,
      'sts:AssumeRole': 0.5,
    });
  });

  it('extrapolates the wall time in proportion to the targets', () => {
    expect(extrapolatedSeconds({ wallSeconds: 12, targets: 200 }, 4000)).toBe(240);
  });
});

describe('fan-out targets', () => {
  const row = (over: Partial<FanoutRow> = {}): FanoutRow => ({
    functionName: 'infra-scaler',
    scenario: 'reconcile, nothing due',
    concurrency: 10,
    accounts: 50,
    targets: 200,
    dispatchSeconds: 2,
    drainSeconds: 9,
    wallSeconds: 11,
    drainCpuSeconds: 8,
    invocations: 200,
    redelivered: 0,
    deadLettered: 0,
    expected: 200,
    counted: 200,
    done: 200,
    failed: 0,
    summaryPublished: true,
    total: 'inDueState',
    totalSum: 10_000,
    totalExpected: 10_000,
    jobCalls: {},
    fanoutCalls: {},
    dispatchCalls: 0,
    jobCallsPerTarget: 4,
    fanoutCallsPerTarget: 5,
    emulatorSeconds: 1,
    emulatorErrors: {},
    errors: [],
    ...over,
  });
  /** 40 targets by one worker, 0.25 s each, one AssumeRole per account of 4 Regions. */
  const one = (over: Partial<FanoutRow> = {}) =>
    row({
      concurrency: 1,
      accounts: 10,
      targets: 40,
      expected: 40,
      counted: 40,
      done: 40,
      totalSum: 2_000,
      totalExpected: 2_000,
      drainSeconds: 10,
      fanoutCalls: { 'sts:AssumeRole': 10 },
      ...over,
    });
  const figures = (rows: FanoutRow[]): FanoutFigures => ({
    latencyMs: 50,
    accounts: 50,
    oneAccounts: 10,
    regions: ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2'],
    instancesPerTarget: 50,
    snapshotsPerTarget: 100,
    dueSnapshotsPerTarget: 40,
    extrapolateTo: { accounts: 1000, regions: 4 },
    defaultConcurrency: 10,
    rows,
  });

  it('models the dispatch scaled, then the targets by rounds of one worker each, one AssumeRole per target', () => {
    // 2 s per 200 targets: 40 s; 400 rounds of 0.25 s + 0.75 × 50 ms.
    expect(
      modelledSeconds(one(), row(), { targets: 4000, concurrency: 10, latencyMs: 50 }),
    ).toBeCloseTo(40 + 400 * 0.2875, 9);
    // Every target assumed its role already: nothing added; a partial round counts whole.
    expect(
      modelledSeconds(one({ fanoutCalls: { 'sts:AssumeRole': 40 } }), row({ dispatchSeconds: 0 }), {
        targets: 4001,
        concurrency: 10,
        latencyMs: 50,
      }),
    ).toBeCloseTo(401 * 0.25, 9);
  });

  it('is met when the modelled run is under the limit and every run did its work', () => {
    const [target] = fanoutTargets(figures([one(), row(), row({ concurrency: 50 })]));
    expect(target?.met).toBe(true);
    expect(target?.detail).toContain('2.6 min modelled');
  });

  it('is missed over the limit, without both runs, or when a run left work undone', () => {
    expect(fanoutTargets(figures([one({ drainSeconds: 40 }), row()]))[0]?.met).toBe(false);
    expect(fanoutTargets(figures([row()]))[0]?.met).toBe(false);
    expect(fanoutTargets(figures([one()]))[0]?.met).toBe(false);
    for (const problem of [
      { failed: 1, done: 199 },
      { done: 199 },
      { expected: 199 },
      { counted: 199 },
      { totalSum: 9_950 },
      { summaryPublished: false },
      { deadLettered: 1 },
      { errors: ['the run exited with 1'] },
    ]) {
      const [target] = fanoutTargets(figures([one(), row(), row({ concurrency: 50, ...problem })]));
      expect(target?.met, JSON.stringify(problem)).toBe(false);
    }
  });

  it('holds the cleanup to 15 minutes', () => {
    const cleanup = {
      functionName: 'snapshot-cleanup',
      scenario: 'full snapshot cleanup' as const,
    };
    // 400 rounds of 2 s + 37.5 ms, and 40 s of dispatch: 855 s; with 2.15 s, 915 s.
    const at = row(cleanup);
    expect(fanoutTargets(figures([one({ ...cleanup, drainSeconds: 80 }), at]))[0]?.met).toBe(true);
    expect(fanoutTargets(figures([one({ ...cleanup, drainSeconds: 86 }), at]))[0]?.met).toBe(false);
  });
});

describe('the organization endpoint', () => {
  let org: OrgEndpoint;
  let upstream: Server;
  const forwarded: string[] = [];
  const LATENCY_MS = 200;
  const hub = { accessKeyId: 'bench', secretAccessKey: 'bench' };
  const client = <C>(
    Client: new (config: object) => C,
    region: string,
    credentials: object = hub,
  ): C => new Client({ endpoint: org.endpoint, region, credentials, maxAttempts: 1 });

  beforeAll(async () => {
    // A stand-in for the emulator: answers every forwarded SQS call with no queues.
    upstream = createServer((request, response) => {
      forwarded.push(String(request.headers['x-amz-target']));
      request.resume();
      request.on('end', () =>
        response
          .writeHead(200, { 'content-type': 'application/x-amz-json-1.0' })
          .end(JSON.stringify({ QueueUrls: [] })),
      );
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    org = await startOrgEndpoint({ upstream: `http://127.0.0.1:${port}`, latencyMs: LATENCY_MS });
  });

  afterAll(async () => {
    await org.stop();
    await new Promise((resolve) => upstream.close(resolve));
  });

  beforeEach(async () => {
    await org.reset();
    forwarded.length = 0;
  });

  it('plays each account and Region apart: its spoke keys, its snapshots, its instances', async () => {
    // Prepare
    const now = new Date();
    const seed = cleanupSeed(now, 2);
    await org.seed('200000000001', 'us-west-2', seed);
    await org.seed('200000000002', 'us-west-2', {
      snapshots: seed.snapshots.slice(0, 1),
      instances: [{ id: 'i-00000000000000001', state: 'running', tags: { team: 'data' } }],
    });

    // Act
    const sts = client(STSClient, 'eu-west-1');
    const caller = await sts.send(new GetCallerIdentityCommand({}));
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::200000000001:role/spoke',
        RoleSessionName: 'nightshift-bench',
      }),
    );
    const spoke = {
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretAccessKey ?? '',
      sessionToken: Credentials?.SessionToken ?? '',
    };
    const ec2 = client(EC2Client, 'us-west-2', spoke);
    const started = performance.now();
    const snapshots = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    const elapsed = performance.now() - started;
    const volumes = await ec2.send(new DescribeVolumesCommand({}));
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: seed.snapshots[0]?.id }));
    const again = await ec2
      .send(new DeleteSnapshotCommand({ SnapshotId: seed.snapshots[0]?.id }))
      .catch((error: Error) => error);
    const otherRegion = await client(EC2Client, 'eu-west-1', spoke).send(
      new DescribeSnapshotsCommand({ OwnerIds: ['self'] }),
    );
    const other = client(EC2Client, 'us-west-2', {
      accessKeyId: accessKeyFor('200000000002'),
      secretAccessKey: 'x',
    });
    const instances = await other.send(new DescribeInstancesCommand({}));
    const groups = await client(AutoScalingClient, 'us-west-2', spoke).send(
      new DescribeAutoScalingGroupsCommand({}),
    );

    // Assess
    expect(caller.Account).toBe(HUB_ACCOUNT);
    expect(Credentials?.AccessKeyId).toBe(accessKeyFor('200000000001'));
    expect(snapshots.Snapshots).toHaveLength(10);
    expect(snapshots.Snapshots?.[0]).toMatchObject({
      OwnerId: '200000000001',
      State: 'completed',
      VolumeSize: 8,
    });
    expect(elapsed).toBeGreaterThanOrEqual(LATENCY_MS - 1);
    expect(volumes.Volumes?.map((volume) => volume.VolumeId)).toEqual(seed.volumeIds);
    expect(again).toMatchObject({ name: 'InvalidSnapshot.NotFound' });
    expect(org.snapshotsOf('200000000001', 'us-west-2')).toHaveLength(9);
    expect(org.snapshotsOf('200000000002', 'us-west-2')).toHaveLength(1);
    expect(otherRegion.Snapshots).toEqual([]);
    expect(
      instances.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId),
    ).toEqual(['i-00000000000000001']);
    expect(groups.AutoScalingGroups).toEqual([]);
  });

  it('forwards the other services and counts every call by phase and kind', async () => {
    // Act
    await client(STSClient, 'eu-west-1').send(new GetCallerIdentityCommand({}));
    await fetch(`${org.endpoint}/__bench/phase/drain`, { method: 'POST' });
    const queues = await client(SQSClient, 'eu-west-1').send(new ListQueuesCommand({}));
    await client(EC2Client, 'eu-west-1').send(new DescribeSnapshotsCommand({}));
    const mapping = client(SQSClient, 'eu-west-1', {
      accessKeyId: MAPPING_ACCESS_KEY,
      secretAccessKey: 'x',
    });
    const started = performance.now();
    await mapping.send(new ListQueuesCommand({}));
    const mappingMs = performance.now() - started;

    // Assess: the mapping's call forwarded, neither delayed nor counted.
    expect(queues.QueueUrls).toEqual([]);
    expect(forwarded).toEqual(['AmazonSQS.ListQueues', 'AmazonSQS.ListQueues']);
    expect(mappingMs).toBeLessThan(LATENCY_MS * 5);
    expect(org.calls()).toEqual({
      setup: { job: {}, fanout: { 'sts:GetCallerIdentity': 1 } },
      drain: { job: { 'ec2:DescribeSnapshots': 1 }, fanout: { 'sqs:ListQueues': 1 } },
    });
    expect(org.upstreamMs().drain).toBeGreaterThan(0);
  });
});
