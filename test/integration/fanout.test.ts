import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  dispatch,
  handleBatch,
  type Target,
  targetKey,
  type Work,
  type WorkerSettings,
} from '@nightshift/fanout';
import { getClient } from '@nightshift/runtime';
import { type SnsQueueReader, subscribeQueue } from '@nightshift/testing';
import { describe, expect, it } from 'vitest';
import { createRunsTable } from './scenarios/chatActions.ts';
import { unique } from './scenarios/reconcile.ts';

const FUNCTION = 'snapshot-cleanup';
const TARGETS: Target[] = ['111111111111', '222222222222', '333333333333'].flatMap((accountId) =>
  ['eu-west-1', 'us-east-1'].map((region) => ({ accountId, region })),
);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What the template makes for a fanned-out function: the queue (visible again after 1 s
 * here) with its dead-letter queue after `maxReceiveCount` deliveries, the runs table
 * (`pk` + `sk`), and the reports topic, read back through a queue subscribed to it.
 */
const fanoutAccount = async (maxReceiveCount: number) => {
  const sqs = getClient(SQSClient);
  const sns = getClient(SNSClient);
  const dynamodb = getClient(DynamoDBClient);
  const { QueueUrl: dlqUrl = '' } = await sqs.send(
    new CreateQueueCommand({ QueueName: unique('fanout-dlq') }),
  );
  const { Attributes: dlq } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  const { QueueUrl: queueUrl = '' } = await sqs.send(
    new CreateQueueCommand({
      QueueName: unique('fanout'),
      Attributes: {
        VisibilityTimeout: '1',
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlq?.QueueArn,
          maxReceiveCount: String(maxReceiveCount),
        }),
      },
    }),
  );
  const table = unique('runs');
  await createRunsTable(dynamodb, table);
  const { TopicArn: topicArn = '' } = await sns.send(
    new CreateTopicCommand({ Name: unique('reports') }),
  );
  const reports: SnsQueueReader = await subscribeQueue({ sns, sqs, topicArn });
  const settings: WorkerSettings = { table, queueUrl, topicArn, maxReceiveCount };
  return { sqs, sns, dynamodb, dlqUrl, queueUrl, table, topicArn, reports, settings };
};
type Account = Awaited<ReturnType<typeof fanoutAccount>>;

/**
 * `count` workers draining the queue in process, as Lambda's event source mapping does
 * with batch size 1: each received message is handed to `handleBatch` as an SQS event,
 * deleted unless reported in `batchItemFailures`, and otherwise left to come back once
 * its visibility timeout ends. Runs until `stop` is called.
 */
const startWorkers = (account: Account, work: Work, count: number) => {
  let running = true;
  const worker = async () => {
    while (running) {
      const { Messages = [] } = await account.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: account.queueUrl,
          MaxNumberOfMessages: 1,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      if (Messages.length === 0) {
        await sleep(100);
        continue;
      }
      const records = Messages.map((message) => ({
        messageId: message.MessageId ?? '',
        body: message.Body ?? '',
        attributes: { ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1' },
      }));
      const { batchItemFailures } = await handleBatch(
        { Records: records },
        work,
        account,
        account.settings,
      );
      const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
      for (const message of Messages) {
        if (failed.has(message.MessageId ?? '')) continue;
        await account.sqs.send(
          new DeleteMessageCommand({
            QueueUrl: account.queueUrl,
            ReceiptHandle: message.ReceiptHandle,
          }),
        );
      }
    }
  };
  const workers = Array.from({ length: count }, worker);
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
};

/**
 * A fake job: counts its calls per target; `failing` always throws, the others delete 2
 * snapshots. The n-th call of a target takes `delaysMs[n - 1]` (0 when not given).
 */
const fakeWork = (failing: Target | undefined, delaysMs: number[] = []) => {
  const calls = new Map<string, number>();
  const work: Work = async (target) => {
    const call = (calls.get(targetKey(target)) ?? 0) + 1;
    calls.set(targetKey(target), call);
    await sleep(delaysMs[call - 1] ?? 0);
    if (failing && targetKey(target) === targetKey(failing)) {
      throw Object.assign(new Error(`the spoke role is missing in ${target.accountId}`), {
        name: 'TargetError',
      });
    }
    return { status: 'done', totals: { snapshotsDeleted: 2 }, failed: [] };
  };
  return { work, calls };
};

const queueCount = async (sqs: SQSClient, queueUrl: string) => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages),
    delayed: Number(Attributes?.ApproximateNumberOfMessagesDelayed),
  };
};

const headerOf = async (account: Account, runId: string) =>
  (
    await account.dynamodb.send(
      new GetItemCommand({
        TableName: account.table,
        Key: { pk: { S: `run#${runId}` }, sk: { S: 'run' } },
        ConsistentRead: true,
      }),
    )
  ).Item;

describe('fan-out against the emulated account', () => {
  it('runs 6 targets with 3 workers and publishes one summary: 5 done, and 1 failed after its retries, in the dead-letter queue', async () => {
    // Prepare
    const account = await fanoutAccount(3);
    const failing = { accountId: '333333333333', region: 'us-east-1' };
    const { work, calls } = fakeWork(failing);
    const now = new Date();
    const runId = `${FUNCTION}/${now.toISOString()}`;

    // Act
    const dispatched = await dispatch(account, {
      queueUrl: account.queueUrl,
      table: account.table,
      runId,
      functionName: FUNCTION,
      event: { retentionDays: 30 },
      targets: TARGETS,
      deadline: new Date(now.getTime() + 30 * 60_000),
      now,
    });
    const workers = startWorkers(account, work, 3);
    const summaries = await account.reports.receive({ count: 1, timeoutMs: 30_000 });
    // Keep draining: the failed message moves to the dead-letter queue on its next receive.
    await sleep(2_000);
    await workers.stop();
    const later = await account.reports.receive({ count: 1, timeoutMs: 1_000 });
    const header = await headerOf(account, runId);

    // Assess
    expect(dispatched).toEqual({ runId, enqueued: 6, status: 'dispatched' });
    expect(summaries).toHaveLength(1);
    expect(later).toEqual([]);
    const [summary] = summaries;
    expect(summary?.Subject).toBe(`Nightshift ${FUNCTION}: 5 of 6 targets done, 1 failed`);
    expect(summary?.Message).toContain('targets 6: done 5, failed 1, pending 0');
    expect(summary?.Message).toContain('snapshotsDeleted: 10');
    expect(summary?.Message).toContain(
      '- 333333333333 us-east-1: TargetError: the spoke role is missing in 333333333333',
    );
    expect(summary?.MessageAttributes?.failed).toEqual({ Type: 'Number', Value: '1' });
    expect(calls.get(targetKey(failing))).toBe(3);
    expect(
      [...calls.entries()].filter(([key]) => key !== targetKey(failing)).map(([, n]) => n),
    ).toEqual([1, 1, 1, 1, 1]);
    expect(header).toMatchObject({
      expected: { N: '6' },
      completed: { N: '6' },
      failed: { N: '1' },
    });
    expect(header?.publishedAt?.S).toBeDefined();
    expect((await queueCount(account.sqs, account.dlqUrl)).visible).toBe(1);
  });

  it('enqueues nothing on a second dispatch of the same run', async () => {
    // Prepare
    const account = await fanoutAccount(3);
    const now = new Date();
    const input = {
      queueUrl: account.queueUrl,
      table: account.table,
      runId: `${FUNCTION}/${now.toISOString()}`,
      functionName: FUNCTION,
      event: {},
      targets: TARGETS,
      deadline: new Date(now.getTime() + 30 * 60_000),
      now,
    };

    // Act
    const first = await dispatch(account, input);
    const second = await dispatch(account, { ...input, now: new Date() });
    const queued = await queueCount(account.sqs, account.queueUrl);

    // Assess
    expect(first.enqueued).toBe(6);
    expect(second).toEqual({ runId: input.runId, enqueued: 0, status: 'duplicate' });
    expect(queued).toEqual({ visible: 6, delayed: 1 });
  });

  it('sends the run again when its first dispatch died before it finished, once that dispatch lease is up', async () => {
    // Prepare: the headers a dispatch killed after writing them leaves: no enqueuedAt.
    const account = await fanoutAccount(3);
    const now = new Date();
    const input = (runId: string) => ({
      queueUrl: account.queueUrl,
      table: account.table,
      runId,
      functionName: FUNCTION,
      event: {},
      targets: TARGETS,
      deadline: new Date(now.getTime() + 30 * 60_000),
      now,
    });
    const died = (runId: string, leaseUntil: number) =>
      account.dynamodb.send(
        new PutItemCommand({
          TableName: account.table,
          Item: {
            pk: { S: `run#${runId}` },
            sk: { S: 'run' },
            expected: { N: '6' },
            completed: { N: '1' },
            failed: { N: '0' },
            dispatchLeaseUntil: { N: String(leaseUntil) },
          },
        }),
      );
    await died('lease-over', now.getTime() - 1);
    await died('lease-held', now.getTime() + 60_000);

    // Act
    const resumed = await dispatch(account, input('lease-over'));
    const held = await dispatch(account, input('lease-held'));
    const header = await headerOf(account, 'lease-over');

    // Assess: the counts already made are kept.
    expect(resumed).toEqual({ runId: 'lease-over', enqueued: 6, status: 'dispatched' });
    expect(held).toEqual({ runId: 'lease-held', enqueued: 0, status: 'in-progress' });
    expect(await queueCount(account.sqs, account.queueUrl)).toEqual({ visible: 6, delayed: 1 });
    expect(header).toMatchObject({ expected: { N: '6' }, completed: { N: '1' } });
    expect(header?.enqueuedAt?.S).toBe(now.toISOString());
    expect(header?.dispatchLeaseUntil).toBeUndefined();
  });

  it('counts a target delivered twice, and worked on by two workers at once, once', async () => {
    // Prepare: one target's message in the queue twice, as SQS may deliver it. Both copies
    // are taken at once, before either is recorded; the second job ends after the first
    // result is written (the emulator does not make concurrent conditional writes atomic).
    const account = await fanoutAccount(3);
    const { work, calls } = fakeWork(undefined, [400, 1_200]);
    const now = new Date();
    const runId = `${FUNCTION}/${now.toISOString()}`;
    const target = { accountId: '111111111111', region: 'eu-west-1' };
    await dispatch(account, {
      queueUrl: account.queueUrl,
      table: account.table,
      runId,
      functionName: FUNCTION,
      event: {},
      targets: [target],
      deadline: new Date(now.getTime() + 30 * 60_000),
      now,
    });
    const { Messages = [] } = await account.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: account.queueUrl, MaxNumberOfMessages: 1 }),
    );
    await account.sqs.send(
      new SendMessageCommand({ QueueUrl: account.queueUrl, MessageBody: Messages[0]?.Body }),
    );
    await sleep(1_100); // the first copy is visible again

    // Act
    const workers = startWorkers(account, work, 3);
    const summaries = await account.reports.receive({ count: 1, timeoutMs: 15_000 });
    await sleep(1_500);
    await workers.stop();
    const later = await account.reports.receive({ count: 1, timeoutMs: 1_000 });
    const header = await headerOf(account, runId);

    // Assess
    expect(summaries.map((summary) => summary.Subject)).toEqual([
      `Nightshift ${FUNCTION}: 1 of 1 targets done`,
    ]);
    expect(summaries[0]?.Message).toContain('snapshotsDeleted: 2');
    expect(later).toEqual([]);
    expect(header).toMatchObject({ completed: { N: '1' }, failed: { N: '0' } });
    // Both copies were worked on at once: the second result was refused by the table, not skipped.
    expect(calls.get(targetKey(target))).toBe(2);
    expect((await queueCount(account.sqs, account.queueUrl)).visible).toBe(0);
  });

  it('publishes at the deadline a summary naming the targets still pending', async () => {
    // Prepare: one target keeps failing, and may be retried 10 times: still pending at the deadline.
    const account = await fanoutAccount(10);
    const failing = { accountId: '222222222222', region: 'us-east-1' };
    const { work } = fakeWork(failing);
    const now = new Date();
    const runId = `${FUNCTION}/${now.toISOString()}`;
    const deadline = new Date(now.getTime() + 4_000);

    // Act
    await dispatch(account, {
      queueUrl: account.queueUrl,
      table: account.table,
      runId,
      functionName: FUNCTION,
      event: {},
      targets: TARGETS.slice(0, 4),
      deadline,
      now,
    });
    const workers = startWorkers(account, work, 3);
    const summaries = await account.reports.receive({ count: 1, timeoutMs: 20_000 });
    const publishedAt = Date.now();
    await sleep(1_500);
    await workers.stop();
    const later = await account.reports.receive({ count: 1, timeoutMs: 1_000 });

    // Assess
    expect(publishedAt).toBeGreaterThanOrEqual(deadline.getTime());
    expect(summaries).toHaveLength(1);
    expect(later).toEqual([]);
    expect(summaries[0]?.Subject).toBe(`Nightshift ${FUNCTION}: 3 of 4 targets done, 1 pending`);
    expect(summaries[0]?.Message).toContain(
      'PENDING (1): no result by the time of the summary\n- 222222222222 us-east-1',
    );
    expect(summaries[0]?.MessageAttributes?.pending).toEqual({ Type: 'Number', Value: '1' });
  });
});
