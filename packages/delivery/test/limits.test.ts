import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS, slackLimitIssues, TEAMS_LIMITS, teamsLimitIssues } from '../src/limits.ts';
import type { SlackBlock, SlackMessage } from '../src/slack.ts';
import { type TeamsMessage, teamsMessage, teamsText } from '../src/teams.ts';

const text = (length: number) => 'x'.repeat(length);
const button = (title: string, url = 'https://example.com') => ({
  type: 'button' as const,
  text: { type: 'plain_text' as const, text: title },
  url,
});

describe("Slack's limits", () => {
  it('are the ones Block Kit documents', () => {
    expect(SLACK_LIMITS).toMatchObject({ blocks: 50, text: 3_000, headerText: 150 });
  });

  it('take a message exactly at every limit', () => {
    const message: SlackMessage = {
      text: text(40_000),
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: text(150) } },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: text(3_000) },
          fields: Array.from({ length: 10 }, () => ({
            type: 'mrkdwn' as const,
            text: text(2_000),
          })),
        },
        {
          type: 'context',
          elements: Array.from({ length: 10 }, () => ({
            type: 'mrkdwn' as const,
            text: text(3_000),
          })),
        },
        {
          type: 'actions',
          elements: Array.from({ length: 25 }, () => button(text(75), `https://${text(2_992)}`)),
        },
        ...Array.from({ length: 46 }, () => ({ type: 'divider' as const })),
      ],
    };
    expect(slackLimitIssues(message)).toEqual([]);
  });

  it('name every part one over its limit', () => {
    const message: SlackMessage = {
      text: text(40_001),
      attachments: [
        {
          blocks: [
            { type: 'header', text: { type: 'plain_text', text: text(151) } },
            {
              type: 'section',
              text: { type: 'mrkdwn', text: text(3_001) },
              fields: Array.from({ length: 11 }, (_, index) => ({
                type: 'mrkdwn' as const,
                text: text(index === 0 ? 2_001 : 1),
              })),
            },
            {
              type: 'context',
              elements: Array.from({ length: 11 }, (_, index) => ({
                type: 'mrkdwn' as const,
                text: text(index === 0 ? 3_001 : 1),
              })),
            },
            {
              type: 'actions',
              elements: [
                button(text(76)),
                ...Array.from({ length: 25 }, () => button('b', `https://${text(2_993)}`)),
              ],
            },
            { type: 'actions', elements: [] },
            ...Array.from({ length: 46 }, () => ({ type: 'divider' as const })),
          ],
        },
      ],
    };

    expect(slackLimitIssues(message)).toEqual([
      'text: the message text has 40001 characters, more than 40000',
      '51 blocks, more than 50',
      'attachments[0].blocks[0] (header): its text has 151 characters, more than 150',
      'attachments[0].blocks[1] (section): its text has 3001 characters, more than 3000',
      'attachments[0].blocks[1] (section): 11 fields, more than 10',
      'attachments[0].blocks[1] (section): field 0 has 2001 characters, more than 2000',
      'attachments[0].blocks[2] (context): 11 elements, more than 10',
      "attachments[0].blocks[2] (context): element 0's text has 3001 characters, more than 3000",
      'attachments[0].blocks[3] (actions): 26 elements, more than 25',
      "attachments[0].blocks[3] (actions): element 0's text has 76 characters, more than 75",
      ...Array.from(
        { length: 25 },
        (_, index) =>
          `attachments[0].blocks[3] (actions): element ${index + 1}'s url has 3001 characters, more than 3000`,
      ),
      'attachments[0].blocks[4] (actions): an actions block without elements',
    ]);
  });

  it('name the blocks of the message itself by their place', () => {
    const message: SlackMessage = {
      text: 'title',
      blocks: [
        { type: 'divider' },
        { type: 'header', text: { type: 'plain_text', text: text(151) } },
      ],
    };

    expect(slackLimitIssues(message)).toEqual([
      'blocks[1] (header): its text has 151 characters, more than 150',
    ]);
  });

  it('count no block for an attachment without blocks', () => {
    const message: SlackMessage = {
      text: 'title',
      blocks: Array.from({ length: 50 }, () => ({ type: 'divider' as const })),
      attachments: [{ color: '#2eb886', text: 'a legacy attachment' }],
    };

    expect(slackLimitIssues(message)).toEqual([]);
  });

  it('read a part without text, fields or elements as empty, and name an actions block without elements', () => {
    // Prepare: an image has no text; the other two are what the types rule out, as a
    // message built from JSON may hold.
    const message: SlackMessage = {
      text: 'title',
      blocks: [
        {
          type: 'context',
          elements: [{ type: 'image', image_url: 'https://example.com/a.png', alt_text: 'a' }],
        },
        { type: 'section', fields: [{}] } as unknown as SlackBlock,
        { type: 'actions' } as unknown as SlackBlock,
      ],
    };

    expect(slackLimitIssues(message)).toEqual([
      'blocks[2] (actions): an actions block without elements',
    ]);
  });
});

describe("Teams' limits", () => {
  it('are a card version up to 1.5 and 28 KB', () => {
    expect(TEAMS_LIMITS).toEqual({
      versions: ['1.0', '1.1', '1.2', '1.3', '1.4', '1.5'],
      bytes: 28 * 1024,
    });
  });

  it('take a message of exactly 28 KB, and name one a byte over', () => {
    const empty = teamsMessage({ body: [teamsText('')], actions: [] });
    const room = TEAMS_LIMITS.bytes - Buffer.byteLength(JSON.stringify(empty));
    const exact = teamsMessage({ body: [teamsText(text(room))], actions: [] });
    const over = teamsMessage({ body: [teamsText(text(room + 1))], actions: [] });

    expect(teamsLimitIssues(exact)).toEqual([]);
    expect(teamsLimitIssues(over)).toEqual([
      `the message has ${28 * 1024 + 1} bytes, more than 28672`,
    ]);
  });

  it('name a card of a version Teams does not render', () => {
    const { attachments, ...envelope } = teamsMessage({ body: [], actions: [] });
    type Card = TeamsMessage['attachments'][number]['content'];
    const withCard = (content: Card): TeamsMessage => ({
      ...envelope,
      attachments: attachments.map((attachment) => ({ ...attachment, content })),
    });
    const card = attachments[0]?.content;
    if (!card) throw new Error('the message has no card');
    const { version: _version, ...unversioned } = card;

    expect(teamsLimitIssues(withCard({ ...card, version: '1.6' as Card['version'] }))).toEqual([
      'attachments[0]: card version 1.6 is not one Teams renders',
    ]);
    expect(teamsLimitIssues(withCard(unversioned))).toEqual([
      'attachments[0]: card version (none) is not one Teams renders',
    ]);
  });
});
