import * as z from 'zod/mini';

export const DETAIL_TYPES = {
  pipeline: 'CodePipeline Pipeline Execution State Change',
  stage: 'CodePipeline Stage Execution State Change',
  action: 'CodePipeline Action Execution State Change',
} as const;

/** An EventBridge event from `aws.codepipeline`: pipeline, stage or action execution state change. */
export const PipelineEventSchema = z.looseObject({
  id: z.string(),
  'detail-type': z.enum(
    [DETAIL_TYPES.pipeline, DETAIL_TYPES.stage, DETAIL_TYPES.action],
    'must be a CodePipeline pipeline, stage or action execution state change',
  ),
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
});

export type PipelineEvent = z.infer<typeof PipelineEventSchema>;

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
