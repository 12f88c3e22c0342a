import {
  GetSecretValueCommand,
  type GetSecretValueCommandOutput,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SigningKey } from './token.ts';

/** How long keys read from Secrets Manager are used before they are read again. */
export const KEY_CACHE_MS = 5 * 60 * 1000;

/** The stage labels Secrets Manager gives the newest version and the one before it. */
const CURRENT_STAGE = 'AWSCURRENT';
const PREVIOUS_STAGE = 'AWSPREVIOUS';

/** Keys read, by secret and whether the previous version was asked for. */
const cache = new Map<string, { readAt: number; keys: SigningKey[] }>();

/** Forgets every key read (a test starts from nothing; a rotation is then seen at once). */
export const clearSigningKeyCache = (): void => cache.clear();

/** The key of one version: its version id and its secret, text or bytes. */
const keyOf = (output: GetSecretValueCommandOutput, stage: string): SigningKey => {
  const secret =
    output.SecretString ?? (output.SecretBinary ? Buffer.from(output.SecretBinary) : undefined);
  if (!output.VersionId || secret === undefined) {
    throw new Error(`The ${stage} version of the link key secret has no version id or no value`);
  }
  return { id: output.VersionId, secret };
};

/** One stage's key, or `undefined` when the secret has no version with that label. */
const readStage = async (
  client: SecretsManagerClient,
  secretId: string,
  stage: string,
): Promise<SigningKey | undefined> => {
  try {
    return keyOf(
      await client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage })),
      stage,
    );
  } catch (error) {
    if (stage === PREVIOUS_STAGE && error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
};

/**
 * The signing keys of a Secrets Manager secret: the current version's (`AWSCURRENT`), then,
 * when `previous` is asked for, the previous version's (`AWSPREVIOUS`) if the secret has one.
 * Each key's id is its version's `VersionId`. Keys are read again after `KEY_CACHE_MS`
 * (5 minutes); until then the same list is returned without a call. Sign with the first key;
 * verify with all of them, so that a link signed before the last rotation still works.
 *
 * @example
 * const [current] = await loadSigningKeys(secrets, process.env.LINK_KEY_SECRET);
 * const keys = await loadSigningKeys(secrets, secretArn, { previous: true }); // [current, previous?]
 */
export const loadSigningKeys = async (
  client: SecretsManagerClient,
  secretId: string,
  { previous = false, now = Date.now }: { previous?: boolean; now?: () => number } = {},
): Promise<SigningKey[]> => {
  const cacheKey = `${previous ? PREVIOUS_STAGE : CURRENT_STAGE} ${secretId}`;
  const cached = cache.get(cacheKey);
  const at = now();
  if (cached && at - cached.readAt < KEY_CACHE_MS && at >= cached.readAt) return cached.keys;
  const [current, before] = await Promise.all([
    readStage(client, secretId, CURRENT_STAGE),
    previous ? readStage(client, secretId, PREVIOUS_STAGE) : Promise.resolve(undefined),
  ]);
  const keys = [current, before].filter(
    (key): key is SigningKey => key !== undefined && (key === current || key.id !== current?.id),
  );
  cache.set(cacheKey, { readAt: at, keys });
  return keys;
};
