import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationalUnitCommand,
  CreateOrganizationCommand,
  ListRootsCommand,
  MoveAccountCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { getClient } from '@nightshift/runtime';
import { targetClient } from '../src/clients.ts';
import type { TargetCredentials } from '../src/credentials.ts';
import type { Target } from '../src/resolve.ts';

// An organization in the emulated account (the integration tests' fixtures): its
// management account is the caller's own.

/** The Organizations client of the caller's own account. */
export const organizationsClient = (): OrganizationsClient => getClient(OrganizationsClient);

/** The STS client of the caller's own account. */
export const stsClient = (): STSClient => getClient(STSClient);

/** The account the caller's own credentials belong to. */
export const ownAccountId = async (): Promise<string> =>
  (await stsClient().send(new GetCallerIdentityCommand({}))).Account ?? '';

/**
 * Creates the organization, with the caller's own account as its management account, and
 * returns its root's id.
 */
export const createOrganization = async (): Promise<string> => {
  const organizations = organizationsClient();
  await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const { Roots = [] } = await organizations.send(new ListRootsCommand({}));
  return Roots[0]?.Id ?? '';
};

/** Creates an OU under `parentId` and returns its id. */
export const createUnit = async (parentId: string, name: string): Promise<string> => {
  const { OrganizationalUnit } = await organizationsClient().send(
    new CreateOrganizationalUnitCommand({ ParentId: parentId, Name: name }),
  );
  return OrganizationalUnit?.Id ?? '';
};

/**
 * Creates a member account, moves it from the root to `parentId` when that is an OU, closes
 * it (SUSPENDED) when asked, and returns its id.
 */
export const createAccount = async (
  name: string,
  {
    rootId,
    parentId = rootId,
    closed = false,
  }: { rootId: string; parentId?: string; closed?: boolean },
): Promise<string> => {
  const organizations = organizationsClient();
  const { CreateAccountStatus } = await organizations.send(
    new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
  );
  const accountId = CreateAccountStatus?.AccountId ?? '';
  if (parentId !== rootId) {
    await organizations.send(
      new MoveAccountCommand({
        AccountId: accountId,
        SourceParentId: rootId,
        DestinationParentId: parentId,
      }),
    );
  }
  if (closed) await organizations.send(new CloseAccountCommand({ AccountId: accountId }));
  return accountId;
};

/** Who a target's STS client (with the target's credentials) answers the caller is. */
export const callerIn = async (
  target: Target,
  credentials: TargetCredentials | undefined,
): Promise<{ account: string; arn: string; region: string }> => {
  const sts = targetClient(STSClient, target, credentials);
  const { Account = '', Arn = '' } = await sts.send(new GetCallerIdentityCommand({}));
  return { account: Account, arn: Arn, region: await sts.config.region() };
};
