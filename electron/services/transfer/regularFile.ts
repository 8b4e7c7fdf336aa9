/**
 * Reading a file whose path the user chose (issue 8, finding 7): only a regular file, never a
 * device (`/dev/zero`, which filled the disk), a FIFO (which blocks the reader forever), a socket or
 * a directory, nor a link to one; and never more than the cap, however the file grows while read.
 *
 * The check is made on the opened descriptor (`fstat`), not on the path beforehand, so the file
 * cannot be swapped between the check and the read. The file is opened non-blocking: opening a FIFO
 * for reading would otherwise wait for a writer before the check could refuse it.
 */
import { constants, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { TransferError } from './errors.ts';

/** Opens `file` for reading if it is (or links to) a regular file no larger than `cap`. */
export async function openRegularFile(
  file: string,
  cap: number,
): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    // ENXIO: a socket (or a FIFO with no writer on some systems) cannot be opened as a file.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENXIO' || code === 'EISDIR') {
      throw new TransferError('not-regular-file', 'the chosen path is not a regular file');
    }
    throw new TransferError('unreadable', `the chosen file cannot be read (${code ?? 'error'})`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new TransferError(
        'not-regular-file',
        'the chosen path is not a regular file (a device, pipe, socket or folder)',
      );
    }
    if (info.size > cap) {
      throw new TransferError('too-large', `the chosen file is larger than ${cap} bytes`);
    }
    return { handle, size: info.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Copies an open file to `target` (created 0600, must not exist), stopping with `too-large` as
 * soon as more than `cap` bytes came: a file that grows while read never fills the disk. The
 * target is removed on any failure. Closes `handle`.
 */
export async function copyCapped(handle: FileHandle, target: string, cap: number): Promise<number> {
  let copied = 0;
  try {
    const source = handle.createReadStream({ autoClose: false, highWaterMark: 1024 * 1024 });
    await pipeline(
      source,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          copied += chunk.length;
          if (copied > cap) {
            throw new TransferError('too-large', `the file grew past ${cap} bytes while read`);
          }
          yield chunk;
        }
      },
      createWriteStream(target, { flags: 'wx', mode: 0o600 }),
    );
    return copied;
  } catch (error) {
    // Never remove a file this call did not create (the target existed: `wx` refused it).
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') await rm(target, { force: true });
    throw error;
  } finally {
    await handle.close().catch(() => undefined);
  }
}
