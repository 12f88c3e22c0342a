import {
  AssumeRoleCommand,
  type AssumeRoleCommandOutput,
  type STSClient,
} from '@aws-sdk/client-sts';
import { createLru } from './lru.ts';
import type { Target } from './resolve.ts';

/** Temporary credentials of a target account's spoke role, as an SDK client takes them. */
export interface TargetCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration?: Date;
}

/** How long assumed credentials last: one hour, the most a role chained from Lambda's may. */
export const SESSION_DURATION_SECONDS = 3600;
/** The longest role session name STS takes. */
export const MAX_SESSION_NAME_LENGTH = 64;
/** Credentials are assumed again when they have less than this left. */
export const CREDENTIALS_REFRESH_MS = 5 * 60 * 1000;
/** The most assumed credentials kept (one per role and session name); the least recently used go first. */
export const MAX_CACHED_CREDENTIALS = 256;

/** What `targetCredentials` needs to know. */
export interface TargetCredentialsOptions {
  /** The spoke role's name (`SPOKE_ROLE_NAME`). */
  roleName: string;
  /** The role session's name (`sessionNameFor(function)`); made valid (`toSessionName`). */
  sessionName: string;
  /** The caller's own account: no role is assumed there. */
  selfAccountId: string;
  /** The partition of the role ARN; by default the target region's. */
  partition?: string;
  /** The time, for the cache (`Date.now`). */
  now?: () => number;
}

/**
 * A target that could not be reached: its spoke role could not be assumed (AccessDenied:
 * the role is missing, or does not trust the caller). It names the account, the region and
 * the role ARN; the SDK's error is its `cause`.
 */
export class TargetError extends Error {
  readonly accountId: string;
  readonly region: string;
  readonly roleArn: string;

  constructor(target: Target, roleArn: string, reason: string, options?: ErrorOptions) {
    super(
      `Cannot reach account ${target.accountId} (${target.region}): assuming ${roleArn} failed: ${reason}`,
      options,
    );
    this.name = 'TargetError';
    this.accountId = target.accountId;
    this.region = target.region;
    this.roleArn = roleArn;
  }
}

/**
 * The partition a region belongs to: `aws-cn` for China, `aws-us-gov` for GovCloud, and so
 * on; `aws` otherwise.
 *
 * @example
 * partitionOf('cn-north-1'); // 'aws-cn'
 */
export const partitionOf = (region: string): string => {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
};

/**
 * The ARN of the role `roleName` in `accountId`.
 *
 * @example
 * spokeRoleArn('222222222222', 'nightshift-prod-spoke'); // 'arn:aws:iam::222222222222:role/nightshift-prod-spoke'
 */
export const spokeRoleArn = (accountId: string, roleName: string, partition = 'aws'): string =>
  `arn:${partition}:iam::${accountId}:role/${roleName}`;

/**
 * A valid role session name from any text: characters STS refuses become `-`, it is cut to
 * 64 characters, and one shorter than 2 becomes `nightshift`.
 *
 * @example
 * toSessionName('nightshift-backup manager'); // 'nightshift-backup-manager'
 */
export const toSessionName = (text: string): string => {
  const name = text.replace(/[^\w+=,.@-]/g, '-').slice(0, MAX_SESSION_NAME_LENGTH);
  return name.length < 2 ? 'nightshift' : name;
};

/**
 * The role session name of a function's work in a target account, `nightshift-<function>`,
 * made valid (`toSessionName`). It shows in the target account's CloudTrail.
 *
 * @example
 * sessionNameFor('snapshot-cleanup'); // 'nightshift-snapshot-cleanup'
 */
export const sessionNameFor = (functionName: string): string =>
  toSessionName(`nightshift-${functionName}`);

/** Assumed credentials by role ARN and session name. */
const cache = createLru<string, TargetCredentials>(MAX_CACHED_CREDENTIALS);

/** Forgets every assumed credential (a test starts from nothing). */
export const clearTargetCredentials = (): void => cache.clear();

const errorReason = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/**
 * The credentials to work in `target` with: `undefined` for the caller's own account (its
 * own role does the work, nothing is assumed); otherwise the spoke role's, assumed with STS
 * `AssumeRole` for one hour as `arn:<partition>:iam::<account>:role/<roleName>`. Credentials
 * are kept and given again until 5 minutes before they expire. A failure to assume the role
 * throws a `TargetError` naming the account and the role ARN.
 *
 * @example
 * const credentials = await targetCredentials(sts, target, {
 *   roleName: settings.roleName, sessionName: sessionNameFor('snapshot-cleanup'), selfAccountId,
 * });
 * const ec2 = targetClient(EC2Client, target, credentials);
 */
export const targetCredentials = async (
  sts: STSClient,
  target: Target,
  options: TargetCredentialsOptions,
): Promise<TargetCredentials | undefined> => {
  if (target.accountId === options.selfAccountId) return undefined;
  const now = options.now ?? Date.now;
  const roleArn = spokeRoleArn(
    target.accountId,
    options.roleName,
    options.partition ?? partitionOf(target.region),
  );
  const sessionName = toSessionName(options.sessionName);
  const key = `${roleArn} ${sessionName}`;
  const cached = cache.get(key);
  if (cached && (cached.expiration?.getTime() ?? 0) - now() > CREDENTIALS_REFRESH_MS) {
    return cached;
  }
  let answer: AssumeRoleCommandOutput;
  try {
    answer = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: SESSION_DURATION_SECONDS,
      }),
    );
  } catch (error) {
    throw new TargetError(target, roleArn, errorReason(error), { cause: error });
  }
  const given = answer.Credentials;
  if (!given?.AccessKeyId || !given.SecretAccessKey || !given.SessionToken) {
    throw new TargetError(target, roleArn, 'STS answered without credentials');
  }
  const credentials: TargetCredentials = {
    accessKeyId: given.AccessKeyId,
    secretAccessKey: given.SecretAccessKey,
    sessionToken: given.SessionToken,
    ...(given.Expiration instanceof Date ? { expiration: given.Expiration } : {}),
  };
  cache.set(key, credentials);
  return credentials;
};
