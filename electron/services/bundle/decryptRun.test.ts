/**
 * The decryption pass of an open as a run (issue 13, round 8; cryptoWorker.ts `DecryptRun`): the
 * cipher thread reads and decrypts, the calling thread only parses the container framing, the
 * plain-hash thread hashes and writes. It must open exactly what the block-by-block path (the
 * same-thread fallback) opens, whatever the layout of parts over blocks, and move no payload
 * bytes through the calling thread's file I/O.
 */
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { useDecryptRunRecords, useLocalCryptoThreads } from './cryptoWorker.ts';
import { type OpenedBundle, openBundle } from './open.ts';
import { sealBundle } from './seal.ts';
import { makeAgency } from './fixtures/testSupport.ts';

type Agency = Awaited<ReturnType<typeof makeAgency>>;

const MIB = 1024 * 1024;
let root: string;
let a: Agency;
let b: Agency;
let runs = 0;

beforeAll(async () => {
  useLocalCryptoThreads(false);
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-decrypt-run-'));
  [a, b] = await Promise.all([makeAgency(root, 'Run A'), makeAgency(root, 'Run B')]);
});

afterEach(() => {
  vi.restoreAllMocks();
  useLocalCryptoThreads(false);
  useDecryptRunRecords(4096);
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function seal(
  attachments: readonly Buffer[],
  operations: Buffer,
): Promise<{ bundle: string; names: string[] }> {
  const bundle = path.join(root, `run-${runs++}.tsb`);
  const names = attachments.map((_, i) => `part-${i}.bin`);
  await sealBundle({
    identity: a.identity,
    recipients: [b.card],
    manifestFields: { caseId: 'c', policyVersion: 'p' },
    operations,
    attachments: attachments.map((bytes, i) => ({ name: names[i]!, bytes })),
    out: bundle,
  });
  return { bundle, names };
}

async function contents(opened: OpenedBundle, names: readonly string[]): Promise<Buffer[]> {
  const all: Buffer[] = [];
  for (const name of names) {
    const chunks: Buffer[] = [];
    for await (const chunk of opened.readAttachment(name)) chunks.push(chunk);
    all.push(Buffer.concat(chunks));
  }
  return all;
}

/** Sizes around the edges that matter: 64 KiB chunks, 1 MiB blocks and segments. */
const edgeSize = fc.oneof(
  fc.integer({ min: 0, max: 70_000 }),
  fc.integer({ min: MIB - 40, max: MIB + 40 }),
  fc.integer({ min: 0, max: 2 * MIB + 100 }),
);

describe('the decryption run', () => {
  it('opens what the block-by-block path opens, wherever the parts fall in the blocks', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(edgeSize, { minLength: 0, maxLength: 4 }),
        fc.integer({ min: 2, max: 300_000 }),
        fc.boolean(),
        async (sizes, operationsSize, toDir) => {
          const attachments = sizes.map((size) => crypto.randomBytes(size));
          const operations = crypto.randomBytes(operationsSize);
          const { bundle, names } = await seal(attachments, operations);
          const results = [];
          for (const local of [false, true]) {
            useLocalCryptoThreads(local);
            const out = toDir ? path.join(root, `out-${runs++}`) : undefined;
            const opened = await openBundle(bundle, b.identity, a.card, out);
            // Digests, not the bytes: a deep equality over MiB-sized buffers crawls.
            const digest = (bytes: Buffer) =>
              crypto.createHash('sha256').update(bytes).digest('hex');
            results.push({
              operations: digest(opened.operations),
              parts: opened.manifest.parts,
              attachments: opened.attachments.map(({ name, size, sha256 }) => ({
                name,
                size,
                sha256,
              })),
              bytes: (await contents(opened, names)).map(digest),
            });
            await opened.dispose();
          }
          expect(results[0]).toEqual(results[1]);
          expect(results[0]!.operations).toBe(
            crypto.createHash('sha256').update(operations).digest('hex'),
          );
          expect(results[0]!.bytes).toEqual(
            attachments.map((bytes) => crypto.createHash('sha256').update(bytes).digest('hex')),
          );
        },
      ),
      { numRuns: 6 },
    );
  });

  it('holds more ranges in a block than its record ring: the calling thread waits for room', async () => {
    useDecryptRunRecords(4);
    const attachments = Array.from({ length: 40 }, (_, i) => crypto.randomBytes(1000 + i * 37));
    const { bundle, names } = await seal(attachments, Buffer.from('[]'));
    const opened = await openBundle(bundle, b.identity, a.card, path.join(root, 'many'));
    const bytes = await contents(opened, names);
    bytes.forEach((data, i) => expect(data.equals(attachments[i]!)).toBe(true));
    opened.attachments.forEach((attachment, i) =>
      expect(attachment.sha256).toBe(
        crypto.createHash('sha256').update(attachments[i]!).digest('hex'),
      ),
    );
  });

  it('reads and writes no payload through the calling thread', async () => {
    const data = crypto.randomBytes(6 * MIB + 123);
    const { bundle } = await seal([data], Buffer.from('[]'));
    const probe = await fs.open(path.join(root, 'probe'), 'w');
    await probe.close();
    const proto = Object.getPrototypeOf(probe) as FileHandle;
    const reads = vi.spyOn(proto, 'read');
    const writes = vi.spyOn(proto, 'write');
    const out = path.join(root, 'io');
    const opened = await openBundle(bundle, b.identity, a.card, out);
    expect((await fs.readFile(path.join(out, 'part-0.bin'))).equals(data)).toBe(true);
    expect(opened.attachments[0]!.size).toBe(data.length);
    // The header and the payload nonce are read here; no ciphertext block, no plaintext write.
    const bulk = (calls: unknown[][]) =>
      calls.filter((args) => {
        const first = args[0];
        const length = typeof args[2] === 'number' ? args[2] : (first as Uint8Array).byteLength;
        return length >= 64 * 1024;
      });
    expect(bulk(reads.mock.calls).length).toBe(0);
    expect(bulk(writes.mock.calls).length).toBe(0);
  });
});
