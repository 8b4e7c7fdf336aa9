/**
 * A crypto thread that dies in the middle of a seal or an open (issue 13): the call fails with
 * BundleError 'crypto-thread', leaves no bundle, no temporary or partial file and no plaintext
 * behind, the other threads of the set do not wait forever, and the next call (on new threads)
 * succeeds. The crash is injected in the worker (`process.exit` in the middle of its n-th block),
 * as an abort or a fault in native code would end it.
 */
import crypto from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScratchSpace } from '../files/scratch.ts';
import { CIPHER_CHUNK_SIZE, CHUNK_SIZE } from './age.ts';
import {
  type CryptoThreads,
  injectCryptoThreadCrash,
  stopCryptoThreads,
  useLocalCryptoThreads,
} from './cryptoWorker.ts';
import { BundleError } from './errors.ts';
import { IO_BLOCK } from './io.ts';
import { openBundle } from './open.ts';
import { sealBundle } from './seal.ts';
import { makeAgency } from './fixtures/testSupport.ts';

type Agency = Awaited<ReturnType<typeof makeAgency>>;

const MIB = 1024 * 1024;
/** Enough blocks that a crash after a few of them lands in the middle of each pass. */
const SIZE = 24 * MIB + 4321;
const CANARY = `CANARY-${crypto.randomBytes(8).toString('hex')}`;
let root: string;
let a: Agency;
let b: Agency;
let input: string;
let data: Buffer;

beforeAll(async () => {
  useLocalCryptoThreads(false);
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-thread-crash-'));
  [a, b] = await Promise.all([makeAgency(root, 'Crash A'), makeAgency(root, 'Crash B')]);
  data = crypto.randomBytes(SIZE);
  for (let at = 0; at + CANARY.length < SIZE; at += 4096) data.write(CANARY, at, 'utf8');
  input = path.join(root, 'evidence.bin');
  await fs.writeFile(input, data);
});

afterAll(async () => {
  await stopCryptoThreads();
  await fs.rm(root, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

/** Format 2 (the attachment from its file); format 1 when it is streamed (no length ahead). */
function seal(out: string, format: 1 | 2 = 2) {
  return sealBundle({
    identity: a.identity,
    recipients: [b.card],
    manifestFields: { caseId: 'case-crash', policyVersion: 'p' },
    operations: Buffer.from(JSON.stringify({ note: `informant ${CANARY}` })),
    attachments: [
      format === 2
        ? { name: 'evidence.bin', path: input }
        : { name: 'evidence.bin', stream: createReadStream(input) },
    ],
    out,
  });
}

async function expectThreadFailure(run: Promise<unknown>): Promise<void> {
  const error: unknown = await run.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BundleError);
  expect((error as BundleError).code).toBe('crypto-thread');
}

describe('a crypto thread dies mid-seal', () => {
  // The file run: the cipher thread reads and encrypts, the cipher-hash thread hashes the
  // ciphertext, the plain-hash thread hashes the attachment and writes.
  it.each<keyof CryptoThreads>(['cipher', 'cipherHash', 'plainHash'])(
    'the %s thread: no bundle and no temporary file are left, and a retry seals',
    async (role) => {
      const dir = await fs.mkdtemp(path.join(root, `seal-${role}-`));
      const out = path.join(dir, 'out.tsb');
      injectCryptoThreadCrash(role, 6);
      await expectThreadFailure(seal(out));
      expect(await filesUnder(dir)).toEqual([]);

      const sealed = await seal(out);
      expect(await filesUnder(dir)).toEqual([out]);
      const opened = await openBundle(out, b.identity, a.card, path.join(dir, 'opened'));
      expect(opened.manifest.bundleId).toBe(sealed.bundleId);
      expect((await fs.readFile(path.join(dir, 'opened', 'evidence.bin'))).equals(data)).toBe(true);
    },
  );
});

describe('a crypto thread dies mid-open', () => {
  const bundles = { 1: '', 2: '' };
  /** Ciphertext blocks of the payload: format 1's signature pass tags each once. */
  let blocks: number;

  beforeAll(async () => {
    for (const format of [1, 2] as const) {
      bundles[format] = path.join(root, `crash-${format}.tsb`);
      expect((await seal(bundles[format], format)).format).toBe(format);
    }
    const { size } = await fs.stat(bundles[1]);
    blocks = Math.ceil(size / ((IO_BLOCK / CHUNK_SIZE) * CIPHER_CHUNK_SIZE));
  });

  // Format 1, pass 1: the cipher thread reads and tags each block, the cipher-hash thread hashes
  // it (after the nonce). Pass 2 (format 2's only pass): the cipher thread reads, checks and
  // decrypts, the plain-hash thread hashes the parts, the cipher-hash thread writes the attachment.
  it.each<[keyof CryptoThreads, 1 | 2, string, () => number]>([
    ['cipherHash', 1, 'signature pass', () => 6],
    ['cipher', 1, 'signature pass', () => 4],
    ['cipher', 1, 'decryption pass', () => blocks + 4],
    ['plainHash', 1, 'decryption pass', () => 6],
    ['cipherHash', 1, 'decryption pass', () => blocks + 4],
    ['cipher', 2, 'one pass', () => 4],
    ['plainHash', 2, 'one pass', () => 6],
    ['cipherHash', 2, 'one pass', () => 4],
  ])(
    'the %s thread, format %s, in the %s: no attachment, partial or scratch file is left, and a retry opens',
    async (role, format, _pass, after) => {
      const bundle = bundles[format];
      const dir = await fs.mkdtemp(path.join(root, `open-${role}-${format}-`));
      const outDir = path.join(dir, 'opened');
      const scratch = await ScratchSpace.create(path.join(dir, 'scratch'));
      try {
        injectCryptoThreadCrash(role, after());
        await expectThreadFailure(openBundle(bundle, b.identity, a.card, outDir, { scratch }));
        expect(await filesUnder(outDir)).toEqual([]);
        expect(await filesUnder(scratch.dir)).toEqual([]);

        const opened = await openBundle(bundle, b.identity, a.card, outDir, { scratch });
        expect(opened.operations.toString()).toContain(CANARY);
        const out = await fs.readFile(path.join(outDir, 'evidence.bin'));
        expect(out.equals(data)).toBe(true);
        expect(await filesUnder(outDir)).toEqual([path.join(outDir, 'evidence.bin')]);
      } finally {
        await scratch.dispose();
      }
    },
  );
});
