import {
  ConfigError,
  envInteger,
  envJson,
  envList,
  type FieldIssue,
  parseSettings,
  type Settings,
  type SettingsSpec,
} from '@nightshift/runtime';
import * as z from 'zod/mini';
import {
  checkWebhookUrl,
  DEFAULT_WEBHOOK_HOSTS,
  type DeliveryError,
  HOST_PATTERN,
} from './deliver.ts';
import type { ChatKind, Destination } from './webhooks.ts';

/**
 * A name pattern (`*` wildcards) → destination names; the first matching route wins. The
 * pattern's key is `pipeline`, as operators write it in `ROUTES`.
 */
export interface Route {
  pipeline: string;
  destinations: string[];
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

/**
 * Where chat messages go and how they are delivered, each setting read from its
 * environment variable (the names are a contract). A function spreads it into its own
 * settings, so that one `ConfigError` names every bad variable; with none of it set there
 * is no destination.
 */
export const DESTINATION_SETTINGS = {
  /** `SLACK_WEBHOOK_URL`, `_PARAMETER`, `_SECRET`: the built-in `slack` destination. */
  slackWebhookUrl: ['SLACK_WEBHOOK_URL', z.optional(z.string())],
  slackWebhookParameter: ['SLACK_WEBHOOK_PARAMETER', z.optional(z.string())],
  slackWebhookSecret: ['SLACK_WEBHOOK_SECRET', z.optional(z.string())],
  /** `TEAMS_WEBHOOK_URL`, `_PARAMETER`, `_SECRET`: the built-in `teams` destination. */
  teamsWebhookUrl: ['TEAMS_WEBHOOK_URL', z.optional(z.string())],
  teamsWebhookParameter: ['TEAMS_WEBHOOK_PARAMETER', z.optional(z.string())],
  teamsWebhookSecret: ['TEAMS_WEBHOOK_SECRET', z.optional(z.string())],
  /** `DESTINATIONS`: more named destinations. */
  destinations: [
    'DESTINATIONS',
    envJson(
      z.record(z.string(), DestinationSpec, 'must be an object of named destinations'),
      '{"payments": {"kind": "slack", "parameter": "/slack/payments"}}',
    ),
  ],
  /** `ROUTES`: name patterns to destinations, first match wins. */
  routes: [
    'ROUTES',
    envJson(
      z.array(
        z.object(
          {
            pipeline: z.string('must be a pipeline name pattern'),
            destinations: z.array(
              z.string('must be a destination name'),
              'must be a list of names',
            ),
          },
          'must be an object with pipeline and destinations',
        ),
        'must be a list of routes',
      ),
      '[{"pipeline": "payments-*", "destinations": ["payments"]}]',
    ),
  ],
  /** `DEFAULT_DESTINATIONS`: where a name no route matches goes (unset: every destination). */
  defaultDestinations: ['DEFAULT_DESTINATIONS', envList()],
  /** `WEBHOOK_TIMEOUT_MS`: per attempt of a delivery. */
  timeoutMs: ['WEBHOOK_TIMEOUT_MS', envInteger({ default: 5_000, min: 100, max: 60_000 })],
  /** `DELIVERY_ATTEMPTS`: attempts of a delivery, retries included. */
  attempts: ['DELIVERY_ATTEMPTS', envInteger({ default: 4, min: 1, max: 10 })],
  /** `WEBHOOK_ALLOWED_HOSTS`: hosts webhooks may go to besides the known webhook hosts. */
  allowedHosts: ['WEBHOOK_ALLOWED_HOSTS', envList()],
} as const satisfies SettingsSpec;

/** The settings `DESTINATION_SETTINGS` reads, before they are checked together. */
export type DestinationSettings = Settings<typeof DESTINATION_SETTINGS>;

/** Where chat messages go and how they are delivered, checked. */
export interface Destinations {
  /** Every destination defined, by name. */
  destinations: Map<string, Destination>;
  routes: Route[];
  /** The destinations of a name no route matches. */
  defaults: string[];
  /** Per attempt of a delivery. */
  timeoutMs: number;
  attempts: number;
  /** Where webhooks may go: the default hosts and those of WEBHOOK_ALLOWED_HOSTS. */
  allowedHosts: string[];
}

/** How a destination name is shown in an error: as it is only when it looks like a name. */
const shown = (name: string) =>
  /^[\w.-]{1,64}$/.test(name) ? name : '(a name that is not a name)';

/** The built-in destination of `kind`, from its `*_WEBHOOK_URL`, `_PARAMETER` or `_SECRET`. */
const builtIn = (
  kind: ChatKind,
  sources: { url: string | undefined; parameter: string | undefined; secret: string | undefined },
): Destination | undefined => {
  const { url, parameter, secret } = sources;
  if (!url && !parameter && !secret) return undefined;
  return {
    name: kind,
    kind,
    ...(url ? { url } : {}),
    ...(parameter ? { parameter } : {}),
    ...(secret ? { secret } : {}),
  };
};

/**
 * Checks the destination settings together: the built-in `slack` and `teams` destinations
 * (from `*_WEBHOOK_URL`, `*_WEBHOOK_PARAMETER` or `*_WEBHOOK_SECRET`), the named
 * `DESTINATIONS`, `ROUTES` and the default destinations; every destination must have
 * exactly one source, a plain URL must go to an allowed host, and every name a route uses
 * must exist. Throws a `ConfigError` naming each problem, never a URL.
 *
 * @example
 * const { destinations } = resolveDestinations(parseSettings(DESTINATION_SETTINGS, env));
 */
export const resolveDestinations = (settings: DestinationSettings): Destinations => {
  const destinations = new Map<string, Destination>();
  const builtIns = [
    builtIn('slack', {
      url: settings.slackWebhookUrl,
      parameter: settings.slackWebhookParameter,
      secret: settings.slackWebhookSecret,
    }),
    builtIn('teams', {
      url: settings.teamsWebhookUrl,
      parameter: settings.teamsWebhookParameter,
      secret: settings.teamsWebhookSecret,
    }),
  ];
  for (const destination of builtIns) {
    if (destination) destinations.set(destination.name, destination);
  }
  for (const [name, spec] of Object.entries(settings.destinations ?? {}))
    destinations.set(name, { name, ...spec });

  const problems: FieldIssue[] = [];
  const extraHosts = settings.allowedHosts.map((host) => host.toLowerCase());
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
  const routes: Route[] = settings.routes ?? [];
  // Unset: every destination defined.
  const defaults =
    settings.defaultDestinations.length > 0
      ? settings.defaultDestinations
      : [...destinations.keys()];
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
    destinations,
    routes,
    defaults,
    timeoutMs: settings.timeoutMs,
    attempts: settings.attempts,
    allowedHosts,
  };
};

/**
 * Reads and checks the destination settings on their own (a function with settings of its
 * own spreads `DESTINATION_SETTINGS` into them and calls `resolveDestinations`).
 *
 * @example
 * const destinations = loadDestinations({ SLACK_WEBHOOK_PARAMETER: '/nightshift/slack-webhook' });
 */
export const loadDestinations = (
  env: Record<string, string | undefined> = process.env,
): Destinations => resolveDestinations(parseSettings(DESTINATION_SETTINGS, env));

const globToRegExp = (glob: string) =>
  new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

/**
 * The destinations of a name (a pipeline's): those of the first route whose pattern
 * matches it, else the defaults.
 *
 * @example
 * routeFor(destinations, 'payments-prod'); // [{ name: 'payments', kind: 'slack', ... }]
 */
export const routeFor = (
  config: Pick<Destinations, 'routes' | 'defaults' | 'destinations'>,
  name: string,
): Destination[] => {
  const route = config.routes.find((candidate) => globToRegExp(candidate.pipeline).test(name));
  return (route?.destinations ?? config.defaults).flatMap((destinationName) => {
    const destination = config.destinations.get(destinationName);
    return destination ? [destination] : [];
  });
};
