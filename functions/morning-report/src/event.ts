import * as z from 'zod/mini';

/**
 * A scheduled event: `dryRun`, when present, previews one run. Other fields (EventBridge
 * Scheduler's envelope) are ignored.
 */
export const EventSchema = z.looseObject({
  dryRun: z.optional(z.boolean('must be true or false')),
});

export type MorningReportEvent = z.infer<typeof EventSchema>;
