import type { IFactSet, ITextBlock } from '@microsoft/teams.cards';
import type { SlackMessage, TeamsMessage } from '@nightshift/delivery/chat';
import type { MorningReport } from '../../src/model.ts';
import { renderSlack } from '../../src/render/slack.ts';
import { renderTeams } from '../../src/render/teams.ts';
import { renderText } from '../../src/render/text.ts';

/** Every text of a Slack message, in order (header, sections, fields, context, buttons). */
export const slackTexts = (message: SlackMessage): string[] =>
  (message.blocks ?? []).flatMap((block) => {
    const texts: string[] = [];
    if ('text' in block && block.text && typeof block.text === 'object')
      texts.push(block.text.text);
    if ('fields' in block && block.fields) texts.push(...block.fields.map((field) => field.text));
    if ('elements' in block)
      for (const element of block.elements as { text?: string | { text: string } }[]) {
        if (typeof element.text === 'string') texts.push(element.text);
        else if (element.text) texts.push(element.text.text);
      }
    return texts;
  });

/** The Adaptive Card of a Teams message. */
export const card = (message: TeamsMessage) => {
  const [attachment] = message.attachments;
  if (!attachment) throw new Error('no card');
  return attachment.content;
};

/** Every text of a Teams card's body, in order (text blocks, then facts as `title: value`). */
export const teamsTexts = (message: TeamsMessage): string[] =>
  (card(message).body ?? []).flatMap((element) => {
    if (element.type === 'TextBlock') return [(element as ITextBlock).text];
    if (element.type === 'FactSet')
      return (element as IFactSet).facts.map(({ title, value }) => `${title}: ${value}`);
    return [];
  });

export const slackText = (message: SlackMessage) => slackTexts(message).join('\n');
export const teamsText = (message: TeamsMessage) => teamsTexts(message).join('\n');

/** The three renderings of a report as their whole texts, with their names. */
export const renderings = (report: MorningReport): [string, string][] => [
  ['text', renderText(report).text],
  ['slack', slackText(renderSlack(report))],
  ['teams', teamsText(renderTeams(report))],
];
