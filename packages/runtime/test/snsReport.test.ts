import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createReport } from '../src/report.ts';
import {
  publishReport,
  SNS_MAX_PUBLISH_BYTES,
  toSnsSubject,
  truncateUtf8,
} from '../src/snsReport.ts';

const snsMock = mockClient(SNSClient);
const topicArn = 'arn:aws:sns:us-east-1:123456789012:nightshift-reports';

describe('SNS subject', () => {
  it('keeps a plain subject as it is', () => {
    expect(toSnsSubject('Nightshift snapshot-cleanup: 3 done')).toBe(
      'Nightshift snapshot-cleanup: 3 done',
    );
  });

  it('makes a subject ASCII and one line', () => {
    expect(toSnsSubject('Sauvegarde échouée\r\nfor  i-1 ✓')).toBe('Sauvegarde echouee for i-1');
  });

  it('cuts a subject to under 100 characters', () => {
    // Act
    const subject = toSnsSubject(`Nightshift ${'x'.repeat(200)}`);

    // Assess
    expect(subject).toHaveLength(99);
    expect(subject.endsWith('...')).toBe(true);
  });

  it('never returns an empty subject', () => {
    expect(toSnsSubject('✓✓✓\n')).toBe('Nightshift report');
  });
});

describe('UTF-8 truncation', () => {
  it('leaves a message that fits alone', () => {
    expect(truncateUtf8('héllo', 6)).toBe('héllo');
  });

  it('cuts to the byte limit, never inside a character, and says so', () => {
    // Prepare
    const text = 'é'.repeat(1_000); // 2 bytes each

    // Act
    const cut = truncateUtf8(text, 301);

    // Assess
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(301);
    expect(cut).not.toContain('\uFFFD');
    expect(cut).toMatch(
      /\[truncated: \d+ of 2000 bytes shown; the full report is in the function's log\]$/,
    );
  });
});

describe('Publish a report', () => {
  beforeEach(() => {
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'msg-1' });
  });

  it('publishes the summary as subject, the text as message, and filterable attributes', async () => {
    // Prepare
    const report = createReport('snapshot-cleanup', { dryRun: true });
    report.planned.push({ id: 'snap-1', action: 'delete', reason: 'older than 30 days' });

    // Act
    const messageId = await publishReport(new SNSClient({}), { topicArn, report });

    // Assess
    expect(messageId).toBe('msg-1');
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: topicArn,
      Subject: 'Nightshift snapshot-cleanup: 1 planned (dry run), 0 failed, 0 skipped',
      MessageAttributes: {
        service: { DataType: 'String', StringValue: 'snapshot-cleanup' },
        dryRun: { DataType: 'String', StringValue: 'true' },
        failed: { DataType: 'Number', StringValue: '0' },
      },
    });
    const message = snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Message;
    expect(message).toContain('- snap-1: delete: older than 30 days');
  });

  it('truncates a report over 256 KB so that the whole publish fits', async () => {
    // Prepare
    const report = createReport('snapshot-cleanup', { dryRun: false });
    for (let i = 0; i < 5_000; i += 1) {
      report.done.push({
        id: `snap-${String(i).padStart(17, '0')}`,
        action: 'delete',
        reason: 'older than 30 days, not used by any AMI',
      });
    }

    // Act
    await publishReport(new SNSClient({}), { topicArn, report });

    // Assess
    const input = snsMock.commandCalls(PublishCommand)[0]?.args[0].input;
    const attributes = Object.entries(input?.MessageAttributes ?? {}).reduce(
      (sum, [name, value]) =>
        sum + name.length + (value.DataType?.length ?? 0) + (value.StringValue?.length ?? 0),
      0,
    );
    expect(Buffer.byteLength(input?.Message ?? '') + attributes).toBeLessThanOrEqual(
      SNS_MAX_PUBLISH_BYTES,
    );
    expect(input?.Message).toMatch(/\[truncated: \d+ of \d+ bytes shown/);
  });
});
