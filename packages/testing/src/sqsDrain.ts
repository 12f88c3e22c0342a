import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** One record of an SQS event, as Lambda's event source mapping delivers it. */
export interface SqsEventRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: { ApproximateReceiveCount: string; SentTimestamp: string };
  messageAttributes: Record<string, never>;
  md5OfBody: string;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

/** What a worker answers: the records to deliver again (partial batch response). */
export interface DrainAnswer {
  batchItemFailures?: { itemIdentifier: string }[];
}

/** What draining did. */
export interface DrainStats {
  /** Invocations, one record each. */
  invocations: number;
  /** Records the worker answered as failed (delivered again by the queue). */
  failures: number;
}

const toRecord = (message: Message, queueArn: string, region: string): SqsEventRecord => ({
  messageId: message.MessageId ?? '',
  receiptHandle: message.ReceiptHandle ?? '',
  body: message.Body ?? '',
  attributes: {
    ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
    SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: message.MD5OfBody ?? '',
  eventSource: 'aws:sqs',
  eventSourceARN: queueArn,
  awsRegion: region,
});

/**
 * Drains a queue as Lambda's event source mapping would with a batch size of 1 and at most
 * `workers` invocations at once: each message received is handed to `invoke` as an SQS event;
 * answered without failure (or not at all), it is deleted; answered as failed or thrown, it is
 * made visible again at once, so the queue delivers it again (and moves it to its
 * dead-letter queue after its redrive policy's `maxReceiveCount`). Stops when a receive finds
 * nothing: delayed messages (a run's deadline) are left where they are.
 *
 * @example
 * await drainQueue({ sqs, queueUrl, queueArn, workers: 10, invoke: (event) => handler(event, context) });
 */
export const drainQueue = async ({
  sqs,
  queueUrl,
  queueArn,
  region = 'us-east-1',
  workers,
  invoke,
}: {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region?: string;
  workers: number;
  invoke: (event: { Records: SqsEventRecord[] }) => Promise<DrainAnswer | undefined>;
}): Promise<DrainStats> => {
  const stats: DrainStats = { invocations: 0, failures: 0 };
  const worker = async (): Promise<void> => {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 1,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
          WaitTimeSeconds: 0,
        }),
      );
      const message = Messages[0];
      if (!message) return;
      const record = toRecord(message, queueArn, region);
      stats.invocations += 1;
      let failed: boolean;
      try {
        const answer = await invoke({ Records: [record] });
        failed = (answer?.batchItemFailures ?? []).some(
          ({ itemIdentifier }) => itemIdentifier === record.messageId,
        );
      } catch {
        failed = true;
      }
      if (failed) {
        stats.failures += 1;
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: record.receiptHandle,
            VisibilityTimeout: 0,
          }),
        );
      } else {
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle }),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
  return stats;
};
