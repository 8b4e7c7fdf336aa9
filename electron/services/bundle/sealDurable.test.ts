/**
 * The sealed bundle is durable before it gets its name (issue 13, round 9): the temporary file is
 * flushed in the background while it is written and `fsync`ed before the rename, and a flush that
 * fails (a write-back error, reported to one flush only) fails the seal and leaves nothing.
 */
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { makeAgency } from './fixtures/testSupport.ts';
import { openBundle } from './open.ts';
import { sealBundle } from './seal.ts';

const MIB = 1024 * 1024;
let root: string;
let a: Awaited<ReturnType<typeof makeAgency>>;
let b: Awaited<ReturnType<typeof makeAgency>>;
let input: string;
let proto: FileHandle;

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-seal-durable-'));
  [a, b] = await Promise.all([makeAgency(root, 'Dur A'), makeAgency(root, 'Dur B')]);
  input = path.join(root, 'in.bin');
  await fs.writeFile(input, crypto.randomBytes(48 * MIB));
  const probe = await fs.open(path.join(root, 'probe'), 'w');
  await probe.close();
  proto = Object.getPrototypeOf(probe) as FileHandle;
});
afterEach(() => {
  vi.restoreAllMocks();
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

function seal(out: string) {
  return sealBundle({
    identity: a.identity,
    recipients: [b.card],
    manifestFields: { caseId: 'd', policyVersion: 'p' },
    operations: Buffer.from('{}'),
    attachments: [{ name: 'x.bin', path: input }],
    out,
  });
}

it('flushes the file before it is renamed into place', async () => {
  const sync = vi.spyOn(proto, 'sync');
  const rename = vi.spyOn(fs, 'rename');
  const dir = path.join(root, 'ok');
  await fs.mkdir(dir);
  const out = path.join(dir, 'b.tsb');
  await seal(out);
  expect(sync).toHaveBeenCalled();
  expect(rename).toHaveBeenCalledTimes(1);
  expect(sync.mock.invocationCallOrder.at(-1)!).toBeLessThan(rename.mock.invocationCallOrder[0]!);
  vi.restoreAllMocks();
  const opened = await openBundle(out, b.identity, a.card, path.join(dir, 'opened'));
  expect(opened.attachments[0]!.size).toBe(48 * MIB);
});

it('a failed flush along the way fails the seal and leaves no file', async () => {
  const datasync = vi
    .spyOn(proto, 'datasync')
    .mockRejectedValue(Object.assign(new Error('EIO: write-back failed'), { code: 'EIO' }));
  const sync = vi.spyOn(proto, 'sync');
  // The header is written last, at position 0: held there past the first background flush
  // (every 50 ms), whatever the machine's speed.
  type Write = (this: FileHandle, ...args: unknown[]) => Promise<unknown>;
  const write = Reflect.get(proto, 'write') as Write;
  vi.spyOn(proto, 'write').mockImplementation(async function (
    this: FileHandle,
    ...args: unknown[]
  ) {
    if (args[3] === 0) await new Promise((resolve) => setTimeout(resolve, 200));
    return write.apply(this, args);
  } as FileHandle['write']);
  const dir = path.join(root, 'failing');
  await fs.mkdir(dir);
  const error = await seal(path.join(dir, 'b.tsb')).catch((e: unknown) => e);
  expect(datasync).toHaveBeenCalled();
  expect(sync).not.toHaveBeenCalled();
  expect((error as Error).message).toMatch(/EIO/);
  expect(await fs.readdir(dir)).toEqual([]);
});
