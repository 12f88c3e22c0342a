export {
  clearTargetClients,
  clientConfigFor,
  MAX_CACHED_CLIENTS,
  type TargetClientClass,
  type TargetClientConfig,
  targetClient,
} from './clients.ts';
export {
  CREDENTIALS_REFRESH_MS,
  clearTargetCredentials,
  MAX_CACHED_CREDENTIALS,
  MAX_SESSION_NAME_LENGTH,
  partitionOf,
  SESSION_DURATION_SECONDS,
  sessionNameFor,
  spokeRoleArn,
  type TargetCredentials,
  type TargetCredentialsOptions,
  TargetError,
  targetCredentials,
  toSessionName,
} from './credentials.ts';
export {
  compareTargets,
  isActiveAccount,
  type ResolveDeps,
  resolveTargets,
  type Target,
} from './resolve.ts';
export {
  ACCOUNT_ID,
  type AccountSource,
  DEFAULT_SPOKE_ROLE_NAME,
  isDefaultTargets,
  loadTargetSettings,
  OU_ID,
  REGION,
  ROLE_NAME,
  ROOT_ID,
  type TargetSettings,
} from './settings.ts';
