import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useLocalCryptoThreads } from './cryptoWorker.ts';
import { BundleError } from './errors.ts';
import { openBundle } from './open.ts';
import { sealBundle } from './seal.ts';
import { makeAgency, resignPayload } from './fixtures/testSupport.ts';

const MIB = 1024 * 1024;
let root: string;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-crypto-threads-'));
});
afterAll(async () => {
  useLocalCryptoThreads(false);
  await fs.rm(root, { recursive: true, force: true });
});

// Sizes around the block and chunk edges: several blocks, a partial block, a segment boundary.
const SIZES = [0, 1, 64 * 1024, MIB - 3, MIB, 3 * MIB + 12_345];

it('the worker threads and the same-thread fallback seal and open each other’s bundles', async () => {
  const [a, b] = await Promise.all([makeAgency(root, 'Threads A'), makeAgency(root, 'Threads B')]);
  const attachments = SIZES.map((size, i) => ({
    name: `a${i}.bin`,
    bytes: crypto.randomBytes(size),
  }));
  const file = path.join(root, 'input.bin');
  await fs.writeFile(file, crypto.randomBytes(2 * MIB + 7));
  const seal = async (local: boolean, out: string) => {
    useLocalCryptoThreads(local);
    return sealBundle({
      identity: a.identity,
      recipients: [b.card],
      manifestFields: { caseId: 'c', policyVersion: 'p' },
      operations: crypto.randomBytes(100_000),
      attachments: [...attachments, { name: 'file.bin', path: file }],
      out,
    });
  };
  const sealedByWorkers = await seal(false, path.join(root, 'w.tsb'));
  const sealedLocally = await seal(true, path.join(root, 'l.tsb'));
  for (const [bundle, sealed, local] of [
    ['w.tsb', sealedByWorkers, true],
    ['l.tsb', sealedLocally, false],
  ] as const) {
    useLocalCryptoThreads(local);
    const opened = await openBundle(path.join(root, bundle), b.identity, a.card);
    expect(opened.payloadSha256).toBe(sealed.payloadSha256);
    expect(opened.manifest.parts).toEqual(sealed.manifest.parts);
    const read = async (name: string): Promise<Buffer> => {
      const chunks: Buffer[] = [];
      for await (const chunk of opened.readAttachment(name)) chunks.push(chunk);
      return Buffer.concat(chunks);
    };
    for (const [i, { bytes }] of attachments.entries()) {
      expect((await read(opened.attachments[i].name)).equals(bytes)).toBe(true);
    }
    expect((await read('file.bin')).equals(await fs.readFile(file))).toBe(true);
    await opened.dispose();
  }

  // A flipped ciphertext byte in a middle block is caught by the cipher thread (and the fallback).
  // Flipped before signing: otherwise the outer signature refuses it before any decryption.
  await resignPayload({
    file: path.join(root, 'w.tsb'),
    out: path.join(root, 'bad.tsb'),
    mutate: (payload) => void (payload[payload.length - 2 * MIB] ^= 1),
    signer: a.identity,
    recipient: b.identity,
  });
  for (const local of [false, true]) {
    useLocalCryptoThreads(local);
    const error = await openBundle(path.join(root, 'bad.tsb'), b.identity, a.card).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BundleError);
    expect((error as BundleError).code).toBe('corrupted');
  }
});
