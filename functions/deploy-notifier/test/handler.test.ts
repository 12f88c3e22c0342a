import { createLambdaContext } from '@nightshift/testing';
import { describe, expect, it, vi } from 'vitest';
import pipelineFailed from '../events/pipeline-failed.json' with { type: 'json' };

const loadHandler = async () => {
  vi.stubEnv('SLACK_WEBHOOK_URL', 'https://hooks.slack.com/services/never-called');
  vi.resetModules();
  return (await import('../src/handler.ts')).handler;
};

describe('deploy-notifier handler', () => {
  it.each([
    [
      { ...pipelineFailed, detail: { state: 'FAILED', 'execution-id': 'x' } },
      /detail\.pipeline: is required/,
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
  ])(
    'rejects an event that is not a valid CodePipeline state change, posting nothing',
    async (event, message) => {
      // Prepare
      const fetchSpy = vi.spyOn(globalThis, 'fetch');
      const handler = await loadHandler();

      // Act & Assess
      await expect(handler(event, createLambdaContext())).rejects.toMatchObject({
        name: 'ValidationError',
        message: expect.stringMatching(message),
      });
      expect(fetchSpy).not.toHaveBeenCalled();
    },
  );
});
