import { ValidationError } from '@nightshift/runtime';
import { describe, expect, it } from 'vitest';
import { environmentIssue, isProductionLike, tagMismatch } from '../src/environment.ts';
import { everySent, run } from './fixtures.ts';

const refusal = async (event: Parameters<typeof run>[0], env: Record<string, string> = {}) => {
  const error = await run(event, env).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  return error as ValidationError | undefined;
};

describe('which environments infra-scaler may scale', () => {
  it.each([
    'production',
    'Production',
    'PROD',
    'prod',
    'prd',
    'PRD',
    'prod-eu',
    'Prod-EU-1',
    'prod_eu',
    'prod.eu',
    'production-us',
    'prod2',
    'prd 1',
  ])('calls %s production-like', (name) => {
    expect(isProductionLike(name)).toBe(true);
  });

  it.each(['staging', 'dev', 'product', 'preprod', 'prodigy', 'qa-prod', 'sandbox'])(
    'does not call %s production-like',
    (name) => {
      expect(isProductionLike(name)).toBe(false);
    },
  );

  it.each([
    ['scale_down', 'production'],
    ['scale_up', 'Production'],
    ['check', 'prod'],
    ['scale_down', 'PRD'],
    ['scale_down', 'prod-eu'],
    ['scale_down', '*'],
    ['scale_down', '?roduction'],
    ['scale_down', 'prod*'],
    ['scale_up', 'stag*'],
    ['scale_down', 'sta?ing'],
    ['scale_down', 'staging\\'],
    ['scale_down', 'staging,production'],
    ['scale_down', 'stagíng'],
    ['scale_down', 'staging\u0000'],
  ])('refuses %s of %j before any AWS call, naming environment', async (action, environment) => {
    // Act
    const error = await refusal({ action, environment } as never);

    // Assess
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.issues.map((issue) => issue.path)).toEqual(['environment']);
    expect(everySent()).toEqual([]);
  });

  it('names the reason: production-like, or not a plain tag value', () => {
    expect(environmentIssue('production', [])).toBe(
      'production is production-like (prod, production, prd, prod-…), which is scaled only when SCALED_ENVIRONMENTS names it',
    );
    expect(environmentIssue('prod*', [])).toBe(
      'must be a plain tag value: letters, digits, spaces and _ . : / = + - @ only (no wildcard such as * or ?)',
    );
    expect(environmentIssue('prod*', ['prod*'])).toMatch(/^must be a plain tag value/);
    expect(environmentIssue('team a/b_c.d:e=f+g@h-1', [])).toBeUndefined();
  });

  it('scales, with SCALED_ENVIRONMENTS set, only the names it lists, exactly', async () => {
    // Prepare
    const env = { SCALED_ENVIRONMENTS: 'staging, dev' };

    // Act
    const qa = await refusal({ action: 'scale_down', environment: 'qa' }, env);
    const upper = await refusal({ action: 'scale_down', environment: 'Dev' }, env);
    const dev = await run({ action: 'scale_down', environment: 'dev' }, env);

    // Assess
    expect(qa?.message).toBe(
      'Invalid event: environment: qa is not one of the environments this function scales (SCALED_ENVIRONMENTS: staging, dev)',
    );
    expect(upper).toBeInstanceOf(ValidationError);
    expect(dev.report.notes[0]).toBe('scale_down of environment dev');
  });

  it('checks the staging of the old action names like any other environment', async () => {
    // Act
    const refused = await refusal({ action: 'scale_down_staging' }, { SCALED_ENVIRONMENTS: 'dev' });
    const allowed = await run({ action: 'scale_up_staging' });

    // Assess
    expect(refused?.issues).toEqual([
      {
        path: 'environment',
        message:
          'staging is not one of the environments this function scales (SCALED_ENVIRONMENTS: dev)',
      },
    ]);
    expect(allowed.report.notes[0]).toBe('scale_up of environment staging');
  });

  it('scales a production-like name only when SCALED_ENVIRONMENTS names it', async () => {
    // Act
    const listed = await run(
      { action: 'check', environment: 'prod-sandbox' },
      { SCALED_ENVIRONMENTS: 'prod-sandbox' },
    );

    // Assess
    expect(listed.report.notes[0]).toBe('check of environment prod-sandbox');
  });
});

describe('tagMismatch', () => {
  it('names the first required tag that is missing or differs, compared exactly', () => {
    const required = { Environment: 'staging', AutoScale: 'true' };
    expect(
      tagMismatch(
        [
          { Key: 'Environment', Value: 'staging' },
          { Key: 'AutoScale', Value: 'true' },
        ],
        required,
      ),
    ).toBeUndefined();
    expect(tagMismatch(undefined, required)).toBe('not tagged Environment=staging');
    expect(tagMismatch([{ Key: 'environment', Value: 'staging' }], required)).toBe(
      'not tagged Environment=staging',
    );
    expect(tagMismatch([{ Key: 'Environment', Value: 'staging ' }], required)).toBe(
      'tagged Environment=staging , not Environment=staging',
    );
  });
});
