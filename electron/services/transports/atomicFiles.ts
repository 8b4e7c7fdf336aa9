/**
 * Atomic, optionally create-only, streamed file writes shared by the file and folder transports
 * and the synchronizer's outbox and inbox.
 *
 * A file is written under a hidden temporary name in the destination folder (same file system, so
 * the final step is atomic), flushed with fsync, then published under its final name:
 * - overwrite allowed: rename(temp, final);
 * - create-only: link(temp, final), which fails with EEXIST when the name is taken, so two writers
 *   racing for one name never clobber each other; then the temporary name is unlinked. File systems
 *   without hard links (FAT, some SMB mounts) fall back to "check, then rename", which leaves a short
 *   race window: documented, and still never a half-written file under the final name.
 * A crash leaves at most a `.NAME.RANDOM.partial` file, which listings ignore and
 * `removeStaleTemporaryFiles` cleans.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { link, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ProgressListener, TransportSource } from './transport.ts';
import { TransportError } from './transport.ts';

const TEMP_SUFFIX = '.partial';

export function isTemporaryName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(TEMP_SUFFIX);
}

function temporaryPathFor(finalPath: string): string {
  return join(
    dirname(finalPath),
    `.${basename(finalPath)}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`,
  );
}

export interface OpenedSource {
  readonly stream: Readable;
  readonly size: number | null;
}

export async function openSource(source: TransportSource, size?: number): Promise<OpenedSource> {
  if (typeof source === 'string') {
    let info;
    try {
      info = await stat(source);
    } catch (error) {
      throw fsError(error, `Cannot read ${source}`);
    }
    if (!info.isFile()) throw new TransportError('not-found', `${source} is not a file`);
    return { stream: createReadStream(source), size: info.size };
  }
  return { stream: source, size: size ?? null };
}

export interface AtomicWriteOptions {
  readonly expectedSize?: number | null;
  readonly onProgress?: ProgressListener;
  readonly signal?: AbortSignal;
  /** Refuse (code `conflict`) when the final name exists instead of replacing it. */
  readonly createOnly?: boolean;
  readonly mode?: number;
  /** Test seam: runs after the data is flushed, before it is published under its final name. */
  readonly beforePublish?: (temporaryPath: string) => Promise<void>;
}

/** Streams `stream` into `finalPath` atomically; returns the number of bytes written. */
export async function writeStreamAtomic(
  stream: Readable,
  finalPath: string,
  options: AtomicWriteOptions = {},
): Promise<number> {
  const temp = temporaryPathFor(finalPath);
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, 'wx', options.mode ?? 0o644);
    const total = options.expectedSize ?? null;
    let written = 0;
    options.onProgress?.({ transferred: 0, total });
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      if (options.signal?.aborted) throw new TransportError('cancelled', 'Transfer cancelled');
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      await writeAll(handle, bytes);
      written += bytes.length;
      options.onProgress?.({ transferred: written, total });
    }
    if (total !== null && written !== total) {
      throw new TransportError(
        'size-mismatch',
        `Expected ${total} bytes, got ${written} for ${basename(finalPath)}`,
      );
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    if (options.beforePublish) await options.beforePublish(temp);
    if (options.createOnly) await publishCreateOnly(temp, finalPath);
    else await rename(temp, finalPath);
    await syncDirectory(dirname(finalPath));
    return written;
  } catch (error) {
    if (handle) await handle.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    if (!(error instanceof TransportError)) stream.destroy();
    throw error instanceof TransportError ? error : fsError(error, `Cannot write ${finalPath}`);
  }
}

async function writeAll(handle: FileHandle, bytes: Buffer): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset);
    offset += bytesWritten;
  }
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV', 'EMLINK']);

async function publishCreateOnly(temp: string, finalPath: string): Promise<void> {
  try {
    await link(temp, finalPath);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'EEXIST') {
      throw new TransportError('conflict', `${basename(finalPath)} already exists`);
    }
    if (!code || !NO_HARD_LINKS.has(code)) throw error;
    if (await exists(finalPath)) {
      throw new TransportError('conflict', `${basename(finalPath)} already exists`);
    }
    await rename(temp, finalPath);
    return;
  }
  await unlink(temp);
}

/** Makes the rename itself durable; directories cannot be opened for this on Windows, hence best effort. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here: the data itself is already flushed.
  }
}

/** Removes temporary files older than `olderThanMs` (left by a crash); returns their names. */
export async function removeStaleTemporaryFiles(
  dir: string,
  olderThanMs: number,
  now: number = Date.now(),
): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw fsError(error, `Cannot read ${dir}`);
  }
  const removed: string[] = [];
  for (const name of names.filter(isTemporaryName)) {
    const path = join(dir, name);
    try {
      const info = await stat(path);
      // A writer still at work keeps touching its file, so only old ones are abandoned.
      if (now - info.mtimeMs >= olderThanMs) {
        await rm(path, { force: true });
        removed.push(name);
      }
    } catch {
      // Gone meanwhile (published or cleaned by another process).
    }
  }
  return removed;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return false;
    throw error;
  }
}

export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}

const OFFLINE_CODES = new Set([
  'ENOTCONN',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'ENETDOWN',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ESTALE',
  'EIO',
]);

/** Maps a Node file-system error to a TransportError. */
export function fsError(error: unknown, message: string): TransportError {
  if (error instanceof TransportError) return error;
  const code = errnoCode(error);
  const detail = error instanceof Error ? `: ${error.message}` : '';
  if (code === 'ENOENT') return new TransportError('not-found', message + detail, { cause: error });
  if (code === 'EEXIST') return new TransportError('conflict', message + detail, { cause: error });
  if (code === 'EACCES' || code === 'EPERM') {
    return new TransportError('auth', message + detail, { cause: error });
  }
  if (code && OFFLINE_CODES.has(code)) {
    return new TransportError('offline', message + detail, { cause: error });
  }
  return new TransportError('io', message + detail, { cause: error });
}
