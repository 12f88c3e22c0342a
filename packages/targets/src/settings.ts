import { parseOrThrow } from '@nightshift/runtime';
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

const accountsSetting = z.pipe(
  z.optional(z.string()),
  z.transform((raw: string | undefined, context): AccountSource => {
    const value = raw?.trim() ?? '';
    if (value === '') return { kind: 'accounts', accounts: ['self'] };
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
);

const regionsSetting = (ownRegion: string | undefined) =>
  z.pipe(
    z.optional(z.string()),
    z.transform((raw: string | undefined, context): string[] => {
      const value = raw?.trim() ?? '';
      if (value !== '') return checkItems(value, context, regionItem);
      if (ownRegion === undefined) {
        refuse(
          context,
          'is not set, and neither is AWS_REGION (the default: the function’s own region)',
          raw,
        );
        return [];
      }
      return [ownRegion];
    }),
  );

const roleNameSetting = z.pipe(
  z.optional(z.string()),
  z.transform((raw: string | undefined, context): string => {
    const value = raw?.trim() ?? '';
    if (value === '') return DEFAULT_SPOKE_ROLE_NAME;
    if (!ROLE_NAME.test(value)) {
      refuse(
        context,
        `"${value}" is not an IAM role name (1 to 64 letters, digits and +=,.@_-)`,
        raw,
      );
    }
    return value;
  }),
);

/**
 * Reads where a job runs from the environment, checking every value before any AWS call:
 *
 * - `TARGET_ACCOUNTS`: `self` (the default, also when empty), comma-separated account ids
 *   (`self` may be one of them), `organization`, or `organization:<id>,<id>` with OU ids
 *   (`ou-…`) and root ids (`r-…`);
 * - `TARGET_REGIONS`: comma-separated region names; by default the function's own region
 *   (`AWS_REGION`);
 * - `SPOKE_ROLE_NAME`: the role to assume in each target account (`nightshift-spoke`).
 *
 * A bad value throws a `ValidationError` naming the variable and the bad item: an item
 * that is empty, malformed or listed twice.
 *
 * @example
 * loadTargetSettings({ AWS_REGION: 'eu-west-1', TARGET_ACCOUNTS: 'organization:ou-ab12-cd34ef56' });
 * // { accounts: { kind: 'organization', parents: ['ou-ab12-cd34ef56'] }, regions: ['eu-west-1'],
 * //   ownRegion: 'eu-west-1', roleName: 'nightshift-spoke' }
 */
export const loadTargetSettings = (
  env: Record<string, string | undefined> = process.env,
): TargetSettings => {
  const ownRegion = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || undefined;
  const schema = z.object({
    TARGET_ACCOUNTS: accountsSetting,
    TARGET_REGIONS: regionsSetting(ownRegion),
    SPOKE_ROLE_NAME: roleNameSetting,
  });
  const parsed = parseOrThrow(
    schema,
    {
      TARGET_ACCOUNTS: env.TARGET_ACCOUNTS,
      TARGET_REGIONS: env.TARGET_REGIONS,
      SPOKE_ROLE_NAME: env.SPOKE_ROLE_NAME,
    },
    'target settings',
  );
  return {
    accounts: parsed.TARGET_ACCOUNTS,
    regions: parsed.TARGET_REGIONS,
    ownRegion,
    roleName: parsed.SPOKE_ROLE_NAME,
  };
};

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
