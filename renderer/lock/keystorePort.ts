/**
 * The vault's KeystorePort over the service contract (issue 10): Electron answers with its
 * `safeStorage` (electron/services/keystore); the web host always says unavailable, so there the
 * passphrase (or the recovery key) is the only way in.
 */
import type { ServiceApi } from '../../shared/contract/index.ts';
import type { KeystorePort } from '../db/vault.ts';
import { base64ToBytes, bytesToBase64 } from '../platform/serviceClient.ts';

type KeystoreApi = Pick<ServiceApi, 'keystore.status' | 'keystore.wrap' | 'keystore.unwrap'>;

export function createKeystorePort(services: KeystoreApi): KeystorePort {
  return {
    async available() {
      try {
        return (await services['keystore.status']({})).available;
      } catch {
        // An older host without the method, or a dropped connection: the passphrase still works.
        return false;
      }
    },
    async wrap(secret) {
      const { wrappedBase64 } = await services['keystore.wrap']({
        secretBase64: bytesToBase64(secret),
      });
      return base64ToBytes(wrappedBase64);
    },
    async unwrap(wrapped) {
      const { secretBase64 } = await services['keystore.unwrap']({
        wrappedBase64: bytesToBase64(wrapped),
      });
      return base64ToBytes(secretBase64);
    },
  };
}
