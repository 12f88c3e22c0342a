import * as z from 'zod/mini';

const ACTIONS = ['scale_down', 'scale_up', 'check'] as const;
/** The original snippets' action names, which imply the staging environment. */
const ALIASES = { scale_down_staging: 'scale_down', scale_up_staging: 'scale_up' } as const;

/**
 * `{"action": "scale_down" | "scale_up" | "check", "environment": "staging", "dryRun"?: true}`,
 * or the aliases `scale_down_staging` / `scale_up_staging` with no environment.
 */
export const ScalerEventSchema = z
  .looseObject({
    action: z.enum(
      [...ACTIONS, ...(Object.keys(ALIASES) as (keyof typeof ALIASES)[])],
      'must be one of scale_down, scale_up, check (or scale_down_staging, scale_up_staging)',
    ),
    environment: z.optional(
      z
        .string('must be a string')
        .check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(256)),
    ),
    dryRun: z.optional(z.boolean('must be true or false')),
  })
  .check(
    z.refine((event) => event.action in ALIASES || event.environment !== undefined, {
      message: 'is required: the value of the Environment tag to act on',
      path: ['environment'],
    }),
    z.refine(
      (event) =>
        !(event.action in ALIASES) ||
        event.environment === undefined ||
        event.environment === 'staging',
      { message: 'must be staging (or left out) with a *_staging action', path: ['environment'] },
    ),
  );

export type ScalerEvent = z.infer<typeof ScalerEventSchema>;
export type ScalerAction = (typeof ACTIONS)[number];

/**
 * The action and environment an event asks for, aliases resolved.
 *
 * @example
 * resolveAction({ action: 'scale_down_staging' }); // { action: 'scale_down', environment: 'staging' }
 */
export const resolveAction = (
  event: ScalerEvent,
): { action: ScalerAction; environment: string } => {
  if (event.action in ALIASES) {
    return { action: ALIASES[event.action as keyof typeof ALIASES], environment: 'staging' };
  }
  return { action: event.action as ScalerAction, environment: event.environment ?? '' };
};
