import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BackupClient } from '@aws-sdk/client-backup';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { PricingClient } from '@aws-sdk/client-pricing';
import type { RDSClient } from '@aws-sdk/client-rds';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { type Post, routeFor, webhookPost } from '@nightshift/delivery';
import { type RunRecord, readRuns } from '@nightshift/history';
import type { Observability } from '@nightshift/middleware';
import { failureReason, resolveDryRun, type TimeBudget } from '@nightshift/runtime';
import { needsAPerson } from './attention.ts';
import type { Config } from './config.ts';
import { assessCoverage, GRACE_HOURS, readCoverage } from './coverage.ts';
import type { MorningReportEvent } from './event.ts';
import type { MorningReport } from './model.ts';
import { pricesFor, snapshotPrices } from './pricing.ts';
import { renderSlack, renderTeams, renderText } from './render.ts';
import { deletedSnapshotGiB, hoursOnlyNotes, stoppedIntervals, windowSavings } from './savings.ts';
import { reportWindows } from './windows.ts';

/** The function's name: its logger's service and its metrics' dimension. */
export const SERVICE = 'morning-report';

/** The clients, observability and clock of a run. */
export interface Deps extends Observability {
  dynamodb: DynamoDBClient;
  ec2: EC2Client;
  rds: RDSClient;
  backup: BackupClient;
  pricing: PricingClient;
  sns: SNSClient;
  /** The account and Region whose backups it reads (its own). */
  account: string;
  region: string;
  /** The clock of the report (tests pass a fixed one). */
  now?: () => Date;
  /** Delivers one message to one chat destination (the webhook POST unless a test replaces it). */
  post?: Post;
}

/** What one morning led to: the report, and where it went. */
export interface MorningReportResult {
  service: typeof SERVICE;
  dryRun: boolean;
  report: MorningReport;
  /** The chat destinations that took it, and `sns` when the topic did. */
  delivered: string[];
  failed: { destination: string; reason: string }[];
}

const CONSOLE = (region: string) =>
  `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}`;

/** The dashboard's address in the console. */
export const dashboardUrl = (region: string, name: string): string =>
  `${CONSOLE(region)}#dashboards/dashboard/${encodeURIComponent(name)}`;

/** Said when no run history is configured: the report is then the backup coverage alone. */
export const NO_HISTORY_NOTE =
  'HISTORY_TABLE is not set: there is no run history to read, so no savings and nothing from the runs that needs a person';

/**
 * Makes the morning report: the run history of the last weeks (savings of the last 24
 * hours and of the month, what needs a person), the prices of what was stopped (cached a
 * week), the backup coverage of the account and Region; then sends it to every chat
 * destination and the reports topic (unless dry run) and emits its figures as metrics.
 * Throws after trying every destination when one failed, so that the invocation fails.
 *
 * @example
 * const { report } = await run(deps, loadConfig(), { dryRun: true }, budget);
 */
export const run = async (
  deps: Deps,
  config: Config,
  event: MorningReportEvent,
  budget: TimeBudget,
): Promise<MorningReportResult> => {
  const { dynamodb, logger, metrics } = deps;
  const now = deps.now?.() ?? new Date();
  const dryRun = resolveDryRun(event.dryRun, config.dryRun);
  const windows = reportWindows(now, config.timezone);
  const iso = (window: { from: Date; to: Date }) => ({
    from: window.from.toISOString(),
    to: window.to.toISOString(),
  });

  const { historyTable } = config;
  const [{ records, unreadable }, coverageReading] = await Promise.all([
    historyTable
      ? readRuns(dynamodb, historyTable, { from: windows.readFrom, to: now, notableOnly: true })
      : { records: [], unreadable: 0 },
    readCoverage(deps, { account: deps.account, region: deps.region }),
  ]);
  const intervals = stoppedIntervals(records, now);
  const yesterdayGiB = deletedSnapshotGiB(records, iso(windows.yesterday));
  const monthGiB = deletedSnapshotGiB(records, iso(windows.month));
  const priceDeps = {
    pricing: deps.pricing,
    dynamodb,
    table: historyTable,
    now,
    logger,
  };
  const [instancePrices, snapshotPrice] = await Promise.all([
    pricesFor(
      intervals.flatMap((interval) =>
        interval.units.map((unit) => ({ unit, region: interval.region })),
      ),
      priceDeps,
    ),
    snapshotPrices([...new Set([...monthGiB.keys(), ...yesterdayGiB.keys()])], priceDeps),
  ]);
  const coverage = assessCoverage(coverageReading.resources, coverageReading.backups, {
    now,
    intervalHours: config.backupIntervalHours,
  });

  const report: MorningReport = {
    environment: config.environment,
    generatedAt: now.toISOString(),
    timezone: config.timezone,
    yesterday: windowSavings(
      intervals,
      instancePrices.prices,
      iso(windows.yesterday),
      yesterdayGiB,
      snapshotPrice.prices,
    ),
    month: windowSavings(
      intervals,
      instancePrices.prices,
      iso(windows.month),
      monthGiB,
      snapshotPrice.prices,
    ),
    stoppedNow: intervals.filter((interval) => interval.ongoing).length,
    unpriced: [...instancePrices.unpriced, ...snapshotPrice.unpriced],
    coverage: {
      protected: coverage.length,
      missing: coverage.filter((resource) => resource.missing),
      allowedAgeHours: config.backupIntervalHours + GRACE_HOURS,
    },
    attention: needsAPerson(records, { now }),
    runs: {
      total: records.length,
      withFailures: records.filter((record) => record.counts.failed > 0).length,
    },
    ...(config.dashboardName
      ? { dashboardUrl: dashboardUrl(deps.region, config.dashboardName) }
      : {}),
    notes: [
      ...(historyTable ? [] : [NO_HISTORY_NOTE]),
      ...hoursOnlyNotes(intervals),
      ...instancePrices.notes,
      ...snapshotPrice.notes,
      ...coverageReading.notes,
      ...(unreadable > 0 ? [`${unreadable} run records could not be read and were left out`] : []),
      ...truncatedNotes(records),
    ],
  };

  logger.info('Morning report', {
    dryRun,
    runs: report.runs.total,
    savedUsd: round(report.yesterday.usd),
    instanceHours: round(report.yesterday.instanceHours),
    backupsMissing: report.coverage.missing.length,
    needsAPerson: report.attention.length,
  });

  const result: MorningReportResult = {
    service: SERVICE,
    dryRun,
    report,
    delivered: [],
    failed: [],
  };
  if (dryRun) return result;
  // The day's figures, once a day: a dry run adds nothing to the dashboard's sums.
  metrics.addMetric('EstimatedSavings', MetricUnit.NoUnit, round(report.yesterday.usd));
  metrics.addMetric(
    'InstanceHoursStopped',
    MetricUnit.Count,
    round(report.yesterday.instanceHours),
  );
  metrics.addMetric(
    'SnapshotGiBDeleted',
    MetricUnit.Gigabytes,
    report.yesterday.snapshotGiBDeleted,
  );
  metrics.addMetric('BackupsMissing', MetricUnit.Count, report.coverage.missing.length);
  await deliver(deps, config, report, budget, result);
  if (result.failed.length > 0)
    throw new Error(
      `The morning report did not reach ${result.failed
        .map((failure) => `${failure.destination} (${failure.reason})`)
        .join('; ')}`,
    );
  return result;
};

const round = (value: number): number => Math.round(value * 100) / 100;

/** Records that left items out to fit DynamoDB's item size: their stops and starts may be missing. */
const truncatedNotes = (records: readonly RunRecord[]): string[] => {
  const short = records.filter((record) => (record.truncated ?? 0) > 0);
  if (short.length === 0) return [];
  const items = short.reduce((sum, record) => sum + (record.truncated ?? 0), 0);
  return [
    `${short.length} run records left out ${items} items to fit the history's item size: stops and starts among them are not counted`,
  ];
};

/** Sends the report to every chat destination and the reports topic, recording each outcome. */
const deliver = async (
  deps: Deps,
  config: Config,
  report: MorningReport,
  budget: TimeBudget,
  result: MorningReportResult,
): Promise<void> => {
  const post = deps.post ?? webhookPost(config, budget);
  const destinations = routeFor(config, SERVICE);
  const sends = destinations.map(async (destination) => {
    const body = destination.kind === 'slack' ? renderSlack(report) : renderTeams(report);
    await post(destination, body);
    return destination.name;
  });
  if (config.snsTopicArn) {
    const { subject, text } = renderText(report);
    const topicArn = config.snsTopicArn;
    sends.push(
      deps.sns
        .send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: text }))
        .then(() => 'sns'),
    );
  }
  if (sends.length === 0) deps.logger.warn('No destination configured: the report went nowhere');
  const names = [...destinations.map((destination) => destination.name), 'sns'];
  const outcomes = await Promise.allSettled(sends);
  outcomes.forEach((outcome, index) => {
    if (outcome.status === 'fulfilled') result.delivered.push(outcome.value);
    else
      result.failed.push({
        destination: names[index] ?? 'unknown',
        reason: failureReason(
          outcome.reason instanceof Error ? outcome.reason : new Error(String(outcome.reason)),
        ),
      });
  });
};
