import {
  type Account,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { TargetSettings } from './settings.ts';

/** One place a job runs: an account and a region. */
export interface Target {
  /** 12 digits. */
  accountId: string;
  region: string;
}

/** What `resolveTargets` needs besides the settings. */
export interface ResolveDeps {
  /** Read only when the settings name the organization. */
  organizations?: OrganizationsClient;
  /** The caller's own account (STS `GetCallerIdentity`), what `self` stands for. */
  self: { accountId: string };
}

/**
 * Whether an account can be worked in: its `State` is ACTIVE, or, for an answer without a
 * `State`, its older `Status` is. Suspended, closing and closed accounts are left out.
 */
export const isActiveAccount = (account: Account): boolean =>
  (account.State ?? account.Status) === 'ACTIVE';

/** Every page of a listing, following `NextToken` until there is none. */
const allPages = async <T>(
  page: (token: string | undefined) => Promise<{ items: T[] | undefined; next?: string }>,
): Promise<T[]> => {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const answer = await page(token);
    items.push(...(answer.items ?? []));
    token = answer.next;
  } while (token);
  return items;
};

/** The ACTIVE accounts of the whole organization (`ListAccounts`). */
const organizationAccounts = async (organizations: OrganizationsClient): Promise<string[]> => {
  const accounts = await allPages(async (NextToken) => {
    const answer = await organizations.send(new ListAccountsCommand({ NextToken }));
    return { items: answer.Accounts, next: answer.NextToken };
  });
  return accounts.filter(isActiveAccount).flatMap((account) => (account.Id ? [account.Id] : []));
};

/**
 * The ACTIVE accounts under the given OUs and roots, recursively: each parent's accounts
 * (`ListAccountsForParent`), then the same for each of its OUs
 * (`ListOrganizationalUnitsForParent`). Each parent is read once, one call at a time
 * (Organizations allows few calls per second).
 */
const accountsUnder = async (
  organizations: OrganizationsClient,
  parents: readonly string[],
): Promise<string[]> => {
  const found: string[] = [];
  const seen = new Set<string>(parents);
  const queue = [...parents];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    const ParentId = parent;
    const accounts = await allPages(async (NextToken) => {
      const answer = await organizations.send(
        new ListAccountsForParentCommand({ ParentId, NextToken }),
      );
      return { items: answer.Accounts, next: answer.NextToken };
    });
    found.push(
      ...accounts.filter(isActiveAccount).flatMap((account) => (account.Id ? [account.Id] : [])),
    );
    const units = await allPages(async (NextToken) => {
      const answer = await organizations.send(
        new ListOrganizationalUnitsForParentCommand({ ParentId, NextToken }),
      );
      return { items: answer.OrganizationalUnits, next: answer.NextToken };
    });
    for (const unit of units) {
      if (unit.Id && !seen.has(unit.Id)) {
        seen.add(unit.Id);
        queue.push(unit.Id);
      }
    }
  }
  return found;
};

/** The account ids the settings name, `self` replaced by the caller's own. */
const accountIds = async (settings: TargetSettings, deps: ResolveDeps): Promise<string[]> => {
  const source = settings.accounts;
  if (source.kind === 'accounts') {
    return source.accounts.map((account) => (account === 'self' ? deps.self.accountId : account));
  }
  if (deps.organizations === undefined) {
    throw new Error(
      'TARGET_ACCOUNTS names the organization, but no Organizations client was given',
    );
  }
  return source.parents.length === 0
    ? organizationAccounts(deps.organizations)
    : accountsUnder(deps.organizations, source.parents);
};

/** Orders targets by account, then region. */
export const compareTargets = (a: Target, b: Target): number =>
  compareText(a.accountId, b.accountId) || compareText(a.region, b.region);

/** Code-unit order, the same in every locale. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every (account, region) a job runs in: the accounts the settings name (`self` being the
 * caller's own; for the organization, its ACTIVE accounts read through AWS Organizations,
 * every page) times the regions, without duplicates, sorted by account, then region.
 *
 * @example
 * const targets = await resolveTargets(settings, { organizations, self: { accountId: '111111111111' } });
 * // [{ accountId: '111111111111', region: 'eu-west-1' }, { accountId: '222222222222', region: 'eu-west-1' }, …]
 */
export const resolveTargets = async (
  settings: TargetSettings,
  deps: ResolveDeps,
): Promise<Target[]> => {
  const accounts = [...new Set(await accountIds(settings, deps))];
  const regions = [...new Set(settings.regions)];
  return accounts
    .flatMap((accountId) => regions.map((region) => ({ accountId, region })))
    .sort(compareTargets);
};
