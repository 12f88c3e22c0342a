import { createServer, request as forward, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
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

// A job across accounts and regions in the emulator: moto gives each assumed-role session
// the account of the role, so the spoke accounts are real accounts of the emulator. The
// queue is drained here as Lambda's mapping would (batch of one, failed ones delivered
// again, then the dead-letter queue).
const moto = connectMoto(inject('moto'));
const bundle = resolve(import.meta.dirname, '../../dist/snapshot-cleanup/index.mjs');
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

describe('a job across accounts and regions', () => {
  it('snapshot-cleanup cleans every account and region as a single-account run cleans its own, and a target without its role fails alone', async () => {
    // Prepare
    await moto.reset();
    resetClients();
    clearTargetClients();
    clearTargetCredentials();
    const ownAccount = '123456789012';
    const sqs = getClient(SQSClient);
    const sns = getClient(SNSClient);
    const dynamodb = getClient(DynamoDBClient);
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'reports' }));
    const reader = await subscribeQueue({ sns, sqs, topicArn: TopicArn });
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'runs',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: 'runs' });
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'targets-dlq' }));
    const { Attributes: dlqAttributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: 'targets',
        Attributes: {
          VisibilityTimeout: '60',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqAttributes.QueueArn,
            maxReceiveCount: 2,
          }),
        },
      }),
    );
    const { Attributes: queueAttributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const accounts = [ownAccount, ...SPOKES];
    const seeded = new Map<string, { old: string; recent: string }>();
    for (const accountId of accounts) {
      for (const region of REGIONS) {
        const ec2 = await ec2Of(accountId, region, ownAccount);
        seeded.set(`${accountId}/${region}`, await seedTarget(ec2, region));
      }
    }
    const noRole = await seedTarget(await ec2Of(NO_ROLE, 'us-east-1', ownAccount), 'us-east-1');
    // A single-account run, in a Region of its own, for the state every target must end in.
    const single = await seedTarget(
      await ec2Of(ownAccount, 'ap-southeast-2', ownAccount),
      'ap-southeast-2',
    );
    const env = {
      AWS_ENDPOINT_URL: endpoint,
      TARGET_ACCOUNTS: `self,${SPOKES.join(',')},${NO_ROLE}`,
      TARGET_REGIONS: REGIONS.join(','),
      SPOKE_ROLE_NAME: ROLE,
      FANOUT_QUEUE_URL: queue.QueueUrl ?? '',
      RUNS_TABLE: 'runs',
      SNS_TOPIC_ARN: TopicArn,
      FANOUT_MAX_RECEIVE_COUNT: '2',
    };
    const invoke = (event: unknown, extra: Record<string, string> = {}) =>
      invokeBundle<Record<string, unknown>>(bundle, event, {
        functionName: 'snapshot-cleanup',
        env: { ...env, ...extra },
      });

    // Act
    const singleRun = await invokeBundle(
      bundle,
      {},
      {
        functionName: 'snapshot-cleanup',
        env: { AWS_REGION: 'ap-southeast-2', AWS_ENDPOINT_URL: endpoint },
      },
    );
    const dispatched = await invoke({});
    const drained = await drainQueue({
      sqs,
      queueUrl: queue.QueueUrl ?? '',
      queueArn: queueAttributes.QueueArn ?? '',
      workers: 4,
      invoke: async (event) => {
        const { result, error } = await invoke(event);
        if (error) throw error;
        return result as { batchItemFailures: { itemIdentifier: string }[] };
      },
    });
    const summaries = (await reader.receive({ count: 2, timeoutMs: 5_000 })).filter(({ Subject }) =>
      Subject?.includes('snapshot-cleanup'),
    );
    const { Attributes: dead = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: dlq.QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );

    // Assess: the single run deletes the old snapshot and keeps the recent one.
    expect(singleRun.error).toBeUndefined();
    const expected = await leftOf(await ec2Of(ownAccount, 'ap-southeast-2', ownAccount), single);
    expect(expected).toEqual({ old: false, recent: true });
    expect(dispatched.result).toMatchObject({ status: 'dispatched', targets: 8, enqueued: 8 });
    for (const accountId of accounts) {
      for (const region of REGIONS) {
        const ec2 = await ec2Of(accountId, region, ownAccount);
        const state = await leftOf(ec2, seeded.get(`${accountId}/${region}`) ?? single);
        expect(state, `${accountId}/${region}`).toEqual(expected);
      }
    }
    // The account without its role: nothing changed there, its two targets failed alone.
    expect(await leftOf(await ec2Of(NO_ROLE, 'us-east-1', ownAccount), noRole)).toEqual({
      old: true,
      recent: true,
    });
    expect(drained.failures).toBe(4);
    expect(dead.ApproximateNumberOfMessages).toBe('2');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]?.Message).toContain('targets 8: done 6, failed 2, pending 0');
    expect(summaries[0]?.Message).toMatch(/^deleted: 6$/m);
    expect(summaries[0]?.Message).not.toContain('retentionDays');
    expect(summaries[0]?.Message).toContain(NO_ROLE);
    expect(summaries[0]?.Message).toContain('AccessDenied');
  }, 180_000);
});
