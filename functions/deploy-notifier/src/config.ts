import { DESTINATION_SETTINGS, type Destinations, resolveDestinations } from '@nightshift/delivery';
import { envList, parseSettings, type SettingsSpec } from '@nightshift/runtime';
import type { EventLevel } from './event.ts';

/**
 * The function's settings, each read from its environment variable (the names are a
 * contract): the states that notify, and the chat destinations of `@nightshift/delivery`
 * (`SLACK_WEBHOOK_*`, `TEAMS_WEBHOOK_*`, `DESTINATIONS`, `ROUTES`, `DEFAULT_DESTINATIONS`,
 * `WEBHOOK_TIMEOUT_MS`, `DELIVERY_ATTEMPTS`, `WEBHOOK_ALLOWED_HOSTS`). With no destination
 * set, nothing is sent (and it says so).
 */
export const SETTINGS = {
  /** `NOTIFY_PIPELINE_STATES`: the pipeline states that notify, comma-separated. */
  notifyPipelineStates: [
    'NOTIFY_PIPELINE_STATES',
    envList(['FAILED', 'SUCCEEDED', 'CANCELED', 'STOPPED']),
  ],
  /** `NOTIFY_STAGE_STATES`: the stage states that notify (none by default). */
  notifyStageStates: ['NOTIFY_STAGE_STATES', envList([])],
  /** `NOTIFY_ACTION_STATES`: the action states that notify. */
  notifyActionStates: ['NOTIFY_ACTION_STATES', envList(['FAILED'])],
  ...DESTINATION_SETTINGS,
} as const satisfies SettingsSpec;

/** The function's settings, read once per container: its destinations and what notifies. */
export interface Config extends Destinations {
  /** The states that notify, upper case, per level of event. */
  notify: Record<EventLevel, Set<string>>;
}

const upperCase = (states: readonly string[]) =>
  new Set(states.map((state) => state.toUpperCase()));

/**
 * Reads and validates the environment (throws `ConfigError` naming every bad variable),
 * then checks the destinations together: every destination has exactly one source, a
 * plain URL goes to an allowed host, every name a route uses exists.
 *
 * @example
 * const config = loadConfig({ SLACK_WEBHOOK_PARAMETER: '/nightshift/slack-webhook' });
 */
export const loadConfig = (env: Record<string, string | undefined> = process.env): Config => {
  const settings = parseSettings(SETTINGS, env);
  return {
    notify: {
      pipeline: upperCase(settings.notifyPipelineStates),
      stage: upperCase(settings.notifyStageStates),
      action: upperCase(settings.notifyActionStates),
    },
    ...resolveDestinations(settings),
  };
};
