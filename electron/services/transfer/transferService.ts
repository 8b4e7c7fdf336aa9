/**
 * Chunked transfer of large files between the renderer and the Node side (issue 8, findings 6 and
 * 7), behind the `transfer.*` and `files.chooseImport` contract methods (shared/contract/transfer.ts).
 *
 * Uploads. `begin` declares purpose, name and size; it is refused when the size passes the cap of
 * its purpose, when the bytes of every upload in flight would pass the process's cap, or when the
 * disk has not room for it. Pieces come strictly in order (each offset must equal the bytes received
 * so far) and are written at once, never gathered in memory; `finish` checks the size and the
 * SHA-256 and hands out `{kind:'upload', uploadId}`. Uploads left idle for `idleMs` (default 15 min),
 * finished or not, are dropped with their bytes.
 *
 * Where the bytes go: under `<dataDir>/transfer/`, in this process's scratch folder (0700, see
 * ../files/scratch.ts), which the next start removes if the process dies. An attachment for
 * sealing is case plaintext, so it is written as an encrypted scratch file under a key held only in
 * memory. A bundle is ciphertext already; it is written as a plain 0600 file so the import can move
 * it into place without a copy.
 *
 * Chosen files (Electron). `chooseImport` opens the native dialog in the main process and keeps the
 * path behind an opaque `{kind:'chosen', id}`: a path never comes from the renderer. Reading one
 * refuses anything but a regular file and stops at the cap (./regularFile.ts).
 *
 * Downloads (./downloads.ts). `beginDownload` asks the injected resolver for a source (an exported
 * bundle, a staged attachment) and streams it out piece by piece, in order; only the last piece can
 * be asked again.
 */
import crypto from 'node:crypto';
import { constants } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { copyFile, mkdir, open, rename, rm, statfs } from 'node:fs/promises';
import path from 'node:path';
import type { MethodOutput } from '../../../shared/contract/contract.ts';
import {
  TRANSFER_CHUNK_BYTES,
  UPLOAD_CAPS,
  type DownloadRef,
  type FileRef,
  type UploadPurpose,
  type UploadRef,
} from '../../../shared/contract/transfer.ts';
import {
  ScratchSpace,
  sweepScratch,
  type ScratchFile,
  type ScratchWriter,
} from '../files/scratch.ts';
import { TransferError } from './errors.ts';
import { Downloads, type ResolveDownload } from './downloads.ts';
import { copyCapped, openRegularFile } from './regularFile.ts';

/** A native open dialog (Electron main); null when the user cancelled. */
export type ChooseOpenPath = () => Promise<string | null>;

export interface TransferLimits {
  /** Largest file per purpose. */
  readonly caps: Readonly<Record<UploadPurpose, number>>;
  /** Sum of the declared sizes of all uploads held (in progress or finished, not yet used). */
  readonly maxBytesInFlight: number;
  readonly maxUploads: number;
  readonly maxDownloads: number;
  /** An upload, download or chosen file unused this long is dropped. */
  readonly idleMs: number;
  /** Free space an upload must leave on the disk. */
  readonly diskReserve: number;
}

export const DEFAULT_TRANSFER_LIMITS: TransferLimits = {
  caps: UPLOAD_CAPS,
  maxBytesInFlight: 6 * 1024 * 1024 * 1024,
  maxUploads: 64,
  maxDownloads: 16,
  idleMs: 15 * 60 * 1000,
  diskReserve: 256 * 1024 * 1024,
};

export interface TransferServiceOptions {
  /** Files in transit live under `<dataDir>/transfer`. */
  readonly dataDir: string;
  /** Electron only; without it `chooseImport` refuses with `no-dialog`. */
  readonly chooseOpenPath?: ChooseOpenPath;
  /** Where downloads come from (the exchange service's exports and staged attachments). */
  readonly resolveDownload?: ResolveDownload;
  readonly limits?: Partial<TransferLimits>;
  /** Milliseconds; injected by tests to age uploads. */
  readonly now?: () => number;
  /** Free bytes on the disk holding `dir`; statfs by default. */
  readonly freeBytes?: (dir: string) => Promise<number>;
}

/** Where an upload's bytes are written. */
interface Sink {
  write(bytes: Buffer): Promise<void>;
  /** Closes the file; an encrypted sink returns its scratch file. */
  end(): Promise<ScratchFile | null>;
  abort(): Promise<void>;
}

interface Upload {
  readonly id: string;
  readonly purpose: UploadPurpose;
  readonly fileName: string;
  readonly size: number;
  readonly expectedSha256: string | undefined;
  readonly path: string;
  readonly sink: Sink;
  readonly hash: crypto.Hash;
  /** Offset the next piece must have (reserved before its write completes). */
  next: number;
  lastUsed: number;
  /** Writes run one after another, in the order the pieces were accepted. */
  chain: Promise<void>;
  finishing: boolean;
  finished: { readonly sha256: string; readonly scratch: ScratchFile | null } | null;
  /** Readers streaming it (a seal): not dropped while > 0. */
  readers: number;
}

interface Chosen {
  readonly path: string;
  readonly fileName: string;
  readonly at: number;
}

function plainSink(handle: FileHandle, file: string): Sink {
  return {
    async write(bytes) {
      let offset = 0;
      while (offset < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, offset);
        offset += bytesWritten;
      }
    },
    async end() {
      await handle.close();
      return null;
    },
    async abort() {
      await handle.close().catch(() => undefined);
      await rm(file, { force: true });
    },
  };
}

function scratchSink(writer: ScratchWriter): Sink {
  return {
    write: (bytes) => writer.write(bytes),
    end: () => writer.end(),
    abort: () => writer.abort(),
  };
}

async function statfsFree(dir: string): Promise<number> {
  const info = await statfs(dir);
  return info.bavail * info.bsize;
}

/** Renames, or copies then removes across file systems; the target must not exist. */
async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(from, to, constants.COPYFILE_EXCL);
    await rm(from, { force: true });
  }
}

const newId = (prefix: string) => `${prefix}${crypto.randomBytes(16).toString('hex')}`;

export class TransferService {
  private readonly limits: TransferLimits;
  private readonly root: string;
  private readonly now: () => number;
  private readonly uploads = new Map<string, Upload>();
  private readonly downloads: Downloads;
  private readonly chosen = new Map<string, Chosen>();
  private space: Promise<ScratchSpace> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private closed = false;

  constructor(private readonly options: TransferServiceOptions) {
    this.limits = { ...DEFAULT_TRANSFER_LIMITS, ...options.limits };
    this.root = path.join(options.dataDir, 'transfer');
    this.now = options.now ?? Date.now;
    this.downloads = new Downloads(options.resolveDownload, this.limits.maxDownloads, this.now);
    // Leftovers of a process that died (ciphertext only, but disk space) go at start, not at the
    // first upload; the sweep spares folders of live processes, this one's included.
    void sweepScratch(this.root).catch(() => undefined);
  }

  /** The scratch folder, made (and dead processes' leftovers swept) on first use. */
  private scratch(): Promise<ScratchSpace> {
    if (this.closed) throw new TransferError('unknown-upload', 'the transfer service is closed');
    this.space ??= ScratchSpace.create(this.root);
    if (!this.timer) {
      this.timer = setInterval(
        () => void this.sweep().catch(() => undefined),
        Math.min(this.limits.idleMs, 60_000),
      );
      this.timer.unref();
    }
    return this.space;
  }

  // -------------------------------------------------------------------------------------------
  // Uploads

  private bytesHeld(): number {
    let total = 0;
    for (const upload of this.uploads.values()) total += upload.size;
    return total;
  }

  private bytesStillToWrite(): number {
    let total = 0;
    for (const upload of this.uploads.values()) total += upload.size - upload.next;
    return total;
  }

  async beginUpload(input: {
    purpose: UploadPurpose;
    fileName: string;
    size: number;
    sha256?: string | undefined;
  }): Promise<MethodOutput<'transfer.upload.begin'>> {
    await this.sweep();
    const cap = this.limits.caps[input.purpose];
    if (input.size > cap) {
      throw new TransferError(
        'too-large',
        `${input.fileName} (${input.size} bytes) is larger than the ${cap} bytes allowed for ${input.purpose}`,
      );
    }
    if (
      this.uploads.size >= this.limits.maxUploads ||
      this.bytesHeld() + input.size > this.limits.maxBytesInFlight
    ) {
      throw new TransferError(
        'busy',
        'too many uploads are in progress: finish or cancel them, or wait for them to expire',
      );
    }
    const space = await this.scratch();
    const free = await (this.options.freeBytes ?? statfsFree)(space.dir);
    if (free < input.size + this.bytesStillToWrite() + this.limits.diskReserve) {
      throw new TransferError(
        'disk-full',
        `not enough free disk space for ${input.fileName} (${input.size} bytes)`,
      );
    }
    const id = newId('u');
    let sink: Sink;
    let file: string;
    if (input.purpose === 'attachment') {
      // Case plaintext: encrypted at rest under the in-memory key.
      const writer = await space.create(id);
      sink = scratchSink(writer);
      file = writer.path;
    } else {
      file = space.pathOf(id);
      sink = plainSink(await open(file, 'wx', 0o600), file);
    }
    this.uploads.set(id, {
      id,
      purpose: input.purpose,
      fileName: input.fileName,
      size: input.size,
      expectedSha256: input.sha256,
      path: file,
      sink,
      hash: crypto.createHash('sha256'),
      next: 0,
      lastUsed: this.now(),
      chain: Promise.resolve(),
      finishing: false,
      finished: null,
      readers: 0,
    });
    return { uploadId: id, chunkBytes: TRANSFER_CHUNK_BYTES };
  }

  private upload(uploadId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (!upload) {
      throw new TransferError(
        'unknown-upload',
        'no such upload (it was never begun, was cancelled, used, or dropped after being idle)',
      );
    }
    upload.lastUsed = this.now();
    return upload;
  }

  async uploadChunk(input: {
    uploadId: string;
    offset: number;
    contentBase64: string;
  }): Promise<MethodOutput<'transfer.upload.chunk'>> {
    const upload = this.upload(input.uploadId);
    if (upload.finishing) throw new TransferError('already-finished', 'the upload is finished');
    const bytes = Buffer.from(input.contentBase64, 'base64');
    if (bytes.length > TRANSFER_CHUNK_BYTES) {
      throw new TransferError(
        'chunk-too-large',
        `a piece may hold at most ${TRANSFER_CHUNK_BYTES} bytes`,
      );
    }
    if (input.offset !== upload.next) {
      throw new TransferError(
        'offset-mismatch',
        `the piece at offset ${input.offset} is out of order: expected offset ${upload.next}`,
      );
    }
    if (upload.next + bytes.length > upload.size) {
      await this.drop(upload);
      throw new TransferError(
        'size-mismatch',
        `more bytes than the ${upload.size} declared for ${upload.fileName}; the upload is dropped`,
      );
    }
    // Reserved before the write, so a piece sent right after this one is checked against it.
    upload.next += bytes.length;
    const write = upload.chain.then(async () => {
      upload.hash.update(bytes);
      await upload.sink.write(bytes);
    });
    upload.chain = write.catch(() => undefined);
    try {
      await write;
    } catch (error) {
      await this.drop(upload);
      throw error;
    }
    return { received: input.offset + bytes.length };
  }

  async finishUpload(input: { uploadId: string }): Promise<MethodOutput<'transfer.upload.finish'>> {
    const upload = this.upload(input.uploadId);
    const ref: UploadRef = { kind: 'upload', uploadId: upload.id };
    if (upload.finishing) {
      if (upload.finished) return { ref, size: upload.size, sha256: upload.finished.sha256 };
      throw new TransferError('already-finished', 'the upload is being finished');
    }
    if (upload.next !== upload.size) {
      throw new TransferError(
        'size-mismatch',
        `${upload.fileName}: ${upload.next} of ${upload.size} bytes received`,
      );
    }
    upload.finishing = true;
    try {
      await upload.chain;
      const sha256 = upload.hash.digest('hex');
      if (upload.expectedSha256 !== undefined && sha256 !== upload.expectedSha256) {
        throw new TransferError(
          'sha256-mismatch',
          `${upload.fileName}: the bytes received do not match the SHA-256 declared; the upload is dropped`,
        );
      }
      const scratch = await upload.sink.end();
      upload.finished = { sha256, scratch };
      return { ref, size: upload.size, sha256 };
    } catch (error) {
      await this.drop(upload);
      throw error;
    }
  }

  async cancelUpload(input: { uploadId: string }): Promise<MethodOutput<'transfer.upload.cancel'>> {
    const upload = this.uploads.get(input.uploadId);
    if (!upload) return { cancelled: false };
    await this.drop(upload);
    return { cancelled: true };
  }

  private async drop(upload: Upload): Promise<void> {
    if (this.uploads.get(upload.id) !== upload) return;
    this.uploads.delete(upload.id);
    await upload.chain;
    if (upload.finished) await rm(upload.path, { force: true });
    else await upload.sink.abort();
  }

  /** A finished upload made for `purpose`, taken out of the table (it is used once). */
  private takeUpload(ref: UploadRef, purpose: UploadPurpose): Upload {
    const upload = this.upload(ref.uploadId);
    if (upload.purpose !== purpose) {
      throw new TransferError(
        'wrong-purpose',
        `the upload was made for ${upload.purpose}, not ${purpose}`,
      );
    }
    if (!upload.finished) throw new TransferError('not-finished', 'the upload is not finished');
    return upload;
  }

  /**
   * Moves the file behind `ref` to `target` (a new 0600 file; must not exist), for a bundle or
   * receipt handed in. Used once: afterwards the reference is unknown. An upload is moved; a chosen
   * file is copied, refusing special files and stopping at the cap.
   */
  async takeFile(
    ref: FileRef,
    purpose: 'bundle-import',
    target: string,
  ): Promise<{ fileName: string; size: number }> {
    await this.sweep();
    const cap = this.limits.caps[purpose];
    if (ref.kind === 'upload') {
      const upload = this.takeUpload(ref, purpose);
      this.uploads.delete(upload.id);
      try {
        await moveFile(upload.path, target);
      } catch (error) {
        await rm(upload.path, { force: true });
        throw error;
      }
      return { fileName: upload.fileName, size: upload.size };
    }
    const chosen = this.chosen.get(ref.id);
    this.chosen.delete(ref.id);
    if (!chosen) {
      throw new TransferError('unknown-file', 'no such chosen file (choose it again)');
    }
    const { handle, size } = await openRegularFile(chosen.path, cap);
    const free = await (this.options.freeBytes ?? statfsFree)(path.dirname(target)).catch(
      async (error: unknown) => {
        await handle.close();
        throw error;
      },
    );
    if (free < size + this.limits.diskReserve) {
      await handle.close();
      throw new TransferError('disk-full', `not enough free disk space for ${chosen.fileName}`);
    }
    // Copied into the scratch folder first and moved into place whole: a copy cut short (a kill,
    // a refusal at the cap) leaves nothing beside the target, and the next start sweeps the rest.
    let temp: string;
    try {
      temp = (await this.scratch()).pathOf(newId('t'));
    } catch (error) {
      await handle.close();
      throw error;
    }
    const copied = await copyCapped(handle, temp, cap);
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await moveFile(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    return { fileName: chosen.fileName, size: copied };
  }

  /**
   * The plaintext of a finished attachment upload (for sealing), streamed from its encrypted
   * scratch file. The upload stays (a seal to several partners reads it once each) until cancelled
   * or idle; it is not dropped while read.
   */
  attachmentContent(ref: UploadRef): {
    readonly size: number;
    readonly sha256: string;
    readonly stream: AsyncIterable<Buffer>;
  } {
    const upload = this.takeUpload(ref, 'attachment');
    const { scratch, sha256 } = upload.finished!;
    if (!scratch) throw new TransferError('wrong-purpose', 'the upload is not an attachment');
    const space = this.space!;
    const touch = () => {
      upload.lastUsed = this.now();
    };
    async function* stream(): AsyncGenerator<Buffer> {
      upload.readers += 1;
      try {
        const spaceNow = await space;
        for await (const chunk of spaceNow.read(scratch!)) {
          touch();
          yield chunk;
        }
      } finally {
        upload.readers -= 1;
        touch();
      }
    }
    return { size: upload.size, sha256, stream: stream() };
  }

  // -------------------------------------------------------------------------------------------
  // Chosen files

  async chooseImport(): Promise<MethodOutput<'files.chooseImport'>> {
    await this.sweep();
    if (!this.options.chooseOpenPath) {
      throw new TransferError(
        'no-dialog',
        'this host has no file dialog: upload the file from the browser instead',
      );
    }
    const file = await this.options.chooseOpenPath();
    if (file === null) return { chosen: null };
    const id = newId('c');
    const fileName = path.basename(file).slice(0, 255) || 'file';
    this.chosen.set(id, { path: file, fileName, at: this.now() });
    return { chosen: { ref: { kind: 'chosen', id }, fileName } };
  }

  // -------------------------------------------------------------------------------------------
  // Downloads (./downloads.ts)

  async beginDownload(input: {
    ref: DownloadRef;
  }): Promise<MethodOutput<'transfer.download.begin'>> {
    await this.sweep();
    return this.downloads.begin(input.ref);
  }

  downloadChunk(input: {
    downloadId: string;
    offset: number;
    length: number;
  }): Promise<MethodOutput<'transfer.download.chunk'>> {
    return this.downloads.chunk(input.downloadId, input.offset, input.length);
  }

  cancelDownload(input: { downloadId: string }): Promise<MethodOutput<'transfer.download.cancel'>> {
    return this.downloads.cancel(input.downloadId);
  }

  // -------------------------------------------------------------------------------------------
  // Housekeeping

  /** Drops uploads, downloads and chosen files left idle; returns how many went. */
  async sweep(): Promise<number> {
    const cutoff = this.now() - this.limits.idleMs;
    let dropped = 0;
    for (const upload of [...this.uploads.values()]) {
      if (upload.lastUsed < cutoff && upload.readers === 0) {
        await this.drop(upload);
        dropped += 1;
      }
    }
    dropped += await this.downloads.sweep(cutoff);
    for (const [id, chosen] of this.chosen) {
      if (chosen.at < cutoff) {
        this.chosen.delete(id);
        dropped += 1;
      }
    }
    return dropped;
  }

  /** How many uploads and downloads are held (for tests and diagnostics). */
  counts(): { uploads: number; downloads: number; bytesHeld: number } {
    return {
      uploads: this.uploads.size,
      downloads: this.downloads.size,
      bytesHeld: this.bytesHeld(),
    };
  }

  /** Drops everything and removes the scratch folder. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const upload of [...this.uploads.values()]) await this.drop(upload).catch(() => undefined);
    await this.downloads.closeAll();
    this.chosen.clear();
    this.closed = true;
    const space = this.space;
    this.space = null;
    if (space) await (await space).dispose();
  }
}
