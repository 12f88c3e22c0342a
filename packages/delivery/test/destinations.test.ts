import { ConfigError } from '@nightshift/runtime';
import { SECRET_SAMPLES } from '@nightshift/testing';
import { describe, expect, it } from 'vitest';
import { DEFAULT_WEBHOOK_HOSTS } from '../src/deliver.ts';
import { loadDestinations, routeFor } from '../src/destinations.ts';

const slackSample = SECRET_SAMPLES.find((sample) => sample.kind === 'Slack webhook');
if (!slackSample) throw new Error('the secret samples have no Slack webhook');
/** A webhook URL as an operator would paste it, and the part of it that is the credential. */
const webhook = `https://hooks.slack.com/${slackSample.secret}`;
const credential = slackSample.secret;

const configError = (env: Record<string, string>) => {
  try {
    loadDestinations(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('no ConfigError');
};

describe('Destination configuration errors', () => {
  it.each([
    [
      'a destination of an unknown kind',
      { DESTINATIONS: JSON.stringify({ ops: { kind: 'email', url: webhook } }) },
      'Invalid configuration: DESTINATIONS.ops.kind: must be slack or teams',
    ],
    [
      'a destination that is not an object',
      { DESTINATIONS: JSON.stringify({ ops: webhook }) },
      'Invalid configuration: DESTINATIONS.ops: must be an object with kind and one of url, parameter, secret',
    ],
    [
      'destinations that are a list',
      { DESTINATIONS: JSON.stringify([webhook]) },
      'Invalid configuration: DESTINATIONS: must be an object of named destinations',
    ],
    [
      'destinations that are not JSON',
      { DESTINATIONS: `ops=${webhook}` },
      'Invalid configuration: DESTINATIONS: must be JSON, like {"payments": {"kind": "slack", "parameter": "/slack/payments"}}',
    ],
    [
      'a destination with two sources',
      { DESTINATIONS: JSON.stringify({ ops: { kind: 'slack', url: webhook, parameter: '/p' } }) },
      'Invalid configuration: DESTINATIONS: destination ops needs exactly one of url, parameter, secret (has 2)',
    ],
    [
      'a webhook URL in a number',
      { SLACK_WEBHOOK_URL: webhook, WEBHOOK_TIMEOUT_MS: webhook },
      'Invalid configuration: WEBHOOK_TIMEOUT_MS: must be a whole number',
    ],
    [
      'a webhook URL as a route destination',
      {
        SLACK_WEBHOOK_URL: webhook,
        ROUTES: JSON.stringify([{ pipeline: '*', destinations: [webhook] }]),
      },
      'Invalid configuration: ROUTES: destination (a name that is not a name) is used but not defined',
    ],
    [
      'a webhook URL as a destination name',
      { DESTINATIONS: JSON.stringify({ [webhook]: { kind: 'slack' } }) },
      'Invalid configuration: DESTINATIONS: destination (a name that is not a name) needs exactly one of url, parameter, secret (has 0)',
    ],
    [
      'a destination source that is not a string',
      { DESTINATIONS: JSON.stringify({ ops: { kind: 'slack', url: 443 } }) },
      'Invalid configuration: DESTINATIONS.ops.url: must be a string',
    ],
    [
      'a route that is not an object',
      { SLACK_WEBHOOK_URL: webhook, ROUTES: JSON.stringify([webhook]) },
      'Invalid configuration: ROUTES[0]: must be an object with pipeline and destinations',
    ],
  ])('says what is wrong with %s, never the webhook URL', (_case, env, message) => {
    // Act
    const error = configError(env);

    // Assess
    expect(error.message).toBe(message);
    expect(`${error.message} ${JSON.stringify(error.issues)} ${String(error.stack)}`).not.toContain(
      credential,
    );
  });

  it('refuses a webhook URL to a host that is not allowed, naming the host only', () => {
    // Act
    const error = configError({
      SLACK_WEBHOOK_URL: 'https://collector.example.com/services/T0/B0/secret-path',
      DESTINATIONS: JSON.stringify({
        ops: { kind: 'teams', url: 'http://example.org/secret-path' },
      }),
    });

    // Assess
    expect(error.issues).toEqual([
      {
        path: 'SLACK_WEBHOOK_URL',
        message:
          'slack: the webhook host collector.example.com is not one of the allowed hosts (WEBHOOK_ALLOWED_HOSTS)',
      },
      {
        path: 'DESTINATIONS',
        message:
          'ops: the webhook URL must be https (plain http only to a loopback host), not http:',
      },
    ]);
    expect(error.message).not.toContain('secret-path');
  });

  it('names the Teams variables of a problem of the built-in teams destination', () => {
    // Act
    const twoSources = configError({
      TEAMS_WEBHOOK_URL: 'https://prod-01.westeurope.logic.azure.com/workflows/a',
      TEAMS_WEBHOOK_SECRET: 'nightshift/teams-webhook',
    });
    const badHost = configError({ TEAMS_WEBHOOK_URL: 'https://collector.example.com/x' });

    // Assess
    expect(twoSources.issues).toEqual([
      {
        path: 'TEAMS_WEBHOOK_*',
        message: 'destination teams needs exactly one of url, parameter, secret (has 2)',
      },
    ]);
    expect(badHost.issues).toEqual([
      {
        path: 'TEAMS_WEBHOOK_URL',
        message:
          'teams: the webhook host collector.example.com is not one of the allowed hosts (WEBHOOK_ALLOWED_HOSTS)',
      },
    ]);
  });

  it('adds the hosts of WEBHOOK_ALLOWED_HOSTS to the known webhook hosts', () => {
    // Act
    const config = loadDestinations({
      SLACK_WEBHOOK_URL: 'https://chat.example.com/hooks/x',
      WEBHOOK_ALLOWED_HOSTS: 'Chat.Example.com, *.hooks.example.net',
    });

    // Assess
    expect(config.allowedHosts).toEqual([
      ...DEFAULT_WEBHOOK_HOSTS,
      'chat.example.com',
      '*.hooks.example.net',
    ]);
    expect(loadDestinations({}).allowedHosts).toEqual(DEFAULT_WEBHOOK_HOSTS);
  });

  it('refuses an entry of WEBHOOK_ALLOWED_HOSTS that is not a host, without quoting it', () => {
    // Act
    const error = configError({
      WEBHOOK_ALLOWED_HOSTS: `chat.example.com, ${webhook}, *, *.com.`,
    });

    // Assess
    expect(error.message).toBe(
      'Invalid configuration: WEBHOOK_ALLOWED_HOSTS: 3 entries are not a host name or *.domain',
    );
    expect(configError({ WEBHOOK_ALLOWED_HOSTS: 'https://chat.example.com' }).message).toBe(
      'Invalid configuration: WEBHOOK_ALLOWED_HOSTS: 1 entry is not a host name or *.domain',
    );
  });
});

describe('Routing', () => {
  it('sends each pipeline to the destinations of the first matching pattern, and the rest to the defaults', () => {
    // Prepare
    const config = loadDestinations({
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/default',
      DESTINATIONS: JSON.stringify({
        payments: { kind: 'slack', parameter: '/slack/payments' },
        ops: { kind: 'teams', secret: 'teams/ops' },
      }),
      ROUTES: JSON.stringify([
        { pipeline: 'payments-*', destinations: ['payments', 'ops'] },
        { pipeline: '*-infra', destinations: ['ops'] },
      ]),
      DEFAULT_DESTINATIONS: 'slack',
    });

    // Act & Assess
    expect(routeFor(config, 'payments-api').map((d) => d.name)).toEqual(['payments', 'ops']);
    expect(routeFor(config, 'network-infra').map((d) => d.name)).toEqual(['ops']);
    expect(routeFor(config, 'website').map((d) => d.name)).toEqual(['slack']);
  });

  it('leaves out a name without a destination in a configuration not read by loadDestinations', () => {
    // Prepare: built by hand, where nothing checked the names.
    const slack = { name: 'slack', kind: 'slack' as const, parameter: '/slack' };
    const config = {
      destinations: new Map([['slack', slack]]),
      routes: [{ pipeline: 'payments-*', destinations: ['gone', 'slack'] }],
      defaults: ['gone'],
    };

    // Act & Assess
    expect(routeFor(config, 'payments-api')).toEqual([slack]);
    expect(routeFor(config, 'website')).toEqual([]);
  });

  it('rejects a route to an unknown destination and a destination with two sources', () => {
    expect(() =>
      loadDestinations({
        SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/a',
        SLACK_WEBHOOK_PARAMETER: '/slack',
        ROUTES: JSON.stringify([{ pipeline: '*', destinations: ['nowhere'] }]),
      }),
    ).toThrow(
      /SLACK_WEBHOOK_\*: destination slack needs exactly one of url, parameter, secret \(has 2\).*ROUTES: destination nowhere is used but not defined/,
    );
  });
});

describe('Destinations', () => {
  it('has none, and the default delivery settings, when nothing is set', () => {
    // Act
    const config = loadDestinations({});

    // Assess
    expect([...config.destinations.keys()]).toEqual([]);
    expect(config).toMatchObject({ routes: [], defaults: [], timeoutMs: 5_000, attempts: 4 });
    expect(routeFor(config, 'payments-api')).toEqual([]);
  });

  it('reads the built-in destinations from a parameter or a secret, and sends every name to all of them by default', () => {
    // Act
    const config = loadDestinations({
      SLACK_WEBHOOK_PARAMETER: '/nightshift/slack-webhook',
      TEAMS_WEBHOOK_SECRET: 'nightshift/teams-webhook',
      WEBHOOK_TIMEOUT_MS: '1000',
      DELIVERY_ATTEMPTS: '2',
    });

    // Assess
    expect([...config.destinations.values()]).toEqual([
      { name: 'slack', kind: 'slack', parameter: '/nightshift/slack-webhook' },
      { name: 'teams', kind: 'teams', secret: 'nightshift/teams-webhook' },
    ]);
    expect(config).toMatchObject({ defaults: ['slack', 'teams'], timeoutMs: 1_000, attempts: 2 });
    expect(routeFor(config, 'anything').map((d) => d.name)).toEqual(['slack', 'teams']);
  });

  it('matches a pattern as a whole name, its dots as dots', () => {
    // Prepare
    const config = loadDestinations({
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/default',
      TEAMS_WEBHOOK_URL: 'https://prod-01.westeurope.logic.azure.com/workflows/b',
      ROUTES: JSON.stringify([{ pipeline: 'api.v2-*', destinations: ['teams'] }]),
      DEFAULT_DESTINATIONS: 'slack',
    });

    // Act & Assess
    expect(routeFor(config, 'api.v2-prod').map((d) => d.name)).toEqual(['teams']);
    expect(routeFor(config, 'apixv2-prod').map((d) => d.name)).toEqual(['slack']);
    expect(routeFor(config, 'old-api.v2-prod').map((d) => d.name)).toEqual(['slack']);
  });
});
