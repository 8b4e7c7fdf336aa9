/**
 * The download half of chunked transfer (see ./transferService.ts): a source (an exported bundle, a
 * staged attachment) is read once, front to back, and handed out in pieces of the length asked,
 * strictly in order. Only the last piece can be asked again (a retry after a lost answer); after
 * the last byte the download closes itself. Nothing but the piece being cut is held in memory.
 */
import crypto from 'node:crypto';
import type { MethodOutput } from '../../../shared/contract/contract.ts';
import { TRANSFER_CHUNK_BYTES, type DownloadRef } from '../../../shared/contract/transfer.ts';
import { TransferError } from './errors.ts';

/** Something that can be downloaded in pieces. */
export interface DownloadSource {
  readonly fileName: string;
  readonly size: number;
  /** Lowercase hex when known. */
  readonly sha256: string | null;
  /** The bytes from the start; called once per download. */
  open(): AsyncIterable<Uint8Array>;
}

export type ResolveDownload = (ref: DownloadRef) => Promise<DownloadSource>;

type ChunkOut = MethodOutput<'transfer.download.chunk'>;

interface Download {
  readonly id: string;
  readonly source: DownloadSource;
  readonly iterator: AsyncIterator<Uint8Array>;
  position: number;
  /** Bytes read from the source beyond the last piece handed out. */
  carry: Buffer;
  ended: boolean;
  last: { readonly offset: number; readonly length: number; readonly result: ChunkOut } | null;
  lastUsed: number;
  /** Pieces are cut one after another. */
  chain: Promise<unknown>;
}

export class Downloads {
  private readonly open = new Map<string, Download>();

  constructor(
    private readonly resolve: ResolveDownload | undefined,
    private readonly max: number,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.open.size;
  }

  async begin(ref: DownloadRef): Promise<MethodOutput<'transfer.download.begin'>> {
    if (this.open.size >= this.max) {
      throw new TransferError('busy', 'too many downloads are open: finish or cancel them first');
    }
    if (!this.resolve) {
      throw new TransferError('unknown-file', 'nothing can be downloaded from this host');
    }
    const source = await this.resolve(ref);
    const id = `d${crypto.randomBytes(16).toString('hex')}`;
    this.open.set(id, {
      id,
      source,
      iterator: source.open()[Symbol.asyncIterator](),
      position: 0,
      carry: Buffer.alloc(0),
      ended: false,
      last: null,
      lastUsed: this.now(),
      chain: Promise.resolve(),
    });
    return {
      downloadId: id,
      fileName: source.fileName,
      size: source.size,
      sha256: source.sha256,
      chunkBytes: TRANSFER_CHUNK_BYTES,
    };
  }

  chunk(downloadId: string, offset: number, length: number): Promise<ChunkOut> {
    const download = this.open.get(downloadId);
    if (!download) {
      return Promise.reject(
        new TransferError(
          'unknown-download',
          'no such download (never begun, complete, cancelled, or dropped after being idle)',
        ),
      );
    }
    download.lastUsed = this.now();
    const run = download.chain.then(() => this.cut(download, offset, length));
    download.chain = run.catch(() => undefined);
    return run;
  }

  private async cut(download: Download, offset: number, length: number): Promise<ChunkOut> {
    const last = download.last;
    if (last && last.offset === offset && last.length === length) return last.result;
    if (offset !== download.position) {
      throw new TransferError(
        'offset-mismatch',
        `the piece at offset ${offset} is out of order: expected offset ${download.position}`,
      );
    }
    const want = Math.min(length, download.source.size - download.position);
    const parts: Buffer[] = [download.carry];
    let have = download.carry.length;
    while (have < want && !download.ended) {
      const next = await download.iterator.next();
      if (next.done) {
        download.ended = true;
        break;
      }
      const piece = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      parts.push(piece);
      have += piece.length;
    }
    const all = Buffer.concat(parts, have);
    if (all.length < want) {
      await this.close(download);
      throw new TransferError(
        'size-mismatch',
        `${download.source.fileName} ended before its ${download.source.size} bytes`,
      );
    }
    const bytes = all.subarray(0, want);
    download.carry = Buffer.from(all.subarray(want));
    download.position += want;
    const done = download.position >= download.source.size;
    const result: ChunkOut = { contentBase64: bytes.toString('base64'), done };
    download.last = { offset, length, result };
    if (done) await this.close(download);
    return result;
  }

  async cancel(downloadId: string): Promise<MethodOutput<'transfer.download.cancel'>> {
    const download = this.open.get(downloadId);
    if (!download) return { cancelled: false };
    await this.close(download);
    return { cancelled: true };
  }

  /** Closes downloads unused since `cutoff`; returns how many. */
  async sweep(cutoff: number): Promise<number> {
    let closed = 0;
    for (const download of [...this.open.values()]) {
      if (download.lastUsed < cutoff) {
        await this.close(download);
        closed += 1;
      }
    }
    return closed;
  }

  async closeAll(): Promise<void> {
    for (const download of [...this.open.values()]) await this.close(download);
  }

  private async close(download: Download): Promise<void> {
    this.open.delete(download.id);
    download.carry = Buffer.alloc(0);
    await download.iterator.return?.().catch(() => undefined);
  }
}
