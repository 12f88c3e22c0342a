import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { parseOrThrow, type ValidationError } from '@nightshift/runtime';
import {
  anyValue,
  assertParsesOrRejects,
  assertRejectedBeforeAnyCall,
  isRecord,
  type LambdaHandler,
  rejectionOf,
} from '@nightshift/testing/properties';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DETAIL_TYPES,
  EventSchema,
  levelOf,
  type PipelineEvent,
  PipelineEventSchema,
  type SnsRecordNotice,
} from '../src/event.ts';
import { messageFromEvent } from '../src/message.ts';
import { renderSlack, renderTeams } from '../src/render.ts';

const parse = (event: unknown) => parseOrThrow(PipelineEventSchema, event, 'event');
const parseAny = (event: unknown) => parseOrThrow(EventSchema, event, 'event');

/** Anything a caller could send, as a field or as the whole event. */
const anyInput = anyValue({ edgeCases: [null, 1e308, -1, '', 'aws.codebuild', 'FAILED', []] });

const optionalText = fc.option(fc.string({ unit: 'grapheme' }), { nil: undefined });

/** An EventBridge event from CodePipeline as the schema takes it, with any text in its fields. */
const pipelineEvent = fc.record({
  version: fc.constant('0'),
  id: fc.uuid(),
  'detail-type': fc.constantFrom(...Object.values(DETAIL_TYPES)),
  source: fc.constant('aws.codepipeline'),
  account: fc.stringMatching(/^\d{12}$/),
  region: fc.constantFrom(
    'eu-west-1',
    'us-east-1',
    'ap-southeast-2',
    'us-gov-west-1',
    'cn-northwest-1',
    'il-central-1',
    'eusc-de-east-1',
  ),
  time: fc
    .date({ min: new Date('2000-01-01'), max: new Date('2199-12-31'), noInvalidDate: true })
    .map((date) => date.toISOString()),
  resources: fc.array(fc.string(), { maxLength: 2 }),
  detail: fc.record(
    {
      pipeline: fc.string({ unit: 'grapheme', minLength: 1 }),
      'execution-id': fc.uuid(),
      state: fc.oneof(
        fc.constantFrom('FAILED', 'SUCCEEDED', 'STARTED', 'CANCELED', 'STOPPED'),
        fc.string({ unit: 'grapheme' }),
      ),
      stage: fc.string({ unit: 'grapheme' }),
      action: fc.string({ unit: 'grapheme' }),
      'execution-trigger': fc.record({
        'trigger-type': optionalText,
        'trigger-detail': optionalText,
      }),
      'execution-result': fc.record({
        'external-execution-url': optionalText,
        'external-execution-summary': optionalText,
        'error-code': optionalText,
      }),
      version: fc.integer(),
    },
    { requiredKeys: ['pipeline', 'execution-id', 'state'] },
  ),
});

const strings = (keys: string[]) => (value: unknown) =>
  value === undefined ||
  (isRecord(value) &&
    keys.every((key) => value[key] === undefined || typeof value[key] === 'string'));

/** Each field of the contract: where it is, whether it must be there, what it takes. */
const FIELDS: { path: string[]; required: boolean; takes: (value: unknown) => boolean }[] = [
  { path: ['id'], required: true, takes: (v) => typeof v === 'string' },
  {
    path: ['detail-type'],
    required: true,
    takes: (v) => Object.values(DETAIL_TYPES).includes(v as never),
  },
  { path: ['source'], required: true, takes: (v) => v === 'aws.codepipeline' },
  { path: ['account'], required: true, takes: (v) => typeof v === 'string' && /^\d{12}$/.test(v) },
  {
    path: ['region'],
    required: true,
    takes: (v) => typeof v === 'string' && /^[a-z]{2,4}(-[a-z]+){1,2}-\d{1,2}$/.test(v),
  },
  // Which strings are ISO 8601 times is the next property's business.
  { path: ['time'], required: true, takes: (v) => typeof v === 'string' },
  { path: ['detail'], required: true, takes: () => false },
  {
    path: ['detail', 'pipeline'],
    required: true,
    takes: (v) => typeof v === 'string' && v.length > 0,
  },
  { path: ['detail', 'execution-id'], required: true, takes: (v) => typeof v === 'string' },
  { path: ['detail', 'state'], required: true, takes: (v) => typeof v === 'string' },
  { path: ['detail', 'stage'], required: false, takes: (v) => typeof v === 'string' },
  { path: ['detail', 'action'], required: false, takes: (v) => typeof v === 'string' },
  {
    path: ['detail', 'execution-trigger'],
    required: false,
    takes: strings(['trigger-type', 'trigger-detail']),
  },
  {
    path: ['detail', 'execution-result'],
    required: false,
    takes: strings(['external-execution-url', 'external-execution-summary', 'error-code']),
  },
];

/** A copy of `event` with the field at `path` set to `value`, or removed when it is undefined. */
const withField = (event: Record<string, unknown>, path: string[], value: unknown) => {
  const copy = structuredClone(event);
  const [head, ...rest] = path;
  const parent = (rest.length === 0 ? copy : copy[head as string]) as Record<string, unknown>;
  const key = (rest.length === 0 ? head : rest[0]) as string;
  if (value === undefined) delete parent[key];
  else parent[key] = value;
  return copy;
};

/** Valid events with one field removed or given a value its field does not take. */
const brokenEvent = fc
  .tuple(pipelineEvent, fc.constantFrom(...FIELDS), fc.option(anyInput, { nil: undefined }))
  .filter(([, field, value]) => (value === undefined ? field.required : !field.takes(value)))
  .map(([event, field, value]) => ({
    event: withField(event, field.path, value),
    path: field.path.join('.'),
  }));

const BAD_TIMES = [
  '',
  'yesterday',
  '2026-11-28',
  '2026-11-28 02:14:07',
  '2026-13-01T00:00:00Z',
  '2026-02-31T00:00:00Z',
  '2026-11-28T24:00:00Z',
  '1764296047',
];

const names = (error: ValidationError | undefined, path: string) =>
  error?.issues.some(
    (issue) =>
      issue.path === path || issue.path.startsWith(`${path}.`) || issue.path.startsWith(`${path}[`),
  );

describe('deploy-notifier event schema, for any input', () => {
  it('parses every CodePipeline state change, keeping what it says', () => {
    fc.assert(
      fc.property(pipelineEvent, (event) => {
        // Act
        const parsed = parse(event);

        // Assess
        expect(parsed.detail).toMatchObject({
          pipeline: event.detail.pipeline,
          'execution-id': event.detail['execution-id'],
          state: event.detail.state,
        });
        expect(levelOf(parsed)).toBeDefined();
      }),
      { numRuns: 200 },
    );
  });

  it('parses or throws a ValidationError for any value at all', () => {
    assertParsesOrRejects({
      parse,
      inputs: fc.oneof(
        fc.anything(),
        anyInput,
        pipelineEvent.chain((event) => anyInput.map((detail) => ({ ...event, detail }))),
      ),
      numRuns: 200,
    });
  });

  it('names a field that is missing or of the wrong type or value', () => {
    fc.assert(
      fc.property(brokenEvent, ({ event, path }) => {
        // Act
        const error = rejectionOf(parse, event);

        // Assess
        expect(names(error, path)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a time that is not an ISO 8601 date and time', () => {
    fc.assert(
      fc.property(pipelineEvent, fc.constantFrom(...BAD_TIMES), (event, time) => {
        // Act
        const error = rejectionOf(parse, { ...event, time });

        // Assess
        expect(error?.issues.map((issue) => issue.path)).toEqual(['time']);
      }),
      { numRuns: 100 },
    );
  });

  it('takes no field from a __proto__ or constructor key, and pollutes no prototype', () => {
    fc.assert(
      fc.property(
        pipelineEvent,
        fc.constantFrom(...FIELDS.filter((field) => field.required && field.path.length === 1)),
        fc.constantFrom('__proto__', 'constructor'),
        (event, field, key) => {
          // Prepare
          const name = field.path[0] as string;
          const hidden = JSON.parse(
            `{${JSON.stringify(key)}:${JSON.stringify({ [name]: (event as Record<string, unknown>)[name] })}}`,
          ) as Record<string, unknown>;
          const broken = { ...withField(event, field.path, undefined), ...hidden };

          // Act
          const error = rejectionOf(parse, broken);

          // Assess
          expect(names(error, name)).toBe(true);
          expect(Object.prototype).not.toHaveProperty(name);
        },
      ),
      { numRuns: 100 },
    );
  });
});

/** What a CodeStar Notifications rule adds, with any text in its fields; BASIC rules send {}. */
const additionalAttributes = fc.oneof(
  fc.constant({}),
  fc.record(
    {
      failedActionCount: fc.nat(),
      failedActions: fc.array(
        fc.record(
          { action: fc.string({ unit: 'grapheme' }), additionalInformation: optionalText },
          { requiredKeys: ['action'] },
        ),
        { maxLength: 8 },
      ),
      failedStage: fc.string({ unit: 'grapheme' }),
      additionalInformation: fc.string({ unit: 'grapheme' }),
      sourceActions: fc.array(
        fc.record({
          sourceActionName: optionalText,
          sourceActionProvider: fc.constantFrom('CodeCommit', 'S3', 'CodeStarSourceConnection'),
          sourceActionVariables: fc.record({
            CommitId: optionalText,
            BranchName: optionalText,
            RepositoryName: optionalText,
          }),
        }),
        { maxLength: 2 },
      ),
    },
    { requiredKeys: [] },
  ),
);

type Notification = Record<string, unknown> & { detail: PipelineEvent['detail'] };

/** The CodeStar notification of an EventBridge event: detailType, no id or version, attributes. */
const notificationOf = (
  {
    id: _id,
    version: _version,
    'detail-type': detailType,
    ...rest
  }: Record<string, unknown> & { detail: PipelineEvent['detail'] },
  attributes: Record<string, unknown> | undefined,
): Notification =>
  ({
    ...rest,
    detailType,
    notificationRuleArn:
      'arn:aws:codestar-notifications:eu-west-1:123456789012:notificationrule/abc',
    ...(attributes ? { additionalAttributes: attributes } : {}),
  }) as Notification;

/** An EventBridge event and the notification a rule made of it. */
const twins = fc
  .tuple(pipelineEvent, fc.option(additionalAttributes, { nil: undefined }))
  .map(([event, attributes]) => ({ event, notification: notificationOf(event, attributes) }));

/** A Lambda SNS record carrying `message` (a JSON string of it unless it is a string already). */
const snsRecord = (message: unknown, messageId: string) => ({
  EventSource: 'aws:sns',
  EventVersion: '1.0',
  EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:pipelines:0b1c',
  Sns: {
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: 'arn:aws:sns:eu-west-1:123456789012:pipelines',
    Subject: null,
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: '2026-11-28T02:14:10.000Z',
    MessageAttributes: {},
  },
});

/** Messages on a shared topic that are not CodePipeline notifications. */
const otherMessage = fc.oneof(
  fc.string(),
  fc.jsonValue().filter((value) => !isRecord(value) || value.source !== 'aws.codepipeline'),
  twins.map(({ notification }) => ({ ...notification, source: 'aws.codebuild' })),
  fc.constant({
    region: 'us-east-1',
    consoleLink: 'https://console.aws.amazon.com/codesuite/codepipeline/pipelines/p/view',
    approval: { pipelineName: 'p', stageName: 'Approval', actionName: 'Approve', token: 't' },
  }),
);

/** SNS events of one to four records, each a notification or another message, with their kinds. */
const snsEvent = fc
  .array(
    fc.oneof(
      twins.map(({ notification }) => ({ notification, message: notification as unknown })),
      otherMessage.map((message) => ({ notification: undefined, message })),
    ),
    { minLength: 1, maxLength: 4 },
  )
  .chain((items) =>
    fc.uniqueArray(fc.uuid(), { minLength: items.length, maxLength: items.length }).map((ids) => ({
      items,
      event: { Records: items.map((item, index) => snsRecord(item.message, ids[index] ?? '')) },
    })),
  );

/** The fields of a notification, where they are and what they take (the source decides its kind). */
const NOTIFICATION_FIELDS = [
  ...FIELDS.filter((field) => !['id', 'source'].includes(field.path[0] as string)).map((field) =>
    field.path[0] === 'detail-type' ? { ...field, path: ['detailType'] } : field,
  ),
  { path: ['additionalAttributes'], required: false, takes: isRecord },
  {
    path: ['additionalAttributes', 'failedActions'],
    required: false,
    takes: (v: unknown) =>
      Array.isArray(v) &&
      v.every(
        (item) =>
          isRecord(item) &&
          typeof item.action === 'string' &&
          strings(['additionalInformation'])(item),
      ),
  },
  {
    path: ['additionalAttributes', 'failedStage'],
    required: false,
    takes: (v: unknown) => typeof v === 'string',
  },
  {
    path: ['additionalAttributes', 'additionalInformation'],
    required: false,
    takes: (v: unknown) => typeof v === 'string',
  },
  {
    path: ['additionalAttributes', 'sourceActions'],
    required: false,
    takes: (v: unknown) =>
      Array.isArray(v) &&
      v.every(
        (item) =>
          isRecord(item) &&
          strings(['sourceActionName'])(item) &&
          strings(['CommitId', 'BranchName', 'RepositoryName'])(item.sourceActionVariables),
      ),
  },
];

/** SNS events whose record `index` carries a notification with one field broken. */
const brokenSnsEvent = fc
  .tuple(
    twins,
    fc.constantFrom(...NOTIFICATION_FIELDS),
    fc.option(anyInput, { nil: undefined }),
    fc.nat({ max: 2 }),
  )
  .filter(([, field, value]) => (value === undefined ? field.required : !field.takes(value)))
  .map(([{ notification }, field, value, index]) => {
    const broken = withField({ additionalAttributes: {}, ...notification }, field.path, value);
    const good = snsRecord(notification, '00000000-0000-4000-8000-000000000000');
    return {
      event: {
        Records: [
          ...Array.from({ length: index }, () => good),
          snsRecord(broken, '00000000-0000-4000-8000-000000000001'),
        ],
      },
      path: `Records[${index}].Sns.Message.${field.path.join('.')}`,
    };
  });

/** The notice an SNS record became. */
const noticeOf = (record: SnsRecordNotice | undefined) => {
  if (!record || !('notice' in record)) throw new Error('the record was skipped');
  return record.notice;
};

describe('deploy-notifier SNS events, for any input', () => {
  it('parses every SNS event of CodePipeline notifications, skipping the other messages', () => {
    fc.assert(
      fc.property(snsEvent, ({ items, event }) => {
        // Act
        const parsed = parseAny(event);

        // Assess
        expect(parsed.kind).toBe('sns');
        if (parsed.kind !== 'sns') return;
        expect(parsed.records).toHaveLength(items.length);
        items.forEach(({ notification }, index) => {
          const record = parsed.records[index];
          expect(record?.messageId).toBe(event.Records[index]?.Sns.MessageId);
          if (!notification) {
            expect(record).toHaveProperty('skipped');
            return;
          }
          const { event: parsedEvent } = noticeOf(record);
          expect(parsedEvent['detail-type']).toBe(notification.detailType);
          expect(parsedEvent.detail).toMatchObject({
            pipeline: notification.detail.pipeline,
            'execution-id': notification.detail['execution-id'],
            state: notification.detail.state,
          });
        });
      }),
      { numRuns: 200 },
    );
  });

  it('makes a message with all its EventBridge twin says, and the same message when the rule added nothing', () => {
    fc.assert(
      fc.property(twins, ({ event, notification }) => {
        // Prepare
        const parsed = parseAny({ Records: [snsRecord(notification, 'm-1')] });
        if (parsed.kind !== 'sns') throw new Error('not parsed as SNS');
        const { event: snsEvent, additional } = noticeOf(parsed.records[0]);

        // Act
        const fromSns = messageFromEvent(snsEvent, additional);
        const fromTwin = messageFromEvent(parse(event));

        // Assess
        expect(fromSns).toMatchObject(fromTwin as unknown as Record<string, unknown>);
        const added =
          (additional?.failedActions?.length ?? 0) > 0 ||
          additional?.sourceActions?.some((source) => source.sourceActionVariables?.CommitId) ||
          (additional?.additionalInformation && levelOf(snsEvent) === 'action');
        if (!added) {
          expect(renderSlack(fromSns)).toEqual(renderSlack(fromTwin));
          expect(renderTeams(fromSns)).toEqual(renderTeams(fromTwin));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('parses or throws a ValidationError for any SNS-shaped value at all', () => {
    assertParsesOrRejects({
      parse: parseAny,
      inputs: fc.oneof(
        fc.record({ Records: anyInput }),
        fc.record({ Records: fc.array(anyInput, { maxLength: 3 }) }),
        fc
          .tuple(anyInput, fc.uuid())
          .map(([message, id]) => ({ Records: [snsRecord(message, id)] })),
        twins.chain(({ notification }) =>
          anyInput.map((detail) => ({ Records: [snsRecord({ ...notification, detail }, 'm-1')] })),
        ),
        twins.chain(({ notification }) =>
          anyInput.map((additionalAttributes) => ({
            Records: [snsRecord({ ...notification, additionalAttributes }, 'm-1')],
          })),
        ),
      ),
      numRuns: 300,
    });
  });

  it('names the record and field of a notification that is missing or of the wrong type or value', () => {
    fc.assert(
      fc.property(brokenSnsEvent, ({ event, path }) => {
        // Act
        const error = rejectionOf(parseAny, event);

        // Assess
        expect(names(error, path)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

/** Every AWS client the handler has: an invalid event must reach none of them. */
const mocks = [
  mockClient(CodePipelineClient),
  mockClient(SSMClient),
  mockClient(SecretsManagerClient),
];
let handler: LambdaHandler;

describe('deploy-notifier handler, for any invalid event', () => {
  const fetchSpy = vi.spyOn(globalThis, 'fetch');

  beforeAll(async () => {
    vi.stubEnv('SLACK_WEBHOOK_URL', 'https://hooks.slack.com/services/never-called');
    vi.stubEnv('TEAMS_WEBHOOK_PARAMETER', '/nightshift/teams-webhook');
    handler = (await import('../src/handler.ts')).handler as LambdaHandler;
  });

  beforeEach(() => {
    fetchSpy.mockRejectedValue(new Error('no network in unit tests'));
  });

  afterAll(() => {
    fetchSpy.mockRestore();
  });

  it('rejects it with a ValidationError, posting to no webhook and calling no AWS API', async () => {
    await assertRejectedBeforeAnyCall({
      handler,
      events: fc.oneof(
        brokenEvent.map(({ event }) => event),
        brokenSnsEvent.map(({ event }) => event),
        fc.anything().filter((value) => !isRecord(value) || !('detail' in value)),
      ),
      mocks,
      fetch: fetchSpy,
      numRuns: 150,
    });
  });
});
