/**
 * The record envelope: one stored row's secret part, AES-256-GCM under the record key.
 *
 *   byte 0      format version (1)
 *   bytes 1–12  nonce, fresh from the CSPRNG on every write
 *   bytes 13–   ciphertext ‖ 128-bit tag
 *
 * Bound as additional data: the format version, the table, the primary key and the record's
 * version (its `updatedAt` HLC, or '' for rows without one). So a row copied to another id or
 * table, or an older ciphertext put back under a newer version, fails authentication with
 * CryptoError 'tampered' and is never decoded. (Rolling back a whole row, version included, is not
 * detectable by an envelope alone; docs/security.md says so.)
 */
import { refused } from './errors.ts';
import type { CryptoKeyHandle } from './webCrypto.ts';
import { open, seal } from './keys.ts';
import { utf8Transient } from './webCrypto.ts';

export const ENVELOPE_VERSION = 1;

/** Where a record lives: what the envelope is bound to. */
export interface RecordSlot {
  readonly table: string;
  /** The primary key (a string, or an array for compound keys). */
  readonly id: unknown;
  readonly version: string;
}

/** The additional data, in a buffer the next envelope reuses (see utf8Transient). */
function additionalData(slot: RecordSlot): Uint8Array {
  return utf8Transient(
    JSON.stringify(['tessera/record', ENVELOPE_VERSION, slot.table, slot.id, slot.version]),
  );
}

const HEADER = Uint8Array.of(ENVELOPE_VERSION);

export function sealRecord(
  key: CryptoKeyHandle,
  slot: RecordSlot,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  return seal(key, plaintext, additionalData(slot), HEADER);
}

/** Opens an envelope for `slot`; rejects with CryptoError 'tampered' unless it was sealed for exactly that slot. */
export function openRecord(
  key: CryptoKeyHandle,
  slot: RecordSlot,
  envelope: Uint8Array,
): Promise<Uint8Array> {
  if (!(envelope instanceof Uint8Array) || envelope[0] !== ENVELOPE_VERSION) {
    return refused('tampered', 'the stored record is not a known envelope');
  }
  return open(key, envelope.subarray(1), additionalData(slot));
}
