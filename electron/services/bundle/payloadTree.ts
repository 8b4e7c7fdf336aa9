/**
 * The payload tree hash of bundle format 2 (docs/bundle-format.md §2, issue 13): what the outer
 * signature covers instead of one SHA-256 over the whole ciphertext, so that hashing splits over
 * the cores like the STREAM cipher does.
 *
 *   leaf i = SHA-256( u64be(i) ‖ u8(final) ‖ ciphertext block i )
 *   root   = SHA-256( "tessera.payload-tree/1\n" ‖ nonce (16 bytes) ‖ u64be(ciphertext length)
 *                     ‖ u64be(leaf count) ‖ leaf 0 ‖ leaf 1 ‖ … )
 *
 * Blocks are TREE_BLOCK bytes of the ciphertext after the nonce (16 whole STREAM chunks, so a
 * block is what the sealer encrypts from one 1 MiB plaintext block), the last one shorter. The
 * index and the final flag in each leaf, and the length and count in the root, bind every block
 * to its place: blocks cannot be reordered, dropped or moved across the end without changing the
 * root, and a collision of the tree is a collision of SHA-256 (the leaf inputs have a fixed-length
 * prefix, the root input a context string no leaf input starts with).
 */
import crypto from 'node:crypto';
import { CHUNK_SIZE, CIPHER_CHUNK_SIZE } from './age.ts';

/** Plaintext bytes per sealed block (whole STREAM chunks). */
export const TREE_PLAIN_BLOCK = 16 * CHUNK_SIZE;
/** Ciphertext bytes per tree leaf: the seal of one TREE_PLAIN_BLOCK. */
export const TREE_BLOCK = 16 * CIPHER_CHUNK_SIZE;
export const PAYLOAD_TREE_CONTEXT = 'tessera.payload-tree/1\n';

/** The 9-byte prefix of leaf `index` (mirrored in the crypto worker's source). */
export function leafPrefix(index: number, final: boolean): Buffer {
  const prefix = Buffer.alloc(9);
  prefix.writeBigUInt64BE(BigInt(index), 0);
  prefix[8] = final ? 1 : 0;
  return prefix;
}

export function leafDigest(index: number, final: boolean, block: Uint8Array): Buffer {
  return crypto.createHash('sha256').update(leafPrefix(index, final)).update(block).digest();
}

export function treeRoot(
  nonce: Uint8Array,
  cipherLength: number,
  leaves: readonly Uint8Array[],
): Buffer {
  const sizes = Buffer.alloc(16);
  sizes.writeBigUInt64BE(BigInt(cipherLength), 0);
  sizes.writeBigUInt64BE(BigInt(leaves.length), 8);
  const hash = crypto.createHash('sha256').update(PAYLOAD_TREE_CONTEXT).update(nonce).update(sizes);
  for (const leaf of leaves) hash.update(leaf);
  return hash.digest();
}

/** The root of a whole payload in memory (nonce ‖ ciphertext), as sealing computes it. */
export function treeRootOf(payload: Uint8Array): Buffer {
  const nonce = payload.subarray(0, 16);
  const cipher = payload.subarray(16);
  const leaves: Buffer[] = [];
  for (let at = 0, i = 0; at < cipher.length; at += TREE_BLOCK, i++) {
    const end = Math.min(at + TREE_BLOCK, cipher.length);
    leaves.push(leafDigest(i, end === cipher.length, cipher.subarray(at, end)));
  }
  return treeRoot(nonce, cipher.length, leaves);
}
