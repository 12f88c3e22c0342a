import { DEFAULT_WEBHOOK_HOSTS } from '@nightshift/delivery';
import { ConfigError } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import { loadConfig, SETTINGS } from '../src/config.ts';

describe('deploy-notifier configuration', () => {
  it('notifies failed, succeeded, canceled and stopped pipelines and failed actions by default', () => {
    // Act
    const config = loadConfig({});

    // Assess
    expect(config.notify).toEqual({
      pipeline: new Set(['FAILED', 'SUCCEEDED', 'CANCELED', 'STOPPED']),
      stage: new Set(),
      action: new Set(['FAILED']),
    });
  });

  it('reads the notified states of each level in upper case', () => {
    // Act
    const config = loadConfig({
      NOTIFY_PIPELINE_STATES: 'failed, Superseded',
      NOTIFY_STAGE_STATES: 'failed',
      NOTIFY_ACTION_STATES: 'Failed,succeeded',
    });

    // Assess
    expect(config.notify).toEqual({
      pipeline: new Set(['FAILED', 'SUPERSEDED']),
      stage: new Set(['FAILED']),
      action: new Set(['FAILED', 'SUCCEEDED']),
    });
  });

  it('reads the chat destinations and their delivery settings from the same environment', () => {
    // Act
    const config = loadConfig({
      SLACK_WEBHOOK_PARAMETER: '/nightshift/slack-webhook',
      DESTINATIONS: JSON.stringify({ ops: { kind: 'teams', secret: 'teams/ops' } }),
      ROUTES: JSON.stringify([{ pipeline: '*-infra', destinations: ['ops'] }]),
      DEFAULT_DESTINATIONS: 'slack',
      WEBHOOK_TIMEOUT_MS: '2000',
      DELIVERY_ATTEMPTS: '3',
    });

    // Assess
    expect([...config.destinations.keys()]).toEqual(['slack', 'ops']);
    expect(config).toMatchObject({
      routes: [{ pipeline: '*-infra', destinations: ['ops'] }],
      defaults: ['slack'],
      timeoutMs: 2_000,
      attempts: 3,
      allowedHosts: DEFAULT_WEBHOOK_HOSTS,
    });
  });

  it('reads every variable of the contract, each under one setting', () => {
    expect(Object.values(SETTINGS).map(([variable]) => variable)).toEqual([
      'NOTIFY_PIPELINE_STATES',
      'NOTIFY_STAGE_STATES',
      'NOTIFY_ACTION_STATES',
      'SLACK_WEBHOOK_URL',
      'SLACK_WEBHOOK_PARAMETER',
      'SLACK_WEBHOOK_SECRET',
      'TEAMS_WEBHOOK_URL',
      'TEAMS_WEBHOOK_PARAMETER',
      'TEAMS_WEBHOOK_SECRET',
      'DESTINATIONS',
      'ROUTES',
      'DEFAULT_DESTINATIONS',
      'WEBHOOK_TIMEOUT_MS',
      'DELIVERY_ATTEMPTS',
      'WEBHOOK_ALLOWED_HOSTS',
    ]);
  });

  it('fails with a ConfigError when a destination is wrong', () => {
    expect(() =>
      loadConfig({ ROUTES: JSON.stringify([{ pipeline: '*', destinations: ['nowhere'] }]) }),
    ).toThrow(ConfigError);
    expect(() => loadConfig({ DELIVERY_ATTEMPTS: '0' })).toThrow(
      'Invalid configuration: DELIVERY_ATTEMPTS: must be at least 1',
    );
  });
});
