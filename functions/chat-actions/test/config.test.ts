import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('has a default for every setting', () => {
    // Act
    const config = loadConfig({});

    // Assess
    expect(config).toMatchObject({
      actionsTable: 'nightshift-actions',
      linkKeySecret: 'nightshift-link-key',
      maxSnoozeHours: 12,
      environment: 'staging',
      snsTopicArn: undefined,
    });
    expect(config.destinations.size).toBe(0);
  });

  it('reads the shared settings from their variables', () => {
    // Act
    const config = loadConfig({
      ACTIONS_TABLE: 'actions',
      LINK_KEY_SECRET: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:key-AbCdEf',
      MAX_SNOOZE_HOURS: '3',
      TEAMS_WEBHOOK_PARAMETER: '/nightshift/teams',
    });

    // Assess
    expect(config).toMatchObject({ actionsTable: 'actions', maxSnoozeHours: 3 });
    expect([...config.destinations.keys()]).toEqual(['teams']);
  });

  it('names every bad variable', () => {
    // Act & Assess
    expect(() => loadConfig({ MAX_SNOOZE_HOURS: '0', DELIVERY_ATTEMPTS: 'x' })).toThrow(
      /MAX_SNOOZE_HOURS[\s\S]*DELIVERY_ATTEMPTS|DELIVERY_ATTEMPTS[\s\S]*MAX_SNOOZE_HOURS/,
    );
  });
});
