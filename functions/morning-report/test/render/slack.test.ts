import { slackLimitIssues } from '@nightshift/delivery/chat';
import { describe, expect, it } from 'vitest';
import { renderSlack } from '../../src/render/slack.ts';
import { attentionItem, DASHBOARD_URL, missingBackup, sampleReport } from '../fixtures/report.ts';
import { slackText, slackTexts } from './texts.ts';

describe('renderSlack', () => {
  const sample = () => {
    const message = renderSlack(sampleReport());
    return { message, blocks: message.blocks ?? [] };
  };

  it('is within every limit of Slack', () => {
    const { message } = sample();
    expect(slackLimitIssues(message)).toEqual([]);
  });

  it('has a one-line notification text with the money and what needs doing', () => {
    const { message } = sample();
    expect(message.text).toBe(
      'Nightshift staging: saved $12.35 in the last 24 h, $1,234.50 this month (estimate); 2 backups missing; 4 need a person',
    );
  });

  it('starts with a header and the summary as fields, then the estimate and the unpriced types', () => {
    const { blocks } = sample();
    expect(blocks.map((block) => block.type)).toEqual([
      'header',
      'section',
      'context',
      'divider',
      'section',
      'divider',
      'section',
      'section',
      'section',
      'section',
      'section',
      'context',
      'context',
      'actions',
    ]);
    expect(blocks[0]).toMatchObject({
      text: { type: 'plain_text', text: 'Nightshift morning report: staging, Mon, 30 Nov 2026' },
    });
    expect(blocks[1]).toMatchObject({
      fields: [
        { type: 'mrkdwn', text: '*Saved, last 24 h*\n$12.35 (estimate)' },
        { type: 'mrkdwn', text: '*Saved this month*\n$1,234.50 (estimate)' },
        {
          type: 'mrkdwn',
          text: '*Instance-hours stopped*\n42 in the last 24 h, 840 this month; 5 resources stopped now',
        },
        {
          type: 'mrkdwn',
          text: '*Snapshots deleted*\n150 GiB in the last 24 h (saves $7.50 a month in storage), 1,200 GiB this month (saves $60.00 a month in storage)',
        },
        { type: 'mrkdwn', text: '*Backups missing*\n2 of 12 protected resources' },
        { type: 'mrkdwn', text: '*Needs a person*\n4' },
      ],
    });
    expect(slackTexts({ text: '', blocks: [blocks[2] as never] })).toEqual([
      'Money is an estimate: on-demand list prices, no discounts. Hours only for ec2 t4g.nano in eu-south-2 (prices could not be read).',
    ]);
  });

  it('lists the missing backups and what needs a person, ids as code', () => {
    const { message } = sample();
    const texts = slackTexts(message);
    expect(texts).toContain(
      '*Missing backups (2)*: none newer than 26 h\n• RDS instance orders (`orders-db`), 111122223333/eu-west-1: no backup\n• EC2 instance web-1 (`i-0web`), 111122223333/eu-west-1: last backup 2 days old (EBS snapshots)',
    );
    expect(texts).toContain('*Needs a person (4)*');
    expect(texts).toContain(
      '*Idle (1)*\n• infra-scaler flag idle `i-0idle`, 111122223333/eu-west-1: CPU under 2% for 7 days',
    );
  });

  it('ends with the notes, the runs read and a button to the dashboard', () => {
    const { blocks } = sample();
    expect(blocks.at(-1)).toEqual({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open the dashboard' },
          url: DASHBOARD_URL,
        },
      ],
    });
    expect(slackTexts({ text: '', blocks: blocks.slice(-3, -1) })).toEqual([
      '*Notes*\n• AWS Backup could not be read (AccessDeniedException): its recovery points are not counted.',
      'From 42 runs in the history, 1 with failures.',
    ]);
  });

  it("escapes Slack's markup in names and reasons, and masks credentials", () => {
    const report = sampleReport({
      attention: [
        attentionItem(1, {
          id: 'i-`x`',
          reason: 'connect <db> & retry failed: password=hunter2',
        }),
      ],
    });
    const text = slackText(renderSlack(report));
    expect(text).toContain(
      "`i-'x'`, 111122223333/eu-west-1: connect &lt;db&gt; &amp; retry failed: password=[REDACTED]",
    );
    expect(text).not.toContain('hunter2');
  });

  it('names at most ten types in Slack and counts the rest', () => {
    const unpriced = Array.from({ length: 12 }, (_, index) => `ec2 t${index}.nano in eu-west-1`);
    const text = slackText(renderSlack(sampleReport({ unpriced })));
    expect(text).toContain('ec2 t9.nano in eu-west-1 and 2 more (prices could not be read).');
    expect(text).not.toContain('t10.nano');
  });
  it('lists at most 25 items in Slack even when more would fit, and 10 notes', () => {
    const report = sampleReport({
      coverage: {
        protected: 40,
        missing: Array.from({ length: 30 }, (_, index) => missingBackup(index)),
        allowedAgeHours: 26,
      },
      notes: Array.from({ length: 12 }, (_, index) => `note ${index}`),
    });
    const texts = slackTexts(renderSlack(report));
    const missing = texts.find((text) => text.startsWith('*Missing backups (30)*')) ?? '';
    expect(missing.split('\n').filter((line) => line.startsWith('• '))).toHaveLength(25);
    expect(missing.endsWith('… and 5 more (see the dashboard)')).toBe(true);
    const notes = texts.find((text) => text.startsWith('*Notes*')) ?? '';
    expect(notes.split('\n').filter((line) => line.startsWith('• '))).toHaveLength(10);
    expect(notes.endsWith('… and 2 more (see the dashboard)')).toBe(true);
  });
  it('says "needs" of one item that needs a person', () => {
    const report = sampleReport({ attention: [attentionItem(1)] });
    expect(renderSlack(report).text).toMatch(/; 1 needs a person$/);
  });
});
