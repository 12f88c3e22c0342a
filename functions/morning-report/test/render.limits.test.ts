import type { ITextBlock } from '@microsoft/teams.cards';
import {
  SLACK_LIMITS,
  type SlackMessage,
  slackLimitIssues,
  TEAMS_LIMITS,
  type TeamsMessage,
  teamsLimitIssues,
} from '@nightshift/delivery/chat';
import { SNS_MAX_PUBLISH_BYTES } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import type { Attention, MorningReport } from '../src/model.ts';
import { renderSlack, renderTeams, renderText } from '../src/render.ts';
import { attentionItem, missingBackup, sampleReport } from './fixtures/report.ts';

const CATEGORIES: Attention['category'][] = [
  'failed',
  'fell back to stopped',
  'idle',
  'last backup of a deleted volume',
];

/**
 * A report far over every limit: 500 missing backups, 300 items that need a person (75 of
 * each category) with 3,000-character reasons, long names, 200 types without a price and 50
 * long notes; `char` is what the long texts are made of.
 */
const bigReport = (char = 'x', overrides: Partial<MorningReport> = {}): MorningReport => {
  const long = (length: number) => char.repeat(Math.ceil(length / char.length)).slice(0, length);
  return sampleReport({
    environment: `staging-${long(300)}`,
    unpriced: Array.from({ length: 200 }, (_, index) => `ec2 ${long(60)}${index} in eu-west-1`),
    coverage: {
      protected: 600,
      missing: Array.from({ length: 500 }, (_, index) =>
        missingBackup(index, {
          id: `i-${index}-${long(300)}`,
          name: long(255),
          source: 'EBS snapshots',
          newestBackupAt: '2026-11-20T00:00:00.000Z',
          ageHours: 246,
        }),
      ),
      allowedAgeHours: 26,
    },
    attention: Array.from({ length: 300 }, (_, index) =>
      attentionItem(index, {
        category: CATEGORIES[index % 4],
        id: `i-${index}-${long(300)}`,
        action: long(100),
        reason: long(3_000),
      }),
    ),
    notes: Array.from({ length: 50 }, (_, index) => `${index}: ${long(2_000)}`),
    ...overrides,
  });
};

/** Every mrkdwn or plain text of the message's blocks, with the block's type. */
const slackTexts = (message: SlackMessage): [string, string][] =>
  (message.blocks ?? []).flatMap((block) => {
    const texts: [string, string][] = [];
    if ('text' in block && block.text && typeof block.text === 'object')
      texts.push([block.type, block.text.text]);
    if ('fields' in block && block.fields)
      texts.push(...block.fields.map((field): [string, string] => ['field', field.text]));
    if ('elements' in block)
      for (const element of block.elements as { text?: string | { text: string } }[]) {
        const text = typeof element.text === 'string' ? element.text : element.text?.text;
        if (text !== undefined) texts.push([block.type, text]);
      }
    return texts;
  });

const teamsTexts = (message: TeamsMessage): string[] =>
  (message.attachments[0]?.content.body ?? [])
    .filter((element) => element.type === 'TextBlock')
    .map((element) => (element as ITextBlock).text);

/** Of a list's text: how many items it shows, how many more it counts, and the pointer. */
const listCounts = (text: string, bullet: string) => {
  const more = /^… and (\d+) more( \(see the dashboard\))?$/m.exec(text);
  return {
    shown: text.split('\n').filter((line) => line.startsWith(bullet)).length,
    more: more ? Number(more[1]) : 0,
    pointer: more?.[2] !== undefined,
  };
};

/** The list in `texts` whose text starts with `heading`. */
const listOf = (texts: readonly string[], heading: string) => {
  const text = texts.find((candidate) => candidate.startsWith(heading));
  if (text === undefined) throw new Error(`no list ${heading}`);
  return text;
};

const HEADINGS = [
  ['Missing backups (500)', 500],
  ['Failed (75)', 75],
  ['Fell back to stopped (75)', 75],
  ['Idle (75)', 75],
  ['Kept only as the last backup of a deleted volume (75)', 75],
  ['Notes', 50],
] as const;

describe('a report over every limit', () => {
  // Plain letters; the characters that grow most when escaped for markup and JSON; and
  // characters of several bytes in UTF-8.
  const kinds = [
    ['plain letters', 'x'],
    ['markup and JSON escapes', '*_\\"<&'],
    ['characters of several bytes', 'é日🌙'],
  ] as const;

  describe.each(kinds)('of %s', (_, char) => {
    const report = bigReport(char);

    it("fits Slack's limits: 50 blocks, 3,000 characters a text, 150 a header", () => {
      const message = renderSlack(report);
      expect(slackLimitIssues(message)).toEqual([]);
      expect(message.blocks?.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
      for (const [type, text] of slackTexts(message))
        expect(text.length).toBeLessThanOrEqual(type === 'header' ? 150 : 3_000);
    });

    it('fits the 28 KB of a Teams message, counted in UTF-8 bytes', () => {
      const message = renderTeams(report);
      expect(Buffer.byteLength(JSON.stringify(message), 'utf8')).toBeLessThanOrEqual(28_672);
      expect(TEAMS_LIMITS.bytes).toBe(28_672);
      expect(teamsLimitIssues(message)).toEqual([]);
    });

    it('fits an SNS message, under a one-line ASCII subject of less than 100 characters', () => {
      const { subject, text } = renderText(report);
      expect(Buffer.byteLength(text, 'utf8')).toBeLessThanOrEqual(SNS_MAX_PUBLISH_BYTES - 10_000);
      expect(subject.length).toBeLessThan(100);
      expect(subject).toMatch(/^[\x20-\x7e]+$/);
    });
  });

  // Each rendering: its texts, the bullet of its lists and the bold of its headings.
  describe.each([
    [
      'Slack',
      (report: MorningReport) => slackTexts(renderSlack(report)).map(([, text]) => text),
      '• ',
      '*',
    ],
    ['Teams', (report: MorningReport) => teamsTexts(renderTeams(report)), '- ', '**'],
    ['text', (report: MorningReport) => renderText(report).text.split('\n\n'), '- ', ''],
  ] as const)('in %s', (_, texts, bullet, bold) => {
    it('cuts each list and says how many more, pointing to the dashboard', () => {
      const lists = texts(bigReport());
      for (const [heading, total] of HEADINGS) {
        const counts = listCounts(listOf(lists, `${bold}${heading}`), bullet);
        expect(counts.more, heading).toBeGreaterThan(0);
        expect(counts.shown + counts.more, heading).toBe(total);
        expect(counts.pointer, heading).toBe(true);
      }
    });

    it('still shows the first items of each list', () => {
      const lists = texts(bigReport());
      for (const [heading] of HEADINGS) {
        const list = listOf(lists, `${bold}${heading}`);
        expect(listCounts(list, bullet).shown, heading).toBeGreaterThanOrEqual(3);
      }
    });

    it('counts the rest without pointing anywhere when there is no dashboard', () => {
      const lists = texts(bigReport('x', { dashboardUrl: undefined }));
      for (const [heading, total] of HEADINGS) {
        const list = listOf(lists, `${bold}${heading}`);
        const counts = listCounts(list, bullet);
        expect(counts.shown + counts.more, heading).toBe(total);
        expect(counts.pointer, heading).toBe(false);
        expect(list).not.toContain('dashboard');
      }
    });
  });

  it('lists 25 short items of a list in Teams, and fewer of long texts, rather than going over 28 KB', () => {
    const shown = (report: MorningReport) =>
      listCounts(listOf(teamsTexts(renderTeams(report)), '**Failed (75)**'), '- ').shown;
    const short = sampleReport({
      attention: Array.from({ length: 300 }, (_, index) =>
        attentionItem(index, { category: CATEGORIES[index % 4] }),
      ),
    });
    expect(shown(short)).toBe(25);
    expect(shown(bigReport())).toBeLessThan(25);
  });

  it('cuts a long reason, name and note with an ellipsis', () => {
    const { text } = renderText(bigReport());
    const failed = listOf(text.split('\n\n'), 'Failed (75)').split('\n')[1] ?? '';
    expect(failed).toMatch(/^- infra-scaler x{100} i-0-x{250}…, 111122223333\/eu-west-1: x{499}…$/);
  });
});
