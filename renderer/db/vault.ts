/**
 * The vault: the key hierarchy that keeps the case store encrypted at rest (issue 10).
 *
 * STUB: this commit fixes the API for the lock screen (h/lock); the bodies land in later commits.
 */
import type { TesseraDatabase } from './database.ts';

export type UnlockMethod = 'passphrase' | 'recovery-key' | 'keystore';

export type VaultState =
  /** No keyring yet and no plaintext data: first start. */
  | { readonly kind: 'new' }
  /** An older, unencrypted database exists: set-up encrypts it in place. */
  | { readonly kind: 'plaintext' }
  | {
      readonly kind: 'locked';
      readonly methods: readonly UnlockMethod[];
      readonly failedAttempts: number;
      /** Epoch ms before which a passphrase try is refused with 'retry-later'; null: no wait. */
      readonly retryAt: number | null;
    }
  | { readonly kind: 'unlocked' }
  /** Encrypting a plaintext database in place, or rotating the data key. */
  | { readonly kind: 'migrating'; readonly done: number; readonly total: number };

/** Electron safeStorage behind the service contract; absent on the web host. */
export interface KeystorePort {
  /** False for basic_text backends (no real OS keyring). */
  available(): Promise<boolean>;
  wrap(secret: Uint8Array): Promise<Uint8Array>;
  unwrap(wrapped: Uint8Array): Promise<Uint8Array>;
}

export interface Vault {
  state(): Promise<VaultState>;
  subscribe(listener: (state: VaultState) => void): () => void;
  setUp(
    passphrase: string,
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ recoveryKey: string }>;
  /** VaultError codes: 'wrong-passphrase', 'retry-later'. */
  unlockWithPassphrase(passphrase: string): Promise<void>;
  unlockWithRecoveryKey(recoveryKey: string): Promise<void>;
  unlockWithKeystore(): Promise<void>;
  /** Drops the keys at once; later reads and writes throw VaultError 'vault-locked'. */
  lock(): void;
  /** Re-wraps the data key under the new passphrase; no data is re-encrypted. */
  changePassphrase(current: string, next: string): Promise<void>;
  newRecoveryKey(passphrase: string): Promise<{ recoveryKey: string }>;
  setKeystoreWrapping(enabled: boolean): Promise<void>;
  /** Re-encrypts everything under a fresh data key; resumable after an interruption. */
  rotateDataKey(
    onProgress: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  /** The unlocked, encrypting database; throws VaultError 'vault-locked'. */
  database(): TesseraDatabase;
}

export type VaultErrorCode =
  | 'wrong-passphrase'
  | 'wrong-recovery-key'
  | 'retry-later'
  | 'vault-locked'
  | 'tampered'
  | 'weak-passphrase'
  | 'keystore-unavailable'
  | 'not-set-up'
  | 'already-set-up'
  | 'aborted'
  | 'unsupported-query';

export class VaultError extends Error {
  override readonly name = 'VaultError';
  constructor(
    readonly code: VaultErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface VaultOptions {
  /** IndexedDB database name (default 'tessera'). */
  readonly name?: string;
  readonly keystore?: KeystorePort;
  /** Clock for the wrong-passphrase delay (tests inject one). */
  readonly now?: () => number;
}

export function createVault(options: VaultOptions = {}): Vault {
  void options;
  throw new VaultError('not-set-up', 'the vault is not built yet (stub)');
}
