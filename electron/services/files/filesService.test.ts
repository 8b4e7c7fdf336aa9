import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomicWrite.ts';
import { exportsFolderChooser, FilesService } from './filesService.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-files-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const base64 = (text: string) => Buffer.from(text).toString('base64');

describe('FilesService', () => {
  it('writes the decoded bytes where the chooser says', async () => {
    const target = join(dir, 'chart.svg');
    const service = new FilesService({ chooseSavePath: () => Promise.resolve(target) });
    await expect(
      service.export({ suggestedName: 'chart.svg', contentBase64: base64('<svg/>') }),
    ).resolves.toEqual({
      path: target,
    });
    expect(await readFile(target, 'utf8')).toBe('<svg/>');
  });

  it('writes nothing when the user cancels', async () => {
    const service = new FilesService({ chooseSavePath: () => Promise.resolve(null) });
    await expect(
      service.export({ suggestedName: 'a.txt', contentBase64: base64('x') }),
    ).resolves.toEqual({ path: null });
    expect(await readdir(dir)).toEqual([]);
  });

  it('web chooser saves into exports/ without overwriting earlier exports', async () => {
    const service = new FilesService({ chooseSavePath: exportsFolderChooser(dir) });
    const first = await service.export({
      suggestedName: 'case.tessera',
      contentBase64: base64('1'),
    });
    const [second, third] = await Promise.all([
      service.export({ suggestedName: 'case.tessera', contentBase64: base64('2') }),
      service.export({ suggestedName: 'case.tessera', contentBase64: base64('3') }),
    ]);
    expect(first.path).toBe(join(dir, 'exports', 'case.tessera'));
    expect(new Set([second.path, third.path])).toEqual(
      new Set([join(dir, 'exports', 'case (2).tessera'), join(dir, 'exports', 'case (3).tessera')]),
    );
    expect((await readdir(join(dir, 'exports'))).sort()).toEqual([
      'case (2).tessera',
      'case (3).tessera',
      'case.tessera',
    ]);
    expect(await readFile(join(dir, 'exports', 'case.tessera'), 'utf8')).toBe('1');
  });
});

describe('writeFileAtomic', () => {
  it('replaces a file whole and cleans up after a failure', async () => {
    const target = join(dir, 'f.json');
    await writeFile(target, 'old');
    await writeFileAtomic(target, 'new');
    expect(await readFile(target, 'utf8')).toBe('new');
    // Renaming onto a folder fails: the old folder stays and no temporary file is left behind.
    await mkdir(join(dir, 'folder'));
    await writeFile(join(dir, 'folder', 'keep'), 'k');
    await expect(writeFileAtomic(join(dir, 'folder'), 'x')).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['f.json', 'folder']);
  });
});
