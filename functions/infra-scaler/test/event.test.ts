import { parseOrThrow } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import { EventSchema, eventSchemaFor, isReconcile, resolveAction } from '../src/event.ts';

const parse = (input: unknown) => parseOrThrow(EventSchema, input, 'event');

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
    // The original script's defaults: no action is the idle check, of staging.
    [{}, { action: 'check', environment: 'staging' }],
    [{ test: true }, { action: 'check', environment: 'staging' }],
    [{ action: 'check' }, { action: 'check', environment: 'staging' }],
    [
      { action: 'scale_up_staging', environment: 'staging' },
      { action: 'scale_up', environment: 'staging' },
    ],
  ])('reads %j as %j', (input, expected) => {
    expect(resolveAction(parse(input))).toEqual(expected);
  });

  it('reads a reconcile, with or without dryRun, and gives it no environment', () => {
    expect(parse({ action: 'reconcile' })).toEqual({ action: 'reconcile' });
    expect(parse({ action: 'reconcile', dryRun: true })).toEqual({
      action: 'reconcile',
      dryRun: true,
    });
    expect(isReconcile(parse({ action: 'reconcile' }))).toBe(true);
    expect(isReconcile(parse({ action: 'check' }))).toBe(false);
    expect(() => resolveAction(parse({ action: 'reconcile' }))).toThrow(
      /action: reconcile names no environment/,
    );
  });

  it('refuses a reconcile that names an environment: the schedules decide, not the event', () => {
    expect(() => parse({ action: 'reconcile', environment: 'staging' })).toThrow(
      'Invalid event: environment: must be left out with reconcile: it acts on every resource tagged nightshift:schedule, by its schedule',
    );
    expect(() => parse({ action: 'reconcile', dryRun: 'no' })).toThrow(
      /dryRun: must be true or false/,
    );
  });

  it('refuses an event built without the schema that has no environment, rather than read an empty one', () => {
    expect(() => resolveAction({ action: 'scale_down' } as never)).toThrow(
      /environment: is required/,
    );
  });

  it.each([
    [
      { action: 'scale_sideways', environment: 'staging' },
      /action: must be one of scale_down, scale_up, check, reconcile/,
    ],
    [{ action: 'scale_down' }, /environment: is required/],
    [{ action: 'scale_up', environment: '' }, /environment: must not be empty/],
    [{ action: 'scale_down_staging', environment: 'production' }, /environment: must be staging/],
    [{ action: 'check', environment: 'dev', dryRun: 'yes' }, /dryRun: must be true or false/],
    [{ action: 7 }, /action: must be a string/],
    [
      { action: 'cleanup_old_snapshots' },
      /action: is snapshot-cleanup's job now: point this schedule at the snapshot-cleanup function/,
    ],
    [{ action: 'toString', environment: 'staging' }, /action: must be one of/],
    [
      { action: 'scale_down', environment: 'production' },
      /environment: production is production-like/,
    ],
    [{ action: 'scale_up', environment: ' PROD ' }, /environment: PROD is production-like/],
    [{ action: 'check', environment: 'prod-eu' }, /environment: prod-eu is production-like/],
    [{ action: 'scale_down', environment: '*' }, /environment: must be a plain tag value/],
    [{ action: 'scale_down', environment: '?roduction' }, /environment: must be a plain tag value/],
    [{ action: 'scale_down', environment: 'prod*' }, /environment: must be a plain tag value/],
  ])('rejects %j naming the field', (input, message) => {
    expect(() => parse(input)).toThrow(message);
  });

  it('takes only the environments it is configured to scale, the old names included', () => {
    const schema = eventSchemaFor({ scaledEnvironments: ['dev', 'prod-sandbox'] });
    const parseWith = (input: unknown) => parseOrThrow(schema, input, 'event');

    expect(parseWith({ action: 'scale_down', environment: 'dev' })).toMatchObject({
      environment: 'dev',
    });
    expect(parseWith({ action: 'check', environment: 'prod-sandbox' })).toMatchObject({
      environment: 'prod-sandbox',
    });
    expect(() => parseWith({ action: 'scale_down', environment: 'staging' })).toThrow(
      'Invalid event: environment: staging is not one of the environments this function scales (SCALED_ENVIRONMENTS: dev, prod-sandbox)',
    );
    expect(() => parseWith({ action: 'scale_up_staging' })).toThrow(
      /environment: staging is not one of/,
    );
    expect(() => parseWith({ action: 'scale_down', environment: 'd*' })).toThrow(
      /environment: must be a plain tag value/,
    );
  });
});
