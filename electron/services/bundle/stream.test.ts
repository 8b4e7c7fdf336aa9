import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openBundle } from './open.ts';
import { sealBundle } from './seal.ts';
import { makeAgency } from './fixtures/testSupport.ts';

const MIB = 1024 * 1024;
const SIZE = 64 * MIB;
let root: string;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-stream-test-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

// A collector to call, so the samples measure memory that is still held, not garbage not yet swept.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** Peak growth of live memory (JS heap + buffers) while `work` runs, sampled after a collection. */
async function peakGrowth(work: () => Promise<unknown>): Promise<number> {
  const sample = () => {
    // Twice: V8 frees the memory of dead ArrayBuffers concurrently after a collection, so one
    // collection still counts buffers that are already garbage (the scratch space's chunks).
    gc();
    gc();
    const m = process.memoryUsage();
    return m.arrayBuffers + m.heapUsed;
  };
  const base = sample();
  let peak = base;
  // A full collection takes long on a loaded machine; sampling every 20 ms regardless would leave
  // the main thread (which encrypts the opened parts into the scratch space) no time to work. So
  // the next sample waits at least three times as long as the last one took.
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const started = performance.now();
    peak = Math.max(peak, sample());
    timer = setTimeout(tick, Math.max(20, 3 * (performance.now() - started)));
  };
  timer = setTimeout(tick, 20);
  try {
    await work();
  } finally {
    clearTimeout(timer);
  }
  return Math.max(peak, sample()) - base;
}

it('seals and opens a 64 MiB attachment with memory far below its size', async () => {
  const [a, b] = await Promise.all([makeAgency(root, 'Stream A'), makeAgency(root, 'Stream B')]);
  const input = path.join(root, 'big.bin');
  const fh = await fs.open(input, 'w');
  const block = crypto.randomBytes(MIB);
  const expected = crypto.createHash('sha256');
  for (let i = 0; i < SIZE / MIB; i++) {
    block.writeUInt32BE(i, 0);
    expected.update(block);
    await fh.write(block);
  }
  await fh.close();

  const bundle = path.join(root, 'big.tsb');
  const sealGrowth = await peakGrowth(() =>
    sealBundle({
      identity: a.identity,
      recipients: [b.card],
      manifestFields: { caseId: 'c', policyVersion: 'p' },
      operations: Buffer.from('[]'),
      attachments: [{ name: 'big.bin', path: input }],
      out: bundle,
    }),
  );
  let opened: Awaited<ReturnType<typeof openBundle>> | undefined;
  const openGrowth = await peakGrowth(async () => {
    opened = await openBundle(bundle, b.identity, a.card, path.join(root, 'out'));
  });
  expect(opened!.attachments[0].size).toBe(SIZE);
  expect(opened!.attachments[0].sha256).toBe(expected.digest('hex'));
  // Chunked: a few MiB of buffers in flight, never the 64 MiB attachment.
  expect(sealGrowth).toBeLessThan(16 * MIB);
  expect(openGrowth).toBeLessThan(16 * MIB);
});
