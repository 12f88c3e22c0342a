import {
  type Account,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { compareTargets, isActiveAccount, resolveTargets } from '../src/resolve.ts';
import { loadTargetSettings } from '../src/settings.ts';

const SELF = '999999999999';
const organizationsMock = mockClient(OrganizationsClient);
const organizations = new OrganizationsClient({ region: 'us-east-1' });
const deps = { organizations, self: { accountId: SELF } };

const settingsOf = (env: Record<string, string>) =>
  loadTargetSettings({ AWS_REGION: 'eu-west-1', ...env });

const active = (Id: string): Account => ({ Id, State: 'ACTIVE', Status: 'ACTIVE' });

beforeEach(() => {
  organizationsMock.reset();
});

describe('resolveTargets', () => {
  it('gives the own account in the own region for the defaults, without Organizations', async () => {
    // Act
    const targets = await resolveTargets(settingsOf({}), { self: { accountId: SELF } });

    // Assess
    expect(targets).toEqual([{ accountId: SELF, region: 'eu-west-1' }]);
    expect(organizationsMock.calls()).toHaveLength(0);
  });

  it('crosses listed accounts with regions, self as the caller, deduplicated and sorted', async () => {
    // Act
    const targets = await resolveTargets(
      settingsOf({
        TARGET_ACCOUNTS: `222222222222,self,${SELF},111111111111`,
        TARGET_REGIONS: 'us-east-1,eu-west-1',
      }),
      deps,
    );

    // Assess
    expect(targets).toEqual([
      { accountId: '111111111111', region: 'eu-west-1' },
      { accountId: '111111111111', region: 'us-east-1' },
      { accountId: '222222222222', region: 'eu-west-1' },
      { accountId: '222222222222', region: 'us-east-1' },
      { accountId: SELF, region: 'eu-west-1' },
      { accountId: SELF, region: 'us-east-1' },
    ]);
    expect(organizationsMock.calls()).toHaveLength(0);
  });

  it('reads every page of the whole organization and keeps the ACTIVE accounts only', async () => {
    // Prepare
    organizationsMock
      .on(ListAccountsCommand, { NextToken: undefined })
      .resolves({
        Accounts: [
          active('333333333333'),
          { Id: '444444444444', State: 'SUSPENDED', Status: 'SUSPENDED' },
        ],
        NextToken: 'page-2',
      })
      .on(ListAccountsCommand, { NextToken: 'page-2' })
      .resolves({
        Accounts: [
          { Id: '555555555555', State: 'PENDING_CLOSURE', Status: 'PENDING_CLOSURE' },
          { Id: '666666666666', State: 'CLOSED' },
          active('111111111111'),
        ],
        NextToken: 'page-3',
      })
      .on(ListAccountsCommand, { NextToken: 'page-3' })
      .resolves({ Accounts: [active(SELF)] });

    // Act
    const targets = await resolveTargets(
      settingsOf({ TARGET_ACCOUNTS: 'organization', TARGET_REGIONS: 'us-east-1' }),
      deps,
    );

    // Assess
    expect(targets).toEqual([
      { accountId: '111111111111', region: 'us-east-1' },
      { accountId: '333333333333', region: 'us-east-1' },
      { accountId: SELF, region: 'us-east-1' },
    ]);
    expect(
      organizationsMock.commandCalls(ListAccountsCommand).map((call) => call.args[0].input),
    ).toEqual([{}, { NextToken: 'page-2' }, { NextToken: 'page-3' }]);
  });

  it('walks OUs and roots recursively, every page of each listing, each parent once', async () => {
    // Prepare: r-root holds 111 and ou-a (2 pages of OUs: ou-a, then ou-b); ou-a holds
    // 222 (2 pages of accounts, a suspended one on the second) and ou-a1 (with 333);
    // ou-b holds 444 and, again, nothing new. ou-a is also named on its own.
    organizationsMock
      .on(ListAccountsForParentCommand, { ParentId: 'r-root', NextToken: undefined })
      .resolves({ Accounts: [active('111111111111')] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'r-root', NextToken: undefined })
      .resolves({ OrganizationalUnits: [{ Id: 'ou-root-aaaaaaaa' }], NextToken: 'ous-2' })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'r-root', NextToken: 'ous-2' })
      .resolves({ OrganizationalUnits: [{ Id: 'ou-root-bbbbbbbb' }] })
      .on(ListAccountsForParentCommand, { ParentId: 'ou-root-aaaaaaaa', NextToken: undefined })
      .resolves({ Accounts: [active('222222222222')], NextToken: 'accounts-2' })
      .on(ListAccountsForParentCommand, { ParentId: 'ou-root-aaaaaaaa', NextToken: 'accounts-2' })
      .resolves({ Accounts: [{ Id: '555555555555', State: 'SUSPENDED' }] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-root-aaaaaaaa' })
      .resolves({ OrganizationalUnits: [{ Id: 'ou-root-a1a1a1a1' }] })
      .on(ListAccountsForParentCommand, { ParentId: 'ou-root-a1a1a1a1' })
      .resolves({ Accounts: [active('333333333333')] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-root-a1a1a1a1' })
      .resolves({ OrganizationalUnits: [] })
      .on(ListAccountsForParentCommand, { ParentId: 'ou-root-bbbbbbbb' })
      .resolves({ Accounts: [active('444444444444')] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-root-bbbbbbbb' })
      .resolves({});

    // Act
    const targets = await resolveTargets(
      settingsOf({ TARGET_ACCOUNTS: 'organization:ou-root-aaaaaaaa,r-root' }),
      deps,
    );

    // Assess
    expect(targets.map((target) => target.accountId)).toEqual([
      '111111111111',
      '222222222222',
      '333333333333',
      '444444444444',
    ]);
    const parentsRead = (command: typeof ListAccountsForParentCommand) =>
      organizationsMock.commandCalls(command).map((call) => call.args[0].input);
    expect(parentsRead(ListAccountsForParentCommand)).toEqual([
      { ParentId: 'ou-root-aaaaaaaa' },
      { ParentId: 'ou-root-aaaaaaaa', NextToken: 'accounts-2' },
      { ParentId: 'r-root' },
      { ParentId: 'ou-root-a1a1a1a1' },
      { ParentId: 'ou-root-bbbbbbbb' },
    ]);
    expect(
      organizationsMock
        .commandCalls(ListOrganizationalUnitsForParentCommand)
        .map((call) => call.args[0].input),
    ).toEqual([
      { ParentId: 'ou-root-aaaaaaaa' },
      { ParentId: 'r-root' },
      { ParentId: 'r-root', NextToken: 'ous-2' },
      { ParentId: 'ou-root-a1a1a1a1' },
      { ParentId: 'ou-root-bbbbbbbb' },
    ]);
    expect(organizationsMock.commandCalls(ListAccountsCommand)).toHaveLength(0);
  });

  it('reads a parent once even when a listing names it twice, and skips entries without an id', async () => {
    // Prepare
    organizationsMock
      .on(ListAccountsForParentCommand, { ParentId: 'r-root' })
      .resolves({ Accounts: [{ State: 'ACTIVE' }, active('111111111111')] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'r-root', NextToken: undefined })
      .resolves({ OrganizationalUnits: [{ Id: 'ou-root-aaaaaaaa' }, {}], NextToken: 'ous-2' })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'r-root', NextToken: 'ous-2' })
      .resolves({ OrganizationalUnits: [{ Id: 'ou-root-aaaaaaaa' }] })
      .on(ListAccountsForParentCommand, { ParentId: 'ou-root-aaaaaaaa' })
      .resolves({ Accounts: [active('222222222222')] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-root-aaaaaaaa' })
      .resolves({ OrganizationalUnits: [] });

    // Act
    const targets = await resolveTargets(
      settingsOf({ TARGET_ACCOUNTS: 'organization:r-root' }),
      deps,
    );

    // Assess
    expect(targets.map((target) => target.accountId)).toEqual(['111111111111', '222222222222']);
    expect(organizationsMock.commandCalls(ListAccountsForParentCommand)).toHaveLength(2);
  });

  it('skips organization accounts without an id', async () => {
    // Prepare
    organizationsMock
      .on(ListAccountsCommand)
      .resolves({ Accounts: [{ State: 'ACTIVE' }, active('111111111111')] });

    // Act
    const targets = await resolveTargets(settingsOf({ TARGET_ACCOUNTS: 'organization' }), deps);

    // Assess
    expect(targets).toEqual([{ accountId: '111111111111', region: 'eu-west-1' }]);
  });

  it('gives no target for an OU without active accounts', async () => {
    // Prepare
    organizationsMock
      .on(ListAccountsForParentCommand)
      .resolves({ Accounts: [{ Id: '111111111111', State: 'SUSPENDED' }] })
      .on(ListOrganizationalUnitsForParentCommand)
      .resolves({ OrganizationalUnits: [] });

    // Act
    const targets = await resolveTargets(
      settingsOf({ TARGET_ACCOUNTS: 'organization:ou-ab12-cd34ef56' }),
      deps,
    );

    // Assess
    expect(targets).toEqual([]);
  });

  it('lets an Organizations error through', async () => {
    // Prepare
    organizationsMock
      .on(ListAccountsCommand)
      .rejects(new Error('AWSOrganizationsNotInUseException'));

    // Act
    const resolving = resolveTargets(settingsOf({ TARGET_ACCOUNTS: 'organization' }), deps);

    // Assess
    await expect(resolving).rejects.toThrow('AWSOrganizationsNotInUseException');
  });

  it('needs an Organizations client for the organization', async () => {
    // Act
    const resolving = resolveTargets(settingsOf({ TARGET_ACCOUNTS: 'organization' }), {
      self: { accountId: SELF },
    });

    // Assess
    await expect(resolving).rejects.toThrow('no Organizations client was given');
  });
});

describe('compareTargets', () => {
  it('orders by account, then by region', () => {
    // Prepare
    const a = { accountId: '111111111111', region: 'us-east-1' };
    const b = { accountId: '111111111111', region: 'eu-west-1' };
    const c = { accountId: '222222222222', region: 'ap-south-1' };

    // Assess
    expect(compareTargets(a, b)).toBe(1);
    expect(compareTargets(b, a)).toBe(-1);
    expect(compareTargets(a, c)).toBe(-1);
    expect(compareTargets(c, a)).toBe(1);
    expect(compareTargets(a, { ...a })).toBe(0);
  });
});

describe('isActiveAccount', () => {
  it.each([
    [{ State: 'ACTIVE', Status: 'ACTIVE' }, true],
    [{ Status: 'ACTIVE' }, true],
    [{ State: 'ACTIVE' }, true],
    [{ State: 'SUSPENDED', Status: 'ACTIVE' }, false],
    [{ Status: 'SUSPENDED' }, false],
    [{ State: 'PENDING_ACTIVATION' }, false],
    [{}, false],
  ] as [Account, boolean][])('%o is active: %s', (account, expected) => {
    // Assess
    expect(isActiveAccount({ Id: '111111111111', ...account })).toBe(expected);
  });
});
