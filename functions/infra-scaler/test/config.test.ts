import { ConfigError } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

describe('infra-scaler settings', () => {
  it('has a default for every setting, read from the same environment variables as before', () => {
    expect(loadConfig({})).toMatchObject({
      dryRun: false,
      scaledEnvironments: [],
      snsTopicArn: undefined,
      environmentTagKey: 'Environment',
      autoScaleTagKey: 'AutoScale',
      autoScaleTagValue: 'true',
      idleLookbackDays: 14,
      idleCpuThresholdPercent: 10,
      schedules: undefined,
      schedulesParameter: undefined,
      concurrency: 5,
      actionsTable: undefined,
      linkKeySecret: undefined,
      chatActionsUrl: undefined,
      maxSnoozeHours: 12,
      chat: { destinations: new Map(), routes: [], defaults: [] },
    });
    expect(
      loadConfig({
        DRY_RUN: 'true',
        SCALED_ENVIRONMENTS: 'staging,dev',
        SNS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:reports',
        ENVIRONMENT_TAG_KEY: 'Stage',
        AUTOSCALE_TAG_KEY: 'Sleep',
        AUTOSCALE_TAG_VALUE: 'yes',
        IDLE_LOOKBACK_DAYS: '7',
        IDLE_CPU_THRESHOLD_PERCENT: '5',
        SCALER_CONCURRENCY: '2',
        SCHEDULES: ' {"schedules": {}} ',
        SCHEDULES_PARAMETER: '/nightshift/dev/schedules',
      }),
    ).toMatchObject({
      dryRun: true,
      scaledEnvironments: ['staging', 'dev'],
      snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:reports',
      environmentTagKey: 'Stage',
      autoScaleTagKey: 'Sleep',
      autoScaleTagValue: 'yes',
      idleLookbackDays: 7,
      idleCpuThresholdPercent: 5,
      schedules: '{"schedules": {}}',
      schedulesParameter: '/nightshift/dev/schedules',
      concurrency: 2,
    });
  });

  it('refuses a SCALED_ENVIRONMENTS entry that is not a plain tag value', () => {
    expect(() => loadConfig({ SCALED_ENVIRONMENTS: 'staging,prod*' })).toThrow(ConfigError);
    expect(() => loadConfig({ SCALED_ENVIRONMENTS: 'staging,prod*' })).toThrow(
      /SCALED_ENVIRONMENTS\[1\]: must list plain tag values/,
    );
    expect(loadConfig({ SCALED_ENVIRONMENTS: ' dev ,, qa ' }).scaledEnvironments).toEqual([
      'dev',
      'qa',
    ]);
  });

  it('reads the heads-up settings and its chat destinations, routes matching the schedule name', () => {
    // Act
    const config = loadConfig({
      ACTIONS_TABLE: 'nightshift-actions',
      LINK_KEY_SECRET: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:links-AbCdEf',
      CHAT_ACTIONS_URL: 'https://abc.lambda-url.eu-west-1.on.aws/',
      MAX_SNOOZE_HOURS: '6',
      SLACK_WEBHOOK_PARAMETER: '/nightshift/slack-webhook',
      ROUTES: '[{"pipeline": "office-*", "destinations": ["slack"]}]',
    });

    // Assess
    expect(config).toMatchObject({
      actionsTable: 'nightshift-actions',
      linkKeySecret: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:links-AbCdEf',
      chatActionsUrl: 'https://abc.lambda-url.eu-west-1.on.aws/',
      maxSnoozeHours: 6,
    });
    expect([...config.chat.destinations.keys()]).toEqual(['slack']);
    expect(config.chat.routes).toEqual([{ pipeline: 'office-*', destinations: ['slack'] }]);
    expect(loadConfig({ CHAT_ACTIONS_URL: 'http://127.0.0.1:8080/' }).chatActionsUrl).toBe(
      'http://127.0.0.1:8080/',
    );
  });

  it('refuses chat destinations that do not hold together, naming the variable', () => {
    expect(() => loadConfig({ SLACK_WEBHOOK_URL: 'https://example.com/hook' })).toThrow(
      /SLACK_WEBHOOK_URL: .*not one of the allowed hosts/,
    );
  });

  it.each([
    ['CHAT_ACTIONS_URL', 'http://abc.lambda-url.eu-west-1.on.aws/'],
    ['CHAT_ACTIONS_URL', 'javascript:alert(1)'],
    ['MAX_SNOOZE_HOURS', '0'],
    ['MAX_SNOOZE_HOURS', '169'],
    ['IDLE_LOOKBACK_DAYS', '0'],
    ['IDLE_LOOKBACK_DAYS', '456'],
    ['IDLE_CPU_THRESHOLD_PERCENT', '101'],
    ['SCALER_CONCURRENCY', '51'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });
});
