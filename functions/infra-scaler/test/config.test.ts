import { ConfigError } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

describe('infra-scaler settings', () => {
  it('has a default for every setting, read from the same environment variables as before', () => {
    expect(loadConfig({})).toEqual({
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
    ).toEqual({
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

  it.each([
    ['IDLE_LOOKBACK_DAYS', '0'],
    ['IDLE_LOOKBACK_DAYS', '456'],
    ['IDLE_CPU_THRESHOLD_PERCENT', '101'],
    ['SCALER_CONCURRENCY', '51'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });
});
