/**
 * Bounded-memory file I/O for bundles: positioned writes with one write in flight while the next
 * batch is being encrypted, and block reads with one read ahead while the current block is
 * processed. Crypto runs on the main thread; the file system runs on libuv's pool meanwhile.
 */
import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

export const IO_BLOCK = 1024 * 1024;

function noop(): void {}

export class PositionedSink {
  private batch: Buffer[] = [];
  private batchBytes = 0;
  private inflight: Promise<void> = Promise.resolve();
  written = 0;

  constructor(
    private readonly fh: FileHandle,
    private position: number,
    private readonly hash?: Hash,
  ) {}

  push(buffers: readonly Buffer[]): void {
    for (const buffer of buffers) {
      this.hash?.update(buffer);
      this.batch.push(buffer);
      this.batchBytes += buffer.length;
    }
  }

  async maybeFlush(): Promise<void> {
    if (this.batchBytes >= IO_BLOCK) await this.flush();
  }

  async flush(): Promise<void> {
    await this.inflight;
    if (this.batchBytes === 0) return;
    const buffers = this.batch;
    const position = this.position;
    this.position += this.batchBytes;
    this.written += this.batchBytes;
    this.batch = [];
    this.batchBytes = 0;
    const write = writeAll(this.fh, buffers, position);
    write.catch(noop);
    this.inflight = write;
  }

  async close(): Promise<void> {
    await this.flush();
    await this.inflight;
  }
}

async function writeAll(fh: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let pending = buffers;
  while (pending.length > 0) {
    const { bytesWritten } = await fh.writev(pending, position);
    position += bytesWritten;
    let skip = bytesWritten;
    const rest: Buffer[] = [];
    for (const buffer of pending) {
      if (skip >= buffer.length) {
        skip -= buffer.length;
      } else {
        rest.push(skip > 0 ? buffer.subarray(skip) : buffer);
        skip = 0;
      }
    }
    pending = rest;
  }
}

export async function readFully(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await fh.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

/** Calls `onBlock` for consecutive blocks of [start, end), reading the next block meanwhile. */
export async function readBlocks(
  fh: FileHandle,
  start: number,
  end: number,
  onBlock: (block: Buffer) => void | Promise<void>,
  onShort: () => Error,
): Promise<void> {
  const readAt = async (position: number): Promise<Buffer> => {
    const length = Math.min(IO_BLOCK, end - position);
    const block = await readFully(fh, position, length);
    if (block.length !== length) throw onShort();
    return block;
  };
  let position = start;
  let next: Promise<Buffer> | null = position < end ? readAt(position) : null;
  while (next) {
    const block = await next;
    position += block.length;
    next = position < end ? readAt(position) : null;
    next?.catch(noop);
    await onBlock(block);
  }
}
