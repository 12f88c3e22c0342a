import * as z from 'zod/mini';

export const DETAIL_TYPES = {
  pipeline: 'CodePipeline Pipeline Execution State Change',
  stage: 'CodePipeline Stage Execution State Change',
  action: 'CodePipeline Action Execution State Change',
} as const;

const detailType = z.enum(
  [DETAIL_TYPES.pipeline, DETAIL_TYPES.stage, DETAIL_TYPES.action],
  'must be a CodePipeline pipeline, stage or action execution state change',
);

/** The fields an EventBridge event and a CodeStar notification share. */
const stateChange = {
  source: z.literal('aws.codepipeline', 'must be aws.codepipeline'),
  account: z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id')),
  // It becomes the host of the console link: nothing but a region name may go there.
  region: z
    .string()
    .check(z.regex(/^[a-z]{2,4}(?:-[a-z]+){1,2}-\d{1,2}$/, 'must be an AWS region name')),
  time: z.iso.datetime({ message: 'must be an ISO 8601 time', offset: true }),
  detail: z.looseObject({
    pipeline: z.string('is required: the pipeline name').check(z.minLength(1)),
    'execution-id': z.string('is required'),
    state: z.string('is required'),
    stage: z.optional(z.string()),
    action: z.optional(z.string()),
    'execution-trigger': z.optional(
      z.looseObject({
        'trigger-type': z.optional(z.string()),
        'trigger-detail': z.optional(z.string()),
      }),
    ),
    'execution-result': z.optional(
      z.looseObject({
        'external-execution-url': z.optional(z.string()),
        'external-execution-summary': z.optional(z.string()),
        'error-code': z.optional(z.string()),
      }),
    ),
  }),
};

/** An EventBridge event from `aws.codepipeline`: pipeline, stage or action execution state change. */
export const PipelineEventSchema = z.looseObject({
  id: z.string(),
  'detail-type': detailType,
  ...stateChange,
});

export type PipelineEvent = z.infer<typeof PipelineEventSchema>;

const text = z.optional(z.string('must be a string'));

/**
 * What a CodeStar Notifications rule (detail type FULL, the default) adds to the event:
 * on a failed pipeline its failed stage and actions with their errors, on a failed stage
 * its failed actions, on a failed action its error, on a stage its source revisions. A
 * BASIC rule sends `{}`. Only what the message uses is checked.
 */
export const AdditionalAttributesSchema = z.looseObject({
  failedStage: text,
  failedActions: z.optional(
    z.array(
      z.looseObject({
        action: z.string('is required: the action name'),
        additionalInformation: text,
      }),
      'must be a list of failed actions',
    ),
  ),
  additionalInformation: text,
  sourceActions: z.optional(
    z.array(
      z.looseObject({
        sourceActionName: text,
        sourceActionVariables: z.optional(
          z.looseObject({ CommitId: text, BranchName: text, RepositoryName: text }),
        ),
      }),
      'must be a list of source actions',
    ),
  ),
});

export type AdditionalAttributes = z.infer<typeof AdditionalAttributesSchema>;

/**
 * A CodePipeline event as a CodeStar Notifications rule publishes it to SNS: the
 * EventBridge event's fields, `detailType` for `detail-type`, no `id`, and
 * `additionalAttributes`.
 */
export const CodeStarNotificationSchema = z.looseObject({
  detailType,
  ...stateChange,
  notificationRuleArn: text,
  additionalAttributes: z.optional(AdditionalAttributesSchema),
});

/** One state change to notify, with what its notification rule added, if it came through one. */
export interface PipelineNotice {
  event: PipelineEvent;
  additional?: AdditionalAttributes;
}

/** What one SNS record of an event became: a notice, or why it is none of the function's business. */
export type SnsRecordNotice = { messageId: string } & (
  | { notice: PipelineNotice }
  | { skipped: string }
);

/** A parsed event: an EventBridge event, or the records of an SNS event. */
export type NotifierEvent =
  | { kind: 'eventbridge'; notice: PipelineNotice }
  | { kind: 'sns'; records: SnsRecordNotice[] };

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses `input` with `schema` inside a transform, reporting its issues under `path`. */
const parseInto = <S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  path: PropertyKey[],
  context: z.core.ParsePayload<unknown>,
): z.infer<S> | undefined => {
  const result = z.safeParse(schema, input);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    context.issues.push({ ...issue, path: [...path, ...issue.path], input } as never);
  }
  return undefined;
};

/**
 * Why a message on the topic is not a CodePipeline notification, or undefined when it is
 * one. A topic a notification rule publishes to often carries other messages too: manual
 * approval requests (a different JSON shape, with a Subject), other services' notification
 * rules, text someone published.
 */
const notCodePipeline = (message: unknown): string | undefined => {
  if (!isObject(message)) return 'the message is not a JSON object';
  if (message.source !== 'aws.codepipeline') return 'its source is not aws.codepipeline';
  return undefined;
};

/**
 * One SNS record: the envelope Lambda hands over for a topic subscription, whose
 * `Sns.Message` is a JSON string, parsed here. A CodePipeline notification is checked
 * field by field (issues name `Sns.Message.<field>`); an EventBridge event from CodePipeline
 * (it has `detail-type`) published to the topic by an EventBridge rule is taken as it is;
 * anything else is skipped, with the reason.
 */
const SnsRecordSchema = z.pipe(
  z.looseObject({
    EventSource: z.literal('aws:sns', 'must be aws:sns: a record of an SNS topic subscription'),
    Sns: z.looseObject(
      {
        MessageId: z.string('is required'),
        Message: z.string('must be a string: the notification as JSON'),
      },
      'is required: the SNS message',
    ),
  }),
  z.transform((record, context): SnsRecordNotice | typeof z.NEVER => {
    const messageId = record.Sns.MessageId;
    let message: unknown;
    try {
      message = JSON.parse(record.Sns.Message);
    } catch {
      return { messageId, skipped: 'the message is not JSON' };
    }
    const skipped = notCodePipeline(message);
    if (skipped) return { messageId, skipped };
    const path = ['Sns', 'Message'];
    if (isObject(message) && 'detail-type' in message) {
      const event = parseInto(PipelineEventSchema, message, path, context);
      return event ? { messageId, notice: { event } } : z.NEVER;
    }
    const notification = parseInto(CodeStarNotificationSchema, message, path, context);
    if (!notification) return z.NEVER;
    const { detailType: type, additionalAttributes, ...rest } = notification;
    return {
      messageId,
      notice: {
        // A notification has no event id; the SNS message id names this delivery of it.
        event: { ...rest, id: messageId, 'detail-type': type },
        ...(additionalAttributes ? { additional: additionalAttributes } : {}),
      },
    };
  }),
);

/** An SNS event: the records of a topic subscription (Lambda hands over one or more). */
export const SnsEventSchema = z.looseObject({
  Records: z
    .array(SnsRecordSchema, 'must be a list of SNS records')
    .check(z.minLength(1, 'must hold at least one record')),
});

/**
 * What deploy-notifier accepts: a CodePipeline EventBridge event, or an SNS event (an
 * object with `Records`) whose messages are CodePipeline notifications. Each issue names
 * its field, as in `Records[0].Sns.Message.detail.pipeline`.
 *
 * @example
 * const parsed = parseOrThrow(EventSchema, event, 'event');
 */
export const EventSchema = z.pipe(
  z.unknown(),
  z.transform((input, context): NotifierEvent | typeof z.NEVER => {
    if (isObject(input) && 'Records' in input) {
      const sns = parseInto(SnsEventSchema, input, [], context);
      return sns ? { kind: 'sns', records: sns.Records } : z.NEVER;
    }
    const event = parseInto(PipelineEventSchema, input, [], context);
    return event ? { kind: 'eventbridge', notice: { event } } : z.NEVER;
  }),
);

/** Which level of the pipeline an event is about. */
export type EventLevel = keyof typeof DETAIL_TYPES;

/**
 * The level an event's detail type speaks of.
 *
 * @example
 * levelOf(event); // 'action'
 */
export const levelOf = (event: PipelineEvent): EventLevel =>
  event['detail-type'] === DETAIL_TYPES.pipeline
    ? 'pipeline'
    : event['detail-type'] === DETAIL_TYPES.stage
      ? 'stage'
      : 'action';
