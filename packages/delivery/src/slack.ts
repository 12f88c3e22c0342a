import type {
  ActionsBlock,
  ContextBlock,
  HeaderBlock,
  KnownBlock,
  MessageAttachment,
  SectionBlock,
} from '@slack/types';
import { SLACK_LIMITS } from './limits.ts';
import { cut, type Fact, type Link, type Tone } from './text.ts';

/** A Block Kit block of a message. */
export type SlackBlock = KnownBlock;

/**
 * What a Slack incoming webhook takes: the notification text, and Block Kit blocks, here
 * inside an attachment for its colour bar.
 */
export interface SlackMessage {
  /** The notification text, and what a client shows where it cannot show the blocks. */
  text: string;
  blocks?: KnownBlock[];
  attachments?: MessageAttachment[];
}

/** The colour bar of each tone. */
export const SLACK_COLOURS: Record<Tone, string> = {
  good: '#2eb886',
  bad: '#d72b3f',
  warning: '#daa038',
  neutral: '#8a8a8a',
};

/**
 * A text with Slack's three markup characters (`&`, `<`, `>`) escaped, for mrkdwn.
 *
 * @example
 * slackEscape('a <b> & c'); // 'a &lt;b&gt; &amp; c'
 */
export const slackEscape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A header block: plain text, cut to the 150 characters a header takes.
 *
 * @example
 * slackHeader('web: failed');
 */
export const slackHeader = (text: string): HeaderBlock => ({
  type: 'header',
  text: { type: 'plain_text', text: cut(text, SLACK_LIMITS.headerText), emoji: true },
});

/**
 * A section of fields, a bold name over each (mrkdwn) value: the first ten facts, each cut
 * to the 2,000 characters a field takes.
 *
 * @example
 * slackFields([['Pipeline', 'web'], ['State', 'FAILED']]);
 */
export const slackFields = (facts: readonly Fact[]): SectionBlock => ({
  type: 'section',
  fields: facts.slice(0, SLACK_LIMITS.fields).map(([name, value]) => ({
    type: 'mrkdwn',
    text: cut(`*${name}*\n${value}`, SLACK_LIMITS.fieldText),
  })),
});

/**
 * A section of mrkdwn text, cut to the 3,000 characters a section takes.
 *
 * @example
 * slackSection('*Failed:* Build / UnitTests');
 */
export const slackSection = (mrkdwn: string): SectionBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: cut(mrkdwn, SLACK_LIMITS.text) },
});

/**
 * A context block (small grey text) of one mrkdwn text, cut to 3,000 characters.
 *
 * @example
 * slackContext(`${slackDate(time)} · 123456789012 · eu-west-1`);
 */
export const slackContext = (mrkdwn: string): ContextBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: cut(mrkdwn, SLACK_LIMITS.text) }],
});

/**
 * An actions block of link buttons: the first 25 links, each title cut to the 75
 * characters a button takes. Pass at least one link: Slack refuses an empty block.
 *
 * @example
 * slackButtons([{ title: 'Open execution', url }]);
 */
export const slackButtons = (links: readonly Link[]): ActionsBlock => ({
  type: 'actions',
  elements: links.slice(0, SLACK_LIMITS.buttons).map(({ title, url }) => ({
    type: 'button',
    text: { type: 'plain_text', text: cut(title, SLACK_LIMITS.buttonText) },
    url,
  })),
});

/**
 * A time that each reader's Slack shows in their own time zone (`<!date^…>`), the ISO
 * text where it cannot.
 *
 * @example
 * slackDate('2026-11-28T03:00:00Z'); // '<!date^1795834800^{date_short_pretty} {time_secs}|2026-11-28T03:00:00Z>'
 */
export const slackDate = (time: string, format = '{date_short_pretty} {time_secs}'): string =>
  `<!date^${Math.floor(Date.parse(time) / 1000)}^${format}|${time}>`;

/**
 * A message of blocks inside one attachment, whose colour bar shows the tone.
 *
 * @example
 * slackMessage({ text: title, tone: 'bad', blocks: [slackHeader(title)] });
 */
export const slackMessage = ({
  text,
  tone,
  blocks,
}: {
  text: string;
  tone: Tone;
  blocks: KnownBlock[];
}): SlackMessage => ({ text, attachments: [{ color: SLACK_COLOURS[tone], blocks }] });
