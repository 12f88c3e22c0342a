import { SNS_MAX_PUBLISH_BYTES } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import { buildAlert, insightsUrl, sourceOf } from '../src/alert.ts';
import { payloadOf } from './fixtures.ts';

const options = { region: 'eu-west-1', maxLines: 3, maxLineLength: 100 };

describe('Critical alert', () => {
  it('names the group, stream and window, shows the first lines, and counts the rest', () => {
    // Prepare
    const payload = payloadOf([
      'FATAL one',
      'FATAL two',
      'FATAL three',
      'FATAL four',
      'FATAL five',
    ]);

    // Act
    const { subject, message } = buildAlert(payload, payload.logEvents, options);

    // Assess
    expect(subject).toBe('Nightshift: 5 critical in /aws/lambda/orders-api');
    const lines = message.split('\n');
    expect(lines).toContain('Log group: /aws/lambda/orders-api');
    expect(lines).toContain('Log stream: 2026/11/28/[$LATEST]abcdef');
    expect(lines).toContain('Time: 2026-11-28T03:00:00.000Z to 2026-11-28T03:00:04.000Z (UTC)');
    expect(lines).toContain('[2026-11-28T03:00:00.000Z] FATAL one');
    expect(lines).toContain('[2026-11-28T03:00:02.000Z] FATAL three');
    expect(message).not.toContain('FATAL four');
    expect(lines).toContain('... and 2 more critical line(s) in this batch.');
    expect(lines[lines.indexOf('... and 2 more critical line(s) in this batch.') - 1]).toBe('');
    expect(message).toContain(
      'Logs Insights: https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights',
    );
  });

  it('names the log group after its account when another account owns it, in the subject first', () => {
    // Prepare: a name long enough that the subject is cut.
    const payload = payloadOf(['FATAL one'], {
      owner: '111122223333',
      logGroup: `/aws/lambda/${'x'.repeat(120)}`,
    });

    // Act
    const { subject, message } = buildAlert(payload, payload.logEvents, {
      ...options,
      accountId: '123456789012',
    });

    // Assess
    expect(subject).toMatch(/^Nightshift: 1 critical in 111122223333:\/aws\/lambda\/x+\.\.\.$/);
    const lines = message.split('\n');
    expect(lines[0]).toBe(`1 critical log line(s) in 111122223333:${payload.logGroup}`);
    expect(lines).toContain(`Log group: ${payload.logGroup}`);
    expect(lines).toContain('Account: 111122223333');
    expect(message).toContain('Logs Insights (signed in to account 111122223333): https://');
  });

  it('writes exactly the lines of the alert, and a link to the window a minute wider each side', () => {
    // Prepare: a line of exactly the longest length shown, one with trailing white space.
    const payload = payloadOf(['FATAL abcd', 'FATAL x \t\n']);

    // Act
    const { message } = buildAlert(payload, payload.logEvents, {
      ...options,
      maxLineLength: 10,
    });

    // Assess
    const start = new Date('2026-11-28T02:59:00.000Z');
    const end = new Date('2026-11-28T03:01:01.000Z');
    const link = insightsUrl({ region: 'eu-west-1', logGroup: payload.logGroup, start, end });
    expect(message.split('\n')).toEqual([
      '2 critical log line(s) in /aws/lambda/orders-api',
      '',
      'Log group: /aws/lambda/orders-api',
      'Log stream: 2026/11/28/[$LATEST]abcdef',
      'Account: 123456789012',
      'Time: 2026-11-28T03:00:00.000Z to 2026-11-28T03:00:01.000Z (UTC)',
      '',
      '[2026-11-28T03:00:00.000Z] FATAL abcd',
      '[2026-11-28T03:00:01.000Z] FATAL x',
      '',
      `Logs Insights: ${link}`,
    ]);
    expect(link).toContain(
      "~(end~'2026-11-28T03*3a01*3a01.000Z~start~'2026-11-28T02*3a59*3a00.000Z~timeType~'ABSOLUTE~tz~'UTC",
    );
    expect(link).toContain(
      "~editorString~'fields*20*40timestamp*2c*20*40logStream*2c*20*40message*0a*7c*20sort*20*40timestamp*20desc*0a*7c*20limit*20200~",
    );
  });

  it('keeps the plain log group name for the function account, or when it is not known', () => {
    // Prepare
    const payload = payloadOf(['FATAL one']);

    // Act
    const own = buildAlert(payload, payload.logEvents, { ...options, accountId: '123456789012' });
    const unknown = buildAlert(payload, payload.logEvents, options);

    // Assess
    expect(own).toEqual(unknown);
    expect(own.subject).toBe('Nightshift: 1 critical in /aws/lambda/orders-api');
    expect(sourceOf(payload, '123456789012')).toBe('/aws/lambda/orders-api');
    expect(sourceOf(payload, '999999999999')).toBe('123456789012:/aws/lambda/orders-api');
  });

  it('finds the window of a batch with more critical lines than a call can take arguments', () => {
    // Prepare: 300,000 lines, the earliest and latest in the middle.
    const base = Date.parse('2026-11-28T03:00:00Z');
    const critical = Array.from({ length: 300_000 }, (_, index) => ({
      id: String(index),
      timestamp: base + (index === 150_000 ? -5_000 : index === 150_001 ? 400_000_000 : index),
      message: 'FATAL boom',
    }));

    // Act
    const { message } = buildAlert(payloadOf([]), critical, options);

    // Assess
    expect(message.split('\n')).toContain(
      'Time: 2026-11-28T02:59:55.000Z to 2026-12-02T18:06:40.000Z (UTC)',
    );
    expect(message).toContain('... and 299997 more critical line(s) in this batch.');
  });

  it('keeps the subject within SNS rules for any log group name', () => {
    // Prepare
    const payload = payloadOf(['FATAL x'], {
      logGroup: `/aws/ecs/${'très-long-nom-de-groupe\n'.repeat(20)}`,
    });

    // Act
    const { subject } = buildAlert(payload, payload.logEvents, options);

    // Assess
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('cuts huge lines and keeps the message within 256 KB', () => {
    // Prepare
    const payload = payloadOf(Array.from({ length: 50 }, () => `FATAL ${'x'.repeat(100_000)}`));

    // Act
    const { message } = buildAlert(payload, payload.logEvents, {
      region: 'us-east-1',
      maxLines: 50,
      maxLineLength: 10_000,
    });

    // Assess
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(SNS_MAX_PUBLISH_BYTES);
    expect(message).toContain('... [90006 more characters]');
  });

  it('says how many lines were cut before classifying, and marks each shown one', () => {
    // Prepare
    const long = `FATAL ${'x'.repeat(200)}`;
    const payload = payloadOf([long, 'FATAL short', `${long}y`]);

    // Act
    const { message } = buildAlert(payload, payload.logEvents, {
      ...options,
      classifiedLength: long.length,
      cutLines: 4,
    });

    // Assess
    const lines = message.split('\n');
    expect(lines).toContain(
      `Cut: 4 line(s) of this batch longer than ${long.length} characters, each classified from its first ${long.length} only.`,
    );
    expect(
      lines.filter((line) => line.endsWith(' [cut: classified from its first 206 characters]')),
    ).toEqual([
      `[2026-11-28T03:00:02.000Z] FATAL ${'x'.repeat(94)}... [107 more characters] [cut: classified from its first 206 characters]`,
    ]);
    expect(lines).toContain(
      `[2026-11-28T03:00:00.000Z] FATAL ${'x'.repeat(94)}... [106 more characters]`,
    );
    expect(lines).toContain('[2026-11-28T03:00:01.000Z] FATAL short');
  });

  it('says nothing of cut lines when no line was cut', () => {
    // Prepare
    const payload = payloadOf([`FATAL ${'x'.repeat(20_000)}`]);

    // Act
    const { message } = buildAlert(payload, payload.logEvents, options);

    // Assess
    expect(message).not.toContain('Cut:');
    expect(message).not.toContain('[cut:');
  });

  it('masks credentials that appear in log lines', () => {
    // Prepare
    const payload = payloadOf([
      `FATAL login failed password=hunter2 key ${'AKIA'}IOSFODNN7EXAMPLE`,
      'FATAL upstream 401 with Authorization: Bearer abcdefghijklmnop',
    ]);

    // Act
    const { message } = buildAlert(payload, payload.logEvents, options);

    // Assess
    expect(message).not.toMatch(/hunter2|IOSFODNN7EXAMPLE|abcdefghijklmnop/);
    expect(message).toContain('password=[REDACTED] key [REDACTED]');
    expect(message).toContain('Bearer [REDACTED]');
  });

  it('links Logs Insights to the group and window, encoded the console way', () => {
    // Act
    const url = insightsUrl({
      region: 'us-east-1',
      logGroup: '/aws/lambda/orders-api',
      start: new Date('2026-11-28T02:59:00Z'),
      end: new Date('2026-11-28T03:01:00Z'),
    });

    // Assess
    expect(url).toContain(
      "~(end~'2026-11-28T03*3a01*3a00.000Z~start~'2026-11-28T02*3a59*3a00.000Z~timeType~'ABSOLUTE",
    );
    expect(url).toContain("~source~(~'*2faws*2flambda*2forders-api))");
    expect(url).not.toMatch(/\s/);
  });
});
