import { cleanText, type Fact, fitLines, safeLink } from '@nightshift/delivery/chat';
import type { Attention, Coverage, MorningReport, SavingsWindow } from '../model.ts';

/** What every amount of money is: said next to it, in every rendering. */
export const ESTIMATE = 'estimate: on-demand list prices, no discounts';

/** How one rendering marks up what it shows. */
export interface Style {
  /** Escapes a plain text for the markup. */
  escape: (plain: string) => string;
  /** Shows an (escaped) id as code where the markup has it. */
  code: (escaped: string) => string;
  /** Shows an (escaped) text in bold. */
  bold: (escaped: string) => string;
  /** What starts each line of a list. */
  bullet: string;
}

/** Plain text: nothing escaped, nothing marked. */
export const PLAIN: Style = {
  escape: (plain) => plain,
  code: (escaped) => escaped,
  bold: (escaped) => escaped,
  bullet: '- ',
};

/** How long the parts of the lists may be, and how many of them a rendering shows. */
export interface Limits {
  /** Items of a list shown at most (the rest are counted). */
  items: number;
  /** Characters of a reason, before escaping. */
  reason: number;
  /** Characters of a name, id, account, region, service or action, before escaping. */
  name: number;
  /** Characters of one list's whole text: its heading, its lines and the "and N more" line. */
  budget: number;
  /** Notes shown at most, and the characters of each. */
  notes: number;
  note: number;
  /** Types without a price named at most. */
  unpriced: number;
}

const money = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

/**
 * An amount in US dollars, two decimals and thousands separated; a positive amount under
 * half a cent is "under $0.01" (it would show as nothing saved).
 *
 * @example
 * formatUsd(1234.567); // '$1,234.57'
 * formatUsd(0); // '$0.00'
 */
export const formatUsd = (usd: number): string =>
  usd > 0 && usd < 0.005 ? 'under $0.01' : money.format(usd);

/**
 * A count of hours or GiB: at most one decimal, thousands separated; "n/a" when it is not
 * a number.
 *
 * @example
 * formatAmount(1234.25); // '1,234.3'
 */
export const formatAmount = (amount: number): string =>
  Number.isFinite(amount) ? decimal.format(amount) : 'n/a';

/**
 * How old a backup is: hours under two days, whole days from then on.
 *
 * @example
 * formatAge(30.2); // '30 h'
 * formatAge(80); // '3 days'
 */
export const formatAge = (hours: number): string => {
  if (!Number.isFinite(hours)) return 'unknown time';
  if (hours < 48) return `${Math.max(0, Math.round(hours))} h`;
  return `${Math.floor(hours / 24)} days`;
};

/** `1 backup`, `2 backups`. */
export const plural = (count: number, one: string, many = `${one}s`): string =>
  `${count} ${count === 1 ? one : many}`;

/**
 * The money a window saved, or undefined when it cannot be given: no usable amount, or
 * hours stopped of which none had a price.
 */
export const savedUsd = (window: SavingsWindow): string | undefined => {
  if (!Number.isFinite(window.usd) || window.usd < 0) return undefined;
  // No unit had a price, or none was known (only resources of an unknown type stopped).
  const allUnpriced =
    (window.instanceHours > 0 && window.unpricedInstanceHours >= window.instanceHours) ||
    (window.instanceHours === 0 && window.resourceHours > 0);
  if (window.usd === 0 && allUnpriced) return undefined;
  return formatUsd(window.usd);
};

/** What a window saved, for a summary: the money, or its hours when it has no price. */
export const savedText = (window: SavingsWindow): string => {
  const usd = savedUsd(window);
  if (usd !== undefined) return `${usd} (estimate)`;
  return window.instanceHours > 0
    ? `hours only: ${formatAmount(window.instanceHours)} instance-hours`
    : `hours only: ${formatAmount(window.resourceHours)} resource-hours`;
};

/** The storage a window's deleted snapshots no longer cost, when it is priced. */
const storageSaved = (window: SavingsWindow): string =>
  window.snapshotUsdPerMonth !== undefined &&
  Number.isFinite(window.snapshotUsdPerMonth) &&
  window.snapshotUsdPerMonth >= 0
    ? ` (saves ${formatUsd(window.snapshotUsdPerMonth)} a month in storage)`
    : '';

/** Some types had no price, or some hours could not be given in money. */
export const hasUnpriced = (report: MorningReport): boolean =>
  report.unpriced.length > 0 ||
  [report.yesterday, report.month].some((window) => window.unpricedInstanceHours > 0);

/**
 * The sentence saying which hours are not in money ("Hours only for ec2 t3.micro in
 * eu-west-1 …"), or undefined when every hour had a price.
 */
export const unpricedText = (
  report: MorningReport,
  limits: Pick<Limits, 'name' | 'unpriced'>,
  style: Style,
): string | undefined => {
  if (!hasUnpriced(report)) return undefined;
  const shown = report.unpriced
    .slice(0, limits.unpriced)
    .map((what) => style.escape(cleanText(what, limits.name)));
  const more = report.unpriced.length - shown.length;
  if (shown.length > 0)
    return `Hours only for ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''} (prices could not be read).`;
  const { month, yesterday } = report;
  const [hours, when] =
    month.unpricedInstanceHours > 0
      ? [month.unpricedInstanceHours, 'this month']
      : [yesterday.unpricedInstanceHours, 'in the last 24 h'];
  return `Hours only for ${formatAmount(hours)} instance-hours ${when} (prices could not be read).`;
};

/**
 * The summary the report starts with, as names and values: savings of the last 24 hours and
 * of the month, hours stopped, snapshots deleted, missing backups and what needs a person.
 */
export const summaryFacts = (report: MorningReport): Fact[] => {
  const { yesterday, month } = report;
  return [
    ['Saved, last 24 h', savedText(yesterday)],
    ['Saved this month', savedText(month)],
    [
      'Instance-hours stopped',
      `${formatAmount(yesterday.instanceHours)} in the last 24 h, ${formatAmount(month.instanceHours)} this month; ${plural(report.stoppedNow, 'resource')} stopped now`,
    ],
    [
      'Snapshots deleted',
      `${formatAmount(yesterday.snapshotGiBDeleted)} GiB in the last 24 h${storageSaved(yesterday)}, ${formatAmount(month.snapshotGiBDeleted)} GiB this month${storageSaved(month)}`,
    ],
    [
      'Backups missing',
      `${report.coverage.missing.length} of ${plural(report.coverage.protected, 'protected resource')}`,
    ],
    ['Needs a person', String(report.attention.length)],
  ];
};

/**
 * Nothing to tell: nothing stopped or deleted in the last 24 hours, nothing stopped now, no
 * backup missing, nothing that needs a person.
 */
export const isQuiet = (report: MorningReport): boolean =>
  !(report.yesterday.resourceHours > 0) &&
  !(report.yesterday.instanceHours > 0) &&
  !(report.yesterday.snapshotGiBDeleted > 0) &&
  !(report.stoppedNow > 0) &&
  report.coverage.missing.length === 0 &&
  report.attention.length === 0;

/** The sentence of a quiet night. */
export const quietText = (report: MorningReport): string =>
  `All quiet: nothing was stopped or deleted in the last 24 h, ${
    report.coverage.protected > 0
      ? `every one of the ${plural(report.coverage.protected, 'protected resource')} has a recent backup`
      : 'no backup is missing'
  }, and nothing needs a person.`;

/** The month's savings, said in a quiet report when there are any. */
export const quietMonth = (report: MorningReport): string | undefined => {
  const { month } = report;
  if (!(month.instanceHours > 0) && !(month.snapshotGiBDeleted > 0)) return undefined;
  const usd = savedUsd(month);
  return usd === undefined
    ? `This month so far: ${formatAmount(month.instanceHours)} instance-hours stopped (hours only).`
    : `This month so far: ${usd} saved (${ESTIMATE}).`;
};

/**
 * What a quiet report says: that it is quiet, what the month has saved when it has, and
 * then which of those hours had no price.
 */
export const quietLines = (
  report: MorningReport,
  limits: Pick<Limits, 'name' | 'unpriced'>,
  style: Style,
): string[] => {
  const month = quietMonth(report);
  const unpriced = month === undefined ? undefined : unpricedText(report, limits, style);
  return [quietText(report), ...(month ? [month] : []), ...(unpriced ? [unpriced] : [])];
};

/** How many runs the report read. */
export const runsText = (report: MorningReport): string =>
  `From ${plural(report.runs.total, 'run')} in the history${
    report.runs.withFailures > 0 ? `, ${report.runs.withFailures} with failures` : ''
  }.`;

/** The dashboard's link, when it is a short https link. */
export const dashboardOf = (report: MorningReport): string | undefined =>
  safeLink(report.dashboardUrl);

/** The line saying how many items a list did not show. */
export const moreText = (count: number, dashboard: boolean): string =>
  `… and ${count} more${dashboard ? ' (see the dashboard)' : ''}`;

/**
 * A list as one text: the heading, then as many lines as fit in `budget` characters with the
 * line counting the rest ("… and N more"), `total` being how many items the list has.
 */
export const fitList = ({
  heading,
  lines,
  total,
  budget,
  dashboard,
}: {
  heading: string;
  lines: readonly string[];
  total: number;
  budget: number;
  dashboard: boolean;
}): string =>
  fitLines({ heading, lines, total, budget, more: (rest) => moreText(rest, dashboard) }).join('\n');

const KIND_LABELS: Record<Coverage['kind'], string> = {
  instance: 'EC2 instance',
  'db-instance': 'RDS instance',
  'db-cluster': 'DB cluster',
};

/** A cleaned, escaped, cut part of a line. */
const part = (text: string, max: number, style: Style) => style.escape(cleanText(text, max));

const whereOf = (item: { account: string; region: string }, limits: Limits, style: Style) =>
  `${part(item.account, limits.name, style)}/${part(item.region, limits.name, style)}`;

/** One line of the missing backups: the resource, where it is, the age of its newest backup. */
export const missingLine = (item: Coverage, limits: Limits, style: Style): string => {
  const id = style.code(part(item.id, limits.name, style));
  const name =
    item.name && item.name !== item.id ? `${part(item.name, limits.name, style)} (${id})` : id;
  const age =
    item.ageHours === undefined
      ? 'no backup'
      : `last backup ${formatAge(item.ageHours)} old${item.source ? ` (${part(item.source, limits.name, style)})` : ''}`;
  return `${style.bullet}${KIND_LABELS[item.kind] ?? part(String(item.kind), limits.name, style)} ${name}, ${whereOf(item, limits, style)}: ${age}`;
};

/** The missing backups as one text within `limits.budget` characters. */
export const missingList = (
  report: MorningReport,
  limits: Limits,
  style: Style,
  dashboard: boolean,
): string => {
  const { missing, allowedAgeHours } = report.coverage;
  return fitList({
    heading: `${style.bold(`Missing backups (${missing.length})`)}: none newer than ${formatAmount(allowedAgeHours)} h`,
    lines: missing.slice(0, limits.items).map((item) => missingLine(item, limits, style)),
    total: missing.length,
    budget: limits.budget,
    dashboard,
  });
};

/** The categories of what needs a person, in the order the report lists them. */
export const CATEGORY_TITLES: Record<Attention['category'], string> = {
  failed: 'Failed',
  'fell back to stopped': 'Fell back to stopped',
  idle: 'Idle',
  'last backup of a deleted volume': 'Kept only as the last backup of a deleted volume',
};

/** What needs a person, by category (in `CATEGORY_TITLES` order, then any other), in order. */
export const byCategory = (attention: readonly Attention[]): [string, Attention[]][] => {
  const groups = new Map<string, Attention[]>(
    Object.keys(CATEGORY_TITLES).map((category) => [category, []]),
  );
  for (const item of attention) {
    const group = groups.get(item.category);
    if (group) group.push(item);
    else groups.set(item.category, [item]);
  }
  return [...groups].filter(([, items]) => items.length > 0);
};

/** One line of what needs a person: the function, action and resource, where, and why. */
export const attentionLine = (item: Attention, limits: Limits, style: Style): string => {
  const reason = item.reason.trim() ? `: ${part(item.reason, limits.reason, style)}` : '';
  return `${style.bullet}${part(item.service, limits.name, style)} ${part(item.action, limits.name, style)} ${style.code(part(item.id, limits.name, style))}, ${whereOf(item, limits, style)}${reason}`;
};

/** Each category of what needs a person as one text within `limits.budget` characters. */
export const attentionLists = (
  report: MorningReport,
  limits: Limits,
  style: Style,
  dashboard: boolean,
): string[] =>
  byCategory(report.attention).map(([category, items]) =>
    fitList({
      heading: style.bold(
        `${CATEGORY_TITLES[category as Attention['category']] ?? part(category, limits.name, style)} (${items.length})`,
      ),
      lines: items.slice(0, limits.items).map((item) => attentionLine(item, limits, style)),
      total: items.length,
      budget: limits.budget,
      dashboard,
    }),
  );

/** The notes as one text within `limits.budget` characters, or undefined without any. */
export const notesList = (
  report: MorningReport,
  limits: Limits,
  style: Style,
  dashboard: boolean,
): string | undefined =>
  report.notes.length === 0
    ? undefined
    : fitList({
        heading: style.bold('Notes'),
        lines: report.notes
          .slice(0, limits.notes)
          .map((note) => `${style.bullet}${part(note, limits.note, style)}`),
        total: report.notes.length,
        budget: limits.budget,
        dashboard,
      });

/**
 * The day of the report on its own clock (`Mon, 30 Nov 2026`); its time as given when that
 * cannot be read.
 */
export const reportDay = (report: MorningReport): string => {
  try {
    return new Intl.DateTimeFormat('en-GB', {
      timeZone: report.timezone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
    }).format(new Date(report.generatedAt));
  } catch {
    return cleanText(report.generatedAt, 40);
  }
};

/** The title of the report: its environment and day. */
export const titleOf = (report: MorningReport): string =>
  `Nightshift morning report: ${cleanText(report.environment, 60)}, ${reportDay(report)}`;

/**
 * The report in one line, for a notification: the savings, then what needs doing.
 *
 * @example
 * headline(report); // 'staging: saved $12.34 in the last 24 h, $210.50 this month (estimate); 1 backup missing; 3 need a person'
 */
export const headline = (report: MorningReport): string => {
  const environment = cleanText(report.environment, 60);
  if (isQuiet(report)) return `${environment}: all quiet`;
  const saved = (window: SavingsWindow) =>
    savedUsd(window) ?? `${formatAmount(window.instanceHours)} instance-hours`;
  return [
    `${environment}: saved ${saved(report.yesterday)} in the last 24 h, ${saved(report.month)} this month (estimate)`,
    `${plural(report.coverage.missing.length, 'backup')} missing`,
    `${report.attention.length} need${report.attention.length === 1 ? 's' : ''} a person`,
  ].join('; ');
};
