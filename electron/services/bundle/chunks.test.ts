// The STREAM chunk layer on the crypto threads (issue 13): sealing and opening round-trip at every
// size around the 64 KiB chunk edge on the worker threads and on the calling thread alike, agree
// with the bounded-memory StreamEncryptor / StreamDecryptor, and the decryption pass's block check
// refuses a block that is not the one tagged in the signature pass, before decrypting any of it.
import crypto from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AgeFormatError,
  CHUNK_SIZE,
  CIPHER_CHUNK_SIZE,
  StreamDecryptor,
  StreamEncryptor,
  TAG_SIZE,
} from './age.ts';
import {
  BlockChangedError,
  blockTag,
  type CryptoThread,
  cryptoThreads,
  LocalCryptoThread,
  useLocalCryptoThreads,
} from './cryptoWorker.ts';
import { sharedBlock } from './io.ts';

afterAll(() => useLocalCryptoThreads(false));

const EDGES = [
  0,
  1,
  CHUNK_SIZE - 1,
  CHUNK_SIZE,
  CHUNK_SIZE + 1,
  2 * CHUNK_SIZE - 1,
  2 * CHUNK_SIZE,
];
const EDGE_SIZES = [...EDGES, 2 * CHUNK_SIZE + 1, 3 * CHUNK_SIZE, 5 * CHUNK_SIZE + 17];

function threads(): [string, CryptoThread][] {
  useLocalCryptoThreads(false);
  return [
    ['worker thread', cryptoThreads().cipher],
    ['calling thread', new LocalCryptoThread()],
  ];
}

/** Seals `plain` in one call on `thread` (shared memory in and out). */
async function sealOn(thread: CryptoThread, key: Buffer, plain: Buffer): Promise<Buffer> {
  const chunks = Math.max(1, Math.ceil(plain.length / CHUNK_SIZE));
  const src = sharedBlock(Math.max(1, plain.length)).subarray(0, plain.length);
  src.set(plain);
  const out = sharedBlock(plain.length + chunks * TAG_SIZE);
  const length = await thread.seal(key, 0, src, true, out);
  return Buffer.from(out.subarray(0, length));
}

async function openOn(
  thread: CryptoThread,
  key: Buffer,
  sealed: Buffer,
  check?: Parameters<CryptoThread['open']>[5],
): Promise<Buffer> {
  const src = sharedBlock(sealed.length);
  src.set(sealed);
  const out = sharedBlock(Math.max(1, sealed.length));
  const length = await thread.open(key, 0, src, true, out, check);
  return Buffer.from(out.subarray(0, length));
}

describe.each(threads())('STREAM chunks on the %s', (_name, thread) => {
  it('round-trip at every size around the chunk edge, as the streaming classes do', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...EDGE_SIZES),
        fc.integer({ min: 1, max: 70_000 }),
        async (size, step) => {
          const key = crypto.randomBytes(32);
          const plain = crypto.randomBytes(size);
          const sealed = await sealOn(thread, key, plain);
          // The same bytes as the bounded-memory encryptor fed in arbitrary slices.
          const encryptor = new StreamEncryptor(key);
          const reference: Buffer[] = [];
          for (let at = 0; at < size; at += step) {
            encryptor.update(plain.subarray(at, at + step), reference);
          }
          encryptor.final(reference);
          expect(sealed.equals(Buffer.concat(reference))).toBe(true);
          expect(sealed.length).toBe(size + Math.max(1, Math.ceil(size / CHUNK_SIZE)) * TAG_SIZE);
          expect((await openOn(thread, key, sealed)).equals(plain)).toBe(true);
          const decryptor = new StreamDecryptor(key, sealed.length);
          const opened: Buffer[] = [];
          for (let at = 0; at < sealed.length; at += step) {
            decryptor.update(sealed.subarray(at, at + step), opened);
          }
          decryptor.final();
          expect(Buffer.concat(opened).equals(plain)).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('refuse a flipped byte, a chunk cut off at a chunk edge, and a swapped chunk', async () => {
    const key = crypto.randomBytes(32);
    const plain = crypto.randomBytes(3 * CHUNK_SIZE + 5);
    const sealed = await sealOn(thread, key, plain);
    const flipped = Buffer.from(sealed);
    flipped[CIPHER_CHUNK_SIZE + 7]! ^= 1;
    await expect(openOn(thread, key, flipped)).rejects.toThrow(AgeFormatError);
    // Cut after two whole chunks: the second was sealed as "not last".
    await expect(openOn(thread, key, sealed.subarray(0, 2 * CIPHER_CHUNK_SIZE))).rejects.toThrow(
      /truncated/,
    );
    const swapped = Buffer.concat([
      sealed.subarray(CIPHER_CHUNK_SIZE, 2 * CIPHER_CHUNK_SIZE),
      sealed.subarray(0, CIPHER_CHUNK_SIZE),
      sealed.subarray(2 * CIPHER_CHUNK_SIZE),
    ]);
    await expect(openOn(thread, key, swapped)).rejects.toThrow(AgeFormatError);
  });

  it('decrypt a block only when it carries the tag the signature pass took of it', async () => {
    const key = crypto.randomBytes(32);
    const tagKey = crypto.randomBytes(32);
    const sealed = await sealOn(thread, key, crypto.randomBytes(2 * CHUNK_SIZE + 3));
    const src = sharedBlock(sealed.length);
    src.set(sealed);
    const tag = await thread.tag(tagKey, 4, src);
    expect(tag.equals(blockTag(tagKey, 4, sealed))).toBe(true);
    expect(await openOn(thread, key, sealed, { key: tagKey, index: 4, tag })).toHaveLength(
      2 * CHUNK_SIZE + 3,
    );
    // Another valid ciphertext (a co-recipient knows the key), another block number, another key.
    const other = await sealOn(thread, key, crypto.randomBytes(2 * CHUNK_SIZE + 3));
    const out = sharedBlock(sealed.length);
    for (const [data, check] of [
      [other, { key: tagKey, index: 4, tag }],
      [sealed, { key: tagKey, index: 5, tag }],
      [sealed, { key: crypto.randomBytes(32), index: 4, tag }],
    ] as const) {
      const block = sharedBlock(data.length);
      block.set(data);
      out.fill(0);
      await expect(thread.open(key, 0, block, true, out, check)).rejects.toThrow(BlockChangedError);
      expect(out.every((byte) => byte === 0)).toBe(true);
    }
  });
});
