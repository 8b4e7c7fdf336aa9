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
  assertStrongPassphrase,
  DEFAULT_SCRYPT,
  MAX_SCRYPT_LOG_N,
  PassphraseProtector,
  raisedScrypt,
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
