/**
 * The payload crypto of a bundle on helper threads: the main thread only moves blocks between the
 * disk and three threads, one for the STREAM cipher, one hashing the part plaintext, one hashing the
 * ciphertext payload. On a 2-core machine that is what brings seal and open near the `age` tool:
 * the three jobs (each ~0.3 s per 512 MiB) overlap, and the garbage of one cipher object and one
 * output buffer per 64 KiB chunk is collected in a small worker heap instead of the main one.
 *
 * Data travels in SharedArrayBuffer blocks (no copy, no transfer): a job's promise settles once the
 * thread is done with the memory it was given. Each thread processes its messages in order, so
 * updates to one hash stay ordered. The threads start on first use and are kept, unreferenced while
 * idle so they never keep a process alive; where threads cannot start, the work runs on the
 * calling thread instead (LocalCryptoThread), with the same results.
 */
import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { AgeFormatError, CHUNK_SIZE, CIPHER_CHUNK_SIZE, openChunks, sealChunks } from './age.ts';

export interface CryptoThread {
  /** A new, empty SHA-256 hash on this thread. */
  newHash(): number;
  /** Hashes `view` (over a SharedArrayBuffer); settles when the memory may be reused. */
  update(id: number, view: Uint8Array): Promise<void>;
  /** The digest; the hash is gone afterwards. */
  digest(id: number): Promise<Buffer>;
  /** Drops a hash without a digest (after a failure). */
  discard(id: number): void;
  /**
   * STREAM-encrypts `plain` (whole chunks; with `final`, its end is the payload's end) from chunk
   * `counter` into `out`; resolves to the ciphertext length. With `hashId`, the ciphertext is also
   * added to that hash of this thread (no second hop to another thread for it).
   */
  seal(
    key: Buffer,
    counter: number,
    plain: Uint8Array,
    final: boolean,
    out: Uint8Array,
    hashId?: number,
  ): Promise<number>;
  /**
   * STREAM-decrypts `sealed` (whole chunks; with `final`, its last chunk is the payload's last)
   * into `out`; resolves to the plaintext length, rejects with an AgeFormatError naming the chunk.
   * With `check`, the block's tag (see `tag`) must first equal `check.tag`, else it rejects with a
   * BlockChangedError and decrypts nothing.
   */
  open(
    key: Buffer,
    counter: number,
    sealed: Uint8Array,
    final: boolean,
    out: Uint8Array,
    check?: BlockCheck,
  ): Promise<number>;
  /** The GMAC tag of `data` under `key` for block number `index` (see {@link blockTag}). */
  tag(key: Buffer, index: number, data: Uint8Array): Promise<Buffer>;
}

/** What a block must be: the tag that the signature pass took of it. */
export interface BlockCheck {
  readonly key: Buffer;
  readonly index: number;
  readonly tag: Buffer;
}

/** A block differs from the one the signature pass saw: the file changed in between. */
export class BlockChangedError extends Error {
  override readonly name = 'BlockChangedError';
}

/**
 * GMAC (NIST SP 800-38D: AES-256-GCM over no plaintext, `data` as the additional data) under a
 * random key drawn for one open and never shown to anyone, with the block number as the IV (unique
 * per key). A tag taken in the signature pass and matched in the decryption pass proves the block
 * is the one whose hash the signature covers, at a fraction of a second SHA-256 pass's cost.
 */
export function blockTag(key: Buffer, index: number, data: Uint8Array): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeUIntBE(index, 6, 6);
  const gmac = crypto.createCipheriv('aes-256-gcm', key, iv);
  gmac.setAAD(data);
  gmac.final();
  return gmac.getAuthTag();
}

// Plain JavaScript (evaluated as CommonJS in the worker) so that it runs the same under tsx,
// vitest and a packaged Electron app. The chunk code mirrors sealChunks / openChunks in age.ts.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const CHUNK = ${CHUNK_SIZE};
const SEALED = ${CIPHER_CHUNK_SIZE};
const hashes = new Map();
const get = (id) => {
  let hash = hashes.get(id);
  if (!hash) hashes.set(id, (hash = crypto.createHash('sha256')));
  return hash;
};
const nonce = (counter, last) => {
  const n = Buffer.alloc(12);
  n.writeUIntBE(counter, 5, 6);
  n[11] = last ? 1 : 0;
  return n;
};
const view = (m, name) => Buffer.from(m[name], m[name + 'Offset'], m[name + 'Length']);
function tag(key, index, data) {
  const iv = Buffer.alloc(12);
  iv.writeUIntBE(index, 6, 6);
  const gmac = crypto.createCipheriv('aes-256-gcm', key, iv);
  gmac.setAAD(data);
  gmac.final();
  return gmac.getAuthTag();
}
const opts = { authTagLength: 16 };
function seal(m) {
  const plain = view(m, 'src');
  const out = view(m, 'dst');
  let counter = m.counter;
  let written = 0;
  for (let offset = 0; offset < plain.length || (m.final && offset === 0); offset += CHUNK) {
    const end = Math.min(offset + CHUNK, plain.length);
    const cipher = crypto.createCipheriv('chacha20-poly1305', m.key, nonce(counter++, m.final && end === plain.length), opts);
    written += cipher.update(plain.subarray(offset, end)).copy(out, written);
    cipher.final();
    written += cipher.getAuthTag().copy(out, written);
    if (end === plain.length) break;
  }
  if (m.hashId !== undefined) get(m.hashId).update(out.subarray(0, written));
  return { written };
}
function open(m) {
  const sealed = view(m, 'src');
  const out = view(m, 'dst');
  if (m.check && !crypto.timingSafeEqual(tag(m.check.key, m.check.index, sealed), m.check.tag)) {
    return { changed: true };
  }
  let written = 0;
  for (let offset = 0, counter = m.counter; offset < sealed.length; offset += SEALED, counter++) {
    const end = Math.min(offset + SEALED, sealed.length);
    const last = m.final && end === sealed.length;
    const decipher = crypto.createDecipheriv('chacha20-poly1305', m.key, nonce(counter, last), opts);
    decipher.setAuthTag(sealed.subarray(end - 16, end));
    const plain = decipher.update(sealed.subarray(offset, end - 16));
    try {
      decipher.final();
    } catch {
      return { badChunk: counter, last };
    }
    written += plain.copy(out, written);
  }
  return { written };
}
parentPort.on('message', (m) => {
  try {
    if (m.op === 'update') {
      get(m.id).update(view(m, 'src'));
      parentPort.postMessage({ seq: m.seq });
    } else if (m.op === 'digest') {
      const digest = get(m.id).digest();
      hashes.delete(m.id);
      parentPort.postMessage({ seq: m.seq, digest });
    } else if (m.op === 'seal') {
      parentPort.postMessage({ seq: m.seq, ...seal(m) });
    } else if (m.op === 'open') {
      parentPort.postMessage({ seq: m.seq, ...open(m) });
    } else if (m.op === 'tag') {
      parentPort.postMessage({ seq: m.seq, tag: tag(m.key, m.index, view(m, 'src')) });
    } else {
      hashes.delete(m.id);
    }
  } catch (error) {
    if (m.seq !== undefined) parentPort.postMessage({ seq: m.seq, error: String(error) });
  }
});
`;

interface Reply {
  readonly seq: number;
  readonly digest?: Uint8Array;
  readonly written?: number;
  readonly badChunk?: number;
  readonly last?: boolean;
  readonly changed?: boolean;
  readonly tag?: Uint8Array;
  readonly error?: string;
}

interface Pending {
  resolve(reply: Reply): void;
  reject(error: Error): void;
}

function shared(view: Uint8Array, name: 'src' | 'dst'): Record<string, unknown> {
  if (!(view.buffer instanceof SharedArrayBuffer)) throw new Error('crypto thread: not shared');
  return {
    [name]: view.buffer,
    [`${name}Offset`]: view.byteOffset,
    [`${name}Length`]: view.byteLength,
  };
}

function changedError(index: number): BlockChangedError {
  return new BlockChangedError(`ciphertext block ${index} changed since the signature pass`);
}

function chunkError(counter: number, last: boolean): AgeFormatError {
  return new AgeFormatError(
    last
      ? `payload chunk ${counter} does not authenticate (the file is truncated or corrupted)`
      : `payload chunk ${counter} does not authenticate (the file is corrupted)`,
  );
}

class WorkerCryptoThread implements CryptoThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private ids = 0;
  private failure: Error | null = null;

  constructor(private readonly onDead: (thread: CryptoThread) => void) {
    // No loader flags (tsx): the worker is plain JavaScript, and starts faster without them.
    this.worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    this.worker.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.seq);
      if (!waiter) return;
      this.pending.delete(reply.seq);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.error !== undefined) waiter.reject(new Error(`crypto thread: ${reply.error}`));
      else waiter.resolve(reply);
    });
    const die = (error: Error) => {
      this.failure ??= error;
      this.onDead(this);
      for (const waiter of this.pending.values()) waiter.reject(this.failure);
      this.pending.clear();
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => die(new Error(`crypto thread exited (${code})`)));
    // After the listeners: adding a 'message' listener references the port again.
    this.worker.unref();
  }

  private call(message: Record<string, unknown>): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const seq = this.seq++;
    const result = new Promise<Reply>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
    });
    if (this.pending.size === 1) this.worker.ref();
    this.worker.postMessage({ ...message, seq });
    return result;
  }

  newHash(): number {
    return this.ids++;
  }

  async update(id: number, view: Uint8Array): Promise<void> {
    await this.call({ op: 'update', id, ...shared(view, 'src') });
  }

  async digest(id: number): Promise<Buffer> {
    const { digest } = await this.call({ op: 'digest', id });
    return Buffer.from(digest!.buffer, digest!.byteOffset, digest!.byteLength);
  }

  discard(id: number): void {
    if (!this.failure) this.worker.postMessage({ op: 'discard', id });
  }

  /** One STREAM chunk sealed or opened on the worker, from `src` into `out` (both shared). */
  private chunk(
    op: 'seal' | 'open',
    key: Buffer,
    counter: number,
    src: Uint8Array,
    final: boolean,
    out: Uint8Array,
    extra: { check?: BlockCheck; hashId?: number } = {},
  ): Promise<Reply> {
    return this.call({
      op,
      key,
      counter,
      final,
      ...extra,
      ...shared(src, 'src'),
      ...shared(out, 'dst'),
    });
  }

  async seal(
    key: Buffer,
    counter: number,
    plain: Uint8Array,
    final: boolean,
    out: Uint8Array,
    hashId?: number,
  ): Promise<number> {
    const reply = await this.chunk('seal', key, counter, plain, final, out, { hashId });
    return reply.written!;
  }

  async open(
    key: Buffer,
    counter: number,
    sealed: Uint8Array,
    final: boolean,
    out: Uint8Array,
    check?: BlockCheck,
  ): Promise<number> {
    const reply = await this.chunk('open', key, counter, sealed, final, out, { check });
    if (reply.changed) throw changedError(check!.index);
    if (reply.badChunk !== undefined) throw chunkError(reply.badChunk, reply.last!);
    return reply.written!;
  }

  async tag(key: Buffer, index: number, data: Uint8Array): Promise<Buffer> {
    const { tag } = await this.call({ op: 'tag', key, index, ...shared(data, 'src') });
    return Buffer.from(tag!.buffer, tag!.byteOffset, tag!.byteLength);
  }
}

/** The fallback: the same interface, working on the calling thread. */
export class LocalCryptoThread implements CryptoThread {
  private readonly hashes = new Map<number, crypto.Hash>();
  private ids = 0;

  private get(id: number): crypto.Hash {
    let hash = this.hashes.get(id);
    if (!hash) this.hashes.set(id, (hash = crypto.createHash('sha256')));
    return hash;
  }

  newHash(): number {
    return this.ids++;
  }

  update(id: number, view: Uint8Array): Promise<void> {
    this.get(id).update(view);
    return Promise.resolve();
  }

  digest(id: number): Promise<Buffer> {
    const digest = this.get(id).digest();
    this.hashes.delete(id);
    return Promise.resolve(digest);
  }

  discard(id: number): void {
    this.hashes.delete(id);
  }

  seal(
    key: Buffer,
    counter: number,
    plain: Uint8Array,
    final: boolean,
    out: Uint8Array,
    hashId?: number,
  ): Promise<number> {
    let written = 0;
    sealChunks(key, counter, plain, final, (data) => {
      out.set(data, written);
      written += data.length;
    });
    if (hashId !== undefined) this.get(hashId).update(out.subarray(0, written));
    return Promise.resolve(written);
  }

  open(
    key: Buffer,
    counter: number,
    sealed: Uint8Array,
    final: boolean,
    out: Uint8Array,
    check?: BlockCheck,
  ): Promise<number> {
    if (check && !crypto.timingSafeEqual(blockTag(check.key, check.index, sealed), check.tag)) {
      return Promise.reject(changedError(check.index));
    }
    let written = 0;
    const bad = openChunks(key, counter, sealed, final, (data) => {
      out.set(data, written);
      written += data.length;
    });
    return bad ? Promise.reject(chunkError(bad.counter, bad.last)) : Promise.resolve(written);
  }

  tag(key: Buffer, index: number, data: Uint8Array): Promise<Buffer> {
    return Promise.resolve(blockTag(key, index, data));
  }
}

export interface CryptoThreads {
  /** STREAM encryption and decryption. */
  readonly cipher: CryptoThread;
  /** Hashes of the parts' plaintext. */
  readonly plainHash: CryptoThread;
  /** Hash of the ciphertext payload. */
  readonly cipherHash: CryptoThread;
}

let threads: CryptoThreads | null = null;
let local = false;

/** Runs everything on the calling thread from now on (tests of the fallback; `false` undoes). */
export function useLocalCryptoThreads(value: boolean): void {
  local = value;
  threads = null;
}

/** The three crypto threads, started on first use. */
export function cryptoThreads(): CryptoThreads {
  if (threads) return threads;
  const reset = (dead: CryptoThread) => {
    if (threads && Object.values(threads).includes(dead)) threads = null;
  };
  try {
    if (local) throw new Error('local');
    threads = {
      cipher: new WorkerCryptoThread(reset),
      plainHash: new WorkerCryptoThread(reset),
      cipherHash: new WorkerCryptoThread(reset),
    };
  } catch {
    threads = {
      cipher: new LocalCryptoThread(),
      plainHash: new LocalCryptoThread(),
      cipherHash: new LocalCryptoThread(),
    };
  }
  return threads;
}
