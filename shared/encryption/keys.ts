/**
 * The key hierarchy of the encrypted case store (issue 10):
 *
 *   passphrase ──Argon2id──┐
 *   recovery key ──HKDF────┼─► key-encryption key ─AES-GCM wrap─► master key (random 256-bit)
 *   OS keystore (safeStorage) wraps the master key directly ┘              │
 *                                                            AES-GCM wrap  ▼
 *                                               data key (random 256-bit, one per generation)
 *                                                              │ HKDF-SHA-256
 *                          ┌───────────────────────────────────┼──────────────────────────┐
 *                record key (AES-256-GCM)        blind-index key (HMAC-SHA-256)   attachment key (AES-256-GCM)
 *
 * The master key exists so that changing the passphrase or the recovery key re-wraps 32 bytes and
 * rotating the data key needs no passphrase: the unlocked vault holds the master key in memory.
 * Every wrap is AES-256-GCM with a fresh 96-bit nonce and a label bound as additional data, so a
 * wrapped passphrase blob cannot be passed off as, say, a wrapped data key.
 * Secrets come from crypto.getRandomValues only; the derived AES keys are non-extractable.
 */
import { CryptoError, refused } from './errors.ts';
import type { CryptoKeyHandle } from './webCrypto.ts';
import { randomBytes, subtle, utf8 } from './webCrypto.ts';

export const KEY_BYTES = 32;
const NONCE_BYTES = 12;

/** The keys derived from one data key; `index` is raw bytes because blind indexes are computed synchronously. */
export interface DataKeys {
  readonly generation: number;
  readonly record: CryptoKeyHandle;
  readonly attachment: CryptoKeyHandle;
  readonly index: Uint8Array;
}

/** A fresh random 256-bit key (master key, data key or recovery key). */
export function generateKey(): Uint8Array {
  return randomBytes(KEY_BYTES);
}

async function hkdfBase(secret: Uint8Array): Promise<CryptoKeyHandle> {
  return subtle().importKey('raw', secret, 'HKDF', false, ['deriveKey', 'deriveBits']);
}

function hkdf(info: string): { name: string; hash: string; salt: Uint8Array; info: Uint8Array } {
  return { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: utf8(info) };
}

const AES_GCM_256 = { name: 'AES-GCM', length: 256 };

/** Derives the record, attachment and blind-index keys of one data key generation. */
export async function deriveDataKeys(dataKey: Uint8Array, generation: number): Promise<DataKeys> {
  const base = await hkdfBase(dataKey);
  const [record, attachment, index] = await Promise.all([
    subtle().deriveKey(hkdf('tessera/record/v1'), base, AES_GCM_256, false, ['encrypt', 'decrypt']),
    subtle().deriveKey(hkdf('tessera/attachment/v1'), base, AES_GCM_256, false, [
      'encrypt',
      'decrypt',
    ]),
    subtle().deriveBits(hkdf('tessera/blind-index/v1'), base, 256),
  ]);
  return { generation, record, attachment, index: new Uint8Array(index) };
}

/** A key-encryption key from 32 bytes of key material (recovery key, Argon2id output). */
export async function keyEncryptionKey(
  material: Uint8Array,
  purpose: string,
): Promise<CryptoKeyHandle> {
  const base = await hkdfBase(material);
  return subtle().deriveKey(hkdf(`tessera/kek/${purpose}/v1`), base, AES_GCM_256, false, [
    'encrypt',
    'decrypt',
  ]);
}

const NO_HEADER = new Uint8Array(0);

/**
 * AES-256-GCM with a fresh nonce: header ‖ nonce ‖ ciphertext ‖ tag, where `header` (empty unless
 * given) is copied in front unencrypted, so a format byte costs no second copy. A chain of the
 * engine's promises, as `open` below.
 */
export function seal(
  key: CryptoKeyHandle,
  plaintext: Uint8Array,
  additionalData: Uint8Array,
  header: Uint8Array = NO_HEADER,
): Promise<Uint8Array> {
  const nonce = randomBytes(NONCE_BYTES);
  return subtle()
    .encrypt({ name: 'AES-GCM', iv: nonce, additionalData }, key, plaintext)
    .then((sealed) => {
      const out = new Uint8Array(header.byteLength + NONCE_BYTES + sealed.byteLength);
      out.set(header);
      out.set(nonce, header.byteLength);
      out.set(new Uint8Array(sealed), header.byteLength + NONCE_BYTES);
      return out;
    });
}

/**
 * Opens what `seal` made; any change to the bytes or the additional data throws. A chain of the
 * engine's promises rather than an async function: the case store opens tens of thousands of
 * records at a time (issue 10's open ratio), and every async frame adds promise turns per record.
 */
export function open(
  key: CryptoKeyHandle,
  sealed: Uint8Array,
  additionalData: Uint8Array,
  failure: 'tampered' | 'wrong-key' = 'tampered',
): Promise<Uint8Array> {
  if (sealed.byteLength < NONCE_BYTES + 16) {
    return refused(failure, 'the ciphertext is too short');
  }
  return subtle()
    .decrypt(
      { name: 'AES-GCM', iv: sealed.subarray(0, NONCE_BYTES), additionalData },
      key,
      sealed.subarray(NONCE_BYTES),
    )
    .then(
      (plain) => new Uint8Array(plain),
      () => {
        throw new CryptoError(
          failure,
          failure === 'wrong-key'
            ? 'the key does not open this wrapped key'
            : 'the ciphertext failed authentication (changed, moved or replayed)',
        );
      },
    );
}

/** Wraps a 256-bit key under a key-encryption key; `label` names what is wrapped. */
export async function wrapKey(
  kek: CryptoKeyHandle,
  key: Uint8Array,
  label: string,
): Promise<Uint8Array> {
  return seal(kek, key, utf8(`tessera/wrap/${label}`));
}

/** Unwraps; a wrong key-encryption key throws CryptoError 'wrong-key'. */
export async function unwrapKey(
  kek: CryptoKeyHandle,
  wrapped: Uint8Array,
  label: string,
): Promise<Uint8Array> {
  const key = await open(kek, wrapped, utf8(`tessera/wrap/${label}`), 'wrong-key');
  if (key.byteLength !== KEY_BYTES)
    throw new CryptoError('malformed', 'the wrapped key has the wrong size');
  return key;
}

/** An AES-GCM key from raw bytes (the master key wraps data keys). */
export async function importWrappingKey(key: Uint8Array): Promise<CryptoKeyHandle> {
  return subtle().importKey('raw', key, 'AES-GCM', false, ['encrypt', 'decrypt']);
}
