/**
 * Format 2's verify on the crypto threads (issue 13, cryptoWorker.ts `checkBlocksRun`): the two
 * hash threads each read and check alternate blocks, so the answer must still be the one a check in
 * block order gives (the lowest wrong block, or the block the file ends in), whatever the timing;
 * a tampered bundle is still refused with `bad-signature` naming that block, exactly as on the
 * calling thread; and a thread that dies mid-verify fails the call with `crypto-thread`, after
 * which a verify on new threads succeeds.
 */
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PAYLOAD_BLOCK_BYTES } from '../../../shared/exchange/bundleFormat.ts';
import {
  checkBlocksRun,
  cryptoThreads,
  injectCryptoThreadCrash,
  stopCryptoThreads,
  useLocalCryptoThreads,
} from './cryptoWorker.ts';
import { openBundle, verifyBundle } from './open.ts';
import { sealBundle } from './seal.ts';
import { expectBundleError, makeAgency } from './fixtures/testSupport.ts';

type Agency = Awaited<ReturnType<typeof makeAgency>>;

const MIB = 1024 * 1024;
let root: string;
let a: Agency;
let b: Agency;
let bundle: string;
let sealed: Buffer;
/** Where the payload's blocks start in `sealed` (after the header and the payload nonce). */
let payloadStart: number;

beforeAll(async () => {
  useLocalCryptoThreads(false);
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-verify-run-'));
  [a, b] = await Promise.all([makeAgency(root, 'Verify A'), makeAgency(root, 'Verify B')]);
  const input = path.join(root, 'evidence.bin');
  await fs.writeFile(input, crypto.randomBytes(7 * MIB + 4321));
  bundle = path.join(root, 'v2.tsb');
  await sealBundle({
    identity: a.identity,
    recipients: [b.card],
    manifestFields: { caseId: 'case-verify', policyVersion: 'p' },
    operations: Buffer.from('{}'),
    attachments: [{ name: 'evidence.bin', path: input }],
    out: bundle,
  });
  sealed = await fs.readFile(bundle);
  payloadStart = findPayloadStart();
});

afterAll(async () => {
  await stopCryptoThreads();
  await fs.rm(root, { recursive: true, force: true });
});

/** The first payload block: after the header's MAC line and the 16-byte payload nonce. */
function findPayloadStart(): number {
  const text = sealed.subarray(0, 64 * 1024).toString('latin1');
  const mac = text.indexOf('\n--- ');
  expect(mac).toBeGreaterThan(0);
  return text.indexOf('\n', mac + 1) + 1 + 16;
}

/** A copy of the bundle with one byte flipped at each of `offsets` (into the payload). */
async function tampered(name: string, offsets: readonly number[]): Promise<string> {
  const copy = Buffer.from(sealed);
  for (const offset of offsets) copy[payloadStart + offset]! ^= 0x40;
  const file = path.join(root, `${name}.tsb`);
  await fs.writeFile(file, copy);
  return file;
}

function outcome(run: Promise<unknown>): Promise<string> {
  return run.then(
    () => 'ok',
    (error: unknown) => `${(error as { code?: string }).code}: ${(error as Error).message}`,
  );
}

async function verifyTampered(name: string, offsets: readonly number[]): Promise<string> {
  return outcome(verifyBundle(await tampered(name, offsets), a.card));
}

it('verify on the threads and on this thread, and open, refuse the lowest altered block', async () => {
  const payloadLength = sealed.length - payloadStart;
  const blocks = Math.ceil(payloadLength / PAYLOAD_BLOCK_BYTES);
  expect(blocks).toBe(8);
  const offsets = fc.array(fc.integer({ min: 0, max: payloadLength - 1 }), {
    minLength: 0,
    maxLength: 4,
  });
  // Edges: the first and last byte of blocks, inside a middle block, the file's last byte.
  const edges = fc.constantFrom(
    0,
    PAYLOAD_BLOCK_BYTES - 1,
    PAYLOAD_BLOCK_BYTES,
    3 * PAYLOAD_BLOCK_BYTES + 7,
    payloadLength - 1,
  );
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.tuple(offsets, fc.array(edges, { maxLength: 2 })), async ([some, edge]) => {
      // Distinct offsets: a byte flipped twice is the signed byte again.
      const all = [...new Set([...some, ...edge])];
      const name = `tampered-${run++}`;
      useLocalCryptoThreads(false);
      const threaded = await verifyTampered(name, all);
      useLocalCryptoThreads(true);
      const here = await verifyTampered(name, all);
      useLocalCryptoThreads(false);
      expect(threaded).toBe(here);
      // The open's one pass: the two writing threads claim and check the blocks (verifyAhead);
      // the lowest altered block is the one named, and nothing is left in the folder.
      const outDir = path.join(root, `${name}-out`);
      const opened = await outcome(
        openBundle(await tampered(name, all), b.identity, a.card, outDir),
      );
      const left = await fs.readdir(outDir).catch(() => []);
      await fs.rm(outDir, { recursive: true, force: true });
      if (all.length === 0) {
        expect(threaded).toBe('ok');
        expect(opened).toBe('ok');
        expect(left).toEqual(['evidence.bin']);
      } else {
        expect(left).toEqual([]);
        const lowest = Math.min(...all.map((offset) => Math.floor(offset / PAYLOAD_BLOCK_BYTES)));
        expect(threaded).toBe(
          `bad-signature: ciphertext block ${lowest} does not match the sender's signed block list: the bundle was altered`,
        );
        expect(opened).toBe(threaded);
      }
    }),
    { numRuns: 30 },
  );
});

it('checkBlocksRun reports the lowest wrong or missing block, as a check in block order', async () => {
  const threads = cryptoThreads();
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: PAYLOAD_BLOCK_BYTES }),
      fc.array(fc.nat(), { maxLength: 3 }),
      fc.option(fc.nat(), { nil: undefined }),
      async (blocks, lastLength, wrong, shortAt) => {
        const length = (blocks - 1) * PAYLOAD_BLOCK_BYTES + lastLength;
        const data = crypto.randomBytes(length);
        const hashes = Array.from({ length: blocks }, (_, i) =>
          crypto
            .createHash('sha256')
            .update(data.subarray(i * PAYLOAD_BLOCK_BYTES, (i + 1) * PAYLOAD_BLOCK_BYTES))
            .digest(),
        );
        const wrongBlocks = wrong.map((w) => w % blocks);
        for (const w of wrongBlocks) hashes[w] = crypto.randomBytes(32);
        // The file may end early (it shrank after its size was taken): in the middle of a block.
        const cut = shortAt === undefined ? length : shortAt % length;
        const file = path.join(root, 'blocks.bin');
        await fs.writeFile(file, Buffer.concat([Buffer.alloc(100), data.subarray(0, cut)]));
        const fh = await fs.open(file, 'r');
        try {
          const result = await checkBlocksRun(
            threads,
            { input: fh.fd, start: 100, end: 100 + length, hashes },
            PAYLOAD_BLOCK_BYTES,
          );
          const shortBlock = cut < length ? Math.floor(cut / PAYLOAD_BLOCK_BYTES) : Infinity;
          const firstWrong = Math.min(...wrongBlocks, Infinity);
          if (shortBlock === Infinity && firstWrong === Infinity) {
            expect(result).toEqual({ ok: true });
          } else {
            const block = Math.min(shortBlock, firstWrong);
            expect(result).toEqual({ ok: false, block, short: block === shortBlock });
          }
        } finally {
          await fh.close();
        }
      },
    ),
    { numRuns: 40 },
  );
});

it('a hash thread that dies mid-verify fails it with crypto-thread; the next verify succeeds', async () => {
  for (const role of ['plainHash', 'cipherHash'] as const) {
    useLocalCryptoThreads(false);
    injectCryptoThreadCrash(role, 2);
    await expectBundleError(verifyBundle(bundle, a.card), ['crypto-thread']);
    const verified = await verifyBundle(bundle, a.card);
    expect(verified.signerKeyId).toBe(a.card.keyId);
  }
});
