/**
 * The open's signature pass as a payload run (issue 13, cryptoWorker.ts `hashPayloadRun`): the
 * crypto threads read the ciphertext themselves, so a bundle that shrinks or changes after its
 * size was taken must still be refused with the codes of the block-by-block pass, and nothing be
 * decrypted or left behind; and the run's hash and block tags must be exactly those of the
 * block-by-block pass for any range (a property over lengths around the block edge).
 */
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHUNK_SIZE, CIPHER_CHUNK_SIZE } from './age.ts';
import { blockTag, cryptoThreads, hashPayloadRun, useLocalCryptoThreads } from './cryptoWorker.ts';
import { IO_BLOCK, sharedBlock } from './io.ts';
import { BundleError } from './errors.ts';
import { openBundle } from './open.ts';
import { sealBundle } from './seal.ts';
import { makeAgency } from './fixtures/testSupport.ts';

type Agency = Awaited<ReturnType<typeof makeAgency>>;

const MIB = 1024 * 1024;
let root: string;
let a: Agency;
let b: Agency;
let sealed: Buffer;

beforeAll(async () => {
  useLocalCryptoThreads(false);
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-payload-run-'));
  [a, b] = await Promise.all([makeAgency(root, 'Run A'), makeAgency(root, 'Run B')]);
  const out = path.join(root, 'run.tsb');
  await sealBundle({
    identity: a.identity,
    recipients: [b.card],
    manifestFields: { caseId: 'case-run', policyVersion: 'p' },
    operations: Buffer.from('{}'),
    // Streamed: format 1, whose open has the signature pass this file is about.
    attachments: [
      { name: 'evidence.bin', stream: Readable.from([crypto.randomBytes(6 * MIB + 999)]) },
    ],
    out,
  });
  sealed = await fs.readFile(out);
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/**
 * Opens a fresh copy of the bundle; `change` runs after the header is read and the size taken
 * (the replay check is the hook), just before the signature pass reads the payload.
 */
async function openChanged(name: string, change: (file: string) => Promise<void>) {
  const file = path.join(root, `${name}.tsb`);
  await fs.writeFile(file, sealed);
  const outDir = path.join(root, `${name}-out`);
  const error: unknown = await openBundle(file, b.identity, a.card, outDir, {
    seenBundleIds: async () => {
      await change(file);
      return false;
    },
  }).then(
    () => null,
    (e: unknown) => e,
  );
  // A refused open leaves nothing in outDir; one that succeeds leaves exactly the attachment.
  expect(await fs.readdir(outDir).catch(() => [])).toEqual(error ? [] : ['evidence.bin']);
  return error;
}

it('a bundle cut short after its size was taken is refused as truncated', async () => {
  const error = await openChanged('cut', (file) => fs.truncate(file, sealed.length - 2 * MIB));
  expect(error).toBeInstanceOf(BundleError);
  expect((error as BundleError).code).toBe('truncated');
});

it('a bundle altered in place after its size was taken is refused by its signature', async () => {
  const error = await openChanged('flipped', async (file) => {
    const fh = await fs.open(file, 'r+');
    try {
      await fh.write(
        Buffer.from([sealed[sealed.length - 3 * MIB]! ^ 1]),
        0,
        1,
        sealed.length - 3 * MIB,
      );
    } finally {
      await fh.close();
    }
  });
  expect(error).toBeInstanceOf(BundleError);
  expect((error as BundleError).code).toBe('bad-signature');
});

it('the same bundle left as it is opens', async () => {
  const error = await openChanged('intact', () => Promise.resolve());
  expect(error).toBeNull();
});

const SLOT = (IO_BLOCK / CHUNK_SIZE) * CIPHER_CHUNK_SIZE;

it('hashes and tags exactly what the block-by-block pass does, wherever the range falls', async () => {
  const edges = [1, 16, SLOT - 1, SLOT, SLOT + 1, 4 * SLOT, 5 * SLOT + 7];
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...edges),
      fc.constantFrom(0, 1, 4097),
      async (length, offset) => {
        const data = crypto.randomBytes(offset + length + 3);
        const file = path.join(root, `range-${length}-${offset}`);
        await fs.writeFile(file, data);
        const fh = await fs.open(file, 'r');
        try {
          const threads = cryptoThreads();
          const hashId = threads.cipherHash.newHash();
          const prefix = sharedBlock(16);
          prefix.set(crypto.randomBytes(16));
          await threads.cipherHash.update(hashId, prefix);
          const tagKey = crypto.randomBytes(32);
          const range = { start: offset, end: offset + length };
          const tags = await hashPayloadRun(
            threads,
            { input: fh.fd, ...range, hashId, tagKey },
            IO_BLOCK,
          );
          const sha256 = await threads.cipherHash.digest(hashId);
          const payload = data.subarray(range.start, range.end);
          const expected = crypto.createHash('sha256').update(prefix).update(payload).digest();
          expect(sha256.equals(expected)).toBe(true);
          const expectedTags: Buffer[] = [];
          for (let at = 0; at < payload.length; at += SLOT) {
            expectedTags.push(blockTag(tagKey, at / SLOT, payload.subarray(at, at + SLOT)));
          }
          expect(tags).toEqual(expectedTags);
        } finally {
          await fh.close();
          await fs.rm(file);
        }
      },
    ),
    { numRuns: 12 },
  );
});
