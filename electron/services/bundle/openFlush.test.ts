/**
 * Opening into `outDir` flushes each attachment's partial file while it is still being written
 * (issue 13), so that the final flush before the rename waits for the last few MiB only, and a
 * failed early flush fails the open.
 */
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BundleError } from './errors.ts';
import { openBundle } from './open.ts';
import { sealBundle } from './seal.ts';
import { makeAgency } from './fixtures/testSupport.ts';

const MIB = 1024 * 1024;
/** Over two of the 32 MiB flush intervals. */
const SIZE = 72 * MIB;

let root: string;
let bundle: string;
let expected: string;
let agencies: Awaited<ReturnType<typeof makeAgency>>[];

/** The prototype of every promise-API file handle: one place to watch their flushes. */
async function fileHandlePrototype(): Promise<FileHandle> {
  const handle = await fs.open(path.join(root, 'probe'), 'w');
  await handle.close();
  return Object.getPrototypeOf(handle) as FileHandle;
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-open-flush-'));
  agencies = await Promise.all([makeAgency(root, 'Flush A'), makeAgency(root, 'Flush B')]);
  const input = path.join(root, 'big.bin');
  const block = crypto.randomBytes(MIB);
  const hash = crypto.createHash('sha256');
  const fh = await fs.open(input, 'w');
  for (let i = 0; i < SIZE / MIB; i++) {
    block.writeUInt32BE(i, 0);
    hash.update(block);
    await fh.write(block);
  }
  await fh.close();
  expected = hash.digest('hex');
  bundle = path.join(root, 'big.tsb');
  await sealBundle({
    identity: agencies[0]!.identity,
    recipients: [agencies[1]!.card],
    manifestFields: { caseId: 'c', policyVersion: 'p' },
    operations: Buffer.from('[]'),
    attachments: [{ name: 'big.bin', path: input }],
    out: bundle,
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('flushing an attachment while it is written', () => {
  it('starts flushes before the end, and the attachment is whole', async () => {
    const proto = await fileHandlePrototype();
    const datasync = vi.spyOn(proto, 'datasync');
    const sync = vi.spyOn(proto, 'sync');
    const out = path.join(root, 'out-ok');
    const opened = await openBundle(bundle, agencies[1]!.identity, agencies[0]!.card, out);
    expect(opened.attachments[0]!.sha256).toBe(expected);
    const written = await fs.readFile(path.join(out, 'big.bin'));
    expect(crypto.createHash('sha256').update(written).digest('hex')).toBe(expected);
    // Flushed along the way (at least once per 32 MiB not already being flushed), then once more.
    expect(datasync.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(sync).toHaveBeenCalledTimes(1);
    expect(Math.min(...datasync.mock.invocationCallOrder)).toBeLessThan(
      sync.mock.invocationCallOrder[0]!,
    );
  });

  it('a failed early flush fails the open and leaves nothing in outDir', async () => {
    const proto = await fileHandlePrototype();
    const failure = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    vi.spyOn(proto, 'datasync').mockRejectedValue(failure);
    const sync = vi.spyOn(proto, 'sync');
    const out = path.join(root, 'out-eio');
    const error = await openBundle(bundle, agencies[1]!.identity, agencies[0]!.card, out).catch(
      (e: unknown) => e,
    );
    expect(error).toBe(failure);
    expect(error).not.toBeInstanceOf(BundleError);
    // Linux reports a write-back error to one flush only: the final flush must not paper over it.
    expect(sync).not.toHaveBeenCalled();
    const left = await fs.readdir(out).catch(() => []);
    expect(left).toEqual([]);
  });
});
