import {
  checkWebhookUrl,
  DEFAULT_WEBHOOK_HOSTS,
  type DeliveryError,
  type Destination,
  HOST_PATTERN,
} from '@nightshift/delivery';
import {
  ConfigError,
  envInteger,
  envJson,
  envList,
  type FieldIssue,
  parseEnv,
} from '@nightshift/runtime';
import * as z from 'zod/mini';

export type { Destination } from '@nightshift/delivery';

/** Pipeline-name pattern (`*` wildcards) → destination names; the first matching route wins. */
export interface Route {
  pipeline: string;
  destinations: string[];
}

/** The function's settings, read once per container. */
export interface Config {
  /** The states that notify, upper case, per level of event. */
  notify: Record<'pipeline' | 'stage' | 'action', Set<string>>;
  /** Every destination defined, by name. */
  destinations: Map<string, Destination>;
  routes: Route[];
  /** The destinations of a pipeline no route matches. */
  defaults: string[];
  /** Per attempt of a delivery. */
  timeoutMs: number;
  attempts: number;
  /** Where webhooks may go: the default hosts and those of WEBHOOK_ALLOWED_HOSTS. */
  allowedHosts: string[];
}

const text = () => z.optional(z.string('must be a string'));

const DestinationSpec = z.object(
  {
    kind: z.enum(['slack', 'teams'], 'must be slack or teams'),
    url: text(),
    parameter: text(),
    secret: text(),
  },
  'must be an object with kind and one of url, parameter, secret',
);

/** Environment of the function; with none of it set, nothing is sent (and it says so). */
export const NotifierEnvSchema = z.object({
  NOTIFY_PIPELINE_STATES: envList(['FAILED', 'SUCCEEDED', 'CANCELED', 'STOPPED']),
  NOTIFY_STAGE_STATES: envList([]),
  NOTIFY_ACTION_STATES: envList(['FAILED']),
  SLACK_WEBHOOK_URL: z.optional(z.string()),
  SLACK_WEBHOOK_PARAMETER: z.optional(z.string()),
  SLACK_WEBHOOK_SECRET: z.optional(z.string()),
  TEAMS_WEBHOOK_URL: z.optional(z.string()),
  TEAMS_WEBHOOK_PARAMETER: z.optional(z.string()),
  TEAMS_WEBHOOK_SECRET: z.optional(z.string()),
  DESTINATIONS: envJson(
    z.record(z.string(), DestinationSpec, 'must be an object of named destinations'),
    '{"payments": {"kind": "slack", "parameter": "/slack/payments"}}',
  ),
  ROUTES: envJson(
    z.array(
      z.object(
        {
          pipeline: z.string('must be a pipeline name pattern'),
          destinations: z.array(z.string('must be a destination name'), 'must be a list of names'),
        },
        'must be an object with pipeline and destinations',
      ),
      'must be a list of routes',
    ),
    '[{"pipeline": "payments-*", "destinations": ["payments"]}]',
  ),
  DEFAULT_DESTINATIONS: envList(),
  WEBHOOK_TIMEOUT_MS: envInteger({ default: 5_000, min: 100, max: 60_000 }),
  DELIVERY_ATTEMPTS: envInteger({ default: 4, min: 1, max: 10 }),
  WEBHOOK_ALLOWED_HOSTS: envList(),
});

/** How a destination name is shown in an error: as it is only when it looks like a name. */
const shown = (name: string) =>
  /^[\w.-]{1,64}$/.test(name) ? name : '(a name that is not a name)';

/**
 * Reads the environment: the built-in `slack` and `teams` destinations (from
 * `*_WEBHOOK_URL`, `*_WEBHOOK_PARAMETER` or `*_WEBHOOK_SECRET`), any named `DESTINATIONS`,
 * `ROUTES` and the default destinations, checking that every name a route uses exists
 * and every destination has exactly one source.
 *
 * @example
 * const config = loadConfig({ SLACK_WEBHOOK_PARAMETER: '/nightshift/slack-webhook' });
 */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => {
  const config = parseEnv(NotifierEnvSchema, env);
  const builtIn = (kind: 'slack' | 'teams', prefix: 'SLACK' | 'TEAMS'): Destination | undefined => {
    const url = config[`${prefix}_WEBHOOK_URL`];
    const parameter = config[`${prefix}_WEBHOOK_PARAMETER`];
    const secret = config[`${prefix}_WEBHOOK_SECRET`];
    if (!url && !parameter && !secret) return undefined;
    return {
      name: kind,
      kind,
      ...(url ? { url } : {}),
      ...(parameter ? { parameter } : {}),
      ...(secret ? { secret } : {}),
    };
  };
  const destinations = new Map<string, Destination>();
  for (const destination of [builtIn('slack', 'SLACK'), builtIn('teams', 'TEAMS')]) {
    if (destination) destinations.set(destination.name, destination);
  }
  for (const [name, spec] of Object.entries(config.DESTINATIONS ?? {}))
    destinations.set(name, { name, ...spec });

  const problems: FieldIssue[] = [];
  const extraHosts = config.WEBHOOK_ALLOWED_HOSTS.map((host) => host.toLowerCase());
  const badHosts = extraHosts.filter((host) => !HOST_PATTERN.test(host)).length;
  if (badHosts > 0) {
    problems.push({
      path: 'WEBHOOK_ALLOWED_HOSTS',
      message: `${badHosts} entr${badHosts === 1 ? 'y is' : 'ies are'} not a host name or *.domain`,
    });
  }
  const allowedHosts = [...DEFAULT_WEBHOOK_HOSTS, ...extraHosts];
  for (const destination of destinations.values()) {
    const sources = [destination.url, destination.parameter, destination.secret].filter(
      Boolean,
    ).length;
    const variable =
      destination.name === 'slack' || destination.name === 'teams'
        ? `${destination.name.toUpperCase()}_WEBHOOK_`
        : undefined;
    if (sources !== 1) {
      problems.push({
        path: variable ? `${variable}*` : 'DESTINATIONS',
        message: `destination ${shown(destination.name)} needs exactly one of url, parameter, secret (has ${sources})`,
      });
    } else if (destination.url) {
      try {
        checkWebhookUrl(shown(destination.name), destination.url, allowedHosts);
      } catch (error) {
        problems.push({
          path: variable ? `${variable}URL` : 'DESTINATIONS',
          message: (error as DeliveryError).message,
        });
      }
    }
  }
  const routes: Route[] = config.ROUTES ?? [];
  // Unset: every destination defined.
  const defaults =
    config.DEFAULT_DESTINATIONS.length > 0 ? config.DEFAULT_DESTINATIONS : [...destinations.keys()];
  for (const name of [...routes.flatMap((route) => route.destinations), ...defaults]) {
    if (!destinations.has(name)) {
      problems.push({
        path: 'ROUTES',
        message: `destination ${shown(name)} is used but not defined`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    notify: {
      pipeline: new Set(config.NOTIFY_PIPELINE_STATES.map((state) => state.toUpperCase())),
      stage: new Set(config.NOTIFY_STAGE_STATES.map((state) => state.toUpperCase())),
      action: new Set(config.NOTIFY_ACTION_STATES.map((state) => state.toUpperCase())),
    },
    destinations,
    routes,
    defaults,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    attempts: config.DELIVERY_ATTEMPTS,
    allowedHosts,
  };
};

const globToRegExp = (glob: string) =>
  new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

/**
 * The destinations of a pipeline: those of the first route whose pattern matches its
 * name, else the defaults.
 *
 * @example
 * routeFor(config, 'payments-prod'); // [{ name: 'payments', kind: 'slack', ... }]
 */
export const routeFor = (
  config: Pick<Config, 'routes' | 'defaults' | 'destinations'>,
  pipeline: string,
): Destination[] => {
  const route = config.routes.find((candidate) => globToRegExp(candidate.pipeline).test(pipeline));
  return (route?.destinations ?? config.defaults).flatMap((name) => {
    const destination = config.destinations.get(name);
    return destination ? [destination] : [];
  });
};
