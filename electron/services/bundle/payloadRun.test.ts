/**
 * The open's signature pass as a payload run (issue 13, cryptoWorker.ts `hashPayloadRun`): the
 * crypto threads read the ciphertext themselves, so a bundle that shrinks or changes after its
 * size was taken must still be refused with the codes of the block-by-block pass, and nothing be
 * decrypted or left behind.
 */
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useLocalCryptoThreads } from './cryptoWorker.ts';
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
    attachments: [{ name: 'evidence.bin', bytes: crypto.randomBytes(6 * MIB + 999) }],
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
