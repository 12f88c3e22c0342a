import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS, slackLimitIssues } from '../src/limits.ts';
import {
  SLACK_COLOURS,
  slackButtons,
  slackContext,
  slackDate,
  slackEscape,
  slackFields,
  slackHeader,
  slackMessage,
  slackSection,
} from '../src/slack.ts';

const link = { title: 'Open execution', url: 'https://example.com/x' };

describe('Slack building blocks', () => {
  it('builds the Block Kit blocks an incoming webhook takes', () => {
    // Act
    const message = slackMessage({
      text: 'web: failed',
      tone: 'bad',
      blocks: [
        slackHeader('web: failed'),
        slackFields([
          ['Pipeline', 'web'],
          ['State', 'FAILED'],
        ]),
        slackSection('*Failed:* Build'),
        slackContext('eu-west-1'),
        slackButtons([link]),
      ],
    });

    // Assess
    expect(message).toEqual({
      text: 'web: failed',
      attachments: [
        {
          color: '#d72b3f',
          blocks: [
            { type: 'header', text: { type: 'plain_text', text: 'web: failed', emoji: true } },
            {
              type: 'section',
              fields: [
                { type: 'mrkdwn', text: '*Pipeline*\nweb' },
                { type: 'mrkdwn', text: '*State*\nFAILED' },
              ],
            },
            { type: 'section', text: { type: 'mrkdwn', text: '*Failed:* Build' } },
            { type: 'context', elements: [{ type: 'mrkdwn', text: 'eu-west-1' }] },
            {
              type: 'actions',
              elements: [
                {
                  type: 'button',
                  text: { type: 'plain_text', text: 'Open execution' },
                  url: 'https://example.com/x',
                },
              ],
            },
          ],
        },
      ],
    });
    expect(slackLimitIssues(message)).toEqual([]);
  });

  it('colours each tone', () => {
    expect(SLACK_COLOURS).toEqual({
      good: '#2eb886',
      bad: '#d72b3f',
      warning: '#daa038',
      neutral: '#8a8a8a',
    });
  });

  it("escapes Slack's three markup characters", () => {
    expect(slackEscape('<!channel> & <https://x|y>')).toBe(
      '&lt;!channel&gt; &amp; &lt;https://x|y&gt;',
    );
  });

  it("writes a time each reader sees in their own zone, the ISO text where Slack can't", () => {
    expect(slackDate('2026-11-28T03:00:00Z')).toBe(
      '<!date^1795834800^{date_short_pretty} {time_secs}|2026-11-28T03:00:00Z>',
    );
    expect(slackDate('2026-11-28T03:00:00.999Z', '{date}')).toBe(
      '<!date^1795834800^{date}|2026-11-28T03:00:00.999Z>',
    );
  });

  it('cuts each text to what Block Kit takes, and takes no more fields or buttons than it allows', () => {
    // Act
    const blocks = [
      slackHeader('h'.repeat(151)),
      slackFields(
        Array.from({ length: 11 }, (_, index) => [`f${index}`, 'v'.repeat(2_000)] as const),
      ),
      slackSection('s'.repeat(3_001)),
      slackContext('c'.repeat(3_001)),
      slackButtons(Array.from({ length: 26 }, () => ({ title: 't'.repeat(76), url: link.url }))),
    ];

    // Assess
    expect(blocks[0]).toMatchObject({ text: { text: `${'h'.repeat(149)}…` } });
    expect(blocks[1]?.type === 'section' && blocks[1].fields).toHaveLength(10);
    expect(slackLimitIssues({ text: 't', blocks })).toEqual([]);
    expect(JSON.stringify(blocks)).toContain(`"${'t'.repeat(74)}…"`);
  });
});

describe('Slack blocks, for any input', () => {
  it('stay within Block Kit limits, however long and however many the texts', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 100 }),
      fc.nat(200_000).map((length) => 'x'.repeat(length)),
    );
    fc.assert(
      fc.property(
        text,
        fc.array(fc.tuple(fc.string({ maxLength: 20 }), text), { maxLength: 40 }),
        fc.array(text, { maxLength: 8 }),
        fc.array(fc.record({ title: text, url: fc.constant(link.url) }), {
          minLength: 1,
          maxLength: 60,
        }),
        (title, facts, sections, links) => {
          const message = slackMessage({
            text: title.slice(0, SLACK_LIMITS.messageText),
            tone: 'neutral',
            blocks: [
              slackHeader(title),
              slackFields(facts),
              ...sections.map(slackSection),
              slackContext(title),
              slackButtons(links),
            ],
          });
          expect(slackLimitIssues(message)).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
