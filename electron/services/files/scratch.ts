/**
 * Scratch space: temporary files that hold no plaintext on disk.
 *
 * Decrypted bundle parts, staged imports and uploads in progress are case content. A laptop that is
 * switched off, or a process killed with `kill -9` halfway, must leave nothing readable behind, so
 * every scratch file is encrypted under a key that exists only in this process's memory: once the
 * process is gone, whatever it left is noise, and the next start removes it.
 *
 * Layout: one folder per process, `<root>/.tessera-scratch-<pid>-<random>` (mode 0700), files inside
 * at mode 0600. `sweepScratch(root)` removes the folders of processes that no longer run.
 *
 * File format (version 1):
 *   "TSCR1\n" ‖ 16-byte salt ‖ chunk*            chunk = AES-256-GCM(plaintext ≤ 64 KiB) ‖ 16-byte tag
 * The file key is HKDF-SHA-256(space key, salt, "tessera.scratch/1"); the 12-byte nonce of chunk i
 * is u88be(i) ‖ final-flag (the STREAM construction age uses), so a reordered, dropped, repeated or
 * truncated chunk fails authentication. The last chunk carries the flag, and may be empty.
 */
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { CodedError } from '../../../shared/base/errors.ts';

const MAGIC = Buffer.from('TSCR1\n');
const SALT_SIZE = 16;
const HEADER_SIZE = MAGIC.length + SALT_SIZE;
/** Plaintext bytes per chunk. */
export const SCRATCH_CHUNK = 64 * 1024;
const TAG_SIZE = 16;
/** Chunks read per system call. */
const READ_CHUNKS = 16;
const FOLDER_PREFIX = '.tessera-scratch-';

export type ScratchErrorCode = 'scratch-corrupted' | 'scratch-closed' | 'scratch-name';

export class ScratchError extends CodedError<ScratchErrorCode> {
  override readonly name = 'ScratchError';
}

function nonceOf(index: number, final: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  // 2^53 chunks of 64 KiB is far beyond any file; the top bytes stay zero.
  nonce.writeUIntBE(Math.floor(index / 2 ** 32), 3, 4);
  nonce.writeUInt32BE(index >>> 0, 7);
  nonce[11] = final ? 1 : 0;
  return nonce;
}

function fileKey(spaceKey: Buffer, salt: Buffer): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', spaceKey, salt, 'tessera.scratch/1', 32));
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** A file in the scratch space; `size` is its plaintext size once written. */
export interface ScratchFile {
  readonly path: string;
  readonly size: number;
}

/** Writes one scratch file; `end()` seals the last chunk. Abort removes the file. */
export class ScratchWriter {
  private pending: Buffer[] = [];
  private pendingSize = 0;
  private index = 0;
  private size = 0;
  private done = false;

  constructor(
    private readonly handle: FileHandle,
    readonly path: string,
    private readonly key: Buffer,
  ) {}

  /** Encrypts the next chunk; returns its ciphertext and tag. */
  private seal(plain: Uint8Array, final: boolean): Buffer[] {
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, nonceOf(this.index, final));
    this.index += 1;
    return [cipher.update(plain), cipher.final(), cipher.getAuthTag()];
  }

  /** Appends `bodies` in one write: one system call per `write()`, not one per 64 KiB chunk. */
  private async append(bodies: Buffer[]): Promise<void> {
    if (bodies.length === 0) return;
    const block = bodies.length === 1 ? bodies[0]! : Buffer.concat(bodies);
    let done = 0;
    while (done < block.length) {
      const { bytesWritten } = await this.handle.write(block, done, block.length - done);
      done += bytesWritten;
    }
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.done) throw new ScratchError('scratch-closed', 'the scratch file is already closed');
    const bodies: Buffer[] = [];
    let offset = 0;
    // A full chunk is sealed only once more data follows, so the final flag lands on the last.
    while (offset < data.length) {
      if (this.pendingSize === SCRATCH_CHUNK) {
        bodies.push(...this.seal(Buffer.concat(this.pending, this.pendingSize), false));
        this.pending = [];
        this.pendingSize = 0;
      }
      if (this.pendingSize === 0 && data.length - offset > SCRATCH_CHUNK) {
        // Straight from the caller's memory: nothing is copied before it is encrypted.
        bodies.push(...this.seal(data.subarray(offset, offset + SCRATCH_CHUNK), false));
        offset += SCRATCH_CHUNK;
        continue;
      }
      const take = Math.min(SCRATCH_CHUNK - this.pendingSize, data.length - offset);
      this.pending.push(Buffer.from(data.subarray(offset, offset + take)));
      this.pendingSize += take;
      offset += take;
    }
    this.size += data.length;
    await this.append(bodies);
  }

  async end(): Promise<ScratchFile> {
    if (this.done) throw new ScratchError('scratch-closed', 'the scratch file is already closed');
    const plain = Buffer.concat(this.pending, this.pendingSize);
    this.pending = [];
    this.pendingSize = 0;
    await this.append(this.seal(plain, true));
    this.done = true;
    await this.handle.close();
    return { path: this.path, size: this.size };
  }

  async abort(): Promise<void> {
    if (!this.done) {
      this.done = true;
      await this.handle.close().catch(() => undefined);
    }
    await fs.rm(this.path, { force: true });
  }
}

/** Whether process `pid` still runs (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the scratch folders under `root` left by processes that are gone (a crash, `kill -9`, a
 * power cut). Their content is ciphertext under a key that died with them, so this only frees space
 * and leaves no trace; returns how many folders went.
 */
export async function sweepScratch(root: string): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(root);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(FOLDER_PREFIX)) continue;
    const pid = Number(name.slice(FOLDER_PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) continue;
    await fs.rm(path.join(root, name), { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}

/**
 * One process's scratch folder and its in-memory key. Create with `ScratchSpace.create(root)`;
 * `dispose()` removes the folder and forgets the key.
 */
export class ScratchSpace {
  private key: Buffer | null;

  private constructor(
    readonly dir: string,
    key: Buffer,
  ) {
    this.key = key;
  }

  /** Sweeps dead processes' leftovers under `root`, then makes this process's folder (0700). */
  static async create(root: string): Promise<ScratchSpace> {
    await fs.mkdir(root, { recursive: true, mode: 0o700 });
    await sweepScratch(root);
    const dir = path.join(
      root,
      `${FOLDER_PREFIX}${process.pid}-${crypto.randomBytes(6).toString('hex')}`,
    );
    await fs.mkdir(dir, { mode: 0o700 });
    // mkdir's mode is filtered by the umask; 0700 is the point, so set it explicitly.
    await fs.chmod(dir, 0o700);
    return new ScratchSpace(dir, crypto.randomBytes(32));
  }

  private requireKey(): Buffer {
    if (!this.key) throw new ScratchError('scratch-closed', 'the scratch space is closed');
    return this.key;
  }

  /** A path inside this space for `name` (a plain file name, no separators). */
  pathOf(name: string): string {
    if (!NAME_PATTERN.test(name)) {
      throw new ScratchError('scratch-name', `invalid scratch file name ${JSON.stringify(name)}`);
    }
    return path.join(this.dir, name);
  }

  /** A new scratch file `name` (or a random name); fails if it exists. */
  async create(name: string = crypto.randomBytes(8).toString('hex')): Promise<ScratchWriter> {
    const spaceKey = this.requireKey();
    const target = this.pathOf(name);
    const salt = crypto.randomBytes(SALT_SIZE);
    const handle = await fs.open(target, 'wx', 0o600);
    try {
      await handle.write(Buffer.concat([MAGIC, salt]));
    } catch (error) {
      await handle.close();
      await fs.rm(target, { force: true });
      throw error;
    }
    return new ScratchWriter(handle, target, fileKey(spaceKey, salt));
  }

  /** Writes `data` as one scratch file. */
  async write(name: string, data: Uint8Array): Promise<ScratchFile> {
    const writer = await this.create(name);
    try {
      await writer.write(data);
      return await writer.end();
    } catch (error) {
      await writer.abort();
      throw error;
    }
  }

  /**
   * The plaintext of a scratch file, chunk by chunk, each authenticated before it is yielded.
   * Throws ScratchError `scratch-corrupted` on any change, truncation or reordering.
   */
  async *read(file: string | ScratchFile): AsyncGenerator<Buffer> {
    const spaceKey = this.requireKey();
    const target = typeof file === 'string' ? file : file.path;
    const corrupted = (why: string): ScratchError =>
      new ScratchError('scratch-corrupted', `scratch file ${path.basename(target)} ${why}`);
    const handle = await fs.open(target, 'r');
    try {
      const header = Buffer.alloc(HEADER_SIZE);
      const { bytesRead } = await handle.read(header, 0, HEADER_SIZE, 0);
      if (bytesRead !== HEADER_SIZE || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
        throw corrupted('has no valid header');
      }
      const key = fileKey(spaceKey, header.subarray(MAGIC.length));
      const { size } = await handle.stat();
      const body = size - HEADER_SIZE;
      const whole = SCRATCH_CHUNK + TAG_SIZE;
      const chunks = Math.max(1, Math.ceil(body / whole));
      // Read 16 chunks (about 1 MiB) per system call, then authenticate them one by one.
      const block = Buffer.alloc(whole * READ_CHUNKS);
      let position = HEADER_SIZE;
      for (let first = 0; first < chunks; first += READ_CHUNKS) {
        const count = Math.min(READ_CHUNKS, chunks - first);
        const want = Math.min(whole * count, size - position);
        const read = await handle.read(block, 0, want, position);
        if (read.bytesRead !== want) throw corrupted('is truncated');
        position += want;
        for (let i = 0; i < count; i++) {
          const index = first + i;
          const start = i * whole;
          const length = Math.min(whole, want - start);
          if (length < TAG_SIZE) throw corrupted('is truncated');
          const final = index === chunks - 1;
          const decipher = crypto.createDecipheriv('aes-256-gcm', key, nonceOf(index, final));
          decipher.setAuthTag(block.subarray(start + length - TAG_SIZE, start + length));
          let plain: Buffer;
          try {
            plain = Buffer.concat([
              decipher.update(block.subarray(start, start + length - TAG_SIZE)),
              decipher.final(),
            ]);
          } catch {
            throw corrupted(final ? 'is truncated or altered' : 'is altered');
          }
          yield plain;
        }
      }
    } finally {
      await handle.close();
    }
  }

  /** The whole plaintext of a (small) scratch file. */
  async readAll(file: string | ScratchFile): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of this.read(file)) parts.push(chunk);
    return Buffer.concat(parts);
  }

  async remove(file: string | ScratchFile): Promise<void> {
    await fs.rm(typeof file === 'string' ? file : file.path, { force: true });
  }

  /** Removes the folder and forgets the key; later calls fail with `scratch-closed`. */
  async dispose(): Promise<void> {
    this.key?.fill(0);
    this.key = null;
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}
