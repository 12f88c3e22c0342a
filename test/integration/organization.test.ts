import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DescribeSnapshotsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { getClient, resetClients } from '@nightshift/runtime';
import {
  clearTargetClients,
  clearTargetCredentials,
  sessionNameFor,
  targetClient,
  targetCredentials,
} from '@nightshift/targets';
import { connectMoto, drainQueue, invokeBundle, subscribeQueue } from '@nightshift/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRunsTable } from './scenarios/chatActions.ts';
import {
  scheduleDue,
  schedulesText,
  seedInstance,
  seeInstances,
  TAG,
} from './scenarios/reconcile.ts';

// A job across accounts and regions in the emulator: moto gives each assumed-role session
// the account of the role, so the spoke accounts are real accounts of the emulator. The
// queue is drained here as Lambda's mapping would (batch of one, failed ones delivered
// again, then the dead-letter queue).
const moto = connectMoto(inject('moto'));
const ROLE = 'nightshift-staging-spoke';
const REGIONS = ['us-east-1', 'eu-west-1'];
const SPOKES = ['111111111111', '222222222222'];
/** An account whose spoke role is missing: AWS refuses to let the hub assume it. */
const NO_ROLE = '333333333333';

/**
 * A proxy in front of the emulator that answers AssumeRole into `denied` as AWS does when the
 * role does not exist or does not trust the caller (moto lets any role be assumed).
 */
const startDenyingProxy = async (upstream: string, denied: string): Promise<Server> => {
  const target = new URL(upstream);
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString();
      if (/Action=AssumeRole/.test(text) && text.includes(`iam%3A%3A${denied}%3Arole`)) {
        outgoing.writeHead(403, { 'content-type': 'text/xml' });
        outgoing.end(
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${denied}:role/${ROLE}</Message></Error><RequestId>c0ffee00-0000-4000-8000-000000000000</RequestId></ErrorResponse>`,
        );
        return;
      }
      const upstreamRequest = forward(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (answer) => {
          outgoing.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(outgoing);
        },
      );
      upstreamRequest.on('error', () => outgoing.destroy());
      upstreamRequest.end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return server;
};

let proxy: Server;
let endpoint = '';
beforeAll(async () => {
  proxy = await startDenyingProxy(moto.endpoint, NO_ROLE);
  endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((done) => proxy.close(done));
});

/** An account's EC2 client in a region: through its spoke role unless it is the own account. */
const ec2Of = async (accountId: string, region: string, ownAccount: string) => {
  const target = { accountId, region };
  const credentials = await targetCredentials(getClient(STSClient), target, {
    roleName: ROLE,
    sessionName: sessionNameFor('seeding'),
    selfAccountId: ownAccount,
  });
  return targetClient(EC2Client, target, credentials);
};

/** An old snapshot (40 days) and a recent one of a volume that still exists, in one target. */
const seedTarget = async (ec2: EC2Client, region: string) => {
  const { VolumeId = '' } = await ec2.send(
    new CreateVolumeCommand({ AvailabilityZone: `${region}a`, Size: 8 }),
  );
  moto.setClockOffset('-40d');
  const old = (await ec2.send(new CreateSnapshotCommand({ VolumeId }))).SnapshotId ?? '';
  moto.setClockOffset('+0');
  const recent = (await ec2.send(new CreateSnapshotCommand({ VolumeId }))).SnapshotId ?? '';
  return { old, recent };
};

/** Which of a target's two snapshots are left. */
const leftOf = async (ec2: EC2Client, seeded: { old: string; recent: string }) => {
  const { Snapshots = [] } = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
  const ids = new Set(Snapshots.map((snapshot) => snapshot.SnapshotId));
  return { old: ids.has(seeded.old), recent: ids.has(seeded.recent) };
};

const OWN_ACCOUNT = '123456789012';
const ACCOUNTS = [OWN_ACCOUNT, ...SPOKES];
const TARGETS = ACCOUNTS.flatMap((accountId) => REGIONS.map((region) => ({ accountId, region })));
const dist = (name: string) => resolve(import.meta.dirname, `../../dist/${name}/index.mjs`);

/**
 * A fresh emulated hub for a fanned-out job: the reports topic (read through a queue), the
 * runs table, the target queue with its dead-letter queue (two deliveries), and how to
 * invoke the job's bundle, dispatch and drain.
 */
const startRig = async (functionName: string, extraEnv: Record<string, string> = {}) => {
  await moto.reset();
  resetClients();
  clearTargetClients();
  clearTargetCredentials();
  const sqs = getClient(SQSClient);
  const sns = getClient(SNSClient);
  const dynamodb = getClient(DynamoDBClient);
  const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'reports' }));
  const reader = await subscribeQueue({ sns, sqs, topicArn: TopicArn });
  await createRunsTable(dynamodb, 'runs');
  const arnOf = async (url: string | undefined) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn ?? '';
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'targets-dlq' }));
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'targets',
      Attributes: {
        VisibilityTimeout: '60',
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: await arnOf(dlq.QueueUrl),
          maxReceiveCount: 2,
        }),
      },
    }),
  );
  const queueArn = await arnOf(queue.QueueUrl);
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    TARGET_ACCOUNTS: `self,${SPOKES.join(',')}`,
    TARGET_REGIONS: REGIONS.join(','),
    SPOKE_ROLE_NAME: ROLE,
    FANOUT_QUEUE_URL: queue.QueueUrl ?? '',
    RUNS_TABLE: 'runs',
    SNS_TOPIC_ARN: TopicArn,
    FANOUT_MAX_RECEIVE_COUNT: '2',
    ...extraEnv,
  };
  const invoke = (event: unknown, overrides: Record<string, string> = {}) =>
    invokeBundle<Record<string, unknown>>(dist(functionName), event, {
      functionName,
      env: { ...env, ...overrides },
    });
  return {
    invoke,
    /** Runs the job as one account does today, in a Region of its own. */
    single: (event: unknown, region: string) =>
      invokeBundle<Record<string, unknown>>(dist(functionName), event, {
        functionName,
        env: { ...extraEnv, AWS_REGION: region, AWS_ENDPOINT_URL: endpoint },
      }),
    drain: () =>
      drainQueue({
        sqs,
        queueUrl: queue.QueueUrl ?? '',
        queueArn,
        // One at a time: the emulator does not apply concurrent transactions atomically
        // (AWS does); the fan-out's own test covers workers at once.
        workers: 1,
        invoke: async (event) => {
          const { result, error } = await invoke(event);
          if (error) throw error;
          return result as { batchItemFailures: { itemIdentifier: string }[] };
        },
      }),
    summaries: async () =>
      (await reader.receive({ count: 2, timeoutMs: 5_000 })).filter(({ Subject }) =>
        Subject?.includes(functionName),
      ),
    deadLetters: async () =>
      (
        await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: dlq.QueueUrl,
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
        )
      ).Attributes?.ApproximateNumberOfMessages,
  };
};

describe('a job across accounts and regions', () => {
  it('snapshot-cleanup cleans every account and region as a single-account run cleans its own, and a target without its role fails alone', async () => {
    // Prepare
    const rig = await startRig('snapshot-cleanup');
    const seeded = new Map<string, { old: string; recent: string }>();
    for (const { accountId, region } of TARGETS) {
      const ec2 = await ec2Of(accountId, region, OWN_ACCOUNT);
      seeded.set(`${accountId}/${region}`, await seedTarget(ec2, region));
    }
    const noRole = await seedTarget(await ec2Of(NO_ROLE, 'us-east-1', OWN_ACCOUNT), 'us-east-1');
    // A single-account run, in a Region of its own, for the state every target must end in.
    const single = await seedTarget(
      await ec2Of(OWN_ACCOUNT, 'ap-southeast-2', OWN_ACCOUNT),
      'ap-southeast-2',
    );

    // Act
    const singleRun = await rig.single({}, 'ap-southeast-2');
    const dispatched = await rig.invoke(
      {},
      { TARGET_ACCOUNTS: `self,${SPOKES.join(',')},${NO_ROLE}` },
    );
    const drained = await rig.drain();
    const summaries = await rig.summaries();

    // Assess: the single run deletes the old snapshot and keeps the recent one.
    expect(singleRun.error).toBeUndefined();
    const expected = await leftOf(await ec2Of(OWN_ACCOUNT, 'ap-southeast-2', OWN_ACCOUNT), single);
    expect(expected).toEqual({ old: false, recent: true });
    expect(dispatched.result).toMatchObject({ status: 'dispatched', targets: 8, enqueued: 8 });
    for (const { accountId, region } of TARGETS) {
      const ec2 = await ec2Of(accountId, region, OWN_ACCOUNT);
      const state = await leftOf(ec2, seeded.get(`${accountId}/${region}`) ?? single);
      expect(state, `${accountId}/${region}`).toEqual(expected);
    }
    // The account without its role: nothing changed there, its two targets failed alone.
    expect(await leftOf(await ec2Of(NO_ROLE, 'us-east-1', OWN_ACCOUNT), noRole)).toEqual({
      old: true,
      recent: true,
    });
    expect(drained.failures).toBe(4);
    expect(await rig.deadLetters()).toBe('2');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.Message).toContain('targets 8: done 6, failed 2, pending 0');
    expect(summaries[0]?.Message).toMatch(/^deleted: 6$/m);
    expect(summaries[0]?.Message).not.toContain('retentionDays');
    expect(summaries[0]?.Message).toContain(NO_ROLE);
    expect(summaries[0]?.Message).toContain('AccessDenied');
  }, 180_000);

  it('infra-scaler reconciles every account and region as a single-account run reconciles its own', async () => {
    // Prepare: per target, an instance due stopped (running) and one due running (stopped).
    const now = new Date();
    const rig = await startRig('infra-scaler', {
      SCHEDULES: schedulesText({
        day: scheduleDue('running', now),
        night: scheduleDue('stopped', now),
      }),
    });
    const seed = async (accountId: string, region: string) => {
      const ec2 = await ec2Of(accountId, region, OWN_ACCOUNT);
      return {
        ec2,
        toStop: await seedInstance(ec2, { [TAG.schedule]: 'night' }),
        toStart: await seedInstance(ec2, { [TAG.schedule]: 'day' }, { stopped: true }),
      };
    };
    const states = async ({ ec2, toStop, toStart }: Awaited<ReturnType<typeof seed>>) => {
      const seen = await seeInstances(ec2, [toStop, toStart]);
      return {
        toStop: seen.get(toStop)?.state,
        toStart: seen.get(toStart)?.state,
        lastActions: [toStop, toStart].map(
          (id) => seen.get(id)?.tags[TAG.lastAction]?.split('@')[0],
        ),
      };
    };
    const seeded = await Promise.all(
      TARGETS.map(({ accountId, region }) => seed(accountId, region)),
    );
    const single = await seed(OWN_ACCOUNT, 'ap-southeast-2');

    // Act
    const singleRun = await rig.single({ action: 'reconcile' }, 'ap-southeast-2');
    const dispatched = await rig.invoke({ action: 'reconcile' });
    const drained = await rig.drain();
    const summaries = await rig.summaries();

    // Assess
    expect(singleRun.error).toBeUndefined();
    const expected = await states(single);
    expect(expected).toEqual({
      toStop: 'stopped',
      toStart: 'running',
      lastActions: ['stop', 'start'],
    });
    expect(dispatched.result).toMatchObject({ status: 'dispatched', targets: 6 });
    expect(drained.failures).toBe(0);
    for (const [index, target] of TARGETS.entries()) {
      expect(
        await states(seeded[index] as Awaited<ReturnType<typeof seed>>),
        JSON.stringify(target),
      ).toEqual(expected);
    }
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.Message).toContain('targets 6: done 6, failed 0, pending 0');
  }, 180_000);

  it('backup-manager backs up every account and region as a single-account run backs up its own', async () => {
    // Prepare: per target, a production instance to back up and a staging one to leave alone.
    const rig = await startRig('backup-manager');
    const event = { backup_type: 'ec2', environment: 'production' };
    const seed = async (accountId: string, region: string) => {
      const ec2 = await ec2Of(accountId, region, OWN_ACCOUNT);
      return {
        ec2,
        production: await seedInstance(ec2, { Environment: 'production', Backup: 'true' }),
        staging: await seedInstance(ec2, { Environment: 'staging', Backup: 'true' }),
      };
    };
    const backups = async ({ ec2, production, staging }: Awaited<ReturnType<typeof seed>>) => {
      const { Snapshots = [] } = await ec2.send(
        new DescribeSnapshotsCommand({ OwnerIds: ['self'] }),
      );
      const of = (id: string) =>
        Snapshots.filter((snapshot) => (snapshot.Tags ?? []).some(({ Value }) => Value === id))
          .length;
      return { production: of(production) > 0, staging: of(staging) > 0 };
    };
    const seeded = await Promise.all(
      TARGETS.map(({ accountId, region }) => seed(accountId, region)),
    );
    const single = await seed(OWN_ACCOUNT, 'ap-southeast-2');

    // Act
    const singleRun = await rig.single(event, 'ap-southeast-2');
    const dispatched = await rig.invoke(event);
    const drained = await rig.drain();
    const summaries = await rig.summaries();

    // Assess
    expect(singleRun.error).toBeUndefined();
    const expected = await backups(single);
    expect(expected).toEqual({ production: true, staging: false });
    expect(dispatched.result).toMatchObject({ status: 'dispatched', targets: 6 });
    expect(drained.failures).toBe(0);
    for (const [index, target] of TARGETS.entries()) {
      expect(
        await backups(seeded[index] as Awaited<ReturnType<typeof seed>>),
        JSON.stringify(target),
      ).toEqual(expected);
    }
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.Message).toContain('targets 6: done 6, failed 0, pending 0');
  }, 180_000);
});
