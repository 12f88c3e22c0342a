import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type SnsNotification, subscribeQueue } from '../src/snsQueue.ts';

// Against the emulator, test/integration/emulator.test.ts reads a published report back
// through this reader; here the clients are mocked, to pin down what it asks of them.

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:nightshift-reports';
const queueUrlOf = (name: string) => `https://sqs.us-east-1.amazonaws.com/123456789012/${name}`;
const queueArnOf = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;

const snsMock = mockClient(SNSClient);
const sqsMock = mockClient(SQSClient);
const sns = new SNSClient({ region: 'us-east-1' });
const sqs = new SQSClient({ region: 'us-east-1' });
afterEach(() => {
  vi.restoreAllMocks();
  snsMock.reset();
  sqsMock.reset();
});

const notification = (index: number): SnsNotification => ({
  MessageId: `n-${index}`,
  TopicArn: TOPIC_ARN,
  Subject: `Nightshift snapshot-cleanup: ${index} done, 0 failed, 0 skipped`,
  Message: `report ${index}`,
  MessageAttributes: { service: { Type: 'String', Value: 'snapshot-cleanup' } },
});

const delivered = (index: number): Message => ({
  MessageId: `sqs-${index}`,
  ReceiptHandle: `receipt-${index}`,
  Body: JSON.stringify(notification(index)),
});

/** A subscribed queue whose receives answer the given batches in turn, then nothing. */
const subscribed = (batches: Message[][] = []) => {
  sqsMock
    .on(CreateQueueCommand)
    .callsFake(({ QueueName }) => ({ QueueUrl: queueUrlOf(QueueName) }));
  sqsMock.on(GetQueueAttributesCommand).callsFake(({ QueueUrl }) => ({
    Attributes: { QueueArn: queueArnOf(String(QueueUrl).split('/').at(-1) ?? '') },
  }));
  snsMock.on(SubscribeCommand).resolves({ SubscriptionArn: `${TOPIC_ARN}:sub` });
  const receive = sqsMock.on(ReceiveMessageCommand);
  for (const batch of batches) receive.resolvesOnce({ Messages: batch });
  receive.resolves({});
  sqsMock.on(DeleteMessageBatchCommand).resolves({});
};

describe('subscribeQueue', () => {
  it('creates a queue and subscribes it to the topic by its ARN', async () => {
    // Prepare
    subscribed();

    // Act
    const reader = await subscribeQueue({ sns, sqs, topicArn: TOPIC_ARN, queueName: 'reports' });

    // Assess
    expect(reader.queueUrl).toBe(queueUrlOf('reports'));
    expect(sqsMock).toHaveReceivedCommandWith(CreateQueueCommand, { QueueName: 'reports' });
    expect(sqsMock).toHaveReceivedCommandWith(GetQueueAttributesCommand, {
      QueueUrl: queueUrlOf('reports'),
      AttributeNames: ['QueueArn'],
    });
    expect(snsMock).toHaveReceivedCommandTimes(SubscribeCommand, 1);
    expect(snsMock).toHaveReceivedCommandWith(SubscribeCommand, {
      TopicArn: TOPIC_ARN,
      Protocol: 'sqs',
      Endpoint: queueArnOf('reports'),
    });
  });

  it('gives each reader a queue of its own when no name is given, even within a millisecond', async () => {
    // Prepare
    subscribed();
    vi.spyOn(Date, 'now').mockReturnValue(1_764_460_800_000);

    // Act
    const first = await subscribeQueue({ sns, sqs, topicArn: TOPIC_ARN });
    const second = await subscribeQueue({ sns, sqs, topicArn: TOPIC_ARN });

    // Assess
    expect(first.queueUrl).not.toBe(second.queueUrl);
    const names = sqsMock
      .commandCalls(CreateQueueCommand)
      .map((call) => call.args[0].input.QueueName);
    for (const name of names) expect(name).toMatch(/^reader-[\w-]+$/);
  });

  it('fails when the queue comes back without a URL', async () => {
    // Prepare
    subscribed();
    sqsMock.on(CreateQueueCommand).resolves({});

    // Act
    const subscribing = subscribeQueue({ sns, sqs, topicArn: TOPIC_ARN, queueName: 'lost' });

    // Assess
    await expect(subscribing).rejects.toThrow('CreateQueue returned no URL for lost');
    expect(snsMock).not.toHaveReceivedCommand(SubscribeCommand);
  });
});

describe('SnsQueueReader.receive', () => {
  it('gives back each notification as SNS delivered it, its JSON envelope parsed', async () => {
    // Prepare
    subscribed([[delivered(1)]]);
    const reader = await subscribeQueue({ sns, sqs, topicArn: TOPIC_ARN, queueName: 'reports' });

    // Act
    const notifications = await reader.receive();

    // Assess
    expect(notifications).toEqual([notification(1)]);
  });

  it('short-polls the queue, ten messages at a time', async () => {
    // Prepare
    subscribed([[delivered(1)]]);
    const reader = await subscribeQueue({ sns, sqs, topicArn: TOPIC_ARN, queueName: 'reports' });

    // Act
    await reader.receive({ count: 1 });

    // Assess
    expect(sqsMock).toHaveReceivedCommandWith(ReceiveMessageCommand, {
      QueueUrl: queueUrlOf('reports'),
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
    });
  });

  it('waits across empty and partial receives until the count has arrived, then stops', async () => {
    // Prepare
    subscribed([[], [delivered(1), delivered(2)], [], [delivered(3)], [delivered(4)]]);
    const reader = await subscribeQueue({ sns, sqs, topicArn: TOPIC_ARN, queueName: 'reports' });

    // Act
    const notifications = await reader.receive({ count: 3, timeoutMs: 5_000 });

    // Assess
    expect(notifications.map((received) => received.MessageId)).toEqual(['n-1', 'n-2', 'n-3']);
    expect(sqsMock).toHaveReceivedCommandTimes(ReceiveMessageCommand, 4);
  });

  it('gives back every notification of the last receive, even past the count', async () => {
    // Prepare
    subscribed([[delivered(1), delivered(2)]]);
    const reader = await subscribeQueue({ sns, sqs, topicArn: TOPIC_ARN, queueName: 'reports' });

    // Act
    const notifications = await reader.receive({ count: 1 });

    // Assess
    expect(notifications.map((received) => received.MessageId)).toEqual(['n-1', 'n-2']);
  });

  it('deletes what it received, so the next receive reads only what came later', async () => {
    // Prepare
    subscribed([[delivered(1), delivered(2)], [delivered(3)]]);
    const reader = await subscribeQueue({ sns, sqs, topicArn: TOPIC_ARN, queueName: 'reports' });

    // Act
    await reader.receive({ count: 2 });
    const later = await reader.receive({ count: 1 });

    // Assess
    expect(later.map((received) => received.MessageId)).toEqual(['n-3']);
    const deletes = sqsMock
      .commandCalls(DeleteMessageBatchCommand)
      .map((call) => call.args[0].input);
    expect(deletes).toEqual([
      {
        QueueUrl: queueUrlOf('reports'),
        Entries: [
          { Id: '0', ReceiptHandle: 'receipt-1' },
          { Id: '1', ReceiptHandle: 'receipt-2' },
        ],
      },
      { QueueUrl: queueUrlOf('reports'), Entries: [{ Id: '0', ReceiptHandle: 'receipt-3' }] },
    ]);
  });

  it('gives back what arrived when the time is up, fewer than asked or none', async () => {
    // Prepare
    subscribed([[delivered(1)]]);
    const reader = await subscribeQueue({ sns, sqs, topicArn: TOPIC_ARN, queueName: 'reports' });

    // Act
    const some = await reader.receive({ count: 2, timeoutMs: 250 });
    const none = await reader.receive({ count: 1, timeoutMs: 150 });

    // Assess
    expect(some.map((received) => received.MessageId)).toEqual(['n-1']);
    expect(none).toEqual([]);
    expect(sqsMock).not.toHaveReceivedCommandWith(DeleteMessageBatchCommand, { Entries: [] });
  });

  it('pauses between empty receives instead of hammering the queue', async () => {
    // Prepare
    subscribed();
    const reader = await subscribeQueue({ sns, sqs, topicArn: TOPIC_ARN, queueName: 'reports' });

    // Act
    await reader.receive({ count: 1, timeoutMs: 350 });

    // Assess: one receive per 100 ms pause at most
    const receives = sqsMock.commandCalls(ReceiveMessageCommand).length;
    expect(receives).toBeGreaterThan(0);
    expect(receives).toBeLessThanOrEqual(5);
  });
});
