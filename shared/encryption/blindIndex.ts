/**
 * Keyed blind indexes: an indexed value that is not an id (an entity's schema, say) is stored as
 * HMAC-SHA-256(blind-index key, table ‖ field ‖ value), truncated to 128 bits and base64url
 * encoded. Equal values still meet in the index, so "all Persons of this case" stays an index
 * look-up, but without the key nobody can tell which value a stored index entry stands for.
 * Synchronous (@noble/hashes) because Dexie computes index look-ups before it starts a request.
 * What it still shows: how many records share a value, as any equality index must.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8 } from './webCrypto.ts';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function base64url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c += 1) out += B64URL[(n >>> (18 - 6 * c)) & 63];
  }
  return out;
}

export function blindIndex(key: Uint8Array, table: string, field: string, value: unknown): string {
  const message = utf8(JSON.stringify([table, field, value]));
  return base64url(hmac(sha256, key, message).subarray(0, 16));
}
