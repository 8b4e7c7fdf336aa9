/**
 * The OS keystore for the case store's data key (issue 10): a plain class over Electron's
 * `safeStorage` (Keychain, DPAPI, libsecret or KWallet), injected so this module never imports
 * electron and tests use a fake. It wraps raw key bytes only; what they unlock is the renderer's
 * business (renderer/db/vault.ts).
 *
 * On Linux without a keyring daemon Electron falls back to `basic_text`, a key compiled into
 * Chromium: a blob "wrapped" that way is readable by anyone with the file, so the service then
 * reports itself unavailable and refuses to wrap; the user unlocks with the passphrase. The web
 * host has no safeStorage at all and is built without one (same answers).
 */
import type { SafeStorageLike } from '../identity/safeStorage.ts';
import { CodedError } from '../../../shared/base/errors.ts';

export type KeystoreErrorCode = 'keystore-unavailable' | 'keystore-refused' | 'bad-secret';

export class KeystoreError extends CodedError<KeystoreErrorCode> {
  override readonly name = 'KeystoreError';
}

/** Data keys are 32 bytes; anything longer is not what this service is for. */
const MAX_SECRET_BYTES = 64;
/** Tags the plaintext inside safeStorage so a blob of another purpose is not taken for a key. */
const PURPOSE = 'tessera.vault.data-key.v1';

export class KeystoreService {
  constructor(private readonly safeStorage?: SafeStorageLike) {}

  /** True only for a real keyring: encryption available and the backend not `basic_text`. */
  available(): boolean {
    const storage = this.safeStorage;
    if (!storage) return false;
    try {
      if (!storage.isEncryptionAvailable()) return false;
      const backend = storage.getSelectedStorageBackend?.();
      return backend !== 'basic_text' && backend !== 'unknown';
    } catch {
      return false;
    }
  }

  status(): Promise<{ available: boolean }> {
    return Promise.resolve({ available: this.available() });
  }

  wrap(secretBase64: string): Promise<{ wrappedBase64: string }> {
    const storage = this.usable();
    const secret = Buffer.from(secretBase64, 'base64');
    if (secret.length === 0 || secret.length > MAX_SECRET_BYTES) {
      throw new KeystoreError('bad-secret', `a key of 1 to ${MAX_SECRET_BYTES} bytes is expected`);
    }
    const sealed = storage.encryptString(`${PURPOSE}:${secret.toString('base64')}`);
    return Promise.resolve({ wrappedBase64: sealed.toString('base64') });
  }

  unwrap(wrappedBase64: string): Promise<{ secretBase64: string }> {
    const storage = this.usable();
    let text: string;
    try {
      text = storage.decryptString(Buffer.from(wrappedBase64, 'base64'));
    } catch {
      // Another OS user, a reinstalled keyring, or a damaged blob: the passphrase still works.
      throw new KeystoreError('keystore-refused', 'the system keyring could not unwrap the key');
    }
    const prefix = `${PURPOSE}:`;
    if (!text.startsWith(prefix)) {
      throw new KeystoreError('keystore-refused', 'the keyring blob does not hold a Tessera key');
    }
    return Promise.resolve({ secretBase64: text.slice(prefix.length) });
  }

  private usable(): SafeStorageLike {
    if (!this.safeStorage || !this.available()) {
      throw new KeystoreError(
        'keystore-unavailable',
        'no system keyring is available here (the web host has none; on Linux a basic_text backend does not count)',
      );
    }
    return this.safeStorage;
  }
}
