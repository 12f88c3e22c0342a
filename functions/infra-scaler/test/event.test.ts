import { parseOrThrow } from '@nightshift/middleware';
import { describe, expect, it } from 'vitest';
import { resolveAction, ScalerEventSchema } from '../src/event.ts';

const parse = (input: unknown) => parseOrThrow(ScalerEventSchema, input, 'event');

describe('infra-scaler event', () => {
  it.each([
    [
      { action: 'scale_down', environment: 'staging' },
      { action: 'scale_down', environment: 'staging' },
    ],
    [
      { action: 'check', environment: 'dev' },
      { action: 'check', environment: 'dev' },
    ],
    [{ action: 'scale_down_staging' }, { action: 'scale_down', environment: 'staging' }],
    [
      { action: 'scale_up_staging', environment: 'staging' },
      { action: 'scale_up', environment: 'staging' },
    ],
  ])('reads %j as %j', (input, expected) => {
    expect(resolveAction(parse(input))).toEqual(expected);
  });

  it.each([
    [
      { action: 'scale_sideways', environment: 'staging' },
      /action: must be one of scale_down, scale_up, check/,
    ],
    [{ action: 'scale_down' }, /environment: is required/],
    [{ action: 'scale_up', environment: '' }, /environment: must not be empty/],
    [{ action: 'scale_down_staging', environment: 'production' }, /environment: must be staging/],
    [{ action: 'check', environment: 'dev', dryRun: 'yes' }, /dryRun: must be true or false/],
    [{}, /action: /],
  ])('rejects %j naming the field', (input, message) => {
    expect(() => parse(input)).toThrow(message);
  });
});
