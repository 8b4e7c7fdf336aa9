/**
 * The vault's errors. Code branches on `code` (STYLE.md item 15):
 * - 'wrong-passphrase' / 'wrong-recovery-key': the key offered does not open the keyring;
 * - 'retry-later': too many wrong passphrases; the state's `retryAt` says until when;
 * - 'vault-locked': a read or write while the keys are dropped;
 * - 'tampered': stored data failed authentication; it is never returned as data;
 * - 'weak-passphrase': below the floor of shared/exchange/passphrase.ts;
 * - 'keystore-unavailable': no OS keystore, or its backend is basic_text;
 * - 'not-set-up' / 'already-set-up': the call does not fit the vault's state;
 * - 'aborted': a rotation was stopped through its AbortSignal (call again to resume);
 * - 'unsupported-query': a range query on a blind index (only equality can work there);
 * - 'not-recovered': a new passphrase without the old one, but not right after a recovery-key unlock.
 */
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
  | 'unsupported-query'
  | 'not-recovered';

export class VaultError extends Error {
  override readonly name = 'VaultError';
  constructor(
    readonly code: VaultErrorCode,
    message: string,
  ) {
    super(message);
  }
}
