/**
 * The vault (issue 10): the keys of the encrypted case store, and the only way to get the store.
 *
 * Hierarchy (shared/encryption/keys.ts draws it): a random 256-bit master key is wrapped under the
 * passphrase (Argon2id, parameters in shared/encryption/passphraseKey.ts, run in a worker), under the
 * recovery key shown once at set-up, and optionally by the OS keystore (KeystorePort: Electron
 * safeStorage, never its basic_text backend). The master key wraps the data keys; the data key
 * derives the record, attachment and blind-index keys the encrypting middleware uses
 * (renderer/db/encryption.ts). Only wrapped keys reach the disk (renderer/db/keyring.ts).
 *
 * How the app uses it (h/lock wires it in boot.ts):
 *   const vault = createVault({ keystore });          // once, at start
 *   switch ((await vault.state()).kind) {             // 'new' | 'plaintext' → set-up screen,
 *     ...                                             // 'locked' → unlock screen
 *   }
 *   await vault.setUp(passphrase, onProgress)         // → { recoveryKey } to show once
 *   await vault.unlockWithPassphrase(passphrase)      // or …WithRecoveryKey / …WithKeystore
 *   const db = vault.database();                      // build unit of work + repository on it
 *   vault.lock();                                     // then drop React state, workers, caches
 * `subscribe` reports every state change ('migrating' with progress while a plaintext database is
 * encrypted in place or the data key is rotated). After lock(), every read or write of `db` throws
 * VaultError 'vault-locked' until the next unlock; the same `db` object works again after it.
 *
 * Wrong passphrases: the first five tries are free, then each further wrong try sets a wait of
 * 30 s · 2^(n−5), at most an hour, kept in the keyring so that reloading does not reset it (this
 * slows guessing through the UI; against a copied disk only Argon2id's cost counts).
 */
import { checkPassphrase, weakPassphraseMessage } from '../../shared/exchange/passphrase.ts';
import { CryptoError } from '../../shared/encryption/errors.ts';
import {
  deriveDataKeys,
  generateKey,
  importWrappingKey,
  keyEncryptionKey,
  unwrapKey,
  wrapKey,
} from '../../shared/encryption/keys.ts';
import type { DataKeys } from '../../shared/encryption/keys.ts';
import { DEFAULT_ARGON2 } from '../../shared/encryption/passphraseKey.ts';
import type { Argon2Params } from '../../shared/encryption/passphraseKey.ts';
import { formatRecoveryKey, parseRecoveryKey } from '../../shared/encryption/recoveryKey.ts';
import { randomBytes } from '../../shared/encryption/webCrypto.ts';
import { TesseraDatabase } from './database.ts';
import { isSealedRow, openRow, sealRow } from './encryption.ts';
import type { StoreKeys } from './encryption.ts';
import { defaultKdf } from './kdf.ts';
import type { PassphraseKdf } from './kdf.ts';
import { KEYRING_ID, parseKeyring } from './keyring.ts';
import type { Keyring } from './keyring.ts';
import { abortedError, countRows, rewriteInPlace } from './vaultMigration.ts';
import { VaultError } from './vaultError.ts';

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
  | {
      readonly kind: 'unlocked';
      /**
       * 'recovery-key' right after an unlock by the recovery key, until the passphrase is replaced
       * (replaceAfterRecovery) or the store is locked: the screens then ask for a new passphrase.
       */
      readonly method?: UnlockMethod;
    }
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
  /**
   * First start: checks the passphrase floor, creates the keys (wrapped by the OS keystore too where
   * it is available; setKeystoreWrapping(false) undoes that), encrypts an existing plaintext
   * database in place with progress, and returns the recovery key to show once.
   */
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
  /**
   * Right after an unlock by the recovery key (whoever used it may have forgotten the passphrase):
   * a new passphrase without the old one, and with `newRecoveryKey` also a new recovery key (the
   * used one stops working). VaultError 'not-recovered' otherwise, 'weak-passphrase' below the floor.
   */
  replaceAfterRecovery(
    passphrase: string,
    options: { readonly newRecoveryKey: boolean },
  ): Promise<{ recoveryKey?: string }>;
  setKeystoreWrapping(enabled: boolean): Promise<void>;
  /** Re-encrypts everything under a fresh data key; resumable after an interruption. */
  rotateDataKey(
    onProgress: (done: number, total: number) => void,
    signal?: AbortSignal,
  ): Promise<void>;
  /** The unlocked, encrypting database; throws VaultError 'vault-locked'. */
  database(): TesseraDatabase;
}

export { VaultError } from './vaultError.ts';
export type { VaultErrorCode } from './vaultError.ts';

export interface VaultOptions {
  /** IndexedDB database name (default 'tessera'). */
  readonly name?: string;
  readonly keystore?: KeystorePort;
  /** Clock for the wrong-passphrase delay (tests inject one). */
  readonly now?: () => number;
  /** Argon2id for new passphrase wraps (default DEFAULT_ARGON2; tests pass cheaper ones). */
  readonly argon2?: Argon2Params;
  /** Where Argon2id runs (default: a worker in the app, the calling thread in Node). */
  readonly kdf?: PassphraseKdf;
  /** Rows per batch when encrypting in place or rotating (default 200). */
  readonly batchSize?: number;
}

/** Tries before the first wait; the wait after try n (n > FREE_TRIES) is 30 s · 2^(n−6), ≤ 1 h. */
export const FREE_TRIES = 5;
const FIRST_WAIT_MS = 30_000;
const LONGEST_WAIT_MS = 3_600_000;

export function waitAfter(failedAttempts: number): number {
  if (failedAttempts < FREE_TRIES) return 0;
  return Math.min(LONGEST_WAIT_MS, FIRST_WAIT_MS * 2 ** (failedAttempts - FREE_TRIES));
}

const SALT_BYTES = 16;
const dataLabel = (generation: number) => `data-${generation}`;

export function createVault(options: VaultOptions = {}): Vault {
  const name = options.name ?? 'tessera';
  const now = options.now ?? Date.now;
  const kdf = options.kdf ?? defaultKdf;
  const argon2 = options.argon2 ?? DEFAULT_ARGON2;
  const keystore = options.keystore;

  let store: StoreKeys | null = null;
  let master: Uint8Array | null = null;
  let progress: { done: number; total: number } | null = null;
  // How the current unlock happened (null while locked).
  let unlockedWith: UnlockMethod | null = null;
  // True while a plaintext database is encrypted in place: its rows are in both forms until done.
  let encrypting = false;
  // Aborted by lock(): a pass in flight must not go on holding keys.
  let running = new AbortController();
  const listeners = new Set<(state: VaultState) => void>();

  // The app's connection encrypts; `raw` sees stored rows as they are (keyring, migration, rotation).
  const db = new TesseraDatabase(name, undefined, { encryption: () => store });
  const raw = new TesseraDatabase(name);

  async function readKeyring(): Promise<Keyring | undefined> {
    return parseKeyring(await raw.keyring.get(KEYRING_ID));
  }

  async function requireKeyring(): Promise<Keyring> {
    const keyring = await readKeyring();
    if (!keyring)
      throw new VaultError('not-set-up', 'the case store has no keys yet: set it up first');
    return keyring;
  }

  async function state(): Promise<VaultState> {
    if (progress) return { kind: 'migrating', ...progress };
    if (store)
      return unlockedWith ? { kind: 'unlocked', method: unlockedWith } : { kind: 'unlocked' };
    const keyring = await readKeyring();
    if (!keyring) return (await countRows(raw)) > 0 ? { kind: 'plaintext' } : { kind: 'new' };
    const methods: UnlockMethod[] = ['passphrase', 'recovery-key'];
    if (keyring.keystore && keystore) methods.push('keystore');
    const retryAt = keyring.retryAt !== null && keyring.retryAt > now() ? keyring.retryAt : null;
    return { kind: 'locked', methods, failedAttempts: keyring.failedAttempts, retryAt };
  }

  function emit(): void {
    state().then(
      (current) => listeners.forEach((listener) => listener(current)),
      () => undefined,
    );
  }

  function setProgress(next: { done: number; total: number } | null): void {
    progress = next;
    emit();
  }

  async function passphraseKek(passphrase: string, salt: Uint8Array, params: Argon2Params) {
    return keyEncryptionKey(await kdf(passphrase, salt, params), 'passphrase');
  }

  async function wrapForPassphrase(
    passphrase: string,
    key: Uint8Array,
  ): Promise<Keyring['passphrase']> {
    const salt = randomBytes(SALT_BYTES);
    const kek = await passphraseKek(passphrase, salt, argon2);
    return { salt, params: argon2, wrapped: await wrapKey(kek, key, 'master') };
  }

  async function wrapForRecovery(): Promise<{
    recoveryKey: string;
    recovery: Keyring['recovery'];
  }> {
    const recovery = generateKey();
    const kek = await keyEncryptionKey(recovery, 'recovery');
    return {
      recoveryKey: formatRecoveryKey(recovery),
      recovery: { wrapped: await wrapKey(kek, master!, 'master') },
    };
  }

  /** The master key from the passphrase; counts wrong tries and enforces the wait. */
  async function masterFromPassphrase(passphrase: string): Promise<Uint8Array> {
    const keyring = await requireKeyring();
    if (keyring.retryAt !== null && now() < keyring.retryAt) {
      throw new VaultError(
        'retry-later',
        `too many wrong passphrases: try again after ${new Date(keyring.retryAt).toISOString()}`,
      );
    }
    const { salt, params, wrapped } = keyring.passphrase;
    try {
      const key = await unwrapKey(await passphraseKek(passphrase, salt, params), wrapped, 'master');
      if (keyring.failedAttempts > 0 || keyring.retryAt !== null) {
        await raw.keyring.update(KEYRING_ID, { failedAttempts: 0, retryAt: null });
      }
      return key;
    } catch (error) {
      if (!(error instanceof CryptoError) || error.code !== 'wrong-key') throw error;
      // Counted inside a transaction so that two racing tries both count.
      let failedAttempts = 0;
      await raw.transaction('rw', raw.keyring, async () => {
        const current = await requireKeyring();
        failedAttempts = current.failedAttempts + 1;
        const wait = waitAfter(failedAttempts);
        await raw.keyring.put({
          ...current,
          failedAttempts,
          retryAt: wait > 0 ? now() + wait : null,
        });
      });
      emit();
      throw new VaultError(
        'wrong-passphrase',
        `the passphrase is wrong (${failedAttempts} wrong ${failedAttempts === 1 ? 'try' : 'tries'})`,
      );
    }
  }

  /** Unwraps the data keys under `key` and opens the store; resumes an interrupted encryption. */
  async function install(
    key: Uint8Array,
    method: UnlockMethod,
    onProgress?: (done: number, total: number) => void,
  ) {
    const keyring = await requireKeyring();
    const wrapping = await importWrappingKey(key);
    const all = new Map<number, DataKeys>();
    for (const { generation, wrapped } of keyring.dataKeys) {
      let dataKey: Uint8Array;
      try {
        dataKey = await unwrapKey(wrapping, wrapped, dataLabel(generation));
      } catch {
        throw new VaultError('tampered', `the keyring's data key ${generation} does not open`);
      }
      all.set(generation, await deriveDataKeys(dataKey, generation));
    }
    master = key;
    unlockedWith = method;
    store = { current: all.get(keyring.current)!, all };
    if (keyring.encrypting) {
      try {
        await encryptPlaintext(keyring.encrypting.total, onProgress);
      } catch (error) {
        // Half-encrypted: stay locked, so nothing runs on it; the next unlock resumes.
        store = null;
        master = null;
        unlockedWith = null;
        throw error;
      }
    }
    emit();
  }

  async function encryptPlaintext(
    total: number,
    onProgress?: (done: number, total: number) => void,
  ) {
    const keys = store!;
    encrypting = true;
    setProgress({ done: 0, total });
    try {
      await rewriteInPlace(
        raw,
        {
          marker: 'encrypting',
          needs: (row) => !isSealedRow(row),
          rewrite: (layout, row) => sealRow(layout, keys.current, row),
        },
        {
          total,
          batchSize: options.batchSize,
          signal: running.signal,
          onProgress(done, all) {
            setProgress({ done, total: all });
            onProgress?.(done, all);
          },
        },
      );
      await raw.keyring.update(KEYRING_ID, { encrypting: undefined });
    } catch (error) {
      if (running.signal.aborted) {
        throw new VaultError('vault-locked', 'locked while encrypting; the next unlock resumes');
      }
      throw error;
    } finally {
      encrypting = false;
      setProgress(null);
    }
  }

  function requireUnlocked(): StoreKeys {
    if (!store || !master) throw new VaultError('vault-locked', 'the case store is locked');
    return store;
  }

  function checkStrength(passphrase: string): void {
    const strength = checkPassphrase(passphrase);
    if (!strength.ok) throw new VaultError('weak-passphrase', weakPassphraseMessage(strength));
  }

  const vault: Vault = {
    state,

    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async setUp(passphrase, onProgress) {
      const before = await state();
      if (before.kind !== 'new' && before.kind !== 'plaintext') {
        throw new VaultError('already-set-up', 'the case store already has keys');
      }
      checkStrength(passphrase);
      const masterKey = generateKey();
      const dataKey = generateKey();
      master = masterKey;
      const { recoveryKey, recovery } = await wrapForRecovery();
      const keyring: Keyring = {
        id: KEYRING_ID,
        format: 1,
        passphrase: await wrapForPassphrase(passphrase, masterKey),
        recovery,
        ...(keystore && (await keystore.available())
          ? { keystore: { wrapped: await keystore.wrap(masterKey) } }
          : {}),
        dataKeys: [
          {
            generation: 1,
            wrapped: await wrapKey(await importWrappingKey(masterKey), dataKey, dataLabel(1)),
          },
        ],
        current: 1,
        failedAttempts: 0,
        retryAt: null,
        ...(before.kind === 'plaintext'
          ? { encrypting: { done: 0, total: await countRows(raw) } }
          : {}),
      };
      // add, not put: two windows setting up at once must not overwrite each other's keys.
      try {
        await raw.keyring.add(keyring);
      } catch {
        master = null;
        throw new VaultError('already-set-up', 'the case store already has keys');
      }
      await install(masterKey, 'passphrase', onProgress);
      return { recoveryKey };
    },

    async unlockWithPassphrase(passphrase) {
      await install(await masterFromPassphrase(passphrase), 'passphrase');
    },

    async unlockWithRecoveryKey(recoveryKey) {
      const keyring = await requireKeyring();
      let key: Uint8Array;
      try {
        const kek = await keyEncryptionKey(parseRecoveryKey(recoveryKey), 'recovery');
        key = await unwrapKey(kek, keyring.recovery.wrapped, 'master');
      } catch (error) {
        if (!(error instanceof CryptoError)) throw error;
        throw new VaultError(
          'wrong-recovery-key',
          error.code === 'malformed' ? error.message : 'this recovery key does not open the store',
        );
      }
      await raw.keyring.update(KEYRING_ID, { failedAttempts: 0, retryAt: null });
      await install(key, 'recovery-key');
    },

    async unlockWithKeystore() {
      const keyring = await requireKeyring();
      if (!keystore || !keyring.keystore || !(await keystore.available())) {
        throw new VaultError(
          'keystore-unavailable',
          'the OS keystore does not hold this store’s key',
        );
      }
      let key: Uint8Array;
      try {
        key = await keystore.unwrap(keyring.keystore.wrapped);
      } catch {
        throw new VaultError('keystore-unavailable', 'the OS keystore could not open the key');
      }
      await install(key, 'keystore');
    },

    lock() {
      store = null;
      master = null;
      unlockedWith = null;
      running.abort();
      running = new AbortController();
      // Closing drops Dexie's in-memory caches of decrypted query results; the next use reopens.
      db.close({ disableAutoOpen: false });
      emit();
    },

    async changePassphrase(current, next) {
      checkStrength(next);
      const key = await masterFromPassphrase(current);
      const passphrase = await wrapForPassphrase(next, key);
      await raw.keyring.update(KEYRING_ID, { passphrase });
    },

    async newRecoveryKey(passphrase) {
      const key = await masterFromPassphrase(passphrase);
      const previous = master;
      master = key;
      try {
        const { recoveryKey, recovery } = await wrapForRecovery();
        await raw.keyring.update(KEYRING_ID, { recovery });
        return { recoveryKey };
      } finally {
        master = previous;
      }
    },

    async replaceAfterRecovery(passphrase, { newRecoveryKey }) {
      requireUnlocked();
      if (unlockedWith !== 'recovery-key') {
        throw new VaultError(
          'not-recovered',
          'only right after an unlock by the recovery key; otherwise change it with the current one',
        );
      }
      checkStrength(passphrase);
      const wrapped = await wrapForPassphrase(passphrase, master!);
      const made = newRecoveryKey ? await wrapForRecovery() : null;
      // One update: the passphrase and the recovery key change together or not at all.
      await raw.keyring.update(KEYRING_ID, {
        passphrase: wrapped,
        ...(made ? { recovery: made.recovery } : {}),
      });
      unlockedWith = 'passphrase';
      emit();
      return made ? { recoveryKey: made.recoveryKey } : {};
    },

    async setKeystoreWrapping(enabled) {
      requireUnlocked();
      if (!enabled) {
        await raw.keyring.update(KEYRING_ID, { keystore: undefined });
      } else {
        if (!keystore || !(await keystore.available())) {
          throw new VaultError(
            'keystore-unavailable',
            'no OS keystore with a real keyring backend',
          );
        }
        await raw.keyring.update(KEYRING_ID, {
          keystore: { wrapped: await keystore.wrap(master!) },
        });
      }
      emit();
    },

    async rotateDataKey(onProgress, signal) {
      requireUnlocked();
      let keyring = await requireKeyring();
      if (!keyring.rotation) {
        const from = keyring.current;
        const to = Math.max(...keyring.dataKeys.map((key) => key.generation)) + 1;
        const wrapped = await wrapKey(
          await importWrappingKey(master!),
          generateKey(),
          dataLabel(to),
        );
        keyring = {
          ...keyring,
          dataKeys: [...keyring.dataKeys, { generation: to, wrapped }],
          current: to,
          rotation: { from, to, done: 0, total: await countRows(raw) },
        };
        await raw.keyring.put(keyring);
        // New writes go under the new key from here on; old rows stay readable until rewritten.
        await install(master!, unlockedWith ?? 'passphrase');
      }
      const { from, total } = keyring.rotation!;
      const keys = requireUnlocked();
      const stop = AbortSignal.any([running.signal, ...(signal ? [signal] : [])]);
      setProgress({ done: 0, total });
      try {
        await rewriteInPlace(
          raw,
          {
            marker: 'rotation',
            needs: (row) => isSealedRow(row) && row._k === from,
            rewrite: async (layout, row) =>
              sealRow(layout, keys.current, await openRow(layout, keys.all, row)),
          },
          {
            total,
            signal: stop,
            batchSize: options.batchSize,
            onProgress(done, all) {
              setProgress({ done, total: all });
              onProgress(done, all);
            },
          },
        );
      } catch (error) {
        if (stop.aborted) throw abortedError();
        throw error;
      } finally {
        setProgress(null);
      }
      const finished = await requireKeyring();
      await raw.keyring.put({
        ...finished,
        dataKeys: finished.dataKeys.filter((key) => key.generation !== from),
        rotation: undefined,
      });
      const current = keys.current;
      store = { current, all: new Map([[current.generation, current]]) };
      emit();
    },

    database() {
      requireUnlocked();
      if (encrypting)
        throw new VaultError('vault-locked', 'the case store is still being encrypted');
      return db;
    },
  };
  return vault;
}
