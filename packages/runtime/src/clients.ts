import { ConfigError } from './errors.ts';

/** The part of every AWS SDK v3 client's configuration that Nightshift sets. */
export interface ClientDefaults {
  region?: string;
  retryMode?: string;
  maxAttempts?: number;
  requestHandler?: {
    connectionTimeout?: number;
    requestTimeout?: number;
    throwOnRequestTimeout?: boolean;
  };
}

/** Any AWS SDK v3 client class. */
export type ClientClass<C> = new (config: ClientDefaults) => C;

/**
 * Retries with client-side rate limiting: throttled calls slow the whole client down
 * instead of hammering the API, which matters when thousands of calls run in a loop.
 * Timeouts keep one stuck connection from eating the time budget of the whole run.
 */
export const CLIENT_DEFAULTS: Readonly<ClientDefaults> = {
  retryMode: 'adaptive',
  maxAttempts: 8,
  // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes.
  requestHandler: { connectionTimeout: 3_000, requestTimeout: 20_000, throwOnRequestTimeout: true },
};

/** A client's own limits, tighter than the defaults: for calls a run can do without. */
export interface ClientLimits {
  /** Attempts per call at most (`AWS_MAX_ATTEMPTS`, when lower, still wins). */
  maxAttempts?: number;
  /** How long one attempt may wait for its answer, in milliseconds. */
  requestTimeoutMs?: number;
}

/** Per client class, its clients by their limits. */
const clients = new Map<ClientClass<unknown>, Map<string, unknown>>();

/** `AWS_MAX_ATTEMPTS`, the SDK's own setting, when it is set; otherwise the default. */
const maxAttempts = (): number => {
  const value = process.env.AWS_MAX_ATTEMPTS;
  if (value === undefined || value.trim() === '') return CLIENT_DEFAULTS.maxAttempts ?? 8;
  const attempts = Number(value);
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new ConfigError([
      {
        path: 'AWS_MAX_ATTEMPTS',
        message: 'must be a whole number of at least 1',
      },
    ]);
  }
  return attempts;
};

/**
 * The one client of a service in this container, created on first use. The region comes
 * from the environment; `AWS_ENDPOINT_URL` points every client at an emulator when set;
 * `AWS_MAX_ATTEMPTS` overrides the 8 attempts per call. `limits` gives a second client of
 * the same service with fewer attempts and a shorter request timeout, for optional
 * look-ups that must not hold up the run.
 *
 * @example
 * const ec2 = getClient(EC2Client);
 * const lookups = getClient(CodePipelineClient, { maxAttempts: 2, requestTimeoutMs: 3_000 });
 */
export const getClient = <C>(Client: ClientClass<C>, limits: ClientLimits = {}): C => {
  const byLimits = clients.get(Client) ?? new Map<string, unknown>();
  clients.set(Client, byLimits);
  const key = `${limits.maxAttempts}/${limits.requestTimeoutMs}`;
  const cached = byLimits.get(key) as C | undefined;
  if (cached !== undefined) return cached;
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  const attempts = maxAttempts();
  const client = new Client({
    ...CLIENT_DEFAULTS,
    maxAttempts: Math.min(attempts, limits.maxAttempts ?? attempts),
    requestHandler: {
      ...CLIENT_DEFAULTS.requestHandler,
      ...(limits.requestTimeoutMs === undefined ? {} : { requestTimeout: limits.requestTimeoutMs }),
    },
    ...(region ? { region } : {}),
  });
  byLimits.set(key, client);
  return client;
};

/**
 * Forgets every cached client, so the next `getClient` builds a new one (for tests that
 * change the environment between cases).
 *
 * @example
 * afterEach(() => resetClients());
 */
export const resetClients = (): void => {
  clients.clear();
};

/**
 * Whether the SDK sent a call more than once before it ended in `error`: an earlier
 * attempt may have taken effect although its answer never arrived (a connection cut after
 * the request went out), so "not found" from a retried delete usually means it worked.
 *
 * @example
 * if (name === 'InvalidSnapshot.NotFound' && wasRetried(error)) return 'gone-after-retry';
 */
export const wasRetried = (error: unknown): boolean =>
  ((error as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts ?? 1) > 1;

/** What a report says of a delete that a retried call found already done. */
export const GONE_AFTER_RETRY =
  'the retried call found it gone: an earlier attempt, whose answer was lost, most likely deleted it';
