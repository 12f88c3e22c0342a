import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { createObservability } from '@nightshift/middleware';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { run, SERVICE } from '../src/run.ts';
import { logsEvent, payloadOf } from './fixtures.ts';

const snsMock = mockClient(SNSClient);
const topic = 'arn:aws:sns:us-east-1:123456789012:alerts';

const setup = (env: Record<string, string> = { ALERT_TOPIC_ARN: topic }) => {
  const observability = createObservability('log-processor');
  const addMetric = vi.spyOn(observability.metrics, 'addMetric');
  const addDimension = vi.spyOn(observability.metrics, 'addDimension');
  // The aggregate count, without the log group dimension, goes out as a single metric.
  const single = observability.metrics.singleMetric();
  const addSingle = vi.spyOn(single, 'addMetric');
  vi.spyOn(observability.metrics, 'singleMetric').mockReturnValue(single);
  return {
    deps: { sns: new SNSClient({}), ...observability },
    config: loadConfig(env),
    addMetric,
    addDimension,
    addSingle,
  };
};

describe('Processing a batch', () => {
  beforeEach(() => {
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'alert-1' });
  });

  it('counts errors and critical lines into metrics with the log group as a dimension', async () => {
    // Prepare
    const { deps, config, addMetric, addDimension, addSingle } = setup();
    const payload = payloadOf([
      'all good',
      'ERROR x',
      'Exception y',
      'FATAL z',
      'HTTP 503 from upstream',
    ]);

    // Act
    const summary = await run(deps, config, logsEvent(payload));

    // Assess
    expect(summary).toMatchObject({
      processedEvents: 5,
      errorCount: 4,
      criticalCount: 2,
      alertMessageId: 'alert-1',
    });
    expect(addDimension).toHaveBeenCalledWith('LogGroup', '/aws/lambda/orders-api');
    expect(addMetric).toHaveBeenCalledWith('ProcessedEvents', 'Count', 5);
    expect(addMetric).toHaveBeenCalledWith('ErrorCount', 'Count', 4);
    expect(addMetric).toHaveBeenCalledWith('CriticalErrorCount', 'Count', 2);
    expect(addSingle).toHaveBeenCalledWith('CriticalErrorCount', 'Count', 2);
  });

  it('sends exactly one alert for a batch with many critical lines', async () => {
    // Prepare
    const { deps, config } = setup();

    // Act
    await run(
      deps,
      config,
      logsEvent(payloadOf(Array.from({ length: 40 }, (_, i) => `FATAL crash ${i}`))),
    );

    // Assess
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: topic,
      Subject: 'Nightshift: 40 critical in /aws/lambda/orders-api',
      Message: expect.stringContaining('... and 35 more critical line(s) in this batch.'),
    });
  });

  it('sends no alert for errors that are not critical', async () => {
    // Prepare
    const { deps, config } = setup();

    // Act
    const summary = await run(deps, config, logsEvent(payloadOf(['ERROR a', 'timed out b'])));

    // Assess
    expect(summary.errorCount).toBe(2);
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it('acknowledges control messages and ignores them', async () => {
    // Prepare
    const { deps, config, addMetric } = setup();

    // Act
    const summary = await run(
      deps,
      config,
      logsEvent(
        payloadOf(['CWL CONTROL MESSAGE: Checking health of destination Firehose.'], {
          messageType: 'CONTROL_MESSAGE',
        }),
      ),
    );

    // Assess
    expect(summary.ignored).toBe('CONTROL_MESSAGE');
    expect(addMetric).not.toHaveBeenCalled();
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it('fails when the alert cannot be published, with the metrics already recorded', async () => {
    // Prepare
    snsMock
      .on(PublishCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ThrottledException' }));
    const { deps, config, addMetric } = setup();

    // Act & Assess
    await expect(run(deps, config, logsEvent(payloadOf(['FATAL x'])))).rejects.toThrow('throttled');
    expect(addMetric).toHaveBeenCalledWith('CriticalErrorCount', 'Count', 1);
  });

  it('classifies a long line from its first 8 KB, counts the cut lines, and says so in the alert', async () => {
    // Prepare: 256 KB of one word, with the only error word after the first 8 KB.
    const { deps, config } = setup();
    const warn = vi.spyOn(deps.logger, 'warn');
    const long = `${'Error'.repeat(52_428)} FATAL out of memory`;
    const payload = payloadOf([long, long, 'fine', 'FATAL: disk full']);

    // Act
    const summary = await run(deps, config, logsEvent(payload));

    // Assess
    expect(summary).toMatchObject({
      processedEvents: 4,
      errorCount: 1,
      criticalCount: 1,
      cutLines: 2,
    });
    expect(warn).toHaveBeenCalledWith(
      'Lines longer than the classifier reads were classified from their start',
      { logGroup: '/aws/lambda/orders-api', cutLines: 2, classifiedCharacters: 8_192 },
    );
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      Message: expect.stringContaining(
        'Cut: 2 line(s) of this batch longer than 8192 characters, each classified from its first 8192 only.',
      ),
    });
  });

  it('reports no cut lines when every line fits', async () => {
    // Prepare
    const { deps, config } = setup();
    const warn = vi.spyOn(deps.logger, 'warn');

    // Act
    const summary = await run(deps, config, logsEvent(payloadOf([`FATAL ${'x'.repeat(8_186)}`])));

    // Assess
    expect(summary.cutLines).toBe(0);
    expect(warn).not.toHaveBeenCalled();
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      Message: expect.not.stringContaining('Cut:'),
    });
  });

  it('logs each batch summary, and each control message with its log group', async () => {
    // Prepare
    const { deps, config } = setup();
    const info = vi.spyOn(deps.logger, 'info');

    // Act
    const summary = await run(deps, config, logsEvent(payloadOf(['FATAL x'])));
    await run(
      deps,
      config,
      logsEvent(payloadOf(['CWL CONTROL MESSAGE'], { messageType: 'CONTROL_MESSAGE' })),
    );

    // Assess
    expect(SERVICE).toBe('log-processor');
    expect(info).toHaveBeenCalledWith('Batch processed', summary);
    expect(info).toHaveBeenCalledWith('Control message acknowledged', {
      logGroup: '/aws/lambda/orders-api',
    });
  });

  it('warns, with the counts, when critical lines find no alert topic', async () => {
    // Prepare
    const { deps, config } = setup({});
    const warn = vi.spyOn(deps.logger, 'warn');

    // Act
    const summary = await run(deps, config, logsEvent(payloadOf(['FATAL x'])));

    // Assess
    expect(warn).toHaveBeenCalledWith(
      'Critical lines found but ALERT_TOPIC_ARN is not set: no alert sent',
      summary,
    );
    expect(snsMock).not.toHaveReceivedCommand(PublishCommand);
  });

  it('gives the alert message attributes SNS takes: a log group of at most 256 characters, never empty', async () => {
    // Prepare
    const { deps, config } = setup();
    const long = `/aws/lambda/${'x'.repeat(300)}`;

    // Act
    await run(deps, config, logsEvent(payloadOf(['FATAL x'], { logGroup: long })));
    await run(deps, config, logsEvent(payloadOf(['FATAL x'], { logGroup: '' })));

    // Assess
    const attributes = snsMock
      .commandCalls(PublishCommand)
      .map((call) => call.args[0].input.MessageAttributes);
    expect(attributes).toEqual([
      {
        logGroup: { DataType: 'String', StringValue: long.slice(0, 256) },
        criticalCount: { DataType: 'Number', StringValue: '1' },
      },
      {
        logGroup: { DataType: 'String', StringValue: '(none)' },
        criticalCount: { DataType: 'Number', StringValue: '1' },
      },
    ]);
  });
});
