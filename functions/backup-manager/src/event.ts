import { DAY_MS, ValidationError } from '@nightshift/runtime';
import * as z from 'zod/mini';

/** How far a scheduled time may lie ahead of the function's clock: clock skew, no more. */
export const MAX_SCHEDULE_AHEAD_MS = 15 * 60_000;
/**
 * How far a scheduled time may lie behind the function's clock: the retry window of the
 * schedule (EventBridge Scheduler retries for up to 24 hours) and of the function.
 */
export const MAX_SCHEDULE_AGE_MS = DAY_MS;

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
 * read too. The scheduled time, not the clock, says which day a run backs up. A left-out
 * `backup_type` is `all`, as the original backup script took it.
 */
export const EventSchema = z.looseObject({
  backup_type: z._default(z.enum(['all', 'ec2', 'rds'], 'must be one of all, ec2, rds'), 'all'),
  // Required, though the original script took production when it was left out: a test
  // event sent by hand to another environment's stack must not expire production's backups.
  environment: z
    .string(
      'is required: the value of the Environment tag to back up (the original script took production when it was left out; name it)',
    )
    .check(
      z.trim(),
      z.minLength(1, 'must not be empty'),
      z.maxLength(256, 'must be at most 256 characters'),
    ),
  dryRun: z.optional(z.boolean('must be true or false')),
  scheduledTime: isoTime('the schedule’s <aws.scheduler.scheduled-time>'),
  time: isoTime('the scheduled event’s time'),
});

export type BackupEvent = z.infer<typeof EventSchema>;

/**
 * The time a run was scheduled for: the event's `scheduledTime`, else its `time`, else
 * `now` (an event sent by hand). A time more than 15 minutes ahead of `now` cannot be when
 * a schedule fired, and would name a backup day that has not come; one more than 24 hours
 * behind `now` is past the retry window, a delivery of a day whose retries are over: each
 * is a `ValidationError` naming the field. A past one within the window is taken as it is
 * (a retried event backs up the day it was for).
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
  if (now.getTime() - at.getTime() > MAX_SCHEDULE_AGE_MS) {
    throw new ValidationError('event', [
      {
        path: field,
        message: `is ${stamp}, earlier than the function's clock (${now.toISOString()}) by more than 24 hours: past the retry window, nothing is backed up for that day now`,
      },
    ]);
  }
  return at;
};
