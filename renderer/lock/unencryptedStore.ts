/**
 * The control run of the profile-scan e2e test (issue 10, "Proof"): a Vault that is always
 * unlocked over a plaintext database, so the same scan can show that it does find the canaries
 * when nothing is encrypted. Reached only when app.info reports `testing.unencryptedStore`, which
 * only a web host started inside the test runner does (electron/web/server.ts); no setting, flag
 * or menu gives it to a user.
 */
import { openDatabase } from '../db/database.ts';
import type { TesseraDatabase } from '../db/database.ts';
import { VaultError } from '../db/vault.ts';
import type { Vault, VaultState } from '../db/vault.ts';

export function createUnencryptedStoreForTests(name = 'tessera'): Vault {
  let db: TesseraDatabase | null = null;
  const unlocked: VaultState = { kind: 'unlocked' };
  const refuse = () =>
    Promise.reject(new VaultError('not-set-up', 'the unencrypted test store has no keys'));
  return {
    state: () => Promise.resolve(unlocked),
    subscribe: () => () => undefined,
    setUp: refuse,
    unlockWithPassphrase: () => Promise.resolve(),
    unlockWithRecoveryKey: () => Promise.resolve(),
    unlockWithKeystore: () => Promise.resolve(),
    // Nothing to drop: there is no key, and the control run measures the disk, not the screen.
    lock: () => undefined,
    changePassphrase: refuse,
    newRecoveryKey: refuse,
    replaceAfterRecovery: refuse,
    setKeystoreWrapping: refuse,
    rotateDataKey: refuse,
    database() {
      db ??= openDatabase(name);
      return db;
    },
  };
}
