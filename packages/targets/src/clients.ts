import { CLIENT_DEFAULTS, type ClientDefaults } from '@nightshift/runtime';
import type { TargetCredentials } from './credentials.ts';
import { createLru } from './lru.ts';
import type { Target } from './resolve.ts';

/** The part of an SDK client's configuration that points it at one target. */
export interface TargetClientConfig {
  region: string;
  credentials?: TargetCredentials;
}

/** Any AWS SDK v3 client class, built with the defaults and a target's configuration. */
export type TargetClientClass<C> = new (config: ClientDefaults & TargetClientConfig) => C;

/** The most clients kept (one per class and target); the least recently used go first. */
export const MAX_CACHED_CLIENTS = 64;

/**
 * The configuration that points an SDK client at `target`: its region, and the target's
 * credentials when there are some (none: the function's own, for its own account). Spread it
 * next to `CLIENT_DEFAULTS`.
 *
 * @example
 * new EC2Client({ ...CLIENT_DEFAULTS, ...clientConfigFor(target, credentials) });
 */
export const clientConfigFor = (
  target: Target,
  credentials?: TargetCredentials,
): TargetClientConfig => ({
  region: target.region,
  ...(credentials === undefined ? {} : { credentials }),
});

/** `AWS_MAX_ATTEMPTS` when it is a whole number of at least 1, as `getClient` reads it. */
const maxAttempts = (): number | undefined => {
  const attempts = Number(process.env.AWS_MAX_ATTEMPTS);
  return Number.isInteger(attempts) && attempts >= 1 ? attempts : undefined;
};

/** Clients by class and target, with the credentials they were built with. */
const clients = createLru<string, { credentials: TargetCredentials | undefined; client: unknown }>(
  MAX_CACHED_CLIENTS,
);

/** A number per client class, for the cache's keys. */
const classIds = new Map<object, number>();
const classIdOf = (Client: object): number => {
  const id = classIds.get(Client) ?? classIds.size;
  classIds.set(Client, id);
  return id;
};

/** Forgets every client built (a test starts from nothing). */
export const clearTargetClients = (): void => clients.clear();

/**
 * The client of a service for one target, built once with `CLIENT_DEFAULTS` (and
 * `AWS_MAX_ATTEMPTS` when set) and `clientConfigFor(target, credentials)`, then given again
 * for the same class and target while the credentials are the same ones; new credentials
 * (assumed again after an hour) build a new client. At most `MAX_CACHED_CLIENTS` are kept.
 *
 * @example
 * const ec2 = targetClient(EC2Client, target, await targetCredentials(sts, target, options));
 */
export const targetClient = <C>(
  Client: TargetClientClass<C>,
  target: Target,
  credentials?: TargetCredentials,
): C => {
  const key = `${classIdOf(Client)} ${target.accountId} ${target.region}`;
  const cached = clients.get(key);
  // Two sessions never share a token; no credentials (the own role) match none.
  if (cached && cached.credentials?.sessionToken === credentials?.sessionToken) {
    return cached.client as C;
  }
  const attempts = maxAttempts();
  const client = new Client({
    ...CLIENT_DEFAULTS,
    ...(attempts === undefined ? {} : { maxAttempts: attempts }),
    ...clientConfigFor(target, credentials),
  });
  clients.set(key, { credentials, client });
  return client;
};
