import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parseCaseFile } from '../../../shared/caseFile.ts';
import { caseCommand } from './case.ts';

describe('tessera case demo', () => {
  it('writes a valid case file atomically', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-case-'));
    const out = join(dir, 'CASE.json');
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const code = await caseCommand.run([
      'demo',
      '--out',
      out,
      '--agency',
      'ro-police',
      '--now',
      '2024-09-01T00:00:00Z',
    ]);
    expect(code).toBe(0);
    const file = parseCaseFile(await readFile(out, 'utf8'));
    expect(file.exportedBy).toBe('ro-police');
    expect(await readdir(dir)).toEqual(['CASE.json']);
  });

  it('fails cleanly on bad arguments and unwritable targets', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await caseCommand.run(['demo'])).toBe(2);
    expect(await caseCommand.run(['demo', '--out', 'x.json', '--now', 'yesterday'])).toBe(2);
    expect(await caseCommand.run(['nope'])).toBe(2);
    await expect(caseCommand.run(['demo', '--out', '/nonexistent-dir/x.json'])).rejects.toThrow(
      /cannot write/,
    );
    expect(errors).toHaveBeenCalled();
  });
});
