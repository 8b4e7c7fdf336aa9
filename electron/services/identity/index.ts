export {
  assertUsable,
  buildCard,
  fingerprintOf,
  IdentityError,
  type IdentityErrorCode,
  type KeySecrets,
  publicKeysOf,
  revokeCard,
  rotateCard,
  verifyCard,
  verifyCardChain,
  verifyRevocation,
} from './cards.ts';
export {
  DEFAULT_SCRYPT,
  PassphraseProtector,
  type ScryptParams,
  type SecretProtector,
} from './protector.ts';
export { type SafeStorageLike, SafeStorageProtector } from './safeStorage.ts';
export {
  CARD_FILE,
  exportAgeSecretKey,
  generateKeySecrets,
  IdentityStore,
  SECRET_FILE,
  type UnlockedIdentity,
} from './store.ts';
