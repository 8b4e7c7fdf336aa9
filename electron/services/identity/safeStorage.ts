/**
 * SecretProtector over Electron's `safeStorage` (OS keychain / DPAPI / libsecret / kwallet). The
 * `safeStorage` object is injected so this module never imports electron. On Linux without a real
 * keyring Electron falls back to `basic_text`, a hard-coded key: that is no protection, so it is
 * refused and the caller must use the passphrase protector instead. safeStorage has no associated
 * data, so the context is sealed inside the plaintext and compared on the way out.
 */
import { IdentityError } from './cards.ts';
import type { SecretProtector } from './protector.ts';

/** The subset of Electron's safeStorage used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  /** Linux only in Electron; absent elsewhere. */
  getSelectedStorageBackend?(): string;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export class SafeStorageProtector implements SecretProtector {
  readonly kind = 'safeStorage';

  constructor(private readonly safeStorage: SafeStorageLike) {}

  /** True when the backend really protects secrets (not unavailable, not `basic_text`). */
  static isUsable(safeStorage: SafeStorageLike): boolean {
    if (!safeStorage.isEncryptionAvailable()) return false;
    const backend = safeStorage.getSelectedStorageBackend?.();
    return backend !== 'basic_text' && backend !== 'unknown';
  }

  private assertUsable(): void {
    if (!SafeStorageProtector.isUsable(this.safeStorage)) {
      throw new IdentityError(
        'insecure-storage',
        'the system keyring is not available (safeStorage backend is basic_text or none): use a passphrase',
      );
    }
  }

  protect(plaintext: Buffer, context: string): Promise<Record<string, unknown>> {
    this.assertUsable();
    const sealed = this.safeStorage.encryptString(
      JSON.stringify({ context, secret: plaintext.toString('base64') }),
    );
    return Promise.resolve({ kind: this.kind, ciphertext: sealed.toString('base64') });
  }

  unprotect(blob: Record<string, unknown>, context: string): Promise<Buffer> {
    this.assertUsable();
    if (blob['kind'] !== this.kind || typeof blob['ciphertext'] !== 'string') {
      return Promise.reject(
        new IdentityError('bad-secret-file', 'identity secret file: not a safeStorage block'),
      );
    }
    let inner: unknown;
    try {
      inner = JSON.parse(this.safeStorage.decryptString(Buffer.from(blob['ciphertext'], 'base64')));
    } catch {
      return Promise.reject(
        new IdentityError(
          'wrong-passphrase',
          'the system keyring could not decrypt the identity secrets',
        ),
      );
    }
    const value = inner as { context?: unknown; secret?: unknown };
    if (value.context !== context || typeof value.secret !== 'string') {
      return Promise.reject(
        new IdentityError('bad-secret-file', 'identity secret file belongs to another identity'),
      );
    }
    return Promise.resolve(Buffer.from(value.secret, 'base64'));
  }
}
