import { ValidationError } from '@nightshift/runtime';
import * as z from 'zod/mini';
import type { Config } from './config.ts';
import { environmentIssue } from './environment.ts';

const ACTIONS = ['scale_down', 'scale_up', 'check'] as const;
/** The run of per-resource schedules: every resource tagged `nightshift:schedule`, no environment. */
export const RECONCILE = 'reconcile';
/** The original snippets' action names, which imply the staging environment. */
const ALIASES = { scale_down_staging: 'scale_down', scale_up_staging: 'scale_up' } as const;

const isAlias = (action: string): action is keyof typeof ALIASES => action in ALIASES;

/** Jobs the original infrastructure script did that another function does now. */
const MOVED: Record<string, string> = {
  cleanup_old_snapshots:
    "is snapshot-cleanup's job now: point this schedule at the snapshot-cleanup function",
};

const ACTION_NAMES: readonly string[] = [...ACTIONS, RECONCILE, ...Object.keys(ALIASES)];

/**
 * The event schema for a function configured to scale `scaledEnvironments`
 * (`SCALED_ENVIRONMENTS`; empty: any name that is not production-like):
 * `{"action": "scale_down" | "scale_up" | "check", "environment": "staging", "dryRun"?: true}`
 * (a left-out action is check, and a check without environment checks staging),
 * or the aliases `scale_down_staging` / `scale_up_staging` with no environment, or
 * `{"action": "reconcile", "dryRun"?: true}`, which names no environment (the schedules
 * apply to every resource tagged `nightshift:schedule`). An environment the function may
 * not scale, an alias's `staging` included, is refused naming `environment`.
 *
 * @example
 * const schema = eventSchemaFor({ scaledEnvironments: ['staging', 'dev'] });
 */
export const eventSchemaFor = ({ scaledEnvironments }: Pick<Config, 'scaledEnvironments'>) =>
  z
    .looseObject({
      // Left out, it is check, as the original script took it.
      action: z._default(
        z.string('must be a string').check(
          z.superRefine((action, context) => {
            if (ACTION_NAMES.includes(action)) return;
            context.addIssue({
              code: 'custom',
              input: action,
              message:
                (Object.hasOwn(MOVED, action) ? MOVED[action] : undefined) ??
                'must be one of scale_down, scale_up, check, reconcile (or scale_down_staging, scale_up_staging)',
            });
          }),
        ),
        'check',
      ),
      environment: z.optional(
        z
          .string('must be a string')
          .check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(256)),
      ),
      dryRun: z.optional(z.boolean('must be true or false')),
    })
    .check(
      z.refine((event) => hasEnvironment(event.action) || event.environment !== undefined, {
        message: 'is required: the value of the Environment tag to act on',
        path: ['environment'],
      }),
      z.refine((event) => event.action !== RECONCILE || event.environment === undefined, {
        message:
          'must be left out with reconcile: it acts on every resource tagged nightshift:schedule, by its schedule',
        path: ['environment'],
      }),
      z.refine(
        (event) =>
          !isAlias(event.action) ||
          event.environment === undefined ||
          event.environment === 'staging',
        { message: 'must be staging (or left out) with a *_staging action', path: ['environment'] },
      ),
      z.superRefine((event, context) => {
        const environment = isAlias(event.action) ? 'staging' : environmentOf(event);
        if (environment === undefined) return;
        const message = environmentIssue(environment, scaledEnvironments);
        if (message) context.addIssue({ code: 'custom', message, path: ['environment'] });
      }),
    );

/** An idle check with no environment checks staging, as the original script's did. */
const DEFAULT_CHECK_ENVIRONMENT = 'staging';

/** Whether an action needs no environment in the event: the aliases, the idle check, reconcile. */
const hasEnvironment = (action: string): boolean =>
  isAlias(action) || action === 'check' || action === RECONCILE;

const environmentOf = (event: { action: string; environment?: string | undefined }) =>
  event.action === RECONCILE
    ? undefined
    : (event.environment ?? (event.action === 'check' ? DEFAULT_CHECK_ENVIRONMENT : undefined));

/** The schema with no `SCALED_ENVIRONMENTS`: any plain name that is not production-like. */
export const EventSchema = eventSchemaFor({ scaledEnvironments: [] });

export type ScalerEvent = z.infer<typeof EventSchema>;
export type ScalerAction = (typeof ACTIONS)[number];

/**
 * Whether the event asks for the run of per-resource schedules.
 *
 * @example
 * isReconcile({ action: 'reconcile' }); // true
 */
export const isReconcile = (event: ScalerEvent): boolean => event.action === RECONCILE;

/**
 * The action and environment an event asks for, aliases resolved (never for reconcile,
 * which names no environment).
 *
 * @example
 * resolveAction({ action: 'scale_down_staging' }); // { action: 'scale_down', environment: 'staging' }
 */
export const resolveAction = (
  event: ScalerEvent,
): { action: ScalerAction; environment: string } => {
  if (isAlias(event.action)) return { action: ALIASES[event.action], environment: 'staging' };
  if (event.action === RECONCILE)
    throw new ValidationError('event', [
      { path: 'action', message: 'reconcile names no environment: run it as a reconcile' },
    ]);
  const environment = environmentOf(event);
  // The schema requires it already; an event built by hand without one is refused, never
  // turned into an empty tag value.
  if (environment === undefined)
    throw new ValidationError('event', [{ path: 'environment', message: 'is required' }]);
  return { action: event.action as ScalerAction, environment };
};
