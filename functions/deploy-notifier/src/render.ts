import { maskSecrets } from '@nightshift/runtime';
import type { DeploymentMessage, Tone } from './message.ts';

/**
 * Teams Workflows refuse a message over about 28 KB ("Request Entity too large"); a card
 * is rendered with shorter texts until its body is under this many bytes.
 */
export const TEAMS_MAX_BYTES = 24 * 1024;

/** Longest link a message carries; a longer one is left out. */
export const MAX_LINK_LENGTH = 2_000;

/** How long each text of a message may be, in characters. */
interface TextLimits {
  fact: number;
  failure: number;
  /** The error of each other failed action. */
  other: number;
}
const SLACK_LIMITS: TextLimits = { fact: 1_900, failure: 2_500, other: 300 };
/** Stage and action names (CodePipeline allows 100 characters each). */
const MAX_WHERE_LENGTH = 210;
/** Tried in order until the Teams body fits in TEAMS_MAX_BYTES; the last always does. */
const TEAMS_LIMITS: readonly TextLimits[] = [
  { fact: 1_000, failure: 2_500, other: 300 },
  { fact: 300, failure: 1_000, other: 200 },
  { fact: 100, failure: 300, other: 100 },
];

/** How many of the other failed actions a message lists; it counts the rest. */
export const MAX_OTHERS_SHOWN = 5;

// Control characters other than tab and line breaks: noise in a chat message, and six
// bytes each once escaped in JSON.
// biome-ignore lint/suspicious/noControlCharactersInRegex: they are what it removes
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

const cut = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/**
 * A text as a message shows it: credentials masked, control characters gone, escaped for
 * its markup, cut to `max`.
 */
const clean = (text: string, max: number, markup = (plain: string) => plain) =>
  cut(markup(maskSecrets(text.replace(CONTROL, ''))), max);

/**
 * A link as a message carries it: only https (never `javascript:` or plain http), with
 * credentials masked, and not too long; otherwise none.
 *
 * @example
 * safeLink('https://eu-west-1.console.aws.amazon.com/codebuild/...'); // the same link
 * safeLink('javascript:alert(1)'); // undefined
 */
export const safeLink = (url: string | undefined): string | undefined => {
  if (!url) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const masked = maskSecrets(parsed.href);
  return parsed.protocol === 'https:' && masked.length <= MAX_LINK_LENGTH ? masked : undefined;
};

/** The buttons of a message: the execution, the failed action's log, the commit. */
const links = (message: DeploymentMessage): [string, string][] =>
  (
    [
      ['Open execution', safeLink(message.executionUrl)],
      ['Open failed action', safeLink(message.failure?.url)],
      ['Open commit', safeLink(message.source?.url)],
    ] as [string, string | undefined][]
  ).filter((link): link is [string, string] => link[1] !== undefined);

const SLACK_COLOURS: Record<Tone, string> = {
  good: '#2eb886',
  bad: '#d72b3f',
  warning: '#daa038',
  neutral: '#8a8a8a',
};
const TEAMS_COLOURS: Record<Tone, string> = {
  good: 'Good',
  bad: 'Attention',
  warning: 'Warning',
  neutral: 'Default',
};

/** The fields both renderings show, in order, each at most `max` characters. */
const facts = (
  message: DeploymentMessage,
  max: number,
  markup?: (plain: string) => string,
): [string, string][] => factsOf(message).map(([name, value]) => [name, clean(value, max, markup)]);

const factsOf = (message: DeploymentMessage): [string, string][] => [
  ['Pipeline', message.pipeline],
  ['State', message.state],
  ...(message.stage
    ? ([['Stage', message.action ? `${message.stage} / ${message.action}` : message.stage]] as [
        string,
        string,
      ][])
    : []),
  ['Execution', message.executionId],
  ...(message.trigger ? ([['Trigger', message.trigger]] as [string, string][]) : []),
  ...(message.source
    ? ([
        [
          'Source',
          `${message.source.revision.slice(0, 12)}${message.source.summary ? ` ${firstLine(message.source.summary)}` : ''}`,
        ],
      ] as [string, string][])
    : []),
];

const firstLine = (text: string) => text.split('\n')[0]?.slice(0, 200) ?? '';
/** Slack mrkdwn treats these three as markup. */
const slackEscape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Where a failure happened: its stage and action, or that it is not known. */
const failedWhere = (
  failure: NonNullable<DeploymentMessage['failure']>,
  markup?: (plain: string) => string,
) =>
  clean(
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
        `${bullet}${clean(action, MAX_WHERE_LENGTH, markup)}${message ? `: ${clean(message, max, markup)}` : ''}`,
    );
  const more = others.length - MAX_OTHERS_SHOWN;
  return [...lines, ...(more > 0 ? [`and ${more} more`] : [])].join('\n');
};

/**
 * The Slack message: Block Kit inside an attachment (for the colour bar): a header, the
 * fields, the failure with its error (and the other failed actions), the event's time, and buttons to the execution and
 * the failed action's external log. Every text is masked for credentials and cut to
 * Slack's limits; only https links are kept.
 *
 * @example
 * await fetch(url, { method: 'POST', body: JSON.stringify(renderSlack(message)) });
 */
export const renderSlack = (message: DeploymentMessage) => {
  const limits = SLACK_LIMITS;
  const epoch = Math.floor(Date.parse(message.time) / 1000);
  const title = clean(message.title, 150);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: title, emoji: true } },
    {
      type: 'section',
      fields: facts(message, limits.fact, slackEscape).map(([name, value]) => ({
        type: 'mrkdwn',
        text: `*${name}*\n${value}`,
      })),
    },
  ];
  if (message.failure) {
    const why = message.failure.message
      ? `\n\`\`\`${clean(message.failure.message, limits.failure, slackEscape)}\`\`\``
      : '';
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Failed:* ${failedWhere(message.failure, slackEscape)}${why}`,
      },
    });
    const others = otherFailures(message.failure, limits.other, '• ', slackEscape);
    if (others) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Also failed:*\n${others}` } });
    }
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `<!date^${epoch}^{date_short_pretty} {time_secs}|${message.time}> · ${message.account} · ${message.region}`,
      },
    ],
  });
  blocks.push({
    type: 'actions',
    elements: links(message).map(([text, url]) => ({
      type: 'button',
      text: { type: 'plain_text', text },
      url,
    })),
  });
  return {
    text: title,
    attachments: [{ color: SLACK_COLOURS[message.tone], blocks }],
  };
};

/** The Teams card with texts cut to `limits`. */
const teamsCard = (message: DeploymentMessage, limits: TextLimits) => {
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      text: clean(message.title, 150),
      weight: 'Bolder',
      size: 'Medium',
      color: TEAMS_COLOURS[message.tone],
      wrap: true,
    },
    {
      type: 'FactSet',
      facts: facts(message, limits.fact).map(([title, value]) => ({ title, value })),
    },
  ];
  if (message.failure) {
    body.push({
      type: 'TextBlock',
      text: `Failed: ${failedWhere(message.failure)}`,
      weight: 'Bolder',
      color: 'Attention',
      wrap: true,
    });
    if (message.failure.message) {
      body.push({
        type: 'TextBlock',
        text: clean(message.failure.message, limits.failure),
        fontType: 'Monospace',
        wrap: true,
      });
    }
    const others = otherFailures(message.failure, limits.other, '- ');
    if (others) {
      body.push({ type: 'TextBlock', text: `Also failed:\n${others}`, wrap: true });
    }
  }
  const time = message.time.replace(/\.\d+Z$/, 'Z');
  body.push({
    type: 'TextBlock',
    text: `{{DATE(${time}, SHORT)}} {{TIME(${time})}} · ${message.account} · ${message.region}`,
    isSubtle: true,
    size: 'Small',
    wrap: true,
  });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions: links(message).map(([title, url]) => ({ type: 'Action.OpenUrl', title, url })),
        },
      },
    ],
  };
};

/**
 * The Microsoft Teams message: an Adaptive Card in the envelope a Workflows webhook
 * ("When a Teams webhook request is received") expects. Texts are masked for credentials
 * and cut shorter until the body is under `TEAMS_MAX_BYTES`; only https links are kept.
 *
 * @example
 * await fetch(url, { method: 'POST', body: JSON.stringify(renderTeams(message)) });
 */
export const renderTeams = (message: DeploymentMessage) => {
  let card = teamsCard(message, TEAMS_LIMITS[0] as TextLimits);
  for (const limits of TEAMS_LIMITS.slice(1)) {
    if (Buffer.byteLength(JSON.stringify(card)) <= TEAMS_MAX_BYTES) break;
    card = teamsCard(message, limits);
  }
  return card;
};
