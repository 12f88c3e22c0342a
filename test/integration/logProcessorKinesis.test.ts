import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { getClient } from '@nightshift/runtime';
import { invokeBundle, subscribeQueue } from '@nightshift/testing';
import { describe, expect, it } from 'vitest';
import { eventOf } from './scenarios/logProcessor.ts';

const bundle = resolve(import.meta.dirname, '../../dist/log-processor/index.mjs');

type KinesisRecord = {
  eventID: string;
  kinesis: { data: string; sequenceNumber: string; partitionKey: string };
  [key: string]: unknown;
};

/** The committed sample: two real subscription batches, of 111122223333 and of the hub (123456789012). */
const sample = JSON.parse(
  readFileSync(
    resolve(import.meta.dirname, '../../functions/log-processor/events/kinesis-batch.json'),
    'utf8',
  ),
) as { Records: KinesisRecord[] };

/** A record like the sample's, carrying `data`, with the next sequence number. */
const recordOf = (data: string, sequenceNumber: string): KinesisRecord => {
  const [first] = sample.Records;
  if (!first) throw new Error('the sample event has no record');
  return {
    ...first,
    eventID: `shardId-000000000006:${sequenceNumber}`,
    kinesis: { ...first.kinesis, data, sequenceNumber },
  };
};

const corrupt = Buffer.from('FATAL: not a subscription batch').toString('base64');
const corruptSequence = '49590338271490256608559692541000000000000000000000000003';
const ownSequence = '49590338271490256608559692541000000000000000000000000004';

describe('log-processor reading the organization destination stream in the emulated account', () => {
  it('alerts the critical line of another account once, naming that account, and drops a corrupt record', async () => {
    // Prepare: the two sample batches, a corrupt record, and a batch of the hub's own.
    const sns = getClient(SNSClient);
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'alerts' }));
    const reader = await subscribeQueue({ sns, sqs: getClient(SQSClient), topicArn: TopicArn });
    const event = {
      Records: [
        ...sample.Records,
        recordOf(corrupt, corruptSequence),
        recordOf(eventOf('DATA_MESSAGE', ['ERROR only an error']).awslogs.data, ownSequence),
      ],
    };

    // Act
    const { error, result, logs } = await invokeBundle(bundle, event, {
      env: { ALERT_TOPIC_ARN: TopicArn },
      functionName: 'log-processor',
    });

    // Assess: nothing to deliver again, the corrupt record included.
    expect(error).toBeUndefined();
    expect(result).toEqual({ batchItemFailures: [] });
    const alerts = await reader.receive({ count: 2, timeoutMs: 3_000 });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.Subject).toBe(
      'Nightshift: 1 critical in 111122223333:/aws/lambda/checkout-api',
    );
    expect(alerts[0]?.Message).toContain('Account: 111122223333');
    expect(alerts[0]?.Message).toContain('FATAL: database connection failed for user checkout');
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'Malformed record dropped: not a CloudWatch Logs subscription batch',
        sequenceNumber: corruptSequence,
        issues: [{ path: '(root)', message: 'is not gzip data' }],
      }),
    );
    // Each batch's metrics under its own log group, the other account's named after it.
    const emf = logs.filter((line) => '_aws' in line);
    expect(emf).toContainEqual(
      expect.objectContaining({
        LogGroup: '111122223333:/aws/lambda/checkout-api',
        ProcessedEvents: 3,
        ErrorCount: 2,
        CriticalErrorCount: 1,
      }),
    );
    expect(emf).toContainEqual(
      expect.objectContaining({ LogGroup: '/aws/lambda/echo-nodejs', ProcessedEvents: 1 }),
    );
    expect(emf).toContainEqual(
      expect.objectContaining({ LogGroup: '/aws/lambda/orders-api', ErrorCount: 1 }),
    );
    expect(emf).toContainEqual(expect.objectContaining({ MalformedRecords: 1 }));
  });

  it('reports the record whose alert could not be published, for Lambda to deliver it again', async () => {
    // Prepare: a topic that does not exist, so the first alert fails.
    const missingTopic = 'arn:aws:sns:us-east-1:123456789012:no-such-topic';

    // Act
    const { error, result, logs } = await invokeBundle(bundle, sample, {
      env: { ALERT_TOPIC_ARN: missingTopic },
      functionName: 'log-processor',
    });

    // Assess: the first record (the critical one) and, from it, every later one.
    expect(error).toBeUndefined();
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: sample.Records[0]?.kinesis.sequenceNumber }],
    });
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'Record failed; it and the records after it will be delivered again',
      }),
    );
  });
});
