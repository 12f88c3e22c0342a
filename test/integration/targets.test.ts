import { beforeEach, describe, expect, it } from 'vitest';
// The package and its emulator fixtures by path: the workspace root does not depend on them.
import {
  clearTargetClients,
  clearTargetCredentials,
  loadTargetSettings,
  resolveTargets,
  sessionNameFor,
  targetCredentials,
} from '../../packages/targets/src/index.ts';
import {
  callerIn,
  createAccount,
  createOrganization,
  createUnit,
  organizationsClient,
  ownAccountId,
  stsClient,
} from '../../packages/targets/test/organization.ts';

const REGIONS = 'us-east-1,eu-west-1';

beforeEach(() => {
  clearTargetCredentials();
  clearTargetClients();
});

describe('targets against the emulated organization', () => {
  it('resolves the active accounts of the organization, and of an OU with the OUs nested in it, times the regions', async () => {
    // Prepare: root ─ loose, workloads ─ (app, prod ─ (db, closed)), sandbox ─ toy
    const self = { accountId: await ownAccountId() };
    const rootId = await createOrganization();
    const workloads = await createUnit(rootId, 'workloads');
    const prod = await createUnit(workloads, 'prod');
    const sandbox = await createUnit(rootId, 'sandbox');
    const loose = await createAccount('loose', { rootId });
    const app = await createAccount('app', { rootId, parentId: workloads });
    const db = await createAccount('db', { rootId, parentId: prod });
    await createAccount('closed', { rootId, parentId: prod, closed: true });
    const toy = await createAccount('toy', { rootId, parentId: sandbox });
    const deps = { organizations: organizationsClient(), self };
    const settingsOf = (accounts: string) =>
      loadTargetSettings({
        AWS_REGION: 'us-east-1',
        TARGET_ACCOUNTS: accounts,
        TARGET_REGIONS: REGIONS,
      });
    const crossed = (accounts: string[]) =>
      accounts.toSorted().flatMap((accountId) => [
        { accountId, region: 'eu-west-1' },
        { accountId, region: 'us-east-1' },
      ]);

    // Act
    const wholeOrganization = await resolveTargets(settingsOf('organization'), deps);
    const underWorkloads = await resolveTargets(settingsOf(`organization:${workloads}`), deps);
    const fromRoot = await resolveTargets(settingsOf(`organization:${rootId},${prod}`), deps);

    // Assess
    expect(wholeOrganization).toEqual(crossed([self.accountId, loose, app, db, toy]));
    expect(underWorkloads).toEqual(crossed([app, db]));
    expect(fromRoot).toEqual(wholeOrganization);
  });

  it('works in each other account as its spoke role, and in the own account with its own role', async () => {
    // Prepare
    const self = { accountId: await ownAccountId() };
    const rootId = await createOrganization();
    const first = await createAccount('first', { rootId });
    const second = await createAccount('second', { rootId });
    const settings = loadTargetSettings({
      AWS_REGION: 'us-east-1',
      TARGET_ACCOUNTS: `self,${first},${second}`,
      TARGET_REGIONS: REGIONS,
      SPOKE_ROLE_NAME: 'nightshift-staging-spoke',
    });
    const targets = await resolveTargets(settings, { self });
    const options = {
      roleName: settings.roleName,
      sessionName: sessionNameFor('snapshot-cleanup'),
      selfAccountId: self.accountId,
    };

    // Act
    const reached = await Promise.all(
      targets.map(async (target) => {
        const credentials = await targetCredentials(stsClient(), target, options);
        return {
          target,
          assumed: credentials !== undefined,
          ...(await callerIn(target, credentials)),
        };
      }),
    );

    // Assess: six targets, each answered by its own account, in its own region.
    expect(reached).toHaveLength(6);
    for (const { target, assumed, account, arn, region } of reached) {
      expect(account).toBe(target.accountId);
      expect(region).toBe(target.region);
      if (target.accountId === self.accountId) {
        expect(assumed).toBe(false);
        expect(arn).not.toContain('assumed-role');
      } else {
        expect(assumed).toBe(true);
        expect(arn).toBe(
          `arn:aws:sts::${target.accountId}:assumed-role/nightshift-staging-spoke/nightshift-snapshot-cleanup`,
        );
      }
    }
    expect(new Set(reached.map(({ account }) => account))).toEqual(
      new Set([self.accountId, first, second]),
    );
  });
});
