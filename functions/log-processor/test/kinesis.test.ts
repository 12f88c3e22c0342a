import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createObservability } from '@nightshift/middleware';
import { parseOrThrow, ValidationError } from '@nightshift/runtime';
import { createLambdaContext } from '@nightshift/testing';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import {
  decodeLogsData,
  InputEventSchema,
  type KinesisEvent,
  MAX_UNZIPPED_BYTES,
} from '../src/event.ts';
import { handle } from '../src/handle.ts';
import { runKinesis } from '../src/kinesis.ts';
import { processBatch } from '../src/run.ts';
import { eventOf, payloadOf } from './fixtures.ts';

const snsMock = mockClient(SNSClient);
const topic = 'arn:aws:sns:us-east-1:123456789012:alerts';
const hub = '123456789012';
const other = '111122223333';

const sample = JSON.parse(
  readFileSync(join(import.meta.dirname, '../events/kinesis-batch.json'), 'utf8'),
) as unknown;

const setup = () => {
  const observability = createObservability('log-processor');
  const single = observability.metrics.singleMetric();
  vi.spyOn(observability.metrics, 'singleMetric').mockReturnValue(single);
  return {
    deps: { sns: new SNSClient({}), ...observability },
    config: loadConfig({ ALERT_TOPIC_ARN: topic }),
    addDimension: vi.spyOn(observability.metrics, 'addDimension'),
    publish: vi.spyOn(observability.metrics, 'publishStoredMetrics'),
    addSingle: vi.spyOn(single, 'addMetric'),
  };
};

/** A Kinesis event of the destination's stream, one record per data, sequence numbers 1, 2... */
const kinesisOf = (...data: string[]): KinesisEvent =>
  parseOrThrow(
    InputEventSchema,
    {
      Records: data.map((item, index) => ({
        eventID: `shardId-000000000000:${index + 1}`,
        eventSource: 'aws:kinesis',
        kinesis: { data: item, sequenceNumber: String(index + 1), partitionKey: 'p' },
      })),
    },
    'event',
  ) as KinesisEvent;

const dataOf = (lines: string[], owner = other, logGroup = '/aws/lambda/checkout-api') =>
  eventOf(payloadOf(lines, { owner, logGroup })).awslogs.data;

describe('The destination stream: a Kinesis event of subscription batches', () => {
  beforeEach(() => {
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'alert-1' });
  });

  it('alerts the sample event once, naming the other account, and reports no failure', async () => {
    // Prepare
    const { deps, config, addDimension } = setup();
    const event = parseOrThrow(InputEventSchema, sample, 'event') as KinesisEvent;

    // Act
    const summary = await runKinesis(deps, config, event, { accountId: hub });

    // Assess
    expect(summary.batchItemFailures).toEqual([]);
    expect(summary.records.map((record) => record.status)).toEqual(['processed', 'processed']);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      Subject: `Nightshift: 1 critical in ${other}:/aws/lambda/checkout-api`,
      Message: expect.stringContaining(
        `1 critical log line(s) in ${other}:/aws/lambda/checkout-api`,
      ),
      MessageAttributes: expect.objectContaining({
        logGroup: { DataType: 'String', StringValue: '/aws/lambda/checkout-api' },
        account: { DataType: 'String', StringValue: other },
      }),
    });
    // The hub's own log group keeps its plain name.
    expect(addDimension).toHaveBeenCalledWith('LogGroup', `${other}:/aws/lambda/checkout-api`);
    expect(addDimension).toHaveBeenCalledWith('LogGroup', '/aws/lambda/echo-nodejs');
  });

  it('publishes each batch metrics under its own log group before the next batch is counted', async () => {
    // Prepare
    const { deps, config, addDimension, publish } = setup();
    const order: string[] = [];
    addDimension.mockImplementation((_, value) => {
      order.push(`dimension ${value}`);
      return deps.metrics;
    });
    publish.mockImplementation(() => {
      order.push('publish');
      return deps.metrics;
    });
    vi.spyOn(deps.metrics, 'hasStoredMetrics').mockReturnValue(true);

    // Act
    await runKinesis(
      deps,
      config,
      kinesisOf(dataOf(['ERROR a'], other, '/a'), dataOf(['ERROR b'], hub, '/b')),
      { accountId: hub },
    );

    // Assess: the last batch's metrics are left to the middleware's flush.
    expect(order).toEqual(['publish', `dimension ${other}:/a`, 'publish', 'dimension /b']);
  });

  it('drops a malformed record, logs and counts it, and goes on with the next', async () => {
    // Prepare
    const { deps, config, addSingle } = setup();
    const error = vi.spyOn(deps.logger, 'error');
    const notGzip = Buffer.from('plain text, not a batch').toString('base64');

    // Act
    const summary = await runKinesis(
      deps,
      config,
      kinesisOf(notGzip, dataOf(['FATAL: disk full'])),
      { accountId: hub },
    );

    // Assess
    expect(summary.batchItemFailures).toEqual([]);
    expect(summary.records[0]).toEqual({
      sequenceNumber: '1',
      status: 'malformed',
      issues: [{ path: '(root)', message: 'is not gzip data' }],
    });
    expect(summary.records[1]).toMatchObject({
      status: 'processed',
      summary: { criticalCount: 1 },
    });
    expect(addSingle).toHaveBeenCalledWith('MalformedRecords', 'Count', 1);
    expect(error).toHaveBeenCalledWith(
      expect.stringContaining('Malformed record dropped'),
      expect.objectContaining({ sequenceNumber: '1' }),
    );
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('names the bad field of a record whose payload has the wrong shape', async () => {
    // Prepare
    const { deps, config } = setup();
    const data = gzipSync(
      JSON.stringify({
        ...payloadOf(['x']),
        logEvents: [{ id: '1', timestamp: -1, message: 'x' }],
      }),
    ).toString('base64');

    // Act
    const summary = await runKinesis(deps, config, kinesisOf(data), { accountId: hub });

    // Assess
    expect(summary.records[0]).toEqual({
      sequenceNumber: '1',
      status: 'malformed',
      issues: [{ path: 'logEvents[0].timestamp', message: 'must be milliseconds since 1970' }],
    });
    expect(summary.batchItemFailures).toEqual([]);
  });

  it('reports the record whose alert failed, and starts none after it', async () => {
    // Prepare
    snsMock
      .on(PublishCommand)
      .resolvesOnce({ MessageId: 'alert-1' })
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'ThrottledException' }))
      .resolves({ MessageId: 'alert-3' });
    const { deps, config } = setup();
    const error = vi.spyOn(deps.logger, 'error');
    const info = vi.spyOn(deps.logger, 'info');

    // Act
    const summary = await runKinesis(
      deps,
      config,
      kinesisOf(dataOf(['FATAL a']), dataOf(['FATAL b']), dataOf(['FATAL c'])),
      { accountId: hub },
    );

    // Assess: Lambda delivers record 2 and every later one again.
    expect(error).toHaveBeenCalledWith(
      'Record failed; it and the records after it will be delivered again',
      expect.objectContaining({ sequenceNumber: '2', eventID: 'shardId-000000000000:2' }),
    );
    expect(info).toHaveBeenCalledWith('Stream batch processed', {
      records: 3,
      processed: 1,
      malformed: 0,
      failed: 1,
      deferred: 1,
    });
    expect(summary.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
    expect(summary.records.map((record) => record.status)).toEqual([
      'processed',
      'failed',
      'deferred',
    ]);
    expect(summary.records[1]).toMatchObject({ error: 'throttled' });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
  });

  it('starts no record once the time is short, but always the first', async () => {
    // Prepare
    const { deps, config } = setup();
    const budget = { remainingMs: () => 0, isExhausted: () => true };

    // Act
    const summary = await runKinesis(
      deps,
      config,
      kinesisOf(dataOf(['FATAL a']), dataOf(['FATAL b'])),
      { accountId: hub, budget },
    );

    // Assess
    expect(summary.records.map((record) => record.status)).toEqual(['processed', 'deferred']);
    expect(summary.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('stays stopped once the time ran short, even if the budget said otherwise later', async () => {
    // Prepare: exhausted when asked before the second record only.
    const { deps, config } = setup();
    const answers = [true, false];
    const budget = { remainingMs: () => 0, isExhausted: () => answers.shift() ?? false };

    // Act
    const summary = await runKinesis(
      deps,
      config,
      kinesisOf(dataOf(['FATAL a']), dataOf(['FATAL b']), dataOf(['FATAL c'])),
      { accountId: hub, budget },
    );

    // Assess
    expect(summary.records.map((record) => record.status)).toEqual([
      'processed',
      'deferred',
      'deferred',
    ]);
  });

  it('leaves a single batch metrics to the flush at the end of the invocation', async () => {
    // Prepare
    const { deps, config, publish } = setup();

    // Act
    await runKinesis(deps, config, kinesisOf(dataOf(['ERROR a'])), { accountId: hub });

    // Assess: nothing stored before the first batch, so nothing published (or warned about).
    expect(publish).not.toHaveBeenCalled();
    expect(deps.metrics.hasStoredMetrics()).toBe(true);
  });

  it('acknowledges the control message CloudWatch Logs sends when the destination is created', async () => {
    // Prepare
    const { deps, config } = setup();
    const control = eventOf(
      payloadOf(['CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.'], {
        messageType: 'CONTROL_MESSAGE',
        owner: 'CloudwatchLogs',
      }),
    ).awslogs.data;

    // Act
    const summary = await runKinesis(deps, config, kinesisOf(control), { accountId: hub });

    // Assess
    expect(summary.records[0]).toMatchObject({ summary: { ignored: 'CONTROL_MESSAGE' } });
    expect(summary.batchItemFailures).toEqual([]);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });
});

describe('Decoding a stream record', () => {
  it('goes through the same steps and limits as awslogs.data', () => {
    // Prepare: zeros compress to almost nothing, and unzip past the cap.
    const tooLarge = gzipSync(Buffer.alloc(MAX_UNZIPPED_BYTES + 1)).toString('base64');

    // Act & Assess
    expect(decodeLogsData(tooLarge)).toEqual({
      success: false,
      issues: [{ path: '(root)', message: 'unzips to more than 6208 KB' }],
    });
    expect(decodeLogsData('not base64!')).toEqual({
      success: false,
      issues: [{ path: '(root)', message: 'is not base64' }],
    });
    expect(decodeLogsData(dataOf(['x']))).toMatchObject({
      success: true,
      payload: { owner: other, logEvents: [{ message: 'x' }] },
    });
  });
});

describe('The event schema of both triggers', () => {
  it('refuses a Kinesis event whose envelope is broken, naming the field', () => {
    // Act
    const refuse = () =>
      parseOrThrow(
        InputEventSchema,
        { Records: [{ eventID: 'x', kinesis: { data: 'H4sI' } }] },
        'event',
      );

    // Assess
    expect(refuse).toThrow(ValidationError);
    expect(refuse).toThrow(/Records\[0\]\.kinesis\.sequenceNumber/);
  });

  it('names each bad field of the envelope', () => {
    // Act
    const issuesOf = (input: unknown) => {
      try {
        parseOrThrow(InputEventSchema, input, 'event');
        return [];
      } catch (error) {
        const { issues, cause } = error as ValidationError & {
          cause: { issues: { code: string }[] };
        };
        expect(cause.issues.every(({ code }) => code === 'custom')).toBe(true);
        return issues;
      }
    };

    // Assess
    expect(issuesOf({ Records: 'x' })).toEqual([
      { path: 'Records', message: 'must be a list of Kinesis records' },
    ]);
    expect(
      issuesOf({
        Records: [{ eventID: 1, kinesis: { data: 2, sequenceNumber: '', partitionKey: 3 } }],
      }),
    ).toEqual([
      { path: 'Records[0].eventID', message: 'must be a string' },
      { path: 'Records[0].kinesis.data', message: 'must be a string' },
      { path: 'Records[0].kinesis.sequenceNumber', message: 'must not be empty' },
      { path: 'Records[0].kinesis.partitionKey', message: 'must be a string' },
    ]);
    expect(
      issuesOf({ Records: [{ eventID: 'x', kinesis: { data: 'x', sequenceNumber: 7 } }] }),
    ).toEqual([{ path: 'Records[0].kinesis.sequenceNumber', message: 'must be a string' }]);
  });

  it('keeps naming the bad field of a direct subscription event as before', () => {
    // Act
    const refuse = () =>
      parseOrThrow(
        InputEventSchema,
        { awslogs: { data: Buffer.from('x').toString('base64') } },
        'event',
      );

    // Assess
    expect(refuse).toThrow(/awslogs\.data: is not gzip data/);
  });

  it('decodes no stream record before its turn', () => {
    // Act: the data is not a batch, and the envelope is still accepted.
    const event = parseOrThrow(
      InputEventSchema,
      { Records: [{ eventID: 'x', kinesis: { data: 'not gzip', sequenceNumber: '7' } }] },
      'event',
    );

    // Assess
    expect(event).toEqual({
      Records: [{ eventID: 'x', kinesis: { data: 'not gzip', sequenceNumber: '7' } }],
    });
  });
});

describe('Serving both triggers', () => {
  beforeEach(() => {
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'alert-1' });
  });

  it('answers a Kinesis event with batchItemFailures only, and a direct event with its summary', async () => {
    // Prepare
    const { deps, config } = setup();
    const context = createLambdaContext({ functionName: 'log-processor', timeoutMs: 30_000 });
    const direct = parseOrThrow(InputEventSchema, eventOf(payloadOf(['FATAL x'])), 'event');

    // Act
    const fromStream = await handle(deps, config, kinesisOf(dataOf(['FATAL y'])), context);
    const fromSubscription = await handle(deps, config, direct, context);

    // Assess
    expect(fromStream).toEqual({ batchItemFailures: [] });
    expect(fromSubscription).toMatchObject({ criticalCount: 1, alertMessageId: 'alert-1' });
    expect(fromSubscription).not.toHaveProperty('account');
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      Subject: `Nightshift: 1 critical in ${other}:/aws/lambda/checkout-api`,
    });
  });

  it('names the account of a direct batch of another account too', async () => {
    // Prepare
    const { deps, config } = setup();
    const context = createLambdaContext({ functionName: 'log-processor', timeoutMs: 30_000 });
    const direct = parseOrThrow(
      InputEventSchema,
      eventOf(payloadOf(['FATAL x'], { owner: other })),
      'event',
    );

    // Act
    const summary = await handle(deps, config, direct, context);

    // Assess
    expect(summary).toMatchObject({ account: other });
  });

  it('starts a stream record while 10 s are left, and none with less', async () => {
    // Prepare
    const { deps, config } = setup();
    const withTime = (remaining: number) => ({
      invokedFunctionArn: `arn:aws:lambda:us-east-1:${hub}:function:log-processor`,
      getRemainingTimeInMillis: () => remaining,
    });
    const event = kinesisOf(dataOf(['FATAL a']), dataOf(['FATAL b']));

    // Act
    const enough = await handle(deps, config, event, withTime(12_000));
    const short = await handle(deps, config, event, withTime(9_000));

    // Assess
    expect(enough).toEqual({ batchItemFailures: [] });
    expect(short).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
  });

  it('gives SNS a value for the account attribute even when the batch names none', async () => {
    // Prepare
    const { deps, config } = setup();

    // Act
    await processBatch(deps, config, payloadOf(['FATAL x'], { owner: '' }), { accountId: hub });

    // Assess
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      MessageAttributes: expect.objectContaining({
        account: { DataType: 'String', StringValue: '(none)' },
      }),
    });
  });
});
