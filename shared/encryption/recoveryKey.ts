/**
 * The recovery key: 256 random bits shown once at set-up, written as 56 characters of RFC 4648
 * base32 (A–Z, 2–7) in 14 groups of four: the 32 key bytes, then a 3-byte checksum (the first
 * bytes of SHA-256 of the key), so a mistyped key is refused as 'malformed' before any
 * decryption is tried. Reading is forgiving about case, spaces and dashes, and about the digits
 * 0, 1 and 8 typed for the letters O, I and B.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { CryptoError } from './errors.ts';
import { KEY_BYTES } from './keys.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const CHECK_BYTES = 3;

function toBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

function fromBase32(text: string): Uint8Array | null {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of text) {
    const value = ALPHABET.indexOf(ch);
    if (value < 0) return null;
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  return Uint8Array.from(out);
}

/** The text form of a 32-byte key. */
export function formatRecoveryKey(key: Uint8Array): string {
  if (key.byteLength !== KEY_BYTES)
    throw new CryptoError('malformed', 'a recovery key has 32 bytes');
  const check = sha256(key).subarray(0, CHECK_BYTES);
  const bytes = new Uint8Array(KEY_BYTES + CHECK_BYTES);
  bytes.set(key);
  bytes.set(check, KEY_BYTES);
  return (toBase32(bytes).match(/.{1,4}/g) ?? []).join('-');
}

/** The key bytes of a typed recovery key; CryptoError 'malformed' when it is not one. */
export function parseRecoveryKey(text: string): Uint8Array {
  const cleaned = text
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/0/g, 'O')
    .replace(/1/g, 'I')
    .replace(/8/g, 'B');
  const bytes = cleaned.length === 56 ? fromBase32(cleaned) : null;
  if (!bytes || bytes.byteLength !== KEY_BYTES + CHECK_BYTES) {
    throw new CryptoError('malformed', 'this is not a recovery key (56 letters and digits)');
  }
  const key = bytes.slice(0, KEY_BYTES);
  const check = sha256(key).subarray(0, CHECK_BYTES);
  if (check.some((byte, i) => byte !== bytes[KEY_BYTES + i])) {
    throw new CryptoError('malformed', 'the recovery key has a typo (its checksum does not match)');
  }
  return key;
}
