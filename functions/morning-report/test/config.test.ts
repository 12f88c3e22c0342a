import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

describe('morning-report configuration', () => {
  it('runs with nothing set', () => {
    expect(loadConfig({})).toEqual({
      dryRun: false,
      environment: 'staging',
      snsTopicArn: undefined,
    });
  });

  it('reads each variable into its setting', () => {
    expect(
      loadConfig({
        DRY_RUN: 'true',
        ENVIRONMENT: 'qa',
        SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:reports',
      }),
    ).toEqual({
      dryRun: true,
      environment: 'qa',
      snsTopicArn: 'arn:aws:sns:us-east-1:123456789012:reports',
    });
  });

  it('names an invalid variable and what is wrong with it', () => {
    expect(() => loadConfig({ DRY_RUN: 'maybe' })).toThrow(
      expect.objectContaining({
        name: 'ConfigError',
        message: expect.stringContaining('DRY_RUN: must be true or false'),
      }),
    );
  });
});
