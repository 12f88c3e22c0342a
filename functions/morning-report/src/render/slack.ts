import {
  cleanText,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackMessage,
  slackButtons,
  slackContext,
  slackEscape,
  slackFields,
  slackHeader,
  slackSection,
} from '@nightshift/delivery/chat';
import type { MorningReport } from '../model.ts';
import {
  attentionLists,
  dashboardOf,
  ESTIMATE,
  headline,
  isQuiet,
  type Limits,
  missingList,
  notesList,
  quietLines,
  runsText,
  type Style,
  summaryFacts,
  titleOf,
  unpricedText,
} from './common.ts';

/** Slack's mrkdwn: `&`, `<`, `>` escaped, ids as code, `*bold*`. */
const SLACK_STYLE: Style = {
  escape: slackEscape,
  code: (escaped) => `\`${escaped.replace(/`/g, "'")}\``,
  bold: (escaped) => `*${escaped}*`,
  bullet: '• ',
};

/** Each list is one section of at most 3,000 characters; the message has under 20 blocks. */
export const SLACK_LIST_LIMITS: Limits = {
  items: 25,
  reason: 300,
  name: 120,
  budget: SLACK_LIMITS.text,
  notes: 10,
  note: 500,
  unpriced: 10,
};

const divider: SlackBlock = { type: 'divider' };

/**
 * The report as a Slack message (Block Kit, blocks at the top level so none is folded
 * away): a header, the summary as fields with the estimate and the hours without a price in
 * a context line, the missing backups, what needs a person (a section per category), the
 * notes, and a button to the dashboard when there is one. Each list shows what fits in a
 * section and counts the rest; every text is within Slack's limits. `text` is the one-line
 * notification.
 *
 * @example
 * await postJson({ destination: 'slack', url, body: renderSlack(report), ... });
 */
export const renderSlack = (report: MorningReport): SlackMessage => {
  const limits = SLACK_LIST_LIMITS;
  const dashboard = dashboardOf(report);
  const blocks: SlackBlock[] = [slackHeader(titleOf(report))];
  if (isQuiet(report)) {
    blocks.push(slackSection(quietLines(report, limits, SLACK_STYLE).join('\n')));
  } else {
    const unpriced = unpricedText(report, limits, SLACK_STYLE);
    blocks.push(
      slackFields(summaryFacts(report)),
      slackContext([`Money is an ${ESTIMATE}.`, ...(unpriced ? [unpriced] : [])].join(' ')),
    );
    if (report.coverage.missing.length > 0)
      blocks.push(
        divider,
        slackSection(missingList(report, limits, SLACK_STYLE, dashboard !== undefined)),
      );
    if (report.attention.length > 0)
      blocks.push(
        divider,
        slackSection(`*Needs a person (${report.attention.length})*`),
        ...attentionLists(report, limits, SLACK_STYLE, dashboard !== undefined).map(slackSection),
      );
  }
  const notes = notesList(report, limits, SLACK_STYLE, dashboard !== undefined);
  blocks.push(...(notes ? [slackContext(notes)] : []), slackContext(runsText(report)));
  if (dashboard) blocks.push(slackButtons([{ title: 'Open the dashboard', url: dashboard }]));
  return {
    text: cleanText(`Nightshift ${headline(report)}`, SLACK_LIMITS.text, slackEscape),
    blocks,
  };
};
