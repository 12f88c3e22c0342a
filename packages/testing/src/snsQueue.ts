import { type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** An SNS notification as SNS delivers it to an SQS queue. */
export interface SnsNotification {
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

/** Reads what was published to a topic, through a queue subscribed to it. */
export interface SnsQueueReader {
  queueUrl: string;
  /** Waits until `count` notifications arrived (or `timeoutMs` passed) and returns them all. */
  receive(options?: { count?: number; timeoutMs?: number }): Promise<SnsNotification[]>;
}

/**
 * Subscribes a new SQS queue to `topicArn`, so a test can read back what was published.
 *
 * @example
 * const reader = await subscribeQueue({ sns, sqs, topicArn });
 * const [notification] = await reader.receive({ count: 1 });
 */
export const subscribeQueue = async ({
  sns,
  sqs,
  topicArn,
  queueName = `reader-${Date.now()}-${Math.floor(Math.random() * 1e6)}`,
}: {
  sns: SNSClient;
  sqs: SQSClient;
  topicArn: string;
  queueName?: string;
}): Promise<SnsQueueReader> => {
  const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  if (!queueUrl) throw new Error(`CreateQueue returned no URL for ${queueName}`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  await sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }),
  );
  const receive: SnsQueueReader['receive'] = async ({ count = 1, timeoutMs = 5_000 } = {}) => {
    const received: SnsNotification[] = [];
    const deadline = Date.now() + timeoutMs;
    while (received.length < count && Date.now() < deadline) {
      // Short polls: moto's long poll never returns on an empty queue under libfaketime.
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
        }),
      );
      if (Messages.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      for (const message of Messages) received.push(JSON.parse(message.Body ?? '{}'));
      if (Messages.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle,
            })),
          }),
        );
      }
    }
    return received;
  };
  return { queueUrl, receive };
};
