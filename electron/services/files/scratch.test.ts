import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCRATCH_CHUNK, ScratchError, ScratchSpace, sweepScratch } from './scratch.ts';
import { rejectionCode } from '../../../shared/testing/rejectionCode.ts';

let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-scratch-test-'));
});
afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function allBytesUnder(dir: string): Promise<Buffer> {
  const out: Buffer[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(await fs.readFile(path.join(entry.parentPath, entry.name)));
  }
  return Buffer.concat(out);
}

const codeOf = (work: Promise<unknown>) => rejectionCode(work, ScratchError);

describe('ScratchSpace', () => {
  it('round-trips any bytes written in any slicing, at every chunk edge', async () => {
    const space = await ScratchSpace.create(root);
    const sizes = [0, 1, SCRATCH_CHUNK - 1, SCRATCH_CHUNK, SCRATCH_CHUNK + 1, 3 * SCRATCH_CHUNK];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...sizes),
        fc.array(fc.integer({ min: 1, max: SCRATCH_CHUNK * 2 }), { maxLength: 6 }),
        async (size, cuts) => {
          const data = crypto.randomBytes(size);
          const writer = await space.create();
          let offset = 0;
          for (const cut of cuts) {
            const end = Math.min(size, offset + cut);
            await writer.write(data.subarray(offset, end));
            offset = end;
          }
          await writer.write(data.subarray(offset));
          const file = await writer.end();
          expect(file.size).toBe(size);
          expect((await space.readAll(file)).equals(data)).toBe(true);
          await space.remove(file);
        },
      ),
      { numRuns: 40 },
    );
    await space.dispose();
  });

  it('keeps no plaintext on disk, in a 0700 folder of 0600 files', async () => {
    const space = await ScratchSpace.create(root);
    const canary = 'CANARY-Victim-V-01-' + crypto.randomBytes(4).toString('hex');
    await space.write('part', Buffer.from(canary.repeat(5000)));
    const disk = await allBytesUnder(root);
    expect(disk.includes(Buffer.from(canary))).toBe(false);
    expect((await fs.stat(space.dir)).mode & 0o777).toBe(0o700);
    expect((await fs.stat(space.pathOf('part'))).mode & 0o777).toBe(0o600);
    await space.dispose();
    expect(await fs.readdir(root)).toEqual([]);
  });

  it('detects a flipped byte, a truncation, a dropped final chunk and a swapped file', async () => {
    const space = await ScratchSpace.create(root);
    const data = crypto.randomBytes(3 * SCRATCH_CHUNK + 10);
    const file = await space.write('a', data);
    const bytes = await fs.readFile(file.path);

    const flipped = Buffer.from(bytes);
    flipped[bytes.length - 40] ^= 1;
    await fs.writeFile(space.pathOf('flipped'), flipped);
    expect(await codeOf(space.readAll(space.pathOf('flipped')))).toBe('scratch-corrupted');

    // Cut exactly at a chunk boundary: every remaining chunk authenticates, the final flag is missing.
    const chunkBoundary = 6 + 16 + 2 * (SCRATCH_CHUNK + 16);
    await fs.writeFile(space.pathOf('cut'), bytes.subarray(0, chunkBoundary));
    expect(await codeOf(space.readAll(space.pathOf('cut')))).toBe('scratch-corrupted');

    await fs.writeFile(space.pathOf('short'), bytes.subarray(0, 10));
    expect(await codeOf(space.readAll(space.pathOf('short')))).toBe('scratch-corrupted');

    // Another space's file: the key differs.
    const other = await ScratchSpace.create(root);
    const foreign = await other.write('b', Buffer.from('x'));
    expect(await codeOf(space.readAll(foreign.path))).toBe('scratch-corrupted');
    await other.dispose();

    await space.dispose();
    expect(await codeOf(space.readAll(file))).toBe('scratch-closed');
  });

  it('refuses names with separators', async () => {
    const space = await ScratchSpace.create(root);
    expect(() => space.pathOf('../x')).toThrow(ScratchError);
    expect(() => space.pathOf('.hidden')).toThrow(ScratchError);
    await space.dispose();
  });

  it('sweeps the folder of a process killed with SIGKILL, and only that one', async () => {
    const mine = await ScratchSpace.create(root);
    // A child process makes a scratch folder, writes into it and is killed halfway.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${path.resolve('electron/services/files/scratch.ts')}').then(async ({ ScratchSpace }) => {
           const space = await ScratchSpace.create(${JSON.stringify(root)});
           const writer = await space.create('big');
           await writer.write(Buffer.alloc(200000, 65));
           process.stdout.write('ready\\n');
           setInterval(() => {}, 1000);
         });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve();
      });
      child.on('exit', () => reject(new Error('the child exited early')));
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect((await fs.readdir(root)).length).toBe(2);
    expect(await sweepScratch(root)).toBe(1);
    expect(await fs.readdir(root)).toEqual([path.basename(mine.dir)]);
    await mine.dispose();
  }, 30_000);
});
