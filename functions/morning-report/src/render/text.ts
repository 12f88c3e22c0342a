import { cleanText } from '@nightshift/delivery/chat';
import { toSnsSubject } from '@nightshift/runtime';
import type { MorningReport } from '../model.ts';
import {
  attentionLists,
  dashboardOf,
  ESTIMATE,
  formatAmount,
  isQuiet,
  type Limits,
  missingList,
  notesList,
  PLAIN,
  plural,
  quietLines,
  runsText,
  savedUsd,
  summaryFacts,
  titleOf,
  unpricedText,
} from './common.ts';

/** The report as an e-mail: a subject (SNS's `Subject`) and a plain-text body (`Message`). */
export interface TextReport {
  subject: string;
  text: string;
}

/**
 * What the text shows: at most 50 items a list and 8,000 characters a list, so the whole
 * text stays far under the 256 KB SNS publishes (3 bytes a character at worst).
 */
export const TEXT_LIMITS: Limits = {
  items: 50,
  reason: 500,
  name: 255,
  budget: 8_000,
  notes: 20,
  note: 1_000,
  unpriced: 20,
};

/** The subject: the environment, the money saved in the last 24 hours, what needs doing. */
const subjectOf = (report: MorningReport): string => {
  const environment = cleanText(report.environment, 20);
  if (isQuiet(report)) return toSnsSubject(`Nightshift morning report ${environment}: all quiet`);
  const usd = savedUsd(report.yesterday);
  const saved =
    usd === undefined
      ? `${formatAmount(report.yesterday.instanceHours)} instance-hours stopped`
      : `${usd} saved`;
  return toSnsSubject(
    `Nightshift morning report ${environment}: ${saved}, ${plural(report.coverage.missing.length, 'backup')} missing, ${report.attention.length} need${report.attention.length === 1 ? 's' : ''} a person`,
  );
};

/**
 * The report as plain text for e-mail (the reports SNS topic): the summary at the top (the
 * money marked as an estimate, the hours without a price named), then the missing backups,
 * what needs a person by category, the notes and the dashboard's link on a line of its own.
 * A quiet night is a few lines. The subject is ASCII, one line, under 100 characters.
 *
 * @example
 * const { subject, text } = renderText(report);
 * await sns.send(new PublishCommand({ TopicArn, Subject: subject, Message: text }));
 */
export const renderText = (report: MorningReport): TextReport => {
  const limits = TEXT_LIMITS;
  const dashboard = dashboardOf(report);
  const sections: string[][] = [[titleOf(report)]];
  if (isQuiet(report)) {
    sections.push(quietLines(report, limits, PLAIN));
  } else {
    const unpriced = unpricedText(report, limits, PLAIN);
    sections.push([
      ...summaryFacts(report).map(([name, value]) => `${name}: ${value}`),
      `Money is an ${ESTIMATE}.`,
      ...(unpriced ? [unpriced] : []),
    ]);
    if (report.coverage.missing.length > 0)
      sections.push([missingList(report, limits, PLAIN, dashboard !== undefined)]);
    if (report.attention.length > 0)
      sections.push([
        `Needs a person (${report.attention.length})`,
        ...attentionLists(report, limits, PLAIN, dashboard !== undefined).flatMap((list) => [
          '',
          list,
        ]),
      ]);
  }
  const notes = notesList(report, limits, PLAIN, dashboard !== undefined);
  sections.push([...(notes ? [notes] : []), runsText(report)]);
  // The link on a line of its own, nothing after it, so mail clients keep it whole.
  if (dashboard) sections.push(['The details are on the dashboard:', dashboard]);
  return {
    subject: subjectOf(report),
    text: sections.map((lines) => lines.join('\n')).join('\n\n'),
  };
};
