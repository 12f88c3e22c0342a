import { ValidationError } from '@nightshift/middleware';
import * as z from 'zod/mini';

/** How far a scheduled time may lie ahead of the function's clock: clock skew, no more. */
export const MAX_SCHEDULE_AHEAD_MS = 15 * 60_000;

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
 * `now` (an event sent by hand). A time more than 15 minutes ahead of `now` cannot be when
 * a schedule fired, and would name a backup day that has not come: it is a `ValidationError`.
 * A past one is taken as it is (a retried or redriven event backs up the day it was for).
 *
 * @example
 * scheduledAt({ backup_type: 'all', environment: 'production', scheduledTime: '2026-11-28T01:00:00Z' }, new Date()); // 2026-11-28T01:00:00Z
 */
export const scheduledAt = (event: BackupEvent, now: Date): Date => {
  const field = event.scheduledTime === undefined ? 'time' : 'scheduledTime';
  const stamp = event.scheduledTime ?? event.time;
  if (stamp === undefined) return now;
  const at = new Date(stamp);
  if (at.getTime() - now.getTime() > MAX_SCHEDULE_AHEAD_MS) {
    throw new ValidationError('event', [
      {
        path: field,
        message: `is ${stamp}, later than the function's clock (${now.toISOString()}) by more than 15 minutes: a schedule cannot fire in the future`,
      },
    ]);
  }
  return at;
};
