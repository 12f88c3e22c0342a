import type { DeploymentMessage, Tone } from './message.ts';

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

/** The fields both renderings show, in order. */
const facts = (message: DeploymentMessage): [string, string][] => [
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
const cut = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;
/** Slack mrkdwn treats these three as markup. */
const slackEscape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The Slack message: Block Kit inside an attachment (for the colour bar): a header, the
 * fields, the failure with its error, the event's time, and buttons to the execution and
 * the failed action's external log.
 *
 * @example
 * await fetch(url, { method: 'POST', body: JSON.stringify(renderSlack(message)) });
 */
export const renderSlack = (message: DeploymentMessage) => {
  const epoch = Math.floor(Date.parse(message.time) / 1000);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(message.title, 150), emoji: true } },
    {
      type: 'section',
      fields: facts(message).map(([name, value]) => ({
        type: 'mrkdwn',
        text: `*${name}*\n${slackEscape(cut(value, 1900))}`,
      })),
    },
  ];
  if (message.failure) {
    const where = [message.failure.stage, message.failure.action].filter(Boolean).join(' / ');
    const why = message.failure.message
      ? `\n\`\`\`${slackEscape(cut(message.failure.message, 2500))}\`\`\``
      : '';
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*Failed:* ${slackEscape(where || 'unknown action')}${why}` },
    });
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
  const buttons = [
    {
      type: 'button',
      text: { type: 'plain_text', text: 'Open execution' },
      url: message.executionUrl,
    },
    ...(message.failure?.url
      ? [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Open failed action' },
            url: message.failure.url,
          },
        ]
      : []),
    ...(message.source?.url
      ? [
          {
            type: 'button',
            text: { type: 'plain_text', text: 'Open commit' },
            url: message.source.url,
          },
        ]
      : []),
  ];
  blocks.push({ type: 'actions', elements: buttons });
  return {
    text: message.title,
    attachments: [{ color: SLACK_COLOURS[message.tone], blocks }],
  };
};

/**
 * The Microsoft Teams message: an Adaptive Card in the envelope a Workflows webhook
 * ("When a Teams webhook request is received") expects.
 *
 * @example
 * await fetch(url, { method: 'POST', body: JSON.stringify(renderTeams(message)) });
 */
export const renderTeams = (message: DeploymentMessage) => {
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      text: message.title,
      weight: 'Bolder',
      size: 'Medium',
      color: TEAMS_COLOURS[message.tone],
      wrap: true,
    },
    { type: 'FactSet', facts: facts(message).map(([title, value]) => ({ title, value })) },
  ];
  if (message.failure) {
    const where = [message.failure.stage, message.failure.action].filter(Boolean).join(' / ');
    body.push({
      type: 'TextBlock',
      text: `Failed: ${where || 'unknown action'}`,
      weight: 'Bolder',
      color: 'Attention',
      wrap: true,
    });
    if (message.failure.message) {
      body.push({
        type: 'TextBlock',
        text: cut(message.failure.message, 2500),
        fontType: 'Monospace',
        wrap: true,
      });
    }
  }
  body.push({
    type: 'TextBlock',
    text: `{{DATE(${message.time.replace(/\.\d+Z$/, 'Z')}, SHORT)}} {{TIME(${message.time.replace(/\.\d+Z$/, 'Z')})}} · ${message.account} · ${message.region}`,
    isSubtle: true,
    size: 'Small',
    wrap: true,
  });
  const actions = [
    { type: 'Action.OpenUrl', title: 'Open execution', url: message.executionUrl },
    ...(message.failure?.url
      ? [{ type: 'Action.OpenUrl', title: 'Open failed action', url: message.failure.url }]
      : []),
    ...(message.source?.url
      ? [{ type: 'Action.OpenUrl', title: 'Open commit', url: message.source.url }]
      : []),
  ];
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
          actions,
        },
      },
    ],
  };
};
