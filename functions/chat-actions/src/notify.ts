// The note a used link sends: who kept what running until when, to the reports topic and
// the schedule's chat destinations.
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import {
  cleanText,
  type Destination,
  fitLines,
  fitTeams,
  type Post,
  routeFor,
  SLACK_LIMITS,
  type SlackMessage,
  slackEscape,
  slackMessage,
  slackSection,
  type TeamsMessage,
  teamsEscape,
  teamsMessage,
  teamsText,
} from '@nightshift/delivery';
import { MAX_RESOURCE_ID_LENGTH } from '@nightshift/links';
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

/** Longest part of a note's summary a chat message shows, before escaping (a schedule name's limit). */
const MAX_SUMMARY_PART = 128;
/** Longest reason a chat message shows for a resource left alone, before escaping. */
const MAX_REASON = 200;

/** How much of a list a chat message shows: at most `texts` texts of `budget` characters. */
interface ListLimits {
  /** Characters of one text of the list, escaped and marked up. */
  budget: number;
  /** Texts (Slack sections, Teams text blocks) one list may take. */
  texts: number;
}

/** How one chat writes its markup. */
interface Markup {
  escape: (plain: string) => string;
  bold: (escaped: string) => string;
  code: (escaped: string) => string;
  bullet: string;
}

const SLACK_MARKUP: Markup = {
  escape: slackEscape,
  bold: (escaped) => `*${escaped}*`,
  code: (escaped) => `\`${escaped.replace(/`/g, "'")}\``,
  bullet: '• ',
};
const TEAMS_MARKUP: Markup = {
  escape: teamsEscape,
  bold: (escaped) => `**${escaped}**`,
  code: (escaped) => escaped,
  bullet: '- ',
};

/** A free text on one line: credentials masked, control characters gone, cut to `max`, escaped. */
const shown = (text: string, max: number, markup: Markup): string =>
  markup.escape(cleanText(text, max).replace(/[\t\r\n\u2028\u2029]/g, ' '));

/** The first line of the note, every free text in it cut and escaped. */
const summaryOf = (note: SnoozeNote, markup: Markup): string => {
  const part = (text: string, max = MAX_SUMMARY_PART) => shown(text, max, markup);
  const count = `${note.kept.length} resource${note.kept.length === 1 ? '' : 's'}`;
  return `Kept running until ${part(utcTime(note.until))} on schedule ${part(note.schedule)} (${part(note.environment)}): ${count}, by ${part(note.sourceIp || 'an unknown address')} (${part(note.userAgent || 'no user agent', MAX_USER_AGENT)})`;
};

/**
 * A list as texts within `limits`: its heading, then as many lines as fit, and a last line
 * counting the items it leaves out ("… and 12 more kept running").
 */
const fitList = (
  heading: string,
  lines: readonly string[],
  what: string,
  limits: ListLimits,
): string[] =>
  fitLines({ heading, lines, more: (rest) => `… and ${rest} more ${what}`, ...limits });

/** The texts of the note's lists (kept, then left alone when any was), each list within `limits`. */
const listsOf = (note: SnoozeNote, markup: Markup, limits: ListLimits): string[] => {
  const name = (text: string) => markup.code(shown(text, MAX_RESOURCE_ID_LENGTH, markup));
  const kept = fitList(
    markup.bold('Kept running:'),
    note.kept.map((text) => `${markup.bullet}${name(text)}`),
    'kept running',
    limits,
  );
  if (note.leftAlone.length === 0) return kept;
  const leftAlone = fitList(
    markup.bold('Left alone:'),
    note.leftAlone.map(
      ({ name: text, reason }) =>
        `${markup.bullet}${name(text)}: ${shown(reason, MAX_REASON, markup)}`,
    ),
    'left alone',
    limits,
  );
  return [...kept, ...leftAlone];
};

/**
 * Tried in order until the Teams message is under `TEAMS_MAX_BYTES` (24 KB). The last
 * always is: an escaped character takes at most 6 bytes of JSON (a lone surrogate; a
 * backslash pair 4, a CJK character 3), so two lists of 1,000 characters and a summary of
 * at most 720 characters before escaping (660 of its variable parts, the rest its fixed
 * words) take under 17 KB. Each line of a list (a name of at most 255
 * characters, a reason of at most 200, escaped) is under 1,000 characters.
 */
const TEAMS_LIST_LIMITS: readonly [ListLimits, ...ListLimits[]] = [
  { budget: 14_000, texts: 1 },
  { budget: 8_000, texts: 1 },
  { budget: 4_000, texts: 1 },
  { budget: 1_000, texts: 1 },
];

/**
 * Each list in up to five sections of at most 3,000 characters (50 names of 255 characters
 * fit): a message of at most 11 blocks.
 */
const SLACK_LIST_LIMITS: ListLimits = { budget: SLACK_LIMITS.text, texts: 5 };

/** The note as a Slack message: the summary, then each list in sections of its own. */
const noteSlack = (note: SnoozeNote): SlackMessage => {
  const summary = summaryOf(note, SLACK_MARKUP);
  return slackMessage({
    text: summary,
    tone: 'neutral',
    blocks: [summary, ...listsOf(note, SLACK_MARKUP, SLACK_LIST_LIMITS)].map(slackSection),
  });
};

/** The note as a Teams message, its lists cut shorter until it is under `TEAMS_MAX_BYTES`. */
const noteTeams = (note: SnoozeNote): TeamsMessage =>
  fitTeams(TEAMS_LIST_LIMITS, (limits) =>
    teamsMessage({
      body: [summaryOf(note, TEAMS_MARKUP), ...listsOf(note, TEAMS_MARKUP, limits)].map((text) =>
        teamsText(text, { wrap: true }),
      ),
      actions: [],
    }),
  );

/**
 * The note for one chat destination: a Slack message (Block Kit, mrkdwn escaped) or a
 * Teams message (an Adaptive Card, its Markdown escaped). Every text is cut to what the
 * chat takes; a list too long for it shows what fits and says how many it leaves out.
 *
 * @example
 * await post(destination, renderNote(destination, note));
 */
export function renderNote(destination: { kind: 'slack' }, note: SnoozeNote): SlackMessage;
export function renderNote(destination: { kind: 'teams' }, note: SnoozeNote): TeamsMessage;
export function renderNote(
  destination: Pick<Destination, 'kind'>,
  note: SnoozeNote,
): SlackMessage | TeamsMessage;
export function renderNote(
  destination: Pick<Destination, 'kind'>,
  note: SnoozeNote,
): SlackMessage | TeamsMessage {
  return destination.kind === 'slack' ? noteSlack(note) : noteTeams(note);
}

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
