import { createLambdaContext } from '@nightshift/testing';
import { loadHandler } from '@nightshift/testing/unit';
import { describe, expect, it, vi } from 'vitest';
import pipelineFailed from '../events/pipeline-failed.json' with { type: 'json' };
import snsPipelineFailed from '../events/sns-pipeline-failed.json' with { type: 'json' };

const handlerWithSlack = () =>
  loadHandler(() => import('../src/handler.ts'), {
    SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/never-called',
  });

const notification = JSON.parse(snsPipelineFailed.Records[0]?.Sns.Message ?? '') as Record<
  string,
  unknown
> & { detail: Record<string, unknown> };
const [snsRecord] = snsPipelineFailed.Records;
/** The captured SNS event with its notification changed by `change`. */
const snsWith = (change: Record<string, unknown>) => ({
  Records: [
    {
      ...snsRecord,
      Sns: { ...snsRecord?.Sns, Message: JSON.stringify({ ...notification, ...change }) },
    },
  ],
});

describe('deploy-notifier handler', () => {
  it.each([
    [
      { ...pipelineFailed, detail: { state: 'FAILED', 'execution-id': 'x' } },
      /^Invalid event: detail\.pipeline: is required/,
    ],
    [
      { ...pipelineFailed, 'detail-type': 'CodeBuild Build State Change' },
      /detail-type: must be a CodePipeline/,
    ],
    [{ ...pipelineFailed, source: 'aws.codebuild' }, /source: must be aws\.codepipeline/],
    // The region becomes the host of the console link in the message.
    [{ ...pipelineFailed, region: 'evil.example.com/x#' }, /region: must be an AWS region name/],
    [
      { ...pipelineFailed, region: 'eu-west-1.evil.example.com' },
      /region: must be an AWS region name/,
    ],
    [{ ...pipelineFailed, account: 'see https://evil.example.com' }, /account: must be a 12-digit/],
    [{ ...pipelineFailed, account: '1234567890123' }, /account: must be a 12-digit/],
    [{ ...pipelineFailed, account: 'x123456789012' }, /account: must be a 12-digit/],
    [{ ...pipelineFailed, region: 'evil.example.com/eu-west-1' }, /region: must be an AWS region/],
    [
      { ...pipelineFailed, detail: { ...pipelineFailed.detail, state: undefined } },
      /detail\.state: is required/,
    ],
    [
      {
        ...pipelineFailed,
        detail: { ...pipelineFailed.detail, 'execution-trigger': { 'trigger-type': 5 } },
      },
      /detail\.execution-trigger\.trigger-type/,
    ],
    [
      {
        ...pipelineFailed,
        detail: { ...pipelineFailed.detail, 'execution-result': { 'external-execution-url': {} } },
      },
      /detail\.execution-result\.external-execution-url/,
    ],
    // A CodePipeline notification delivered through SNS, checked as its EventBridge twin.
    [
      snsWith({ detail: { ...notification.detail, pipeline: undefined } }),
      /^Invalid event: Records\[0\]\.Sns\.Message\.detail\.pipeline: is required/,
    ],
    [
      snsWith({ detailType: 'CodePipeline Pipeline State Change' }),
      /Records\[0\]\.Sns\.Message\.detailType: must be a CodePipeline/,
    ],
    [
      snsWith({ region: 'evil.example.com/x#' }),
      /Records\[0\]\.Sns\.Message\.region: must be an AWS region name/,
    ],
    [
      snsWith({ additionalAttributes: { failedActions: 'Build' } }),
      /Records\[0\]\.Sns\.Message\.additionalAttributes\.failedActions: must be a list/,
    ],
    [
      snsWith({ additionalAttributes: { failedActions: [{ additionalInformation: 'x' }] } }),
      /Records\[0\]\.Sns\.Message\.additionalAttributes\.failedActions\[0\]\.action: is required/,
    ],
    [
      snsWith({
        additionalAttributes: { sourceActions: [{ sourceActionVariables: { CommitId: 7 } }] },
      }),
      /sourceActions\[0\]\.sourceActionVariables\.CommitId: must be a string/,
    ],
    // An EventBridge event published to the topic is checked as one.
    [
      {
        Records: [
          {
            ...snsRecord,
            Sns: { ...snsRecord?.Sns, Message: JSON.stringify({ ...pipelineFailed, id: 7 }) },
          },
        ],
      },
      /Records\[0\]\.Sns\.Message\.id/,
    ],
    [
      { Records: [{ ...snsRecord, Sns: { ...snsRecord?.Sns, Message: notification } }] },
      /Records\[0\]\.Sns\.Message: must be a string/,
    ],
    [
      { Records: [{ ...snsRecord, EventSource: 'aws:sqs' }] },
      /Records\[0\]\.EventSource: must be aws:sns/,
    ],
    [{ Records: [{ eventSource: 'aws:sqs', body: '{}' }] }, /Records\[0\]\.Sns: is required/],
    [{ Records: [] }, /Records: must hold at least one record/],
    // The original deployment script's smoke test payload.
    [{ test: true }, /^Invalid event: /],
    [{ Records: 'all' }, /Records: must be a list of SNS records/],
    // One bad record fails the event before anything is posted for the good one.
    [
      { Records: [...snsPipelineFailed.Records, snsWith({ account: '42' }).Records[0]] },
      /^Invalid event: Records\[1\]\.Sns\.Message\.account: must be a 12-digit AWS account id$/,
    ],
  ])(
    'rejects an event that is not a valid CodePipeline state change, posting nothing',
    async (event, message) => {
      // Prepare
      const fetchSpy = vi.spyOn(globalThis, 'fetch');
      const handler = await handlerWithSlack();

      // Act & Assess
      await expect(handler(event, createLambdaContext())).rejects.toMatchObject({
        name: 'ValidationError',
        message: expect.stringMatching(message),
      });
      expect(fetchSpy).not.toHaveBeenCalled();
    },
  );
});
