import { ValidationError } from '@nightshift/runtime';
import { createLambdaContext } from '@nightshift/testing';
import { loadHandler } from '@nightshift/testing/unit';
import { beforeAll, describe, expect, it } from 'vitest';
import { everySent } from './fixtures.ts';

type Handler = (event: unknown, context: unknown) => Promise<unknown>;
let handler: Handler;

describe('infra-scaler handler with SCALED_ENVIRONMENTS', () => {
  beforeAll(async () => {
    // This file's module graph: the handler's ValidationError is the one imported here.
    handler = (await loadHandler(
      () => import('../src/handler.ts'),
      { SNS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:reports', SCALED_ENVIRONMENTS: 'dev' },
      { fresh: false },
    )) as unknown as Handler;
  });

  it.each([
    { action: 'scale_down', environment: 'staging' },
    { action: 'scale_down_staging' },
    { action: 'scale_up', environment: 'production' },
  ])('refuses %j, naming environment, before any AWS call', async (event) => {
    // Act
    const error = await handler(event, createLambdaContext()).then(
      () => undefined,
      (thrown: unknown) => thrown as ValidationError,
    );

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.issues.map((issue) => issue.path)).toEqual(['environment']);
    expect(everySent()).toEqual([]);
  });
});
