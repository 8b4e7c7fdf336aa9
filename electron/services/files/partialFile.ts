/**
 * Plaintext output that a crash cannot leave behind half-written under a name nobody cleans up
 * (issue 8, finding 8: a `kill -9` during `bundle open` left `OUT.tmp-*` files beside the output).
 *
 * The content goes to `.<name>.tessera-partial-<pid>` (mode 0600) in the target's folder and is
 * renamed to the target once complete and flushed, so readers see the whole file or none. The
 * destination is output the officer asked for, so plaintext there is expected; its temporary file
 * is not, and `sweepPartials(dir)` removes those of processes that no longer run. Whoever writes
 * into a folder sweeps it first (openBundle does for its `outDir`).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { processAlive } from './scratch.ts';

export const PARTIAL_MARK = '.tessera-partial-';
const WRITE_BATCH = 1024 * 1024;
const PARTIAL_PATTERN = /^\..+\.tessera-partial-(\d+)$/;

/** The temporary name of `target` for this process. */
export function partialPathOf(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}${PARTIAL_MARK}${process.pid}`);
}

export class OutputExistsError extends Error {
  override readonly name = 'OutputExistsError';
  readonly code = 'output-exists';
  constructor(readonly target: string) {
    super(`${target} already exists`);
  }
}

/**
 * Writes `content` to `target` through its partial file (0600). Refuses an existing target
 * (OutputExistsError, code `output-exists`) unless `overwrite`. The partial file is removed on any
 * failure; a crash leaves it for `sweepPartials`.
 */
export async function writeViaPartial(
  target: string,
  content: Uint8Array | string | AsyncIterable<Uint8Array>,
  options: { readonly overwrite?: boolean } = {},
): Promise<void> {
  const exists = (): Promise<boolean> =>
    fs.lstat(target).then(
      () => true,
      () => false,
    );
  if (!options.overwrite && (await exists())) throw new OutputExistsError(target);
  const temp = partialPathOf(target);
  // A partial of this pid can only be a leftover of an earlier failure of ours: replace it.
  await fs.rm(temp, { force: true });
  try {
    const handle = await fs.open(temp, 'wx', 0o600);
    try {
      if (typeof content === 'string' || content instanceof Uint8Array) {
        await handle.writeFile(content);
      } else {
        // Coalesced to about 1 MiB per write: sources often yield 64 KiB pieces.
        let batch: Uint8Array[] = [];
        let batched = 0;
        const flush = async (): Promise<void> => {
          if (batched === 0) return;
          await handle.writeFile(Buffer.concat(batch, batched));
          batch = [];
          batched = 0;
        };
        for await (const chunk of content) {
          batch.push(chunk);
          batched += chunk.length;
          if (batched >= WRITE_BATCH) await flush();
        }
        await flush();
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    // Checked again: the target may have appeared while the content was written.
    if (!options.overwrite && (await exists())) throw new OutputExistsError(target);
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

/** Removes the partial files in `dir` of processes that no longer run; returns how many. */
export async function sweepPartials(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const match = PARTIAL_PATTERN.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid > 0 && processAlive(pid)) continue;
    await fs.rm(path.join(dir, name), { force: true });
    removed += 1;
  }
  return removed;
}
