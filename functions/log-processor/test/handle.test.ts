import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createObservability } from '@nightshift/middleware';
import { parseOrThrow } from '@nightshift/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { InputEventSchema, type KinesisEvent, type LogsEvent } from '../src/event.ts';
import { handle, RECORD_MARGIN_MS } from '../src/handle.ts';
import { eventOf, payloadOf } from './fixtures.ts';

const snsMock = mockClient(SNSClient);
const topic = 'arn:aws:sns:us-east-1:123456789012:alerts';
const own = '123456789012';
const other = '111122223333';
const group = '/aws/lambda/orders-api';

const setup = () => ({
  deps: { sns: new SNSClient({}), ...createObservability('log-processor') },
  config: loadConfig({ ALERT_TOPIC_ARN: topic }),
});

/** Lambda's context of a function of `account`, with `remaining` ms left at each reading. */
const contextOf = (account = own, ...remaining: number[]) => {
  const left = remaining.length > 0 ? remaining : [60_000];
  let reading = 0;
  return {
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${account}:function:log-processor`,
    getRemainingTimeInMillis: () => left[Math.min(reading++, left.length - 1)] ?? 0,
  };
};

/** A direct subscription event of these lines, as the middleware hands it on (decoded). */
const direct = (lines: string[], owner = own): LogsEvent =>
  parseOrThrow(InputEventSchema, eventOf(payloadOf(lines, { owner })), 'event') as LogsEvent;

/** A Kinesis event of the destination's stream: one record per batch, sequence numbers 1, 2… */
const stream = (...batches: { lines: string[]; owner?: string }[]): KinesisEvent =>
  parseOrThrow(
    InputEventSchema,
    {
      Records: batches.map(({ lines, owner = other }, index) => ({
        eventID: `shardId-000000000000:${index + 1}`,
        eventSource: 'aws:kinesis',
        kinesis: {
          data: eventOf(payloadOf(lines, { owner })).awslogs.data,
          sequenceNumber: String(index + 1),
          partitionKey: 'p',
        },
      })),
    },
    'event',
  ) as KinesisEvent;

describe('handle', () => {
  beforeEach(() => {
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'alert-1' });
  });

  it("answers a direct subscription event with its batch's summary", async () => {
    // Prepare
    const { deps, config } = setup();

    // Act
    const answer = await handle(deps, config, direct(['ok', 'ERROR a', 'FATAL b']), contextOf());

    // Assess
    expect(answer).toEqual({
      logGroup: group,
      logStream: '2026/11/28/[$LATEST]abcdef',
      processedEvents: 3,
      errorCount: 2,
      criticalCount: 1,
      cutLines: 0,
      alertMessageId: 'alert-1',
    });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('answers a Kinesis event with the records to deliver again, and nothing else', async () => {
    // Prepare
    const { deps, config } = setup();

    // Act
    const answer = await handle(
      deps,
      config,
      stream({ lines: ['FATAL a'] }, { lines: ['ERROR b'] }),
      contextOf(),
    );

    // Assess
    expect(answer).toEqual({ batchItemFailures: [] });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it("keeps the plain log group of a batch of the function's own account, and names another account's", async () => {
    // Prepare
    const { deps, config } = setup();

    // Act
    const mine = await handle(deps, config, direct(['FATAL a'], own), contextOf(own));
    const theirs = await handle(deps, config, direct(['FATAL b'], other), contextOf(own));

    // Assess
    expect(mine).not.toHaveProperty('account');
    expect(theirs).toMatchObject({ account: other });
    expect(snsMock).toHaveReceivedNthCommandWith(PublishCommand, 1, {
      Subject: `Nightshift: 1 critical in ${group}`,
    });
    expect(snsMock).toHaveReceivedNthCommandWith(PublishCommand, 2, {
      Subject: `Nightshift: 1 critical in ${other}:${group}`,
    });
  });

  it("reads the function's account from the ARN of the invocation, for stream records too", async () => {
    // Prepare
    const { deps, config } = setup();

    // Act: the same record, invoked as a function of its own account and of another.
    await handle(deps, config, stream({ lines: ['FATAL a'], owner: other }), contextOf(other));
    await handle(deps, config, stream({ lines: ['FATAL a'], owner: other }), contextOf(own));

    // Assess
    expect(snsMock).toHaveReceivedNthCommandWith(PublishCommand, 1, {
      Subject: `Nightshift: 1 critical in ${group}`,
    });
    expect(snsMock).toHaveReceivedNthCommandWith(PublishCommand, 2, {
      Subject: `Nightshift: 1 critical in ${other}:${group}`,
    });
  });

  it('takes every batch as its own when the ARN names no account', async () => {
    // Prepare
    const { deps, config } = setup();
    const context = {
      invokedFunctionArn: 'arn:aws:lambda:us-east-1::function:log-processor',
      getRemainingTimeInMillis: () => 60_000,
    };

    // Act
    const summary = await handle(deps, config, direct(['FATAL a'], other), context);

    // Assess
    expect(summary).not.toHaveProperty('account');
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      Subject: `Nightshift: 1 critical in ${group}`,
    });
  });

  it(`starts a stream record only while more than ${RECORD_MARGIN_MS} ms are left, the first always`, async () => {
    // Prepare
    const { deps, config } = setup();
    const event = stream({ lines: ['FATAL a'] }, { lines: ['FATAL b'] }, { lines: ['FATAL c'] });

    // Act: the time left read before each record after the first.
    const enough = await handle(
      deps,
      config,
      event,
      contextOf(own, RECORD_MARGIN_MS + 1, RECORD_MARGIN_MS + 1),
    );
    const short = await handle(
      deps,
      config,
      event,
      contextOf(own, RECORD_MARGIN_MS + 1, RECORD_MARGIN_MS),
    );
    const none = await handle(deps, config, event, contextOf(own, 0));

    // Assess
    expect(enough).toEqual({ batchItemFailures: [] });
    expect(short).toEqual({ batchItemFailures: [{ itemIdentifier: '3' }] });
    expect(none).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 3 + 2 + 1);
  });

  it('gives the record whose alert failed to be delivered again, and starts none after it', async () => {
    // Prepare
    snsMock
      .on(PublishCommand)
      .resolvesOnce({ MessageId: 'alert-1' })
      .rejects(Object.assign(new Error('throttled'), { name: 'ThrottledException' }));
    const { deps, config } = setup();
    const error = vi.spyOn(deps.logger, 'error');

    // Act
    const answer = await handle(
      deps,
      config,
      stream({ lines: ['FATAL a'] }, { lines: ['FATAL b'] }, { lines: ['FATAL c'] }),
      contextOf(),
    );

    // Assess
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: '2' }] });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(error).toHaveBeenCalledWith(
      expect.stringContaining('Record failed'),
      expect.objectContaining({ sequenceNumber: '2' }),
    );
  });

  it('lets a failed alert of a direct event fail the invocation, so that Lambda retries it', async () => {
    // Prepare
    snsMock.on(PublishCommand).rejects(new Error('throttled'));
    const { deps, config } = setup();

    // Act & Assess
    await expect(handle(deps, config, direct(['FATAL a']), contextOf())).rejects.toThrow(
      'throttled',
    );
  });
});
