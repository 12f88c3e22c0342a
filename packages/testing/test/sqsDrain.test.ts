import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { type DrainAnswer, drainQueue, type SqsEventRecord } from '../src/sqsDrain.ts';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/nightshift-fanout';
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:nightshift-fanout';
const SENT = 1_764_460_800_000;

const sqsMock = mockClient(SQSClient);
const sqs = new SQSClient({ region: 'us-east-1' });
afterEach(() => {
  sqsMock.reset();
});

interface Stored {
  id: string;
  body: string;
  receiveCount: number;
  visible: boolean;
  receipt?: string;
}

/**
 * A queue as SQS keeps one, behind the mocked client: a received message is hidden until
 * it is deleted or made visible again; past `maxReceiveCount` receives it moves to the
 * dead-letter queue instead of being delivered.
 */
const fakeQueue = (bodies: string[], { maxReceiveCount = 10, delayed = [] as string[] } = {}) => {
  const messages: Stored[] = [
    ...bodies.map((body, index) => ({ id: `m-${index}`, body, receiveCount: 0, visible: true })),
    ...delayed.map((body, index) => ({ id: `d-${index}`, body, receiveCount: 0, visible: false })),
  ];
  const deadLetters: Stored[] = [];
  let receipts = 0;
  sqsMock.on(ReceiveMessageCommand).callsFake(() => {
    for (;;) {
      const message = messages.find((candidate) => candidate.visible);
      if (!message) return { Messages: [] };
      if (message.receiveCount >= maxReceiveCount) {
        messages.splice(messages.indexOf(message), 1);
        deadLetters.push(message);
        continue;
      }
      message.receiveCount += 1;
      message.visible = false;
      receipts += 1;
      message.receipt = `receipt-${receipts}`;
      const answer: Message = {
        MessageId: message.id,
        ReceiptHandle: message.receipt,
        Body: message.body,
        MD5OfBody: `md5-of-${message.body}`,
        Attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(SENT),
        },
      };
      return { Messages: [answer] };
    }
  });
  const byReceipt = (receipt?: string) => messages.find((message) => message.receipt === receipt);
  sqsMock.on(DeleteMessageCommand).callsFake(({ ReceiptHandle }) => {
    const message = byReceipt(ReceiptHandle);
    if (message) messages.splice(messages.indexOf(message), 1);
    return {};
  });
  sqsMock.on(ChangeMessageVisibilityCommand).callsFake(({ ReceiptHandle, VisibilityTimeout }) => {
    const message = byReceipt(ReceiptHandle);
    if (message && VisibilityTimeout === 0) message.visible = true;
    return {};
  });
  return { messages, deadLetters };
};

const drain = (
  invoke: (event: { Records: SqsEventRecord[] }) => Promise<DrainAnswer | undefined>,
  workers = 1,
  region?: string,
) =>
  drainQueue({
    sqs,
    queueUrl: QUEUE_URL,
    queueArn: QUEUE_ARN,
    workers,
    invoke,
    ...(region ? { region } : {}),
  });

describe('drainQueue', () => {
  it('hands each message to the worker as an SQS event of one record, as Lambda delivers it', async () => {
    // Prepare
    fakeQueue(['{"target":"a"}']);
    const events: { Records: SqsEventRecord[] }[] = [];

    // Act
    await drain(async (event) => {
      events.push(event);
      return undefined;
    });

    // Assess
    expect(events).toEqual([
      {
        Records: [
          {
            messageId: 'm-0',
            receiptHandle: 'receipt-1',
            body: '{"target":"a"}',
            attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(SENT) },
            messageAttributes: {},
            md5OfBody: 'md5-of-{"target":"a"}',
            eventSource: 'aws:sqs',
            eventSourceARN: QUEUE_ARN,
            awsRegion: 'us-east-1',
          },
        ],
      },
    ]);
  });

  it('names the region given in each record', async () => {
    // Prepare
    fakeQueue(['x']);
    const regions: string[] = [];

    // Act
    await drain(
      async ({ Records }) => {
        regions.push(...Records.map((record) => record.awsRegion));
        return undefined;
      },
      1,
      'eu-west-1',
    );

    // Assess
    expect(regions).toEqual(['eu-west-1']);
  });

  it('receives one message at a time, with its receive count, without long polling', async () => {
    // Prepare
    fakeQueue(['x']);

    // Act
    await drain(async () => undefined);

    // Assess
    expect(sqsMock).toHaveReceivedCommandWith(ReceiveMessageCommand, {
      QueueUrl: QUEUE_URL,
      MaxNumberOfMessages: 1,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: expect.arrayContaining([
        'ApproximateReceiveCount',
        'SentTimestamp',
      ]),
    });
  });

  it('deletes every message the worker answers without a failure, and stops once the queue is empty', async () => {
    // Prepare
    const queue = fakeQueue(['a', 'b', 'c']);
    const answers: (DrainAnswer | undefined)[] = [undefined, {}, { batchItemFailures: [] }];
    const bodies: string[] = [];

    // Act
    const stats = await drain(async ({ Records }) => {
      bodies.push(...Records.map((record) => record.body));
      return answers.shift();
    });

    // Assess
    expect(stats).toEqual({ invocations: 3, failures: 0 });
    expect(bodies).toEqual(['a', 'b', 'c']);
    expect(queue.messages).toEqual([]);
    expect(sqsMock).toHaveReceivedCommandTimes(DeleteMessageCommand, 3);
    expect(sqsMock).toHaveReceivedCommandWith(DeleteMessageCommand, {
      QueueUrl: QUEUE_URL,
      ReceiptHandle: 'receipt-1',
    });
    expect(sqsMock).not.toHaveReceivedCommand(ChangeMessageVisibilityCommand);
  });

  it('makes a message the worker answers as failed visible again at once, so it comes back', async () => {
    // Prepare
    const queue = fakeQueue(['flaky']);
    const counts: string[] = [];

    // Act
    const stats = await drain(async ({ Records: [record] }) => {
      counts.push(record?.attributes.ApproximateReceiveCount ?? '');
      return counts.length === 1 ? { batchItemFailures: [{ itemIdentifier: 'm-0' }] } : undefined;
    });

    // Assess
    expect(stats).toEqual({ invocations: 2, failures: 1 });
    expect(counts).toEqual(['1', '2']);
    expect(sqsMock).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, {
      QueueUrl: QUEUE_URL,
      ReceiptHandle: 'receipt-1',
      VisibilityTimeout: 0,
    });
    expect(sqsMock).toHaveReceivedCommandWith(DeleteMessageCommand, { ReceiptHandle: 'receipt-2' });
    expect(queue.messages).toEqual([]);
  });

  it('treats a worker that throws as a failure of its record', async () => {
    // Prepare
    const queue = fakeQueue(['boom']);
    let calls = 0;

    // Act
    const stats = await drain(async () => {
      calls += 1;
      if (calls === 1) throw new Error('worker crashed');
      return undefined;
    });

    // Assess
    expect(stats).toEqual({ invocations: 2, failures: 1 });
    expect(sqsMock).toHaveReceivedCommandTimes(ChangeMessageVisibilityCommand, 1);
    expect(queue.messages).toEqual([]);
  });

  it('deletes a message when the answer names only other records as failed', async () => {
    // Prepare
    const queue = fakeQueue(['a']);

    // Act
    const stats = await drain(async () => ({ batchItemFailures: [{ itemIdentifier: 'other' }] }));

    // Assess
    expect(stats).toEqual({ invocations: 1, failures: 0 });
    expect(queue.messages).toEqual([]);
    expect(sqsMock).not.toHaveReceivedCommand(ChangeMessageVisibilityCommand);
  });

  it("delivers a message that keeps failing until the queue's redrive takes it away", async () => {
    // Prepare
    const queue = fakeQueue(['poison', 'fine'], { maxReceiveCount: 3 });
    const seen: string[] = [];

    // Act
    const stats = await drain(async ({ Records: [record] }) => {
      seen.push(record?.body ?? '');
      return record?.body === 'poison'
        ? { batchItemFailures: [{ itemIdentifier: record.messageId }] }
        : undefined;
    });

    // Assess
    expect(stats).toEqual({ invocations: 4, failures: 3 });
    expect(seen.filter((body) => body === 'poison')).toHaveLength(3);
    expect(queue.deadLetters.map((message) => message.body)).toEqual(['poison']);
    expect(queue.messages).toEqual([]);
  });

  it('leaves delayed messages where they are', async () => {
    // Prepare
    const queue = fakeQueue(['now'], { delayed: ['deadline'] });

    // Act
    const stats = await drain(async () => undefined);

    // Assess
    expect(stats).toEqual({ invocations: 1, failures: 0 });
    expect(queue.messages.map((message) => message.body)).toEqual(['deadline']);
  });

  it('runs at most `workers` invocations at once, and that many when there is work', async () => {
    // Prepare
    const queue = fakeQueue(Array.from({ length: 12 }, (_, index) => `job-${index}`));
    let running = 0;
    let most = 0;

    // Act
    const stats = await drain(async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return undefined;
    }, 3);

    // Assess
    expect(stats).toEqual({ invocations: 12, failures: 0 });
    expect(most).toBe(3);
    expect(queue.messages).toEqual([]);
  });

  it('drains with one worker when asked for none', async () => {
    // Prepare
    const queue = fakeQueue(['a', 'b']);

    // Act
    const stats = await drain(async () => undefined, 0);

    // Assess
    expect(stats).toEqual({ invocations: 2, failures: 0 });
    expect(queue.messages).toEqual([]);
  });

  it('fills in the receive count and sent time when the queue leaves them out', async () => {
    // Prepare
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [{ MessageId: 'bare', ReceiptHandle: 'r', Body: 'b' }] })
      .resolves({ Messages: [] });
    sqsMock.on(DeleteMessageCommand).resolves({});
    const records: SqsEventRecord[] = [];
    const before = Date.now();

    // Act
    await drain(async ({ Records }) => {
      records.push(...Records);
      return undefined;
    });

    // Assess
    const sent = Number(records[0]?.attributes.SentTimestamp);
    expect(records[0]?.attributes.ApproximateReceiveCount).toBe('1');
    expect(sent).toBeGreaterThanOrEqual(before);
    expect(sent).toBeLessThanOrEqual(Date.now());
  });
});
