/**
 * Attachments sealed straight from their file by the crypto threads (issue 13, `sealFileRun`): the
 * ciphertext, the payload hash and the part hash must be exactly those of the block-by-block path
 * (the container framing in segments, STREAM chunks from the given counter), whatever the block
 * is already holding and wherever the sizes fall against blocks, segments and chunks.
 */
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHUNK_SIZE, CIPHER_CHUNK_SIZE, sealChunks } from './age.ts';
import {
  cryptoThreads,
  InputChangedError,
  sealFileRun,
  useLocalCryptoThreads,
} from './cryptoWorker.ts';
import { IO_BLOCK, sharedBlock } from './io.ts';

const BLOCK = IO_BLOCK;
const SLOT = (BLOCK / CHUNK_SIZE) * CIPHER_CHUNK_SIZE;
let root: string;

beforeAll(async () => {
  useLocalCryptoThreads(false);
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-file-run-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** The container bytes of `data` framed in segments: u32be(length) before each. */
function framed(data: Buffer, segment: number): Buffer {
  const pieces: Buffer[] = [];
  for (let at = 0; at < data.length; at += segment) {
    const n = Math.min(segment, data.length - at);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(n, 0);
    pieces.push(header, data.subarray(at, at + n));
  }
  return Buffer.concat(pieces);
}

async function run(length: number, filled: number, segment: number, counter: number) {
  const data = crypto.randomBytes(length);
  const input = path.join(root, `in-${length}-${filled}`);
  await fs.writeFile(input, data);
  const outPath = path.join(root, `out-${length}-${filled}`);
  const [inFh, outFh] = await Promise.all([fs.open(input, 'r'), fs.open(outPath, 'w+')]);
  try {
    const threads = cryptoThreads();
    const block = sharedBlock(BLOCK);
    const prefix = crypto.randomBytes(filled);
    block.set(prefix);
    const payloadHashId = threads.cipherHash.newHash();
    const outputPosition = 7;
    const key = crypto.randomBytes(32);
    const result = await sealFileRun(threads, {
      key,
      counter,
      block,
      filled,
      input: inFh.fd,
      inputPosition: 0,
      length,
      segmentBytes: segment,
      output: outFh.fd,
      outputPosition,
      payloadHashId,
    });
    const payloadSha256 = await threads.cipherHash.digest(payloadHashId);
    const written = (await fs.readFile(outPath)).subarray(outputPosition);
    return { data, prefix, block, key, result, written, payloadSha256 };
  } finally {
    await Promise.all([inFh.close(), outFh.close()]);
    await Promise.all([fs.rm(input), fs.rm(outPath)]);
  }
}

describe('sealFileRun', () => {
  it('writes the same ciphertext and hashes as the block-by-block path', async () => {
    const edges = [1, 3, CHUNK_SIZE, BLOCK - 4, BLOCK - 3, BLOCK, BLOCK + 1, 3 * BLOCK + 5];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...edges),
        fc.constantFrom(0, 1, 17, BLOCK - 5, BLOCK - 1, BLOCK),
        fc.integer({ min: BLOCK / 4, max: 2 * BLOCK }),
        fc.integer({ min: 0, max: 1000 }),
        async (length, filled, segment, counter) => {
          const { data, prefix, block, key, result, written, payloadSha256 } = await run(
            length,
            filled,
            segment,
            counter,
          );
          const stream = Buffer.concat([prefix, framed(data, segment)]);
          // Full blocks are sealed only when more follows; the rest stays in the block.
          const blocks = Math.ceil(stream.length / BLOCK) - 1;
          expect(result).not.toBeNull();
          expect(result!.blocks).toBe(blocks);
          expect(result!.filled).toBe(stream.length - blocks * BLOCK);
          expect(block.subarray(0, result!.filled).equals(stream.subarray(blocks * BLOCK))).toBe(
            true,
          );
          const expected: Buffer[] = [];
          sealChunks(key, counter, stream.subarray(0, blocks * BLOCK), false, (piece) => {
            expected.push(Buffer.from(piece));
          });
          const ciphertext = Buffer.concat(expected);
          expect(written.length).toBe(blocks * SLOT);
          expect(written.equals(ciphertext)).toBe(true);
          expect(
            payloadSha256.equals(crypto.createHash('sha256').update(ciphertext).digest()),
          ).toBe(true);
          expect(result!.sha256.equals(crypto.createHash('sha256').update(data).digest())).toBe(
            true,
          );
        },
      ),
      { numRuns: 16 },
    );
  });

  it('refuses a file shorter than announced, and the threads work on afterwards', async () => {
    const input = path.join(root, 'short');
    await fs.writeFile(input, crypto.randomBytes(BLOCK + 10));
    const [inFh, outFh] = await Promise.all([
      fs.open(input, 'r'),
      fs.open(path.join(root, 'short-out'), 'w'),
    ]);
    const threads = cryptoThreads();
    const payloadHashId = threads.cipherHash.newHash();
    try {
      await expect(
        sealFileRun(threads, {
          key: crypto.randomBytes(32),
          counter: 0,
          block: sharedBlock(BLOCK),
          filled: 0,
          input: inFh.fd,
          inputPosition: 0,
          length: 4 * BLOCK,
          segmentBytes: BLOCK,
          output: outFh.fd,
          outputPosition: 0,
          payloadHashId,
        }),
      ).rejects.toBeInstanceOf(InputChangedError);
    } finally {
      threads.cipherHash.discard(payloadHashId);
      await Promise.all([inFh.close(), outFh.close()]);
    }
    const again = await run(BLOCK + 100, 3, BLOCK, 0);
    expect(
      again.result!.sha256.equals(crypto.createHash('sha256').update(again.data).digest()),
    ).toBe(true);
  });

  it('is not run on the calling thread (the caller seals block by block instead)', async () => {
    useLocalCryptoThreads(true);
    try {
      const result = await sealFileRun(cryptoThreads(), {
        key: crypto.randomBytes(32),
        counter: 0,
        block: sharedBlock(BLOCK),
        filled: 0,
        input: -1,
        inputPosition: 0,
        length: 1,
        segmentBytes: BLOCK,
        output: -1,
        outputPosition: 0,
        payloadHashId: 0,
      });
      expect(result).toBeNull();
    } finally {
      useLocalCryptoThreads(false);
    }
  });
});
