import type { SlackMessage } from './slack.ts';
import type { TeamsMessage } from './teams.ts';

/** What Slack takes in one message (Block Kit reference). */
export const SLACK_LIMITS = {
  /** Blocks in a message, attachments' blocks included. */
  blocks: 50,
  /** Characters of a section's or a context element's text. */
  text: 3_000,
  /** Characters of a header's text. */
  headerText: 150,
  /** Fields in a section, and characters of each. */
  fields: 10,
  fieldText: 2_000,
  /** Elements in a context block. */
  contextElements: 10,
  /** Buttons in an actions block, characters of a button's text and of its URL. */
  buttons: 25,
  buttonText: 75,
  url: 3_000,
  /** Characters of the message's top-level text (Slack cuts it there). */
  messageText: 40_000,
} as const;

/** What Teams takes: a card version it renders, and at most 28 KB of message. */
export const TEAMS_LIMITS = {
  versions: ['1.0', '1.1', '1.2', '1.3', '1.4', '1.5'],
  bytes: 28 * 1024,
} as const;

interface SlackPart {
  type: string;
  text?: { text?: string } | string;
  fields?: { text?: string }[];
  elements?: { type?: string; text?: { text?: string } | string; url?: string }[];
}

const textOf = (text: SlackPart['text']) => (typeof text === 'string' ? text : text?.text);

/** `what` has `length` characters, more than `max`. */
const tooLong = (where: string, what: string, length: number, max: number) =>
  `${where}: ${what} has ${length} characters, more than ${max}`;

const blockIssues = (block: SlackPart, where: string): string[] => {
  const issues: string[] = [];
  const text = textOf(block.text) ?? '';
  const limit = block.type === 'header' ? SLACK_LIMITS.headerText : SLACK_LIMITS.text;
  if (text.length > limit) issues.push(tooLong(where, 'its text', text.length, limit));
  const fields = block.fields ?? [];
  if (fields.length > SLACK_LIMITS.fields)
    issues.push(`${where}: ${fields.length} fields, more than ${SLACK_LIMITS.fields}`);
  fields.forEach((field, index) => {
    const length = field.text?.length ?? 0;
    if (length > SLACK_LIMITS.fieldText)
      issues.push(tooLong(where, `field ${index}`, length, SLACK_LIMITS.fieldText));
  });
  const elements = block.elements ?? [];
  if (block.type === 'actions') {
    if (elements.length === 0) issues.push(`${where}: an actions block without elements`);
    if (elements.length > SLACK_LIMITS.buttons)
      issues.push(`${where}: ${elements.length} elements, more than ${SLACK_LIMITS.buttons}`);
  }
  if (block.type === 'context' && elements.length > SLACK_LIMITS.contextElements)
    issues.push(`${where}: ${elements.length} elements, more than ${SLACK_LIMITS.contextElements}`);
  elements.forEach((element, index) => {
    const length = textOf(element.text)?.length ?? 0;
    const max = element.type === 'button' ? SLACK_LIMITS.buttonText : SLACK_LIMITS.text;
    if (length > max) issues.push(tooLong(where, `element ${index}'s text`, length, max));
    const urlLength = element.url?.length ?? 0;
    if (urlLength > SLACK_LIMITS.url)
      issues.push(tooLong(where, `element ${index}'s url`, urlLength, SLACK_LIMITS.url));
  });
  return issues;
};

/**
 * What in a Slack message is over Slack's limits (`SLACK_LIMITS`): too many blocks,
 * fields, elements or buttons, a text, header, field, button or URL too long, an empty
 * actions block. Empty when Slack takes it as it is.
 *
 * @example
 * expect(slackLimitIssues(renderSlack(message))).toEqual([]);
 */
export const slackLimitIssues = (message: SlackMessage): string[] => {
  const parts: [string, SlackPart][] = [
    ...(message.blocks ?? []).map((block, index): [string, SlackPart] => [
      `blocks[${index}] (${block.type})`,
      block as SlackPart,
    ]),
    ...(message.attachments ?? []).flatMap((attachment, at) =>
      (attachment.blocks ?? []).map((block, index): [string, SlackPart] => [
        `attachments[${at}].blocks[${index}] (${block.type})`,
        block as SlackPart,
      ]),
    ),
  ];
  const issues: string[] = [];
  if (message.text.length > SLACK_LIMITS.messageText)
    issues.push(tooLong('text', 'the message text', message.text.length, SLACK_LIMITS.messageText));
  if (parts.length > SLACK_LIMITS.blocks)
    issues.push(`${parts.length} blocks, more than ${SLACK_LIMITS.blocks}`);
  for (const [where, block] of parts) issues.push(...blockIssues(block, where));
  return issues;
};

/**
 * What in a Teams message is over what Teams takes (`TEAMS_LIMITS`): more than 28 KB of
 * JSON, or a card of a version Teams does not render. Empty when Teams takes it.
 *
 * @example
 * expect(teamsLimitIssues(renderTeams(message))).toEqual([]);
 */
export const teamsLimitIssues = (message: TeamsMessage): string[] => {
  const issues: string[] = [];
  const bytes = Buffer.byteLength(JSON.stringify(message));
  if (bytes > TEAMS_LIMITS.bytes)
    issues.push(`the message has ${bytes} bytes, more than ${TEAMS_LIMITS.bytes}`);
  message.attachments.forEach(({ content }, index) => {
    const version = content.version ?? '(none)';
    if (!(TEAMS_LIMITS.versions as readonly string[]).includes(version))
      issues.push(`attachments[${index}]: card version ${version} is not one Teams renders`);
  });
  return issues;
};
