import { SLACK_LIMITS } from './limits.ts';
import {
  type SlackMessage,
  slackButtons,
  slackContext,
  slackEscape,
  slackHeader,
  slackMessage,
  slackSection,
} from './slack.ts';
import {
  type TeamsElement,
  type TeamsMessage,
  teamsLinks,
  teamsMessage,
  teamsText,
} from './teams.ts';
import { cleanText, type Link } from './text.ts';

/** The most resources one heads-up message lists (and its links name): more make more messages. */
export const MAX_HEADS_UP_RESOURCES = 50;

/** Longest resource name a heads-up shows (AWS names are at most 255 characters). */
const MAX_NAME_LENGTH = 255;
/** SNS takes a Subject of less than 100 characters. */
const MAX_SUBJECT_LENGTH = 99;

/** A resource a heads-up names: its kind (`instance`, `group`, `db-instance`, `db-cluster`) and id. */
export interface HeadsUpResource {
  kind: string;
  id: string;
}

/**
 * One heads-up message: the stop of a schedule due soon, the resources it stops (at most
 * `MAX_HEADS_UP_RESOURCES`) and the links that keep them running.
 */
export interface HeadsUpNotice {
  schedule: string;
  /** The schedule's time zone (IANA name). */
  timezone: string;
  /** When the stop is due (ISO time, UTC). */
  stopAt: string;
  /** The same moment on the schedule's wall clock (`2026-12-01 19:00`). */
  localStopAt: string;
  resources: readonly HeadsUpResource[];
  /** The snooze links ("Keep running 1 h", …), in the order they are shown; may be empty. */
  links: readonly Link[];
  /** This message's place among the messages of one stop, when there are several. */
  part?: { index: number; count: number };
}

/**
 * The resources of one stop in messages of at most `max` (50) each, in their order.
 *
 * @example
 * headsUpChunks(resources).length; // 120 resources → 3
 */
export const headsUpChunks = <R>(
  resources: readonly R[],
  max: number = MAX_HEADS_UP_RESOURCES,
): R[][] => {
  const chunks: R[][] = [];
  for (let start = 0; start < resources.length; start += max)
    chunks.push(resources.slice(start, start + max));
  return chunks;
};

/**
 * A text with the characters of the Adaptive Card markdown Teams renders escaped (a
 * backslash before each), so a name shows as it is written.
 *
 * @example
 * teamsEscape('web_*1*'); // 'web\\_\\*1\\*'
 */
export const teamsEscape = (text: string): string => text.replace(/[\\`*_~[\](){}#<>|!]/g, '\\$&');

const plural = (count: number) => `${count} resource${count === 1 ? '' : 's'}`;

const partOf = (notice: HeadsUpNotice) =>
  notice.part && notice.part.count > 1
    ? ` (message ${notice.part.index} of ${notice.part.count})`
    : '';

/** The plain line of a heads-up: what stops when, on the schedule's clock. */
const headline = (notice: HeadsUpNotice, schedule: string) =>
  `Heads-up: ${schedule} stops ${plural(notice.resources.length)} at ${notice.localStopAt} (${notice.timezone})${partOf(notice)}`;

const name = (text: string, markup?: (plain: string) => string) =>
  cleanText(text, MAX_NAME_LENGTH, markup);

const ADVICE_WITH_LINKS =
  'To keep them running, pick one of the links before the stop; a link only postpones this stop.';
const ADVICE_WITHOUT_LINKS = 'No snooze link can postpone this stop.';

/**
 * The heads-up as a Slack message: a header, the resources (names escaped for mrkdwn), the
 * links as url buttons in an actions block, and the stop in UTC; within Slack's limits.
 *
 * @example
 * await postJson({ destination: 'slack', url, body: headsUpSlack(notice), ... });
 */
export const headsUpSlack = (notice: HeadsUpNotice): SlackMessage => {
  const schedule = name(notice.schedule);
  const lines = notice.resources.map(
    ({ kind, id }) =>
      `• ${name(kind, slackEscape)} \`${name(id.replace(/`/g, "'"), slackEscape)}\``,
  );
  const blocks = [
    slackHeader(`Heads-up: ${schedule} stops at ${notice.localStopAt}`),
    slackSection(
      `*${slackEscape(schedule)}* stops these ${plural(notice.resources.length)} at *${notice.localStopAt}* (${slackEscape(notice.timezone)})${partOf(notice)}:\n${lines.join('\n')}`,
    ),
    ...(notice.links.length > 0 ? [slackButtons(notice.links)] : []),
    slackContext(
      `${notice.links.length > 0 ? ADVICE_WITH_LINKS : ADVICE_WITHOUT_LINKS} Stop due ${slackEscape(notice.stopAt)} UTC.`,
    ),
  ];
  return slackMessage({
    text: cleanText(headline(notice, schedule), SLACK_LIMITS.text, slackEscape),
    tone: 'warning',
    blocks,
  });
};

/**
 * The heads-up as a Teams message: an Adaptive Card listing the resources (names escaped
 * for its markdown), the links as `Action.OpenUrl` buttons.
 *
 * @example
 * await postJson({ destination: 'teams', url, body: headsUpTeams(notice), ... });
 */
export const headsUpTeams = (notice: HeadsUpNotice): TeamsMessage => {
  const schedule = name(notice.schedule);
  const body: TeamsElement[] = [
    teamsText(teamsEscape(`Heads-up: ${schedule} stops at ${notice.localStopAt}`), {
      weight: 'Bolder',
      size: 'Medium',
      color: 'Warning',
      wrap: true,
    }),
    teamsText(
      `**${teamsEscape(schedule)}** stops these ${plural(notice.resources.length)} at **${notice.localStopAt}** (${teamsEscape(notice.timezone)})${partOf(notice)}:`,
      { wrap: true },
    ),
    teamsText(
      notice.resources
        .map(({ kind, id }) => `- ${name(kind, teamsEscape)} ${name(id, teamsEscape)}`)
        .join('\n'),
      { wrap: true },
    ),
    teamsText(
      `${notice.links.length > 0 ? ADVICE_WITH_LINKS : ADVICE_WITHOUT_LINKS} Stop due ${notice.stopAt} UTC.`,
      { wrap: true, isSubtle: true, size: 'Small' },
    ),
  ];
  return teamsMessage({ body, actions: teamsLinks(notice.links) });
};

/**
 * The heads-up as plain text for email (the reports SNS topic): a Subject naming the
 * schedule and the local stop time (under SNS's 100 characters, on one line), and a body
 * listing the resources and each link on a line of its own.
 *
 * @example
 * await sns.send(new PublishCommand({ TopicArn, ...headsUpText(notice) }));
 */
export const headsUpText = (notice: HeadsUpNotice): { Subject: string; Message: string } => {
  const schedule = name(notice.schedule);
  const subject = cleanText(
    `Nightshift heads-up: ${schedule} stops at ${notice.localStopAt} (${notice.timezone})`,
    MAX_SUBJECT_LENGTH,
  ).replace(/[\r\n\t]/g, ' ');
  const lines = [
    `${headline(notice, schedule)}.`,
    `Stop due ${notice.stopAt} UTC.`,
    '',
    ...notice.resources.map(({ kind, id }) => `- ${name(kind)} ${name(id)}`),
    '',
    ...(notice.links.length > 0
      ? [
          ADVICE_WITH_LINKS,
          // Each link on a line of its own, nothing after it, so mail clients keep it whole.
          ...notice.links.flatMap(({ title, url }) => ['', `${title}:`, url]),
        ]
      : [ADVICE_WITHOUT_LINKS]),
  ];
  return { Subject: subject, Message: lines.join('\n') };
};
