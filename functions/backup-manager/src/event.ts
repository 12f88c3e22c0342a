import * as z from 'zod/mini';

const isoTime = (what: string) =>
  z.optional(
    z.iso.datetime({
      offset: true,
      message: `must be an ISO 8601 date and time (${what})`,
    }),
  );

/**
 * `{"backup_type": "all" | "ec2" | "rds", "environment": "production", "dryRun"?: true,
 * "scheduledTime"?: "2026-11-28T01:00:00Z"}`; an EventBridge scheduled event's `time` is
 * read too. The scheduled time, not the clock, says which day a run backs up.
 */
export const BackupEventSchema = z.looseObject({
  backup_type: z.enum(['all', 'ec2', 'rds'], 'must be one of all, ec2, rds'),
  environment: z
    .string('is required: the value of the Environment tag to back up')
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(256, 'must be at most 256 characters'),
    ),
  dryRun: z.optional(z.boolean('must be true or false')),
  scheduledTime: isoTime('the schedule’s <aws.scheduler.scheduled-time>'),
  time: isoTime('the scheduled event’s time'),
});

export type BackupEvent = z.infer<typeof BackupEventSchema>;

/**
 * The time a run was scheduled for: the event's `scheduledTime`, else its `time`, else
 * `now` (an event sent by hand).
 *
 * @example
 * scheduledAt({ backup_type: 'all', environment: 'production', scheduledTime: '2026-11-28T01:00:00Z' }, new Date()); // 2026-11-28T01:00:00Z
 */
export const scheduledAt = (event: BackupEvent, now: Date): Date => {
  const stamp = event.scheduledTime ?? event.time;
  return stamp ? new Date(stamp) : now;
};
