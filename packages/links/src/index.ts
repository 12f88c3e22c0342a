export {
  createSnoozeClaim,
  MAX_RESOURCE_ID_LENGTH,
  MAX_RESOURCES,
  NONCE_BYTES,
  newNonce,
  type SnoozeClaim,
  type TimeInput,
} from './claim.ts';
export { clearSigningKeyCache, KEY_CACHE_MS, loadSigningKeys } from './keys.ts';
export { type ClaimOutcome, claimOnce, markDone, type OnceRecord } from './once.ts';
export {
  DEFAULT_MAX_SNOOZE_MS,
  KEY_ID,
  MAX_TOKEN_LENGTH,
  MIN_SECRET_BYTES,
  type SigningKey,
  signToken,
  TokenError,
  type TokenErrorCode,
  verifyToken,
} from './token.ts';
