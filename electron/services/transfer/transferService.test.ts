/**
 * The transfer service on its own (chunk order, caps, cancel, SHA-256, idle uploads, special files
 * chosen in a dialog) and through the real dispatch (a 200 MiB upload in bounded memory; error
 * reasons that cross the carriers; the contract no longer able to name a path).
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  contract,
  dispatch,
  ServiceError,
  TRANSFER_CHUNK_BYTES,
  type ServiceHandlers,
} from '../../../shared/contract/index.ts';
import { failureFromError } from '../../../shared/contract/bridge.ts';
import { createServiceHandlers, createServices } from '../handlers.ts';
import { exportsFolderChooser } from '../files/filesService.ts';
import { TransferError } from './errors.ts';
import { copyCapped, openRegularFile } from './regularFile.ts';
import type { DownloadSource } from './downloads.ts';
import { TransferService, type TransferServiceOptions } from './transferService.ts';
import { rejectionCode } from '../../../shared/testing/rejectionCode.ts';

let root: string;
const services: TransferService[] = [];

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'tessera-transfer-'));
});
afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
  await fs.rm(root, { recursive: true, force: true });
});

function make(options: Partial<TransferServiceOptions> = {}): TransferService {
  const service = new TransferService({
    dataDir: root,
    freeBytes: () => Promise.resolve(Number.MAX_SAFE_INTEGER),
    ...options,
  });
  services.push(service);
  return service;
}

const codeOf = (work: Promise<unknown>) => rejectionCode(work, TransferError);

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const sha = (bytes: Uint8Array) => crypto.createHash('sha256').update(bytes).digest('hex');

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(path.join(entry.parentPath, entry.name));
  }
  return out;
}

async function upload(
  service: TransferService,
  bytes: Buffer,
  purpose: 'bundle-import' | 'attachment',
) {
  const { uploadId } = await service.beginUpload({
    purpose,
    fileName: 'file.bin',
    size: bytes.length,
    sha256: sha(bytes),
  });
  for (let offset = 0; offset < bytes.length; offset += TRANSFER_CHUNK_BYTES) {
    await service.uploadChunk({
      uploadId,
      offset,
      contentBase64: b64(bytes.subarray(offset, offset + TRANSFER_CHUNK_BYTES)),
    });
  }
  return service.finishUpload({ uploadId });
}

describe('uploads', () => {
  it('takes pieces only in order, and an upload moves into place once', async () => {
    const service = make();
    const data = crypto.randomBytes(2 * TRANSFER_CHUNK_BYTES + 123);
    const { uploadId } = await service.beginUpload({
      purpose: 'bundle-import',
      fileName: 'b.tessera',
      size: data.length,
    });
    const piece = (offset: number) => ({
      uploadId,
      offset,
      contentBase64: b64(data.subarray(offset, offset + TRANSFER_CHUNK_BYTES)),
    });
    expect(await codeOf(service.uploadChunk(piece(TRANSFER_CHUNK_BYTES)))).toBe('offset-mismatch');
    await expect(service.uploadChunk(piece(0))).resolves.toEqual({
      received: TRANSFER_CHUNK_BYTES,
    });
    // A repeated piece is out of order too: the offset has moved on.
    expect(await codeOf(service.uploadChunk(piece(0)))).toBe('offset-mismatch');
    expect(await codeOf(service.finishUpload({ uploadId }))).toBe('size-mismatch');
    await service.uploadChunk(piece(TRANSFER_CHUNK_BYTES));
    await service.uploadChunk(piece(2 * TRANSFER_CHUNK_BYTES));
    const { ref, sha256 } = await service.finishUpload({ uploadId });
    expect(sha256).toBe(sha(data));

    const target = path.join(root, 'imported.bundle');
    await expect(service.takeFile(ref, 'bundle-import', target)).resolves.toEqual({
      fileName: 'b.tessera',
      size: data.length,
    });
    expect((await fs.readFile(target)).equals(data)).toBe(true);
    expect(await codeOf(service.takeFile(ref, 'bundle-import', `${target}2`))).toBe(
      'unknown-upload',
    );
  });

  it('refuses a piece over 1 MiB and bytes beyond the declared size', async () => {
    const service = make();
    const { uploadId } = await service.beginUpload({
      purpose: 'bundle-import',
      fileName: 'b',
      size: 10,
    });
    expect(
      await codeOf(
        service.uploadChunk({
          uploadId,
          offset: 0,
          contentBase64: b64(Buffer.alloc(TRANSFER_CHUNK_BYTES + 1)),
        }),
      ),
    ).toBe('chunk-too-large');
    expect(
      await codeOf(
        service.uploadChunk({ uploadId, offset: 0, contentBase64: b64(Buffer.alloc(11)) }),
      ),
    ).toBe('size-mismatch');
    // Dropped with its bytes.
    expect(await codeOf(service.finishUpload({ uploadId }))).toBe('unknown-upload');
    expect(service.counts().uploads).toBe(0);
  });

  it('refuses sizes over the cap of the purpose, over the in-flight cap, and a full disk', async () => {
    let free = 10_000;
    const service = make({
      limits: {
        caps: { 'bundle-import': 1000, attachment: 500 },
        maxBytesInFlight: 1500,
        diskReserve: 100,
      },
      freeBytes: () => Promise.resolve(free),
    });
    const begin = (purpose: 'bundle-import' | 'attachment', size: number) =>
      service.beginUpload({ purpose, fileName: 'f', size });
    expect(await codeOf(begin('bundle-import', 1001))).toBe('too-large');
    expect(await codeOf(begin('attachment', 501))).toBe('too-large');
    const first = await begin('bundle-import', 1000);
    expect(await codeOf(begin('attachment', 501 - 1))).toBe(undefined);
    expect(await codeOf(begin('attachment', 1))).toBe('busy');
    await service.cancelUpload(first);
    free = 1000;
    // 500 still to come for the attachment upload + 500 + the reserve > 1000 free.
    expect(await codeOf(begin('bundle-import', 500))).toBe('disk-full');
  });

  it('checks the SHA-256 at finish and drops a mismatching upload', async () => {
    const service = make();
    const data = crypto.randomBytes(5000);
    const { uploadId } = await service.beginUpload({
      purpose: 'attachment',
      fileName: 'a.jpg',
      size: data.length,
      sha256: sha(Buffer.from('something else')),
    });
    await service.uploadChunk({ uploadId, offset: 0, contentBase64: b64(data) });
    expect(await codeOf(service.finishUpload({ uploadId }))).toBe('sha256-mismatch');
    expect(service.counts().uploads).toBe(0);
    expect(await filesUnder(path.join(root, 'transfer'))).toEqual([]);
  });

  it('cancels an upload and removes its bytes', async () => {
    const service = make();
    const { uploadId } = await service.beginUpload({
      purpose: 'bundle-import',
      fileName: 'b',
      size: 100,
    });
    await service.uploadChunk({ uploadId, offset: 0, contentBase64: b64(Buffer.alloc(50, 7)) });
    expect((await filesUnder(path.join(root, 'transfer'))).length).toBe(1);
    await expect(service.cancelUpload({ uploadId })).resolves.toEqual({ cancelled: true });
    await expect(service.cancelUpload({ uploadId })).resolves.toEqual({ cancelled: false });
    expect(await filesUnder(path.join(root, 'transfer'))).toEqual([]);
    expect(
      await codeOf(
        service.uploadChunk({ uploadId, offset: 50, contentBase64: b64(Buffer.alloc(1)) }),
      ),
    ).toBe('unknown-upload');
  });

  it('drops uploads left idle (injected clock), finished or not', async () => {
    let now = 1_000_000;
    const service = make({ now: () => now, limits: { idleMs: 60_000 } });
    const idle = await service.beginUpload({ purpose: 'bundle-import', fileName: 'a', size: 10 });
    const done = await upload(service, Buffer.alloc(10, 1), 'attachment');
    now += 30_000;
    const active = await service.beginUpload({ purpose: 'bundle-import', fileName: 'c', size: 10 });
    expect(await service.sweep()).toBe(0);
    now += 31_000;
    expect(await service.sweep()).toBe(2);
    expect(service.counts().uploads).toBe(1);
    expect(
      await codeOf(
        service.uploadChunk({ ...idle, offset: 0, contentBase64: b64(Buffer.alloc(1)) }),
      ),
    ).toBe('unknown-upload');
    expect(() => service.attachmentContent(done.ref)).toThrow(TransferError);
    await service.uploadChunk({ ...active, offset: 0, contentBase64: b64(Buffer.alloc(10)) });
    expect((await filesUnder(path.join(root, 'transfer'))).length).toBe(1);
  });

  it('keeps an attachment encrypted at rest (0600 in a 0700 folder) and streams its plaintext', async () => {
    const service = make();
    const canary = Buffer.from('CANARY-attachment-plaintext '.repeat(5000));
    const { ref, size } = await upload(service, canary, 'attachment');
    const [file] = await filesUnder(path.join(root, 'transfer'));
    expect((await fs.stat(file!)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.dirname(file!))).mode & 0o777).toBe(0o700);
    expect((await fs.readFile(file!)).includes('CANARY')).toBe(false);
    const content = service.attachmentContent(ref);
    expect(content.size).toBe(size);
    const parts: Buffer[] = [];
    for await (const chunk of content.stream) parts.push(chunk);
    expect(Buffer.concat(parts).equals(canary)).toBe(true);
    // An attachment upload is not a bundle.
    expect(await codeOf(service.takeFile(ref, 'bundle-import', path.join(root, 'x')))).toBe(
      'wrong-purpose',
    );
  });
});

describe('generated transfers', () => {
  it('an upload in any slicing, with stray pieces refused, yields exactly the bytes sent', async () => {
    const service = make();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3 * 65536 + 7 }),
        fc.array(fc.integer({ min: 1, max: 200_000 }), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.constantFrom('bundle-import' as const, 'attachment' as const),
        async (size, cuts, strays, purpose) => {
          const data = crypto.randomBytes(size);
          const { uploadId } = await service.beginUpload({
            purpose,
            fileName: 'g',
            size,
            sha256: sha(data),
          });
          let offset = 0;
          let step = 0;
          const pieces = [...cuts, size];
          while (offset < size) {
            const end = Math.min(
              size,
              offset + Math.min(pieces[step++ % pieces.length]!, TRANSFER_CHUNK_BYTES),
            );
            // A piece at any other offset is refused and changes nothing.
            const stray = strays[step % Math.max(1, strays.length)];
            if (stray !== undefined && stray % (size + 1) !== offset) {
              expect(
                await codeOf(
                  service.uploadChunk({
                    uploadId,
                    offset: stray % (size + 1),
                    contentBase64: b64(data.subarray(0, 1)),
                  }),
                ),
              ).toBe('offset-mismatch');
            }
            await service.uploadChunk({
              uploadId,
              offset,
              contentBase64: b64(data.subarray(offset, end)),
            });
            offset = end;
          }
          const { ref } = await service.finishUpload({ uploadId });
          let received: Buffer;
          if (purpose === 'attachment') {
            const parts: Buffer[] = [];
            for await (const chunk of service.attachmentContent(ref).stream) parts.push(chunk);
            received = Buffer.concat(parts);
            await service.cancelUpload({ uploadId });
          } else {
            const target = path.join(root, `g-${uploadId}`);
            await service.takeFile(ref, 'bundle-import', target);
            received = await fs.readFile(target);
            await fs.rm(target);
          }
          expect(received.equals(data)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
    expect(service.counts().uploads).toBe(0);
  });

  it('a download in any source slicing and request length yields exactly the source bytes', async () => {
    const MAX_PIECES = 4096;
    await fc.assert(
      fc.asyncProperty(
        // Any slicing, but at most a few thousand pieces each way: one-byte pieces of a 300 kB
        // file (a case fast-check likes) cost minutes under load and test nothing a 4 kB file
        // sliced to single bytes does not.
        fc.integer({ min: 0, max: 300_000 }).chain((size) => {
          const fewest = Math.max(1, Math.ceil(size / MAX_PIECES));
          return fc.tuple(
            fc.constant(size),
            fc.integer({ min: fewest, max: Math.max(fewest, 100_000) }),
            fc.integer({ min: fewest, max: Math.max(fewest, 150_000) }),
          );
        }),
        async ([size, sourcePiece, length]) => {
          const data = crypto.randomBytes(size);
          const service = make({
            resolveDownload: () =>
              Promise.resolve({
                fileName: 'g',
                size,
                sha256: null,
                async *open() {
                  for (let i = 0; i < size; i += sourcePiece) {
                    await Promise.resolve();
                    yield data.subarray(i, i + sourcePiece);
                  }
                },
              }),
          });
          const { downloadId } = await service.beginDownload({
            ref: { kind: 'export', name: 'g' },
          });
          const parts: Buffer[] = [];
          let offset = 0;
          let done = size === 0;
          while (!done) {
            const piece = await service.downloadChunk({ downloadId, offset, length });
            const bytes = Buffer.from(piece.contentBase64, 'base64');
            expect(bytes.length).toBeLessThanOrEqual(length);
            parts.push(bytes);
            offset += bytes.length;
            done = piece.done;
          }
          expect(Buffer.concat(parts).equals(data)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('files chosen in a native dialog', () => {
  async function take(file: string, cap = 1024 * 1024) {
    const service = make({
      chooseOpenPath: () => Promise.resolve(file),
      limits: { caps: { 'bundle-import': cap, attachment: cap } },
    });
    const { chosen } = await service.chooseImport();
    const target = path.join(root, `taken-${crypto.randomBytes(4).toString('hex')}`);
    return { result: await service.takeFile(chosen!.ref, 'bundle-import', target), target };
  }

  /** Nothing partial is left behind by a refusal. */
  async function nothingTaken(): Promise<void> {
    expect((await fs.readdir(root)).filter((name) => name.startsWith('taken-'))).toEqual([]);
    const scratch = await filesUnder(path.join(root, 'transfer')).catch(() => []);
    expect(scratch).toEqual([]);
  }

  it('copies a regular file (or a link to one)', async () => {
    const file = path.join(root, 'bundle.tessera');
    await fs.writeFile(file, 'age-encryption.org/v1\nbytes');
    const { result, target } = await take(file);
    expect(result).toEqual({ fileName: 'bundle.tessera', size: 27 });
    expect(await fs.readFile(target, 'utf8')).toBe('age-encryption.org/v1\nbytes');
    const link = path.join(root, 'link.tessera');
    await fs.symlink(file, link);
    expect((await take(link)).result.size).toBe(27);
  });

  it('refuses /dev/zero, a link to it, a FIFO, a socket and a directory without blocking', async () => {
    const fifo = path.join(root, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const socketPath = path.join(root, 'socket');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    const zeroLink = path.join(root, 'zero-link');
    await fs.symlink('/dev/zero', zeroLink);
    try {
      for (const special of ['/dev/zero', zeroLink, fifo, socketPath, root]) {
        expect(await codeOf(take(special)), special).toBe('not-regular-file');
      }
      await nothingTaken();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a file over the cap, a missing file, a used reference, and no dialog on the web', async () => {
    const big = path.join(root, 'big');
    await fs.writeFile(big, Buffer.alloc(2048));
    expect(await codeOf(take(big, 2047))).toBe('too-large');
    expect(await codeOf(take(path.join(root, 'missing')))).toBe('unreadable');
    await nothingTaken();
    const service = make({ chooseOpenPath: () => Promise.resolve(big) });
    const { chosen } = await service.chooseImport();
    await service.takeFile(chosen!.ref, 'bundle-import', path.join(root, 'once'));
    expect(
      await codeOf(service.takeFile(chosen!.ref, 'bundle-import', path.join(root, 'twice'))),
    ).toBe('unknown-file');
    expect(await codeOf(make().chooseImport())).toBe('no-dialog');
    const cancelled = make({ chooseOpenPath: () => Promise.resolve(null) });
    await expect(cancelled.chooseImport()).resolves.toEqual({ chosen: null });
  });

  it('stops copying at cap + 1 bytes when a file grows while read', async () => {
    const file = path.join(root, 'growing');
    await fs.writeFile(file, Buffer.alloc(100));
    const { handle } = await openRegularFile(file, 1000);
    // It grows past the cap after the size check.
    await fs.appendFile(file, Buffer.alloc(5000));
    const target = path.join(root, 'copy');
    await expect(copyCapped(handle, target, 1000)).rejects.toMatchObject({ code: 'too-large' });
    expect(
      await fs.stat(target).then(
        () => true,
        () => false,
      ),
    ).toBe(false);
  });
});

describe('downloads', () => {
  function sourceOf(data: Buffer, piece = 70_000): DownloadSource {
    return {
      fileName: 'export.tessera',
      size: data.length,
      sha256: null,
      async *open() {
        for (let i = 0; i < data.length; i += piece) {
          // A file read: each piece arrives later.
          await new Promise((resolve) => setImmediate(resolve));
          yield data.subarray(i, i + piece);
        }
      },
    };
  }

  it('serves pieces in order, repeats the last on a retry, and closes at the end', async () => {
    const data = crypto.randomBytes(2 * TRANSFER_CHUNK_BYTES + 5);
    const service = make({ resolveDownload: () => Promise.resolve(sourceOf(data)) });
    const { downloadId, size } = await service.beginDownload({
      ref: { kind: 'export', name: 'file' },
    });
    expect(size).toBe(data.length);
    const ask = (offset: number) =>
      service.downloadChunk({ downloadId, offset, length: TRANSFER_CHUNK_BYTES });
    expect(await codeOf(ask(5))).toBe('offset-mismatch');
    const first = await ask(0);
    expect(await ask(0)).toEqual(first);
    const second = await ask(TRANSFER_CHUNK_BYTES);
    const third = await ask(2 * TRANSFER_CHUNK_BYTES);
    expect([first.done, second.done, third.done]).toEqual([false, false, true]);
    const joined = Buffer.concat(
      [first, second, third].map((p) => Buffer.from(p.contentBase64, 'base64')),
    );
    expect(joined.equals(data)).toBe(true);
    expect(service.counts().downloads).toBe(0);
    expect(await codeOf(ask(0))).toBe('unknown-download');
  });

  it('fails a source shorter than announced, and drops idle downloads', async () => {
    let now = 0;
    const short: DownloadSource = { ...sourceOf(Buffer.alloc(10)), size: 20 };
    const service = make({
      resolveDownload: () => Promise.resolve(short),
      now: () => now,
      limits: { idleMs: 1000 },
    });
    const { downloadId } = await service.beginDownload({
      ref: { kind: 'export', name: 'a' },
    });
    expect(await codeOf(service.downloadChunk({ downloadId, offset: 0, length: 100 }))).toBe(
      'size-mismatch',
    );
    await service.beginDownload({ ref: { kind: 'export', name: 'a' } });
    now += 2000;
    expect(await service.sweep()).toBe(1);
    expect(service.counts().downloads).toBe(0);
  });
});

describe('through the contract dispatch', () => {
  let handlers: ServiceHandlers;
  let transfer: TransferService;

  beforeEach(() => {
    const all = createServices({
      name: 'Tessera',
      version: 'test',
      carrier: 'web',
      platform: process.platform,
      dataDir: root,
      chooseSavePath: exportsFolderChooser(root),
    });
    transfer = all.transfer;
    services.push(all.transfer);
    handlers = createServiceHandlers(all);
  });

  it('cannot name a path any more: exchange.import.fromFile {path} is refused by the schema', async () => {
    for (const input of [
      { fileName: 'shadow', path: '/etc/shadow' },
      { path: '/dev/zero' },
      { ref: { kind: 'chosen', id: `c${'0'.repeat(32)}` }, path: '/etc/shadow' },
      { ref: { kind: 'path', path: '/etc/shadow' } },
      { fileName: 'b', contentBase64: 'AAAA' },
    ]) {
      await expect(dispatch(handlers, 'exchange.import.fromFile', input)).rejects.toMatchObject({
        code: 'invalid-input',
      });
      expect(contract['exchange.import.fromFile'].input.safeParse(input).success).toBe(false);
    }
  });

  it('carries the transfer code as the failure reason', async () => {
    const error = await dispatch(handlers, 'transfer.upload.begin', {
      purpose: 'attachment',
      fileName: 'huge.bin',
      size: 3 * 1024 * 1024 * 1024,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceError);
    expect(failureFromError(error)).toMatchObject({ code: 'failed', reason: 'too-large' });
    const web = await dispatch(handlers, 'files.chooseImport', {}).catch((e: unknown) => e);
    expect(failureFromError(web)).toMatchObject({ code: 'failed', reason: 'no-dialog' });
    // A piece too long for the contract never reaches the service.
    await expect(
      dispatch(handlers, 'transfer.upload.chunk', {
        uploadId: `u${'0'.repeat(32)}`,
        offset: 0,
        contentBase64: 'A'.repeat(TRANSFER_CHUNK_BYTES * 2),
      }),
    ).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('moves 200 MiB in pieces with bounded memory', async () => {
    const total = 200 * 1024 * 1024;
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const hash = crypto.createHash('sha256');
    const { uploadId } = (await dispatch(handlers, 'transfer.upload.begin', {
      purpose: 'bundle-import',
      fileName: 'large.tessera',
      size: total,
    })) as { uploadId: string };
    const piece = Buffer.alloc(TRANSFER_CHUNK_BYTES);
    for (let offset = 0; offset < total; offset += TRANSFER_CHUNK_BYTES) {
      // Generated piece by piece: the test never holds the whole file either.
      piece.fill(offset / TRANSFER_CHUNK_BYTES);
      hash.update(piece);
      await dispatch(handlers, 'transfer.upload.chunk', {
        uploadId,
        offset,
        contentBase64: piece.toString('base64'),
      });
      peak = Math.max(peak, process.memoryUsage().rss);
    }
    const finished = (await dispatch(handlers, 'transfer.upload.finish', { uploadId })) as {
      size: number;
      sha256: string;
    };
    expect(finished).toMatchObject({ size: total, sha256: hash.digest('hex') });
    expect(peak - baseline).toBeLessThan(100 * 1024 * 1024);
    expect(transfer.counts().bytesHeld).toBe(total);
    await dispatch(handlers, 'transfer.upload.cancel', { uploadId });
    expect(transfer.counts().bytesHeld).toBe(0);
  });
});

describe('start-up', () => {
  it("removes a dead process's leftovers at start, before any upload", async () => {
    // A process that is gone: pid 2^22 + 1 is above the largest pid Linux hands out.
    const dead = path.join(root, 'transfer', `.tessera-scratch-${2 ** 22 + 1}-abcdef`);
    await fs.mkdir(dead, { recursive: true });
    await fs.writeFile(path.join(dead, 'u1'), 'left behind');
    make();
    await expect
      .poll(() =>
        fs.stat(dead).then(
          () => true,
          () => false,
        ),
      )
      .toBe(false);
  });
});
