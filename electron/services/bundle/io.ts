/**
 * Bounded-memory file I/O for bundles, in SharedArrayBuffer blocks that the crypto threads read and
 * write in place while the libuv pool reads and writes the files: a block is reused once every job
 * on it has settled, and at most a few blocks are in flight, so memory stays a few MiB whatever
 * the size of the data.
 */
import type { FileHandle } from 'node:fs/promises';

export const IO_BLOCK = 1024 * 1024;
/** Blocks in flight before a writer waits (per sink). */
export const MAX_IN_FLIGHT = 4;

function noop(): void {}

export function sharedBlock(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}

/** Free blocks of one size, allocated on demand. */
export class BlockPool {
  private readonly free: Buffer[] = [];

  constructor(readonly size: number) {}

  take(): Buffer {
    return this.free.pop() ?? sharedBlock(this.size);
  }

  give(block: Buffer): void {
    this.free.push(block);
  }
}

/** FIFO of completions of blocks in flight; `drain` bounds their number. */
export class InFlight {
  private readonly queue: Promise<void>[] = [];

  add(done: Promise<void>): void {
    done.catch(noop);
    this.queue.push(done);
  }

  get size(): number {
    return this.queue.length;
  }

  async drain(max: number): Promise<void> {
    while (this.queue.length > max) await this.queue.shift();
  }

  /** Waits for all, without throwing (after a failure). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.queue.splice(0));
  }
}

export async function writeFully(
  fh: FileHandle,
  data: Uint8Array,
  position: number,
): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await fh.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Writes to one file one at a time, in order. Concurrent writes to one file gain nothing (they go
 * to the page cache) and contend for the file's lock in the kernel, burning CPU time that the
 * crypto threads need.
 */
export class SerialWriter {
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly fh: FileHandle | Promise<FileHandle>) {}

  write(data: Uint8Array, position: number): Promise<void> {
    const done = this.last.then(async () => writeFully(await this.fh, data, position));
    this.last = done.catch(noop);
    return done;
  }
}

export async function readFully(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  return readInto(fh, Buffer.allocUnsafe(length), position);
}

/** Fills `buffer` from `position`; a shorter view at the end of the file. */
export async function readInto(fh: FileHandle, buffer: Buffer, position: number): Promise<Buffer> {
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await fh.read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === buffer.length ? buffer : buffer.subarray(0, filled);
}

/** What `onBlock` returns: optionally a promise that settles once the block may be reused. */
export type BlockResult = void | { readonly release: Promise<void> };

/**
 * Calls `onBlock` for consecutive blocks of [start, end), reading ahead meanwhile. Blocks of
 * `blockSize` come from `pool` when given (and go back to it once `onBlock`'s promise and the
 * block's `release` promise settle), else they are fresh buffers.
 */
export async function readBlocks(
  fh: FileHandle,
  start: number,
  end: number,
  onBlock: (block: Buffer) => BlockResult | Promise<BlockResult>,
  onShort: () => Error,
  pool?: BlockPool,
): Promise<void> {
  const blockSize = pool?.size ?? IO_BLOCK;
  const readAt = async (position: number): Promise<Buffer> => {
    const length = Math.min(blockSize, end - position);
    const block = pool
      ? await readInto(fh, pool.take().subarray(0, length), position)
      : await readFully(fh, position, length);
    if (block.length !== length) throw onShort();
    return block;
  };
  const releases = new InFlight();
  let position = start;
  let next: Promise<Buffer> | null = position < end ? readAt(position) : null;
  try {
    while (next) {
      const block = await next;
      position += block.length;
      // Keep the pool bounded: wait for old blocks before reading one more.
      await releases.drain(MAX_IN_FLIGHT);
      next = position < end ? readAt(position) : null;
      next?.catch(noop);
      const result = await onBlock(block);
      if (pool) {
        const whole = Buffer.from(block.buffer, 0, blockSize);
        const release = result && 'release' in result ? result.release : Promise.resolve();
        releases.add(release.then(() => pool.give(whole)));
      }
    }
    await releases.drain(0);
  } finally {
    await next?.catch(noop);
    await releases.settle();
  }
}

/**
 * Flushes a file that threads are writing, again and again until `stop()`, so that the flush that
 * must precede its rename finds little left to write (on the development machine one flush of a
 * 512 MiB file at the end took 0.5 s; see bench/profiles/bundle.md round 9). The writes happen on
 * crypto threads, so it goes by time rather than by bytes written. `stop()` reports a failed flush
 * (Linux reports a write-back error to one flush only).
 */
export class BackgroundFlush {
  private stopped = false;
  private error: Error | null = null;
  private wake: (() => void) | null = null;
  private readonly loop: Promise<void>;

  constructor(fh: FileHandle, everyMs: number) {
    this.loop = (async () => {
      while (!this.stopped) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, everyMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
        if (this.stopped) break;
        try {
          await fh.datasync();
        } catch (error) {
          this.error = error instanceof Error ? error : new Error(String(error));
          break;
        }
      }
    })();
  }

  /** Stops flushing; rejects with the first failed flush. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    if (this.error) throw this.error;
  }
}
