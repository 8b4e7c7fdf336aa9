import { spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutputExistsError, partialPathOf, sweepPartials, writeViaPartial } from './partialFile.ts';

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-partial-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('writeViaPartial', () => {
  it('writes 0600 through a partial file and leaves no partial behind', async () => {
    const target = path.join(root, 'case.json');
    await writeViaPartial(target, 'content');
    expect(await fs.readFile(target, 'utf8')).toBe('content');
    expect((await fs.stat(target)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(root)).toEqual(['case.json']);
  });

  it('refuses an existing target unless told to overwrite', async () => {
    const target = path.join(root, 'exists.json');
    await fs.writeFile(target, 'old');
    const error = await writeViaPartial(target, 'new').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputExistsError);
    expect((error as OutputExistsError).code).toBe('output-exists');
    expect(await fs.readFile(target, 'utf8')).toBe('old');
    await writeViaPartial(target, 'new', { overwrite: true });
    expect(await fs.readFile(target, 'utf8')).toBe('new');
  });

  it('removes the partial file when the content fails halfway', async () => {
    const target = path.join(root, 'failing.bin');
    async function* content(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('first half');
      await new Promise((resolve) => setTimeout(resolve, 1));
      throw new Error('source failed');
    }
    await expect(writeViaPartial(target, content())).rejects.toThrow('source failed');
    expect(existsSync(target)).toBe(false);
    expect(existsSync(partialPathOf(target))).toBe(false);
  });
});

describe('sweepPartials', () => {
  it("removes the partial files of dead processes, not a live one's", async () => {
    const dir = path.join(root, 'sweep');
    await fs.mkdir(dir);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    await fs.writeFile(path.join(dir, `.a.bin.tessera-partial-${dead}`), 'x');
    await fs.writeFile(path.join(dir, `.b.bin.tessera-partial-${process.pid}`), 'x');
    await fs.writeFile(path.join(dir, 'kept.bin'), 'x');
    expect(await sweepPartials(dir)).toBe(1);
    expect((await fs.readdir(dir)).sort()).toEqual(
      [`.b.bin.tessera-partial-${process.pid}`, 'kept.bin'].sort(),
    );
  });
});
