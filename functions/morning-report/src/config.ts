import { DESTINATION_SETTINGS, type Destinations, resolveDestinations } from '@nightshift/delivery';
import {
  ConfigError,
  envFlag,
  envInteger,
  envString,
  parseSettings,
  type SettingsSpec,
} from '@nightshift/runtime';
import { isTimeZone } from '@nightshift/schedules';
import * as z from 'zod/mini';

/**
 * The function's settings, each read from its environment variable (the names are a
 * contract), and the chat destinations of `@nightshift/delivery` (`SLACK_WEBHOOK_*`,
 * `TEAMS_WEBHOOK_*`, `DESTINATIONS`, `ROUTES`, `DEFAULT_DESTINATIONS`, …).
 */
export const SETTINGS = {
  /** `DRY_RUN`: a lock; the report is made and returned, sent nowhere. */
  dryRun: ['DRY_RUN', envFlag()],
  /**
   * `HISTORY_TABLE`: the run history (and the price cache). Without it the report has no
   * savings and nothing from the runs, and says so; the backup coverage is still made.
   */
  historyTable: ['HISTORY_TABLE', z.optional(envString())],
  /** `NIGHTSHIFT_ENVIRONMENT`: the deployment's name, shown in the report's title. */
  environment: ['NIGHTSHIFT_ENVIRONMENT', envString('nightshift')],
  /** `REPORT_TIMEZONE`: the IANA time zone whose midnight starts the month. */
  timezone: ['REPORT_TIMEZONE', envString('UTC')],
  /** `BACKUP_INTERVAL_HOURS`: how often a resource tagged Backup=true is backed up. */
  backupIntervalHours: ['BACKUP_INTERVAL_HOURS', envInteger({ default: 24, min: 1, max: 8_760 })],
  /** `PRICING_REGION`: where the Price List API is called (it answers in a few Regions only). */
  pricingRegion: ['PRICING_REGION', envString('us-east-1')],
  /** `DASHBOARD_NAME`: the CloudWatch dashboard the report links to. */
  dashboardName: ['DASHBOARD_NAME', z.optional(envString())],
  /** `SNS_TOPIC_ARN`: where the e-mail-friendly text goes. */
  snsTopicArn: ['SNS_TOPIC_ARN', z.optional(envString())],
  ...DESTINATION_SETTINGS,
} as const satisfies SettingsSpec;

/** The function's settings, read once per container. */
export interface Config extends Destinations {
  dryRun: boolean;
  historyTable?: string;
  environment: string;
  timezone: string;
  backupIntervalHours: number;
  pricingRegion: string;
  dashboardName?: string;
  snsTopicArn?: string;
}

/**
 * Reads and validates the environment (throws `ConfigError` naming every bad variable).
 *
 * @example
 * const config = loadConfig({ HISTORY_TABLE: 'nightshift-history-dev', REPORT_TIMEZONE: 'Europe/Berlin' });
 */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => {
  const settings = parseSettings(SETTINGS, env);
  if (!isTimeZone(settings.timezone))
    throw new ConfigError([
      {
        path: 'REPORT_TIMEZONE',
        message: `must be an IANA time zone (Europe/Berlin), not ${settings.timezone}`,
      },
    ]);
  const { dashboardName, snsTopicArn, historyTable, ...rest } = settings;
  return {
    dryRun: rest.dryRun,
    ...(historyTable ? { historyTable } : {}),
    environment: rest.environment,
    timezone: rest.timezone,
    backupIntervalHours: rest.backupIntervalHours,
    pricingRegion: rest.pricingRegion,
    ...(dashboardName ? { dashboardName } : {}),
    ...(snsTopicArn ? { snsTopicArn } : {}),
    ...resolveDestinations(settings),
  };
};
