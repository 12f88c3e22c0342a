// The note a used link sends: who kept what running until when, to the reports topic and
// the schedule's chat destinations.
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import {
  type Destination,
  type Post,
  routeFor,
  slackEscape,
  slackMessage,
  slackSection,
  teamsMessage,
  teamsText,
} from '@nightshift/delivery';
import { toSnsSubject } from '@nightshift/runtime';
import type { Config } from './config.ts';
import { utcTime } from './pages.ts';
import type { LeftAlone } from './snooze.ts';

/** What a note says. */
export interface SnoozeNote {
  environment: string;
  schedule: string;
  until: string;
  kept: readonly string[];
  leftAlone: readonly LeftAlone[];
  sourceIp: string;
  userAgent: string;
}

/** The longest user agent repeated in a note or a record. */
export const MAX_USER_AGENT = 256;

/** Who used the link, as far as known. */
const who = ({ sourceIp, userAgent }: SnoozeNote): string =>
  `${sourceIp || 'an unknown address'} (${userAgent.slice(0, MAX_USER_AGENT) || 'no user agent'})`;

/**
 * The note as plain text: its first line a summary, then each resource kept and left alone.
 *
 * @example
 * noteText(note); // 'Kept running until 2026-03-02 19:00 UTC on schedule office-hours (staging): 1 resource, by 198.51.100.7 (Mozilla/5.0)\n...'
 */
export const noteText = (note: SnoozeNote): string =>
  [
    `Kept running until ${utcTime(note.until)} on schedule ${note.schedule} (${note.environment}): ${note.kept.length} resource${note.kept.length === 1 ? '' : 's'}, by ${who(note)}`,
    ...note.kept.map((name) => `  kept: ${name}`),
    ...note.leftAlone.map(({ name, reason }) => `  left alone: ${name} (${reason})`),
  ].join('\n');

/** Teams reads text blocks as Markdown: its characters are written literally. */
const teamsPlain = (text: string): string => text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, '\\$&');

/** The note for one chat destination. */
export const renderNote = (destination: Pick<Destination, 'kind'>, note: SnoozeNote): unknown => {
  const text = noteText(note);
  return destination.kind === 'slack'
    ? slackMessage({
        text: slackEscape(text.split('\n')[0] ?? ''),
        tone: 'neutral',
        blocks: [slackSection(slackEscape(text))],
      })
    : teamsMessage({ body: [teamsText(teamsPlain(text), { wrap: true })], actions: [] });
};

/**
 * Sends the note to the reports topic (when set) and to each chat destination the
 * schedule's name routes to. A failed send does not undo anything: it is named in the
 * result, for the log.
 *
 * @example
 * const { failed } = await sendNote({ sns, post }, config, note);
 */
export const sendNote = async (
  { sns, post }: { sns: SNSClient; post: Post },
  config: Config,
  note: SnoozeNote,
): Promise<{ sent: string[]; failed: { destination: string; reason: string }[] }> => {
  const sends: { destination: string; send: () => Promise<unknown> }[] = [];
  if (config.snsTopicArn) {
    const topicArn = config.snsTopicArn;
    sends.push({
      destination: 'reports topic',
      send: () =>
        sns.send(
          new PublishCommand({
            TopicArn: topicArn,
            Subject: toSnsSubject(
              `Nightshift: ${note.schedule} kept running until ${utcTime(note.until)}`,
            ),
            Message: noteText(note),
          }),
        ),
    });
  }
  for (const destination of routeFor(config, note.schedule)) {
    sends.push({
      destination: destination.name,
      send: () => post(destination, renderNote(destination, note)),
    });
  }
  const settled = await Promise.allSettled(sends.map(({ send }) => send()));
  const sent: string[] = [];
  const failed: { destination: string; reason: string }[] = [];
  settled.forEach((outcome, index) => {
    const destination = sends[index]?.destination ?? '';
    if (outcome.status === 'fulfilled') sent.push(destination);
    else failed.push({ destination, reason: (outcome.reason as Error).message });
  });
  return { sent, failed };
};
