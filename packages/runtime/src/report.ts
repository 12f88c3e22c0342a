import { PartialFailureError } from './errors.ts';
import type { SettledMap } from './mapSettled.ts';
import { maskSecrets } from './redact.ts';

/** One resource in a report: what it is, what was (or would be) done, and why. */
export interface ReportEntry {
  /** The resource id (`snap-0abc`, `i-0abc`, `my-asg`). */
  id: string;
  /** What the run did or would do to it (`delete`, `stop`, `keep`). */
  action: string;
  reason: string;
  details?: Record<string, string | number | boolean>;
}

/**
 * The one report format of every Nightshift run: returned by the handler, logged, and
 * published to SNS. In a dry run `done` stays empty and `planned` says what would change.
 */
export interface Report {
  service: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt?: string;
  planned: ReportEntry[];
  done: ReportEntry[];
  skipped: ReportEntry[];
  failed: ReportEntry[];
  /** Figures of the run as a whole (`snapshotsSeen: 4210`, `sourceVolumeGiB: 512`). */
  totals: Record<string, number>;
  /** What a reader must know to read the figures right. */
  notes: string[];
}

/** How many entries a report has in each list. */
export interface ReportCounts {
  planned: number;
  done: number;
  skipped: number;
  failed: number;
}

/**
 * An empty report for a run that starts now.
 *
 * @example
 * const report = createReport('snapshot-cleanup', { dryRun: true });
 */
export const createReport = (
  service: string,
  { dryRun, now = new Date() }: { dryRun: boolean; now?: Date },
): Report => ({
  service,
  dryRun,
  startedAt: now.toISOString(),
  planned: [],
  done: [],
  skipped: [],
  failed: [],
  totals: {},
  notes: [],
});

/**
 * The number of entries in each list of a report.
 *
 * @example
 * countReport(report); // { planned: 3, done: 3, skipped: 12, failed: 0 }
 */
export const countReport = (report: Report): ReportCounts => ({
  planned: report.planned.length,
  done: report.done.length,
  skipped: report.skipped.length,
  failed: report.failed.length,
});

const SECTIONS = ['failed', 'done', 'planned', 'skipped'] as const;

/**
 * A plain-text rendering for people (e-mail subscribers of the report topic): the
 * failures first, then what was done, planned and skipped, one line per resource.
 *
 * @example
 * renderReport(report);
 */
export const renderReport = (report: Report): string => {
  const counts = countReport(report);
  const lines = [
    `${report.service}${report.dryRun ? ' (dry run: nothing was changed)' : ''}`,
    `started ${report.startedAt}${report.finishedAt ? `, finished ${report.finishedAt}` : ''}`,
    `planned ${counts.planned}, done ${counts.done}, skipped ${counts.skipped}, failed ${counts.failed}`,
    ...Object.entries(report.totals).map(([name, value]) => `${name}: ${value}`),
    ...report.notes.map((note) => `note: ${note}`),
  ];
  for (const section of SECTIONS) {
    const entries = report[section];
    if (entries.length === 0) continue;
    lines.push('', `${section.toUpperCase()} (${entries.length})`);
    for (const entry of entries) {
      lines.push(`- ${entry.id}: ${entry.action}: ${entry.reason}`);
    }
  }
  // A reason quotes what AWS or a webhook answered, which may carry a credential.
  return maskSecrets(lines.join('\n'));
};

/**
 * A one-line summary, used as the SNS subject.
 *
 * @example
 * summarizeReport(report); // 'Nightshift snapshot-cleanup: 3 done, 0 failed, 12 skipped'
 */
export const summarizeReport = (report: Report): string => {
  const counts = countReport(report);
  const work = report.dryRun ? `${counts.planned} planned (dry run)` : `${counts.done} done`;
  return `Nightshift ${report.service}: ${work}, ${counts.failed} failed, ${counts.skipped} skipped`;
};

/**
 * Throws a `PartialFailureError` when any entry failed, so the invocation fails after
 * the report is out.
 *
 * @example
 * await publishReport(sns, { topicArn, report });
 * throwIfFailed(report);
 */
export const throwIfFailed = (report: Report): void => {
  if (report.failed.length > 0) throw new PartialFailureError(report.service, report.failed);
};

/** Where a report is logged: anything with Powertools Logger's `info`. */
export interface ReportLogger {
  info: (message: string, ...extra: Record<string, unknown>[]) => void;
}

/** Entries per log line: well under CloudWatch Logs' 256 KB per event. */
export const REPORT_LOG_CHUNK = 200;

/**
 * Logs a report whole, however long: one summary line (counts, totals, notes), then its
 * entries section by section, at most `REPORT_LOG_CHUNK` per line.
 *
 * @example
 * logReport(logger, report);
 */
export const logReport = (logger: ReportLogger, report: Report): void => {
  const { service, dryRun, startedAt, finishedAt, totals, notes } = report;
  logger.info('Report', {
    service,
    dryRun,
    startedAt,
    finishedAt,
    counts: countReport(report),
    totals,
    notes,
  });
  for (const section of SECTIONS) {
    const entries = report[section];
    const parts = Math.ceil(entries.length / REPORT_LOG_CHUNK);
    for (let part = 0; part < parts; part += 1) {
      logger.info(`Report ${section}`, {
        section,
        part: part + 1,
        parts,
        entries: entries.slice(part * REPORT_LOG_CHUNK, (part + 1) * REPORT_LOG_CHUNK),
      });
    }
  }
};

/** Why an item was left for the next run. */
export const OUT_OF_TIME = 'out of time for this run; the next run continues';

/**
 * The reason a failed item carries: the error's name (an AWS error code) and message.
 *
 * @example
 * failureReason(error); // 'UnauthorizedOperation: You are not authorized to perform this operation.'
 */
export const failureReason = (error: Error): string =>
  maskSecrets(`${error.name}: ${error.message}`);

/**
 * Records the items of a bounded run that failed, with their error, and those that never
 * started because the time budget ran out.
 *
 * @example
 * recordUnfinished(report, outcome, { action: 'stop', idOf: (db) => db.id });
 */
export const recordUnfinished = <T>(
  report: Report,
  { failed, notStarted }: Pick<SettledMap<T, unknown>, 'failed' | 'notStarted'>,
  { action, idOf }: { action: string; idOf: (item: T) => string },
): void => {
  for (const { item, error } of failed)
    report.failed.push({ id: idOf(item), action, reason: failureReason(error) });
  for (const item of notStarted)
    report.skipped.push({ id: idOf(item), action, reason: OUT_OF_TIME });
};
