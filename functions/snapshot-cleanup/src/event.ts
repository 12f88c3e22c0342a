import * as z from 'zod/mini';

/**
 * Any scheduled event; these two fields, when present, override the configuration for
 * one run. Other fields (EventBridge's envelope) are ignored.
 */
export const EventSchema = z.looseObject({
  retentionDays: z.optional(
    z
      .int('must be a whole number of days')
      .check(
        z.minimum(1, 'must be at least 1 day'),
        z.maximum(36_500, 'must be at most 36500 days'),
      ),
  ),
  dryRun: z.optional(z.boolean('must be true or false')),
});

export type CleanupEvent = z.infer<typeof EventSchema>;
