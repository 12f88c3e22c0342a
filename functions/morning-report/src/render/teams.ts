import {
  fitTeams,
  TEAMS_COLOURS,
  type TeamsElement,
  type TeamsMessage,
  type Tone,
  teamsEscape,
  teamsFacts,
  teamsLinks,
  teamsMessage,
  teamsText,
} from '@nightshift/delivery/chat';
import type { MorningReport } from '../model.ts';
import {
  attentionLists,
  dashboardOf,
  ESTIMATE,
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

/** The markdown Teams renders in a TextBlock: its characters escaped, `**bold**`. */
const TEAMS_STYLE: Style = {
  escape: teamsEscape,
  code: (escaped) => escaped,
  bold: (escaped) => `**${escaped}**`,
  bullet: '- ',
};

/**
 * Tried in order until the message is under `TEAMS_MAX_BYTES` (24 KB); the last one lists
 * no item, only how many there are, and always fits in the 28 KB Teams takes.
 */
export const TEAMS_LIST_LIMITS: readonly [Limits, ...Limits[]] = [
  { items: 25, reason: 300, name: 120, budget: 4_000, notes: 10, note: 500, unpriced: 10 },
  { items: 10, reason: 150, name: 80, budget: 1_500, notes: 5, note: 200, unpriced: 5 },
  { items: 3, reason: 60, name: 40, budget: 500, notes: 3, note: 100, unpriced: 3 },
  { items: 0, reason: 0, name: 20, budget: 200, notes: 0, note: 0, unpriced: 1 },
];

/** The colour of the title: good when quiet, a warning when something needs doing. */
const toneOf = (report: MorningReport): Tone => {
  if (isQuiet(report)) return 'good';
  return report.coverage.missing.length > 0 || report.attention.length > 0 ? 'warning' : 'neutral';
};

const wrapped = (text: string, separator = false): TeamsElement =>
  teamsText(text, { wrap: true, ...(separator ? { separator: true } : {}) });

/** The card with the lists cut to `limits`. */
const teamsCard = (report: MorningReport, limits: Limits): TeamsMessage => {
  const dashboard = dashboardOf(report);
  const body: TeamsElement[] = [
    teamsText(teamsEscape(titleOf(report)), {
      weight: 'Bolder',
      size: 'Medium',
      color: TEAMS_COLOURS[toneOf(report)],
      wrap: true,
    }),
  ];
  if (isQuiet(report)) {
    body.push(...quietLines(report, limits, TEAMS_STYLE).map((line) => wrapped(line)));
  } else {
    const unpriced = unpricedText(report, limits, TEAMS_STYLE);
    body.push(
      teamsFacts(summaryFacts(report)),
      teamsText([`Money is an ${ESTIMATE}.`, ...(unpriced ? [unpriced] : [])].join(' '), {
        wrap: true,
        isSubtle: true,
        size: 'Small',
      }),
    );
    if (report.coverage.missing.length > 0)
      body.push(wrapped(missingList(report, limits, TEAMS_STYLE, dashboard !== undefined), true));
    if (report.attention.length > 0)
      body.push(
        wrapped(`**Needs a person (${report.attention.length})**`, true),
        ...attentionLists(report, limits, TEAMS_STYLE, dashboard !== undefined).map((list) =>
          wrapped(list),
        ),
      );
  }
  const notes = notesList(report, limits, TEAMS_STYLE, dashboard !== undefined);
  body.push(
    ...(notes ? [wrapped(notes, true)] : []),
    teamsText(runsText(report), { wrap: true, isSubtle: true, size: 'Small' }),
  );
  return teamsMessage({
    body,
    actions: dashboard ? teamsLinks([{ title: 'Open the dashboard', url: dashboard }]) : [],
  });
};

/**
 * The report as a Microsoft Teams message: an Adaptive Card (the version Teams renders) in
 * the envelope a Workflows webhook takes, with the same parts as the Slack message (a fact
 * set for the summary) and a button to the dashboard when there is one. The lists are cut
 * shorter until the message is under 24 KB (Teams refuses one over 28 KB).
 *
 * @example
 * await postJson({ destination: 'teams', url, body: renderTeams(report), ... });
 */
export const renderTeams = (report: MorningReport): TeamsMessage =>
  fitTeams(TEAMS_LIST_LIMITS, (limits) => teamsCard(report, limits));
