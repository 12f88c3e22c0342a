import { parseSettings, type SettingsSpec } from '@nightshift/runtime';
import * as z from 'zod/mini';

/** The role assumed in each target account when `SPOKE_ROLE_NAME` is not set. */
export const DEFAULT_SPOKE_ROLE_NAME = 'nightshift-spoke';

/** An AWS account id: 12 digits. */
export const ACCOUNT_ID = /^\d{12}$/;
/** An organizational unit id, as AWS Organizations writes it. */
export const OU_ID = /^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;
/** An organization root id. */
export const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
/** A region name: `eu-west-1`, `us-gov-west-1`, `cn-north-1`, `eusc-de-east-1`. */
export const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
/** An IAM role name (without a path). */
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * Which accounts a job runs in: a list (`self` stands for the caller's own account), or
 * the ACTIVE accounts of the organization, all of them (`parents` empty) or those under the
 * given OUs and roots, recursively.
 */
export type AccountSource =
  | { kind: 'accounts'; accounts: readonly string[] }
  | { kind: 'organization'; parents: readonly string[] };

/** Where a job runs, as read from `TARGET_ACCOUNTS`, `TARGET_REGIONS` and `SPOKE_ROLE_NAME`. */
export interface TargetSettings {
  accounts: AccountSource;
  /** Region names, in the order given, no duplicates. */
  regions: readonly string[];
  /** The function's own region (`AWS_REGION`), when known. */
  ownRegion: string | undefined;
  /** The role assumed in each target account other than the caller's own. */
  roleName: string;
}

type Issues = { issues: z.core.$ZodRawIssue[] };

/** Records what is wrong with a variable's value; the variable is the issue's path. */
const refuse = (context: Issues, message: string, input: unknown): void => {
  context.issues.push({ code: 'custom', message, input });
};

/** The items of a comma-separated value, trimmed; an empty one is refused, by position. */
const splitItems = (value: string, context: Issues): string[] =>
  value === ''
    ? []
    : value.split(',').map((raw, index, all) => {
        const item = raw.trim();
        if (item === '') {
          const message = `item ${index + 1} of ${all.length} is empty (a comma too many?)`;
          refuse(context, message, value);
        }
        return item;
      });

/** Refuses every item that is not `valid` or that comes twice; returns the items. */
const checkItems = (
  value: string,
  context: Issues,
  valid: (item: string) => string | undefined,
): string[] => {
  const items = splitItems(value, context);
  const seen = new Set<string>();
  for (const item of items) {
    if (item === '') continue;
    const problem = valid(item);
    if (problem !== undefined) {
      refuse(context, problem, value);
    } else if (seen.has(item)) {
      refuse(context, `"${item}" is listed twice`, value);
    }
    seen.add(item);
  }
  return items;
};

const ORGANIZATION = 'organization';

const accountItem = (item: string): string | undefined => {
  if (item === 'self' || ACCOUNT_ID.test(item)) return undefined;
  if (item === ORGANIZATION || item.startsWith(`${ORGANIZATION}:`)) {
    return `"${item}" cannot be combined with other items: write organization or organization:<ids> alone`;
  }
  return `"${item}" is not self or an account id (12 digits)`;
};

const parentItem = (item: string): string | undefined =>
  OU_ID.test(item) || ROOT_ID.test(item)
    ? undefined
    : `"${item}" is not an OU id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)`;

const regionItem = (item: string): string | undefined =>
  REGION.test(item) ? undefined : `"${item}" is not a region name like eu-west-1`;

/** `TARGET_ACCOUNTS`, trimmed: not set (or blank) means the caller's own account. */
const accountsSetting = z._default(
  z.pipe(
    z.string(),
    z.transform((raw: string, context): AccountSource => {
      const value = raw.trim();
      if (value === ORGANIZATION) return { kind: 'organization', parents: [] };
      if (value.startsWith(`${ORGANIZATION}:`)) {
        const rest = value.slice(ORGANIZATION.length + 1);
        if (rest === '') {
          const message = 'organization: must be followed by OU ids (ou-…) or root ids (r-…)';
          refuse(context, message, raw);
        }
        return { kind: 'organization', parents: checkItems(rest, context, parentItem) };
      }
      return { kind: 'accounts', accounts: checkItems(value, context, accountItem) };
    }),
  ),
  (): AccountSource => ({ kind: 'accounts', accounts: ['self'] }),
);

/** A comma-separated list of region names. */
const regionList = z.pipe(
  z.string(),
  z.transform((raw: string, context): string[] => checkItems(raw, context, regionItem)),
);

/**
 * `TARGET_REGIONS`: by default the function's own region; required when that is not known
 * (no `AWS_REGION` or `AWS_DEFAULT_REGION`).
 */
const regionsSetting = (ownRegion: string | undefined) =>
  ownRegion === undefined ? regionList : z._default(regionList, () => [ownRegion]);

/** `SPOKE_ROLE_NAME`, trimmed: an IAM role name, `nightshift-spoke` when not set. */
const roleNameSetting = z._default(
  z.pipe(
    z.string(),
    z.transform((raw: string, context): string => {
      const value = raw.trim();
      if (!ROLE_NAME.test(value)) {
        refuse(
          context,
          `"${value}" is not an IAM role name (1 to 64 letters, digits and +=,.@_-)`,
          raw,
        );
      }
      return value;
    }),
  ),
  DEFAULT_SPOKE_ROLE_NAME,
);

/** The function's own region: `AWS_REGION`, else `AWS_DEFAULT_REGION`, trimmed. */
const ownRegionOf = (env: Record<string, string | undefined>): string | undefined =>
  env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || undefined;

/**
 * Where a job runs, each setting read from its environment variable. The default of
 * `TARGET_REGIONS` is the function's own region, so the spec is built for an environment.
 *
 * @example
 * parseSettings(targetSettingsSpec(process.env), process.env); // { accounts, regions, roleName }
 */
export const targetSettingsSpec = (env: Record<string, string | undefined>) =>
  ({
    /** `TARGET_ACCOUNTS`: `self` (the default), account ids, `organization[:<ids>]`. */
    accounts: ['TARGET_ACCOUNTS', accountsSetting],
    /** `TARGET_REGIONS`: region names; the function's own region by default. */
    regions: ['TARGET_REGIONS', regionsSetting(ownRegionOf(env))],
    /** `SPOKE_ROLE_NAME`: the role assumed in each target account. */
    roleName: ['SPOKE_ROLE_NAME', roleNameSetting],
  }) as const satisfies SettingsSpec;

/**
 * Reads where a job runs from the environment, checking every value before any AWS call:
 *
 * - `TARGET_ACCOUNTS`: `self` (the default, also when empty), comma-separated account ids
 *   (`self` may be one of them), `organization`, or `organization:<id>,<id>` with OU ids
 *   (`ou-…`) and root ids (`r-…`);
 * - `TARGET_REGIONS`: comma-separated region names; by default the function's own region
 *   (`AWS_REGION`, else `AWS_DEFAULT_REGION`), and required when that is not known;
 * - `SPOKE_ROLE_NAME`: the role to assume in each target account (`nightshift-spoke`).
 *
 * A bad environment throws a `ConfigError` naming every bad variable and its bad item: an
 * item that is empty, malformed or listed twice.
 *
 * @example
 * loadTargetSettings({ AWS_REGION: 'eu-west-1', TARGET_ACCOUNTS: 'organization:ou-ab12-cd34ef56' });
 * // { accounts: { kind: 'organization', parents: ['ou-ab12-cd34ef56'] }, regions: ['eu-west-1'],
 * //   ownRegion: 'eu-west-1', roleName: 'nightshift-spoke' }
 */
export const loadTargetSettings = (
  env: Record<string, string | undefined> = process.env,
): TargetSettings => ({
  ...parseSettings(targetSettingsSpec(env), env, {
    whyRequired: {
      TARGET_REGIONS:
        'its default is the own Region, and neither AWS_REGION nor AWS_DEFAULT_REGION is set',
    },
  }),
  ownRegion: ownRegionOf(env),
});

/**
 * Whether the settings are the defaults: the caller's own account (`self` alone) in its own
 * region alone. Then a job runs as it always has, with no fan-out and no role to assume.
 *
 * @example
 * isDefaultTargets(loadTargetSettings({ AWS_REGION: 'eu-west-1' })); // true
 * isDefaultTargets(loadTargetSettings({ AWS_REGION: 'eu-west-1', TARGET_REGIONS: 'eu-west-1,us-east-1' })); // false
 */
export const isDefaultTargets = (settings: TargetSettings): boolean =>
  settings.accounts.kind === 'accounts' &&
  settings.accounts.accounts.length === 1 &&
  settings.accounts.accounts[0] === 'self' &&
  settings.regions.length === 1 &&
  settings.regions[0] === settings.ownRegion;
