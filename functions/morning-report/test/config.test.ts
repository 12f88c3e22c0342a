import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

const TABLE = { HISTORY_TABLE: 'nightshift-history-dev' };

describe('morning-report configuration', () => {
  it('runs with no variable set, without a history table', () => {
    expect(loadConfig({})).toMatchObject({ dryRun: false, timezone: 'UTC' });
    expect(loadConfig({})).not.toHaveProperty('historyTable');
    expect(loadConfig({ HISTORY_TABLE: ' ' })).not.toHaveProperty('historyTable');
  });

  it('reads the history table and the defaults of every other setting', () => {
    expect(loadConfig(TABLE)).toMatchObject({
      dryRun: false,
      historyTable: 'nightshift-history-dev',
      environment: 'nightshift',
      timezone: 'UTC',
      backupIntervalHours: 24,
      pricingRegion: 'us-east-1',
      destinations: new Map(),
    });
    expect(loadConfig(TABLE)).not.toHaveProperty('dashboardName');
    expect(loadConfig(TABLE)).not.toHaveProperty('snsTopicArn');
  });

  it('reads each variable into its setting', () => {
    expect(
      loadConfig({
        ...TABLE,
        DRY_RUN: 'true',
        NIGHTSHIFT_ENVIRONMENT: 'qa',
        REPORT_TIMEZONE: 'Europe/Berlin',
        BACKUP_INTERVAL_HOURS: '12',
        PRICING_REGION: 'eu-central-1',
        DASHBOARD_NAME: 'nightshift-qa',
        SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:reports',
      }),
    ).toMatchObject({
      dryRun: true,
      environment: 'qa',
      timezone: 'Europe/Berlin',
      backupIntervalHours: 12,
      pricingRegion: 'eu-central-1',
      dashboardName: 'nightshift-qa',
      snsTopicArn: 'arn:aws:sns:us-east-1:123456789012:reports',
    });
  });

  it('reads the chat destinations as deploy-notifier does', () => {
    const config = loadConfig({ ...TABLE, SLACK_WEBHOOK_PARAMETER: '/nightshift/slack' });
    expect([...config.destinations.values()]).toEqual([
      { name: 'slack', kind: 'slack', parameter: '/nightshift/slack' },
    ]);
    expect(config.defaults).toEqual(['slack']);
  });

  it.each([
    [{ ...TABLE, REPORT_TIMEZONE: 'Mars/Olympus' }, 'REPORT_TIMEZONE'],
    [{ ...TABLE, BACKUP_INTERVAL_HOURS: '0' }, 'BACKUP_INTERVAL_HOURS'],
    [{ ...TABLE, DRY_RUN: 'maybe' }, 'DRY_RUN'],
  ])('names the bad variable in %j', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(
      expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining(variable) }),
    );
  });
});
