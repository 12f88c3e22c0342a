import { ConfigError } from '@nightshift/runtime';
import { describe, expect, it, vi } from 'vitest';
import { isDefaultTargets, loadTargetSettings } from '../src/settings.ts';

const HOME = { AWS_REGION: 'eu-west-1' };

/** The issues a refused environment gives, as `path: message` lines. */
const refusal = (env: Record<string, string | undefined>): string[] => {
  try {
    loadTargetSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map(({ path, message }) => `${path}: ${message}`);
  }
  throw new Error('the settings were accepted');
};

describe('loadTargetSettings', () => {
  it('defaults to the own account in the own region with the nightshift-spoke role', () => {
    // Act
    const settings = loadTargetSettings(HOME);

    // Assess
    expect(settings).toEqual({
      accounts: { kind: 'accounts', accounts: ['self'] },
      regions: ['eu-west-1'],
      ownRegion: 'eu-west-1',
      roleName: 'nightshift-spoke',
    });
  });

  it('takes empty and blank values as not set', () => {
    // Act
    const settings = loadTargetSettings({
      ...HOME,
      TARGET_ACCOUNTS: '',
      TARGET_REGIONS: '  ',
      SPOKE_ROLE_NAME: ' ',
    });

    // Assess
    expect(settings).toEqual(loadTargetSettings(HOME));
  });

  it('trims every value', () => {
    // Act
    const settings = loadTargetSettings({
      AWS_REGION: ' eu-west-1 ',
      TARGET_ACCOUNTS: ' organization ',
      SPOKE_ROLE_NAME: ' nightshift-prod-spoke ',
    });

    // Assess
    expect(settings).toEqual({
      accounts: { kind: 'organization', parents: [] },
      regions: ['eu-west-1'],
      ownRegion: 'eu-west-1',
      roleName: 'nightshift-prod-spoke',
    });
  });

  it('takes a blank TARGET_ACCOUNTS as self', () => {
    // Act
    const settings = loadTargetSettings({ ...HOME, TARGET_ACCOUNTS: '   ' });

    // Assess
    expect(settings.accounts).toEqual({ kind: 'accounts', accounts: ['self'] });
  });

  it.each([[{ AWS_REGION: ' ', AWS_DEFAULT_REGION: ' us-east-2 ' }]])(
    'falls back to AWS_DEFAULT_REGION when AWS_REGION is blank (%o)',
    (env) => {
      // Act
      const settings = loadTargetSettings(env);

      // Assess
      expect(settings.ownRegion).toBe('us-east-2');
    },
  );

  it('prefers AWS_REGION to AWS_DEFAULT_REGION', () => {
    // Act
    const settings = loadTargetSettings({
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'us-east-2',
    });

    // Assess
    expect(settings.ownRegion).toBe('eu-west-1');
  });

  it('falls back to AWS_DEFAULT_REGION for the own region', () => {
    // Act
    const settings = loadTargetSettings({ AWS_DEFAULT_REGION: 'us-east-2' });

    // Assess
    expect(settings.regions).toEqual(['us-east-2']);
    expect(settings.ownRegion).toBe('us-east-2');
  });

  it('reads a list of account ids with self among them, spaces around items trimmed', () => {
    // Act
    const settings = loadTargetSettings({
      ...HOME,
      TARGET_ACCOUNTS: ' 222222222222, self ,111111111111',
    });

    // Assess
    expect(settings.accounts).toEqual({
      kind: 'accounts',
      accounts: ['222222222222', 'self', '111111111111'],
    });
  });

  it('reads the whole organization', () => {
    // Act
    const settings = loadTargetSettings({ ...HOME, TARGET_ACCOUNTS: 'organization' });

    // Assess
    expect(settings.accounts).toEqual({ kind: 'organization', parents: [] });
  });

  it('reads the organization limited to OUs and roots', () => {
    // Act
    const settings = loadTargetSettings({
      ...HOME,
      TARGET_ACCOUNTS: 'organization:ou-ab12-cd34ef56, r-ab12,ou-0000-11111111',
    });

    // Assess
    expect(settings.accounts).toEqual({
      kind: 'organization',
      parents: ['ou-ab12-cd34ef56', 'r-ab12', 'ou-0000-11111111'],
    });
  });

  it('reads regions in the order given, whatever the partition', () => {
    // Act
    const settings = loadTargetSettings({
      ...HOME,
      TARGET_REGIONS: 'us-east-1, eu-west-1,us-gov-west-1,cn-north-1,eusc-de-east-1,ap-south-12',
    });

    // Assess
    expect(settings.regions).toEqual([
      'us-east-1',
      'eu-west-1',
      'us-gov-west-1',
      'cn-north-1',
      'eusc-de-east-1',
      'ap-south-12',
    ]);
  });

  it('reads the spoke role name', () => {
    // Act
    const settings = loadTargetSettings({ ...HOME, SPOKE_ROLE_NAME: 'nightshift-prod-spoke' });

    // Assess
    expect(settings.roleName).toBe('nightshift-prod-spoke');
  });

  it.each([
    ['12345678901', '"12345678901" is not self or an account id (12 digits)'],
    ['1234567890123', '"1234567890123" is not self or an account id (12 digits)'],
    ['12345678901a', '"12345678901a" is not self or an account id (12 digits)'],
    ['SELF', '"SELF" is not self or an account id (12 digits)'],
    ['all', '"all" is not self or an account id (12 digits)'],
  ])('refuses the account id %s', (item, message) => {
    // Act
    const issues = refusal({ ...HOME, TARGET_ACCOUNTS: `111111111111,${item}` });

    // Assess
    expect(issues).toEqual([`TARGET_ACCOUNTS: ${message}`]);
  });

  it.each(['organization', 'organization:ou-ab12-cd34ef56'])(
    'refuses %s among account ids',
    (item) => {
      // Act
      const issues = refusal({ ...HOME, TARGET_ACCOUNTS: `self,${item}` });

      // Assess
      expect(issues).toEqual([
        `TARGET_ACCOUNTS: "${item}" cannot be combined with other items: write organization or organization:<ids> alone`,
      ]);
    },
  );

  it.each([
    'ou-ab12',
    'ou-AB12-cd34ef56',
    'ou-ab12-cd34ef5',
    'r-ab1',
    'xou-ab12-cd34ef56',
    'ou-ab12-cd34ef56-',
    'xr-ab12',
    'r-ab12-',
    'o-ab12cd34ef',
    '111111111111',
    'organization',
  ])('refuses the OU or root id %s', (item) => {
    // Act
    const issues = refusal({ ...HOME, TARGET_ACCOUNTS: `organization:r-ab12,${item}` });

    // Assess
    expect(issues).toEqual([
      `TARGET_ACCOUNTS: "${item}" is not an OU id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)`,
    ]);
  });

  it('refuses organization: with no id after it', () => {
    // Act
    const issues = refusal({ ...HOME, TARGET_ACCOUNTS: 'organization: ' });

    // Assess
    expect(issues).toEqual([
      'TARGET_ACCOUNTS: organization: must be followed by OU ids (ou-…) or root ids (r-…)',
    ]);
  });

  it.each([
    ['TARGET_ACCOUNTS', '111111111111,,222222222222', 'item 2 of 3 is empty (a comma too many?)'],
    ['TARGET_ACCOUNTS', 'self,', 'item 2 of 2 is empty (a comma too many?)'],
    ['TARGET_ACCOUNTS', ',self', 'item 1 of 2 is empty (a comma too many?)'],
    ['TARGET_ACCOUNTS', 'organization:r-ab12,', 'item 2 of 2 is empty (a comma too many?)'],
    ['TARGET_REGIONS', 'eu-west-1, ,us-east-1', 'item 2 of 3 is empty (a comma too many?)'],
  ])('refuses an empty item in %s (%s)', (variable, value, message) => {
    // Act
    const issues = refusal({ ...HOME, [variable]: value });

    // Assess
    expect(issues).toEqual([`${variable}: ${message}`]);
  });

  it.each([
    'EU-WEST-1',
    'eu-west',
    'euwest1',
    'eu-west-123',
    'eu_west_1',
    'europe-west1',
    '1eu-west-1',
    'eu-west-1a',
  ])('refuses the region %s', (item) => {
    // Act
    const issues = refusal({ ...HOME, TARGET_REGIONS: `us-east-1,${item}` });

    // Assess
    expect(issues).toEqual([`TARGET_REGIONS: "${item}" is not a region name like eu-west-1`]);
  });

  it.each([
    ['TARGET_ACCOUNTS', '111111111111,222222222222, 111111111111', '111111111111'],
    ['TARGET_ACCOUNTS', 'self,self', 'self'],
    ['TARGET_ACCOUNTS', 'organization:r-ab12,ou-ab12-cd34ef56,r-ab12', 'r-ab12'],
    ['TARGET_REGIONS', 'eu-west-1,us-east-1,eu-west-1', 'eu-west-1'],
  ])('refuses a duplicate in %s (%s)', (variable, value, item) => {
    // Act
    const issues = refusal({ ...HOME, [variable]: value });

    // Assess
    expect(issues).toEqual([`${variable}: "${item}" is listed twice`]);
  });

  it.each(['a b', 'role/nightshift-spoke', 'x'.repeat(65)])('refuses the role name %s', (name) => {
    // Act
    const issues = refusal({ ...HOME, SPOKE_ROLE_NAME: name });

    // Assess
    expect(issues).toEqual([
      `SPOKE_ROLE_NAME: "${name}" is not an IAM role name (1 to 64 letters, digits and +=,.@_-)`,
    ]);
  });

  it('takes a role name of 64 characters', () => {
    // Act
    const settings = loadTargetSettings({ ...HOME, SPOKE_ROLE_NAME: 'x'.repeat(64) });

    // Assess
    expect(settings.roleName).toHaveLength(64);
  });

  it.each([
    [{ TARGET_ACCOUNTS: 'self' }],
    [{ TARGET_ACCOUNTS: 'self', TARGET_REGIONS: ' ', AWS_REGION: ' ', AWS_DEFAULT_REGION: '' }],
  ])('requires TARGET_REGIONS when the own region is not known (%o)', (env) => {
    // Act
    const issues = refusal(env);

    // Assess
    expect(issues).toEqual([
      'TARGET_REGIONS: is required but not set (its default is the own Region, and neither AWS_REGION nor AWS_DEFAULT_REGION is set)',
    ]);
  });

  it('names every bad variable and item at once, in a ConfigError', () => {
    // Act
    const loading = () =>
      loadTargetSettings({
        ...HOME,
        TARGET_ACCOUNTS: '123,self',
        TARGET_REGIONS: 'Ireland',
        SPOKE_ROLE_NAME: 'a:b',
      });

    // Assess
    expect(loading).toThrow(ConfigError);
    expect(loading).toThrow(
      'Invalid configuration: TARGET_ACCOUNTS: "123" is not self or an account id (12 digits); ' +
        'TARGET_REGIONS: "Ireland" is not a region name like eu-west-1; ' +
        'SPOKE_ROLE_NAME: "a:b" is not an IAM role name',
    );
  });

  it('reads process.env by default', () => {
    // Prepare
    vi.stubEnv('AWS_REGION', 'ap-south-1');
    vi.stubEnv('TARGET_ACCOUNTS', 'organization');
    vi.stubEnv('TARGET_REGIONS', undefined);

    // Act
    const settings = loadTargetSettings();

    // Assess
    expect(settings.accounts.kind).toBe('organization');
    expect(settings.regions).toEqual(['ap-south-1']);
  });
});

describe('isDefaultTargets', () => {
  it('is true for the defaults, and for self in the own region written out', () => {
    // Assess
    expect(isDefaultTargets(loadTargetSettings(HOME))).toBe(true);
    expect(
      isDefaultTargets(
        loadTargetSettings({ ...HOME, TARGET_ACCOUNTS: 'self', TARGET_REGIONS: 'eu-west-1' }),
      ),
    ).toBe(true);
  });

  it.each([
    { TARGET_REGIONS: 'us-east-1' },
    { TARGET_REGIONS: 'eu-west-1,us-east-1' },
    { TARGET_ACCOUNTS: '111111111111' },
    { TARGET_ACCOUNTS: 'self,111111111111' },
    { TARGET_ACCOUNTS: 'organization' },
    { TARGET_ACCOUNTS: 'organization:r-ab12' },
  ])('is false for %o', (env) => {
    // Assess
    expect(isDefaultTargets(loadTargetSettings({ ...HOME, ...env }))).toBe(false);
  });

  it('is false when the own region is not known', () => {
    // Assess
    expect(isDefaultTargets(loadTargetSettings({ TARGET_REGIONS: 'eu-west-1' }))).toBe(false);
  });
});
