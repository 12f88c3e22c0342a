import {
  cleanText,
  type Fact,
  fitTeams,
  type Link,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackMessage,
  safeLink,
  slackButtons,
  slackContext,
  slackDate,
  slackEscape,
  slackFields,
  slackHeader,
  slackMessage,
  slackSection,
  TEAMS_COLOURS,
  type TeamsElement,
  type TeamsMessage,
  teamsDate,
  teamsFacts,
  teamsLinks,
  teamsMessage,
  teamsText,
} from '@nightshift/delivery/chat';
import type { DeploymentMessage } from './message.ts';

/** How long each text of a message may be, in characters. */
interface TextLimits {
  fact: number;
  failure: number;
  /** The error of each other failed action. */
  other: number;
}
const SLACK_TEXT_LIMITS: TextLimits = { fact: 1_900, failure: 2_500, other: 300 };
/** Stage and action names (CodePipeline allows 100 characters each). */
const MAX_WHERE_LENGTH = 210;
/** Tried in order until the Teams body fits in TEAMS_MAX_BYTES; the last always does. */
const TEAMS_TEXT_LIMITS: readonly [TextLimits, ...TextLimits[]] = [
  { fact: 1_000, failure: 2_500, other: 300 },
  { fact: 300, failure: 1_000, other: 200 },
  { fact: 100, failure: 300, other: 100 },
];

/** How many of the other failed actions a message lists; it counts the rest. */
export const MAX_OTHERS_SHOWN = 5;

/** The buttons of a message: the execution, the failed action's log, the commit. */
const links = (message: DeploymentMessage): Link[] =>
  (
    [
      ['Open execution', safeLink(message.executionUrl)],
      ['Open failed action', safeLink(message.failure?.url)],
      ['Open commit', safeLink(message.source?.url)],
    ] as const
  ).flatMap(([title, url]) => (url === undefined ? [] : [{ title, url }]));

const firstLine = (text: string) => text.split('\n')[0]?.slice(0, 200) ?? '';

const factsOf = (message: DeploymentMessage): Fact[] => [
  ['Pipeline', message.pipeline],
  ['State', message.state],
  ...(message.stage
    ? [['Stage', message.action ? `${message.stage} / ${message.action}` : message.stage] as const]
    : []),
  ['Execution', message.executionId],
  ...(message.trigger ? [['Trigger', message.trigger] as const] : []),
  ...(message.source
    ? [
        [
          'Source',
          `${message.source.revision.slice(0, 12)}${message.source.summary ? ` ${firstLine(message.source.summary)}` : ''}`,
        ] as const,
      ]
    : []),
];

/** The fields both renderings show, in order, each at most `max` characters. */
const facts = (
  message: DeploymentMessage,
  max: number,
  markup?: (plain: string) => string,
): Fact[] => factsOf(message).map(([name, value]) => [name, cleanText(value, max, markup)]);

/** Where a failure happened: its stage and action, or that it is not known. */
const failedWhere = (
  failure: NonNullable<DeploymentMessage['failure']>,
  markup?: (plain: string) => string,
) =>
  cleanText(
    [failure.stage, failure.action].filter(Boolean).join(' / ') || 'unknown action',
    MAX_WHERE_LENGTH,
    markup,
  );

/**
 * The other failed actions, one line each (at most `MAX_OTHERS_SHOWN`, then how many
 * more), or undefined when there are none.
 */
const otherFailures = (
  failure: NonNullable<DeploymentMessage['failure']>,
  max: number,
  bullet: string,
  markup?: (plain: string) => string,
) => {
  const others = failure.others ?? [];
  if (others.length === 0) return undefined;
  const lines = others
    .slice(0, MAX_OTHERS_SHOWN)
    .map(
      ({ action, message }) =>
        `${bullet}${cleanText(action, MAX_WHERE_LENGTH, markup)}${message ? `: ${cleanText(message, max, markup)}` : ''}`,
    );
  const more = others.length - MAX_OTHERS_SHOWN;
  return [...lines, ...(more > 0 ? [`and ${more} more`] : [])].join('\n');
};

/**
 * The Slack message: Block Kit inside an attachment (for the colour bar): a header, the
 * fields, the failure with its error (and the other failed actions), the event's time,
 * and buttons to the execution, the failed action's external log and the commit (those
 * whose link is a short https URL). Every text is masked
 * for credentials and cut to Slack's limits; only https links are kept.
 *
 * @example
 * await fetch(url, { method: 'POST', body: JSON.stringify(renderSlack(message)) });
 */
export const renderSlack = (message: DeploymentMessage): SlackMessage => {
  const limits = SLACK_TEXT_LIMITS;
  const title = cleanText(message.title, SLACK_LIMITS.headerText);
  const blocks: SlackBlock[] = [
    slackHeader(title),
    slackFields(facts(message, limits.fact, slackEscape)),
  ];
  if (message.failure) {
    const why = message.failure.message
      ? `\n\`\`\`${cleanText(message.failure.message, limits.failure, slackEscape)}\`\`\``
      : '';
    blocks.push(slackSection(`*Failed:* ${failedWhere(message.failure, slackEscape)}${why}`));
    const others = otherFailures(message.failure, limits.other, '• ', slackEscape);
    if (others) blocks.push(slackSection(`*Also failed:*\n${others}`));
  }
  blocks.push(slackContext(`${slackDate(message.time)} · ${message.account} · ${message.region}`));
  // Slack refuses an actions block without a button: none when no link is left.
  const buttons = links(message);
  if (buttons.length > 0) blocks.push(slackButtons(buttons));
  return slackMessage({ text: title, tone: message.tone, blocks });
};

/** The Teams message with texts cut to `limits`. */
const teamsCard = (message: DeploymentMessage, limits: TextLimits): TeamsMessage => {
  const body: TeamsElement[] = [
    teamsText(cleanText(message.title, 150), {
      weight: 'Bolder',
      size: 'Medium',
      color: TEAMS_COLOURS[message.tone],
      wrap: true,
    }),
    teamsFacts(facts(message, limits.fact)),
  ];
  if (message.failure) {
    body.push(
      teamsText(`Failed: ${failedWhere(message.failure)}`, {
        weight: 'Bolder',
        color: 'Attention',
        wrap: true,
      }),
    );
    if (message.failure.message) {
      body.push(
        teamsText(cleanText(message.failure.message, limits.failure), {
          fontType: 'Monospace',
          wrap: true,
        }),
      );
    }
    const others = otherFailures(message.failure, limits.other, '- ');
    if (others) body.push(teamsText(`Also failed:\n${others}`, { wrap: true }));
  }
  body.push(
    teamsText(`${teamsDate(message.time)} · ${message.account} · ${message.region}`, {
      isSubtle: true,
      size: 'Small',
      wrap: true,
    }),
  );
  return teamsMessage({ body, actions: teamsLinks(links(message)) });
};

/**
 * The Microsoft Teams message: an Adaptive Card in the envelope a Workflows webhook
 * ("When a Teams webhook request is received") expects. Texts are masked for credentials
 * and cut shorter until the body is under `TEAMS_MAX_BYTES`; only https links are kept.
 *
 * @example
 * await fetch(url, { method: 'POST', body: JSON.stringify(renderTeams(message)) });
 */
export const renderTeams = (message: DeploymentMessage): TeamsMessage =>
  fitTeams(TEAMS_TEXT_LIMITS, (limits) => teamsCard(message, limits));
