/**
 * Why a cryptographic operation refused. Callers branch on `code` (STYLE.md item 15):
 * - 'tampered': an authenticated ciphertext failed to verify (changed, moved to another slot,
 *   replayed into a newer version, truncated or reordered); its contents are never returned;
 * - 'wrong-key': a wrapped key did not open under the key offered (wrong passphrase or recovery key);
 * - 'malformed': bytes that are not in the expected format at all (bad recovery-key text, unknown
 *   envelope version).
 */
import { CodedError } from '../base/errors.ts';

export type CryptoErrorCode = 'tampered' | 'wrong-key' | 'malformed';

export class CryptoError extends CodedError<CryptoErrorCode> {
  override readonly name = 'CryptoError';
}

/**
 * A promise of the engine's own kind, rejected with a CryptoError: for the promise chains that open
 * records, where the global Promise may be a library's (Dexie's, inside its zones).
 */
// eslint-disable-next-line @typescript-eslint/require-await -- an async function's result is the point
export async function refused(code: CryptoErrorCode, message: string): Promise<never> {
  throw new CryptoError(code, message);
}
