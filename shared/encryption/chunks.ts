/**
 * Attachment contents, encrypted in chunks so that previews and downloads decrypt as a stream and
 * never need the whole file in memory twice.
 *
 * The plaintext is cut into CHUNK_BYTES (1 MiB) pieces; the last one may be shorter, and an empty
 * file is one empty final chunk. Each piece is sealed on its own with AES-256-GCM under the
 * attachment key and a fresh nonce, and stored back to back:
 *
 *   nonce (12) ‖ ciphertext (≤ 1 MiB) ‖ tag (16)   repeated
 *
 * Bound as additional data: the attachment id, the chunk number and whether it is the final
 * chunk. Reordered chunks fail (wrong number), a file cut at a chunk boundary fails (the chunk
 * now last was sealed as "not final"), a file cut inside a chunk fails (its tag is gone), and a
 * chunk of another attachment fails (wrong id): all as CryptoError 'tampered'.
 */
import { CryptoError } from './errors.ts';
import { open, seal } from './keys.ts';
import type { CryptoKeyHandle } from './webCrypto.ts';
import { utf8 } from './webCrypto.ts';

export const CHUNK_BYTES = 1 << 20;
const OVERHEAD = 12 + 16;
export const SEALED_CHUNK_BYTES = CHUNK_BYTES + OVERHEAD;

/** Random access to a byte sequence (a Blob in the renderer, a Uint8Array in tests). */
export interface ByteSource {
  readonly size: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.byteLength,
    read: (start, end) => Promise.resolve(bytes.subarray(start, end)),
  };
}

function chunkData(id: string, index: number, final: boolean): Uint8Array {
  return utf8(JSON.stringify(['tessera/chunk', 1, id, index, final]));
}

/** The sealed chunks of `source`, in order. */
export async function* sealChunks(
  key: CryptoKeyHandle,
  id: string,
  source: ByteSource,
): AsyncGenerator<Uint8Array> {
  const count = Math.max(1, Math.ceil(source.size / CHUNK_BYTES));
  for (let index = 0; index < count; index += 1) {
    const start = index * CHUNK_BYTES;
    const plain = await source.read(start, Math.min(source.size, start + CHUNK_BYTES));
    yield await seal(key, plain, chunkData(id, index, index === count - 1));
  }
}

/** The plaintext chunks of a sealed attachment, verified one by one as they are read. */
export async function* openChunks(
  key: CryptoKeyHandle,
  id: string,
  sealed: ByteSource,
): AsyncGenerator<Uint8Array> {
  if (sealed.size < OVERHEAD) throw new CryptoError('tampered', 'the attachment is truncated');
  const count = Math.ceil(sealed.size / SEALED_CHUNK_BYTES);
  for (let index = 0; index < count; index += 1) {
    const start = index * SEALED_CHUNK_BYTES;
    const bytes = await sealed.read(start, Math.min(sealed.size, start + SEALED_CHUNK_BYTES));
    yield await open(key, bytes, chunkData(id, index, index === count - 1));
  }
}

/** Collects `openChunks` into one array (tests, small files). */
export async function openAllChunks(
  key: CryptoKeyHandle,
  id: string,
  sealed: ByteSource,
): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of openChunks(key, id, sealed)) parts.push(part);
  return concat(parts);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}
