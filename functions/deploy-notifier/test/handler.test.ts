import { createLambdaContext } from '@nightshift/testing';
import { describe, expect, it, vi } from 'vitest';
import pipelineFailed from '../events/pipeline-failed.json' with { type: 'json' };

const loadHandler = async () => {
  vi.stubEnv('SLACK_WEBHOOK_URL', 'https://hooks.example.com/never-called');
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
  ])(
    'rejects an event that is not a CodePipeline state change, posting nothing',
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
