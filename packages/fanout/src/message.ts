import { randomUUID } from 'node:crypto';
import { parseOrThrow, ValidationError } from '@nightshift/runtime';
import * as z from 'zod/mini';
import type { Target } from './types.ts';

/** The message format's version. */
export const MESSAGE_VERSION = 1;

/** A 12-digit AWS account id. */
export const ACCOUNT_ID = /^\d{12}$/;
/** A region name (`eu-west-1`, `us-gov-west-1`). */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The work of one target in a run. */
export interface TargetMessage {
  v: 1;
  kind: 'target';
  runId: string;
  function: string;
  target: Target;
  /** The scheduled event the run was started with, given to the job as it is. */
  event: Record<string, unknown>;
  /** ISO 8601 (UTC): when the run's summary is published even if targets are missing. */
  deadline: string;
}

/** The deadline check of a run: publishes the summary once the deadline passed. */
export interface DeadlineMessage {
  v: 1;
  kind: 'deadline';
  runId: string;
  function: string;
  deadline: string;
}

export type FanoutMessage = TargetMessage | DeadlineMessage;

const isIsoUtc = (text: string): boolean => {
  const time = Date.parse(text);
  return !Number.isNaN(time) && new Date(time).toISOString() === text;
};

const common = {
  v: z.literal(MESSAGE_VERSION, `v must be ${MESSAGE_VERSION}`),
  runId: z
    .string('runId must be text')
    .check(z.minLength(1, 'runId must not be empty'), z.maxLength(512, 'runId is too long')),
  function: z
    .string('function must be text')
    .check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'function must be a function name')),
  deadline: z
    .string('deadline must be a time')
    .check(
      z.refine(isIsoUtc, { message: 'deadline must be an ISO 8601 time in UTC (toISOString)' }),
    ),
};

const TargetSchema = z.object(
  {
    accountId: z
      .string('target.accountId must be text')
      .check(z.regex(ACCOUNT_ID, 'target.accountId must be 12 digits')),
    region: z
      .string('target.region must be text')
      .check(z.regex(REGION, 'target.region must be a region name')),
  },
  'target must be an object with accountId and region',
);

const TargetMessageSchema = z.object({
  ...common,
  kind: z.literal('target'),
  target: TargetSchema,
  event: z.record(z.string(), z.unknown(), 'event must be an object'),
});

const DeadlineMessageSchema = z.object({ ...common, kind: z.literal('deadline') });

const MessageSchema = z.discriminatedUnion('kind', [TargetMessageSchema, DeadlineMessageSchema], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'kind must be target or deadline' : 'must be an object',
});

/**
 * The fan-out message in an SQS record's body, checked: a `ValidationError` names every
 * bad field (and says so when the body is not JSON).
 *
 * @example
 * const message = parseMessage(record.body);
 * if (message.kind === 'target') await work(message.target, message.event);
 */
export const parseMessage = (body: string): FanoutMessage => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new ValidationError('fan-out message', [{ path: '(root)', message: 'must be JSON' }], {
      cause: error,
    });
  }
  return parseOrThrow(MessageSchema, json, 'fan-out message') as FanoutMessage;
};

/**
 * The id of a run: `<function>/<scheduled time ISO>`, so two deliveries of the same
 * scheduled event make one run; a random id after the name when there is no valid time.
 *
 * @example
 * runIdOf('snapshot-cleanup', '2026-11-30T08:00:00Z'); // 'snapshot-cleanup/2026-11-30T08:00:00.000Z'
 * runIdOf('snapshot-cleanup', undefined); // 'snapshot-cleanup/5b0f…' (random)
 */
export const runIdOf = (functionName: string, scheduledTime?: string | Date): string => {
  const time =
    scheduledTime instanceof Date ? scheduledTime.getTime() : Date.parse(scheduledTime ?? '');
  return Number.isNaN(time)
    ? `${functionName}/${randomUUID()}`
    : `${functionName}/${new Date(time).toISOString()}`;
};

/**
 * The body of a deadline message, its fields in the contract's order.
 *
 * @example
 * deadlineBody({ runId, function: 'snapshot-cleanup', deadline: '2026-11-30T08:15:00.000Z' });
 */
export const deadlineBody = ({
  runId,
  function: functionName,
  deadline,
}: Pick<DeadlineMessage, 'runId' | 'function' | 'deadline'>): string =>
  JSON.stringify({
    v: MESSAGE_VERSION,
    kind: 'deadline',
    runId,
    function: functionName,
    deadline,
  } satisfies DeadlineMessage);
