import { resolve } from 'node:path';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { getClient } from '@nightshift/runtime';
import { invokeBundle, subscribeQueue } from '@nightshift/testing';
import { describe, expect, it } from 'vitest';
import { eventOf } from './scenarios/logProcessor.ts';

const bundle = resolve(import.meta.dirname, '../../dist/log-processor/index.mjs');

describe('log-processor against the emulated account', () => {
  it('sends exactly one alert per batch with critical lines, and writes EMF metrics', async () => {
    // Prepare
    const sns = getClient(SNSClient);
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'alerts' }));
    const reader = await subscribeQueue({ sns, sqs: getClient(SQSClient), topicArn: TopicArn });
    const env = { ALERT_TOPIC_ARN: TopicArn };
    const critical = eventOf('DATA_MESSAGE', [
      'INFO processed 503 records',
      'ERROR payment declined',
      'FATAL: database connection failed password=hunter2',
      'java.lang.OutOfMemoryError: Java heap space',
    ]);

    // Act
    const first = await invokeBundle(bundle, critical, { env, functionName: 'log-processor' });
    const quiet = await invokeBundle(bundle, eventOf('DATA_MESSAGE', ['ERROR only an error']), {
      env,
    });
    const control = await invokeBundle(
      bundle,
      eventOf('CONTROL_MESSAGE', ['CWL CONTROL MESSAGE']),
      { env },
    );

    // Assess
    expect([first.error, quiet.error, control.error]).toEqual([undefined, undefined, undefined]);
    const alerts = await reader.receive({ count: 2, timeoutMs: 3_000 });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.Subject).toBe('Nightshift: 2 critical in /aws/lambda/orders-api');
    expect(alerts[0]?.Message).toContain('FATAL: database connection failed password=[REDACTED]');
    expect(alerts[0]?.Message).toContain('java.lang.OutOfMemoryError: Java heap space');
    expect(alerts[0]?.Message).not.toContain('hunter2');
    expect(first.logs.find((line) => 'ErrorCount' in line)).toMatchObject({
      LogGroup: '/aws/lambda/orders-api',
      ProcessedEvents: 4,
      ErrorCount: 3,
      CriticalErrorCount: 2,
    });
    expect(control.result).toMatchObject({ ignored: 'CONTROL_MESSAGE' });
  });

  it('alerts the critical line of a batch that also holds four 256 KB lines of one long word', async () => {
    // Prepare: each long line is the worst input of a classifier that backtracks over a word.
    const sns = getClient(SNSClient);
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'alerts' }));
    const reader = await subscribeQueue({ sns, sqs: getClient(SQSClient), topicArn: TopicArn });
    const long = 'Error'.repeat(52_428);
    const event = eventOf('DATA_MESSAGE', [
      long,
      long,
      'FATAL: database connection failed',
      long,
      `${long} ERROR`,
    ]);

    // Act
    const { error, result } = await invokeBundle(bundle, event, {
      env: { ALERT_TOPIC_ARN: TopicArn },
      functionName: 'log-processor',
    });

    // Assess
    expect(error).toBeUndefined();
    expect(result).toMatchObject({
      processedEvents: 5,
      errorCount: 1,
      criticalCount: 1,
      cutLines: 4,
    });
    const alerts = await reader.receive({ count: 1, timeoutMs: 3_000 });
    expect(alerts[0]?.Message).toContain('FATAL: database connection failed');
    expect(alerts[0]?.Message).toContain(
      'Cut: 4 line(s) of this batch longer than 8192 characters, each classified from its first 8192 only.',
    );
  });

  it('rejects a batch that unzips past the cap and publishes nothing', async () => {
    // Prepare: 7 MB of log lines, more than CloudWatch Logs sends in one batch.
    const sns = getClient(SNSClient);
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'alerts' }));
    const reader = await subscribeQueue({ sns, sqs: getClient(SQSClient), topicArn: TopicArn });
    const event = eventOf(
      'DATA_MESSAGE',
      Array.from({ length: 7 * 1024 }, () => `FATAL ${'x'.repeat(1_018)}`),
    );

    // Act
    const { error } = await invokeBundle(bundle, event, { env: { ALERT_TOPIC_ARN: TopicArn } });

    // Assess
    expect(error).toEqual({
      name: 'ValidationError',
      message: 'Invalid event: awslogs.data: unzips to more than 6208 KB',
    });
    expect(await reader.receive({ count: 1, timeoutMs: 1_500 })).toEqual([]);
  });

  it('rejects data that is not gzip and publishes nothing', async () => {
    // Prepare
    const sns = getClient(SNSClient);
    const { TopicArn = '' } = await sns.send(new CreateTopicCommand({ Name: 'alerts' }));
    const reader = await subscribeQueue({ sns, sqs: getClient(SQSClient), topicArn: TopicArn });

    // Act
    const { error } = await invokeBundle(
      bundle,
      { awslogs: { data: Buffer.from('FATAL').toString('base64') } },
      {
        env: { ALERT_TOPIC_ARN: TopicArn },
      },
    );

    // Assess
    expect(error).toEqual({
      name: 'ValidationError',
      message: 'Invalid event: awslogs.data: is not gzip data',
    });
    expect(await reader.receive({ count: 1, timeoutMs: 1_500 })).toEqual([]);
  });
});
