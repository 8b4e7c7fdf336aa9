/**
 * Raw key handling with Node's crypto: X25519 (age) and Ed25519 (signatures) as 32-byte strings,
 * and age's Bech32 encodings (`age1…` recipients, `AGE-SECRET-KEY-1…` identities; BIP 173 Bech32,
 * not Bech32m, with no 90-character limit, as age uses it).
 */
import crypto, { type KeyObject } from 'node:crypto';

const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const X25519_SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function x25519PrivateKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new Error('X25519 private key must be 32 bytes');
  return crypto.createPrivateKey({
    key: Buffer.concat([X25519_PKCS8_PREFIX, raw]),
    format: 'der',
    type: 'pkcs8',
  });
}

export function x25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new Error('X25519 public key must be 32 bytes');
  return crypto.createPublicKey({
    key: Buffer.concat([X25519_SPKI_PREFIX, raw]),
    format: 'der',
    type: 'spki',
  });
}

export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new Error('Ed25519 seed must be 32 bytes');
  return crypto.createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new Error('Ed25519 public key must be 32 bytes');
  return crypto.createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, raw]),
    format: 'der',
    type: 'spki',
  });
}

/** Raw 32-byte public key of an X25519 or Ed25519 key object. */
export function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'public' ? key : crypto.createPublicKey(key);
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

/** Raw 32-byte private scalar / seed of an X25519 or Ed25519 key object. */
export function rawPrivateKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'pkcs8' });
  return der.subarray(der.length - 32);
}

export function generateX25519(): { secret: Buffer; publicKey: Buffer } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('x25519');
  return { secret: rawPrivateKey(privateKey), publicKey: rawPublicKey(publicKey) };
}

export function generateEd25519(): { seed: Buffer; publicKey: Buffer } {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  return { seed: rawPrivateKey(privateKey), publicKey: rawPublicKey(publicKey) };
}

export function ed25519Sign(seed: Uint8Array, message: Uint8Array | string): Buffer {
  return crypto.sign(
    null,
    typeof message === 'string' ? Buffer.from(message) : message,
    ed25519PrivateKey(seed),
  );
}

export function ed25519Verify(
  publicKey: Uint8Array,
  message: Uint8Array | string,
  signature: Uint8Array,
): boolean {
  if (signature.length !== 64) return false;
  try {
    return crypto.verify(
      null,
      typeof message === 'string' ? Buffer.from(message) : message,
      ed25519PublicKey(publicKey),
      signature,
    );
  } catch {
    return false;
  }
}

// --- Bech32 (BIP 173) ------------------------------------------------------------------------

const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: readonly number[]): number {
  let chk = 1;
  for (const value of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ value;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATORS[i];
  }
  return chk >>> 0;
}

function hrpExpand(hrp: string): number[] {
  const out: number[] = [];
  for (const c of hrp) out.push(c.charCodeAt(0) >> 5);
  out.push(0);
  for (const c of hrp) out.push(c.charCodeAt(0) & 31);
  return out;
}

function convertBits(data: Iterable<number>, from: number, to: number, pad: boolean): number[] {
  let acc = 0;
  let bits = 0;
  const out: number[] = [];
  const maxv = (1 << to) - 1;
  for (const value of data) {
    acc = (acc << from) | value;
    bits += from;
    while (bits >= to) {
      bits -= to;
      out.push((acc >> bits) & maxv);
    }
    acc &= (1 << bits) - 1;
  }
  if (pad) {
    if (bits > 0) out.push((acc << (to - bits)) & maxv);
  } else if (bits >= from || ((acc << (to - bits)) & maxv) !== 0) {
    throw new Error('invalid Bech32 padding');
  }
  return out;
}

export function bech32Encode(hrp: string, data: Uint8Array): string {
  const words = convertBits(data, 8, 5, true);
  const values = [...hrpExpand(hrp), ...words, 0, 0, 0, 0, 0, 0];
  const mod = polymod(values) ^ 1;
  const checksum = Array.from({ length: 6 }, (_, i) => (mod >>> (5 * (5 - i))) & 31);
  return `${hrp}1${[...words, ...checksum].map((w) => CHARSET[w]).join('')}`;
}

export function bech32Decode(text: string): { hrp: string; data: Buffer } {
  if (text !== text.toLowerCase() && text !== text.toUpperCase())
    throw new Error('mixed-case Bech32');
  const lower = text.toLowerCase();
  const sep = lower.lastIndexOf('1');
  if (sep < 1 || sep + 7 > lower.length) throw new Error('malformed Bech32');
  const hrp = lower.slice(0, sep);
  const values: number[] = [];
  for (const c of lower.slice(sep + 1)) {
    const v = CHARSET.indexOf(c);
    if (v < 0) throw new Error('invalid Bech32 character');
    values.push(v);
  }
  if (polymod([...hrpExpand(hrp), ...values]) !== 1) throw new Error('invalid Bech32 checksum');
  return { hrp, data: Buffer.from(convertBits(values.slice(0, -6), 5, 8, false)) };
}

export function encodeAgeRecipient(publicKey: Uint8Array): string {
  return bech32Encode('age', publicKey);
}

export function decodeAgeRecipient(recipient: string): Buffer {
  const { hrp, data } = bech32Decode(recipient);
  if (hrp !== 'age' || data.length !== 32 || recipient !== recipient.toLowerCase()) {
    throw new Error(`not an age X25519 recipient: ${recipient.slice(0, 12)}…`);
  }
  return data;
}

export function encodeAgeSecretKey(secret: Uint8Array): string {
  return bech32Encode('age-secret-key-', secret).toUpperCase();
}

export function decodeAgeSecretKey(text: string): Buffer {
  const { hrp, data } = bech32Decode(text.trim());
  if (hrp !== 'age-secret-key-' || data.length !== 32)
    throw new Error('not an AGE-SECRET-KEY-1 identity');
  return data;
}

export function x25519PublicFromSecret(secret: Uint8Array): Buffer {
  return rawPublicKey(crypto.createPublicKey(x25519PrivateKey(secret)));
}

export function ed25519PublicFromSeed(seed: Uint8Array): Buffer {
  return rawPublicKey(crypto.createPublicKey(ed25519PrivateKey(seed)));
}
