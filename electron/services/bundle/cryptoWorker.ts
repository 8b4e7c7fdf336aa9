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
 *
 * An attachment sealed from a file, and the signature pass of an open, skip the main thread
 * altogether (`sealFileRun`, `hashPayloadRun`): the threads read, encrypt or tag, hash and write
 * the bytes themselves, handing 1 MiB slots to each other with Atomics. The decryption pass of an
 * open (`DecryptRun`) does the same, except that the main thread parses each decrypted slot to
 * say which part its bytes belong to.
 */
import crypto from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { AgeFormatError, CHUNK_SIZE, CIPHER_CHUNK_SIZE, openChunks, sealChunks } from './age.ts';
import { CryptoThreadError } from './errors.ts';

export interface CryptoThread {
  /** A new, empty SHA-256 hash on this thread. */
  newHash(): number;
  /**
   * A new block list on this thread (format 2, {@link BlockListHash}): used as a hash, its digest
   * is the SHA-256 of each `blockBytes` of what was fed, concatenated.
   */
  newBlockList(blockBytes: number): number;
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

/**
 * What a block must be: the GMAC tag that the signature pass took of it under `key` (format 1), or
 * with `kind` 'sha256' its SHA-256 in the signed block list (format 2; `key` unused).
 */
export interface BlockCheck {
  readonly kind?: BlockCheckKind;
  readonly key: Buffer;
  readonly index: number;
  readonly tag: Buffer;
}

export type BlockCheckKind = 'gmac' | 'sha256';

/**
 * Format 2's block list as a running hash: the SHA-256 of each `blockBytes` of the data fed to it,
 * in order (the last block may be short); `digest()` concatenates them. The worker's BlockList
 * mirrors it.
 */
export class BlockListHash {
  private hash = crypto.createHash('sha256');
  private filled = 0;
  private readonly digests: Buffer[] = [];

  constructor(private readonly blockBytes: number) {}

  update(data: Uint8Array): this {
    for (let offset = 0; offset < data.length;) {
      const n = Math.min(this.blockBytes - this.filled, data.length - offset);
      this.hash.update(data.subarray(offset, offset + n));
      this.filled += n;
      offset += n;
      if (this.filled === this.blockBytes) {
        this.digests.push(this.hash.digest());
        this.hash = crypto.createHash('sha256');
        this.filled = 0;
      }
    }
    return this;
  }

  digest(): Buffer {
    if (this.filled > 0) this.digests.push(this.hash.digest());
    return Buffer.concat(this.digests);
  }
}

function checkBlock(check: BlockCheck, data: Uint8Array): boolean {
  const actual =
    check.kind === 'sha256'
      ? crypto.createHash('sha256').update(data).digest()
      : blockTag(check.key, check.index, data);
  return actual.length === check.tag.length && crypto.timingSafeEqual(actual, check.tag);
}

/** A block differs from the one the signature pass saw: the file changed in between. */
export class BlockChangedError extends Error {
  override readonly name = 'BlockChangedError';
  constructor(
    message: string,
    /** The block's index in the payload, when one block is at fault. */
    readonly block?: number,
  ) {
    super(message);
  }
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
const fs = require('node:fs');
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
// Positional reads until \`length\` bytes are in \`buf\` at \`offset\`; false when the file ends first
// (it shrank since its size was taken).
const readFullyAt = (fd, buf, offset, length, position) => {
  for (let got = 0; got < length; ) {
    const read = fs.readSync(fd, buf, offset + got, length - got, position + got);
    if (read === 0) return false;
    got += read;
  }
  return true;
};
// Format 2's block list (see newBlockList): the SHA-256 of each \`block\` bytes fed to it, in order;
// its digest is the concatenated hashes (the last block may be short). Mirrors BlockListHash.
class BlockList {
  constructor(block) {
    this.block = block;
    this.filled = 0;
    this.hash = crypto.createHash('sha256');
    this.digests = [];
  }
  update(data) {
    for (let offset = 0; offset < data.length; ) {
      const n = Math.min(this.block - this.filled, data.length - offset);
      this.hash.update(data.subarray(offset, offset + n));
      this.filled += n;
      offset += n;
      if (this.filled === this.block) {
        this.digests.push(this.hash.digest());
        this.hash = crypto.createHash('sha256');
        this.filled = 0;
      }
    }
    return this;
  }
  digest() {
    if (this.filled > 0) this.digests.push(this.hash.digest());
    return Buffer.concat(this.digests);
  }
}
// A block's check before it is decrypted: its GMAC tag from the signature pass (format 1) or its
// SHA-256 in the signed block list (format 2).
const checkBlock = (kind, key, index, block, expected) =>
  crypto.timingSafeEqual(
    kind === 'sha256' ? crypto.createHash('sha256').update(block).digest() : tag(key, index, block),
    expected,
  );
function tag(key, index, data) {
  const iv = Buffer.alloc(12);
  iv.writeUIntBE(index, 6, 6);
  const gmac = crypto.createCipheriv('aes-256-gcm', key, iv);
  gmac.setAAD(data);
  gmac.final();
  return gmac.getAuthTag();
}
const opts = { authTagLength: 16 };
// Memory of the cipher output (round 7, bench/profiles/bundle.md). Node's cipher.update() returns
// a fresh 64 KiB buffer for every STREAM chunk (malloc'd, freed only when V8 collects it, about
// every 64 MB): a thread that encrypts 128 MiB walked through ~64 MB of fresh malloc memory per
// cycle, and once the kernel had moved or reclaimed those pages (after another program's I/O,
// as in the bench, right after \`age\`) each first touch was a page fault: 8,000-14,000 per 128 MiB,
// twice the ChaCha20 time itself. So: a young-generation collection after each block returns
// its 16 buffers at once, and glibc's trim threshold is raised once (mallopt(3): freeing an
// mmap'd block raises M_MMAP_THRESHOLD to its size and M_TRIM_THRESHOLD to twice that) so that
// the freed memory stays in the heap and the next block reuses the same, still mapped, pages
// (≈ 600 faults, ChaCha20 thread CPU −50 % or more in that state). \`gc\` is taken by switching
// --expose-gc on and off again: Node and Electron's main process start V8 with
// --no-freeze-flags-after-init, so flags may change at run time (a process that froze them, as a
// Chromium renderer does, would abort here; bundles are sealed and opened in the main process).
// Without \`gc\` nothing changes but the speed. Under Electron the array buffers may come from its
// own allocator rather than glibc's; the collections still return each block's memory at once.
let collectBlock = () => {};
try {
  const v8 = require('node:v8');
  v8.setFlagsFromString('--expose-gc');
  const gc = require('node:vm').runInNewContext('gc');
  v8.setFlagsFromString('--no-expose-gc');
  if (typeof gc === 'function') {
    collectBlock = () => gc({ type: 'minor' });
    let raise = new ArrayBuffer(30 * 1024 * 1024);
    raise = null;
    gc();
  }
} catch {}
// Tests inject a crash (injectCryptoThreadCrash): the thread exits in the middle of its n-th block.
let crashIn = 0;
const step = () => {
  if (crashIn > 0 && --crashIn === 0) process.exit(70);
};
function seal(m) {
  step();
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
  collectBlock();
  if (m.hashId !== undefined) get(m.hashId).update(out.subarray(0, written));
  return { written };
}
// STREAM-decrypts the whole chunks of \`sealed\` from chunk \`counter\` into \`out\`.
function decryptChunks(key, counter, sealed, final, out) {
  let written = 0;
  for (let offset = 0; offset < sealed.length; offset += SEALED, counter++) {
    const end = Math.min(offset + SEALED, sealed.length);
    const last = final && end === sealed.length;
    const decipher = crypto.createDecipheriv('chacha20-poly1305', key, nonce(counter, last), opts);
    decipher.setAuthTag(sealed.subarray(end - 16, end));
    const plain = decipher.update(sealed.subarray(offset, end - 16));
    try {
      decipher.final();
    } catch {
      return { badChunk: counter, last };
    }
    written += plain.copy(out, written);
  }
  collectBlock();
  return { written };
}
function open(m) {
  step();
  const sealed = view(m, 'src');
  if (m.check && !checkBlock(m.check.kind, m.check.key, m.check.index, sealed, m.check.tag)) {
    return { changed: true };
  }
  return decryptChunks(m.key, m.counter, sealed, m.final, view(m, 'dst'));
}
// File runs (see sealFileRun): the cipher thread reads an attachment from its file descriptor
// into a ring of shared plaintext slots, frames it in segments and encrypts each full slot into a
// ring of sealed slots; the cipher-hash thread hashes each sealed slot (the payload hash), and the
// plain-hash thread hashes the attachment's bytes of each plaintext slot (the part hash) and
// writes the sealed slot at its offset. Atomics, not messages, pass the slots between the threads.
// ctl words: PRODUCED, CONSUMED (sealed-slot hash), DONE, ABORT, one event counter per direction
// to wait on, CONSUMED_PLAIN (part hash and write). meta: per slot, the number of attachment byte
// ranges in it, then their [start, end) pairs.
const PRODUCED = 0, CONSUMED = 1, DONE = 2, ABORT = 3, SEQ_P = 4, SEQ_C = 5, CONSUMED_PLAIN = 6;
const META = 1 + 2 * 8;
const signal = (ctl, word, value, seq) => {
  Atomics.store(ctl, word, value);
  Atomics.add(ctl, seq, 1);
  Atomics.notify(ctl, seq);
};
const abortRun = (ctl) => {
  signal(ctl, ABORT, 1, SEQ_P);
  Atomics.add(ctl, SEQ_C, 1);
  Atomics.notify(ctl, SEQ_C);
};
class Aborted extends Error {}
const runSlots = (m) => {
  const BLOCK = m.srcLength;
  const SLOT = (BLOCK / CHUNK) * SEALED;
  const plain = Buffer.from(m.plainRing);
  const sealed = Buffer.from(m.sealedRing);
  return {
    BLOCK,
    SLOT,
    slots: sealed.length / SLOT,
    plainSlot: (i, slots) => plain.subarray((i % slots) * BLOCK, (i % slots + 1) * BLOCK),
    sealedSlot: (i, slots) => sealed.subarray((i % slots) * SLOT, (i % slots + 1) * SLOT),
    meta: new Int32Array(m.meta),
    ctl: new Int32Array(m.ctl),
  };
};
function sealRun(m) {
  const main = view(m, 'src');
  const { BLOCK, slots, plainSlot, sealedSlot, meta, ctl } = runSlots(m);
  let filled = m.filled;
  let counter = m.counter;
  let produced = 0;
  let ranges = 0;
  // The slot to fill next must have been hashed and written by the other threads.
  const waitFree = () => {
    for (;;) {
      if (Atomics.load(ctl, ABORT)) throw new Aborted();
      const seq = Atomics.load(ctl, SEQ_C);
      const consumed = Math.min(Atomics.load(ctl, CONSUMED), Atomics.load(ctl, CONSUMED_PLAIN));
      if (produced - consumed < slots) return;
      Atomics.wait(ctl, SEQ_C, seq, 1000);
    }
  };
  const addRange = (start, end) => {
    const base = (produced % slots) * META;
    if (ranges > 0 && meta[base + 2 * ranges] === start) {
      meta[base + 2 * ranges] = end;
      return;
    }
    if (ranges === (META - 1) / 2) throw new Error('file run: too many ranges in a block');
    meta[base + 1 + 2 * ranges] = start;
    meta[base + 2 + 2 * ranges] = end;
    ranges++;
  };
  waitFree();
  let block = plainSlot(produced, slots);
  main.copy(block, 0, 0, filled);
  const seal = () => {
    step();
    const out = sealedSlot(produced, slots);
    let written = 0;
    for (let offset = 0; offset < BLOCK; offset += CHUNK) {
      const cipher = crypto.createCipheriv('chacha20-poly1305', m.key, nonce(counter++, false), opts);
      written += cipher.update(block.subarray(offset, offset + CHUNK)).copy(out, written);
      cipher.final();
      written += cipher.getAuthTag().copy(out, written);
    }
    collectBlock();
    meta[(produced % slots) * META] = ranges;
    signal(ctl, PRODUCED, ++produced, SEQ_P);
    ranges = 0;
    filled = 0;
    waitFree();
    block = plainSlot(produced, slots);
  };
  const header = Buffer.alloc(4);
  let position = m.position;
  let remaining = m.length;
  try {
    while (remaining > 0) {
      let n = Math.min(m.segment, remaining);
      header.writeUInt32BE(n, 0);
      for (let i = 0; i < 4; i++) {
        if (filled === BLOCK) seal();
        block[filled++] = header[i];
      }
      while (n > 0) {
        if (filled === BLOCK) seal();
        const want = Math.min(BLOCK - filled, n);
        if (!readFullyAt(m.fd, block, filled, want, position)) {
          abortRun(ctl);
          return { short: true };
        }
        addRange(filled, filled + want);
        filled += want;
        position += want;
        n -= want;
        remaining -= want;
      }
    }
    // The last bytes stay unencrypted (more of the container follows): back to the caller's
    // block; the plain-hash thread hashes their ranges from this slot once DONE is set.
    meta[(produced % slots) * META] = ranges;
    block.copy(main, 0, 0, filled);
    signal(ctl, DONE, 1, SEQ_P);
    return { filled, blocks: produced };
  } catch (error) {
    abortRun(ctl);
    if (error instanceof Aborted) return { aborted: true };
    throw error;
  }
}
// role 'sealed': adds each sealed slot to the payload hash m.hashId. role 'plain': hashes the
// attachment's ranges of each plaintext slot and writes the sealed slot to m.fd.
function hashRun(m) {
  const { SLOT, slots, plainSlot, sealedSlot, meta, ctl } = runSlots(m);
  const sealedRole = m.role === 'sealed';
  const payload = sealedRole ? get(m.hashId) : null;
  const part = crypto.createHash('sha256');
  const mine = sealedRole ? CONSUMED : CONSUMED_PLAIN;
  const hashRanges = (i) => {
    const base = (i % slots) * META;
    const plain = plainSlot(i, slots);
    for (let r = 0; r < meta[base]; r++) {
      part.update(plain.subarray(meta[base + 1 + 2 * r], meta[base + 2 + 2 * r]));
    }
  };
  let consumed = 0;
  try {
    for (;;) {
      if (Atomics.load(ctl, ABORT)) return { aborted: true };
      const seq = Atomics.load(ctl, SEQ_P);
      const done = Atomics.load(ctl, DONE);
      if (consumed < Atomics.load(ctl, PRODUCED)) {
        step();
        const out = sealedSlot(consumed, slots);
        if (sealedRole) {
          // A payload run's slots carry their length (the last one is short).
          payload.update(m.sized ? out.subarray(0, meta[(consumed % slots) * META]) : out);
        } else {
          hashRanges(consumed);
          const at = m.position + consumed * SLOT;
          for (let n = 0; n < SLOT; ) n += fs.writeSync(m.fd, out, n, SLOT - n, at + n);
        }
        signal(ctl, mine, ++consumed, SEQ_C);
        continue;
      }
      // DONE was read before PRODUCED: every block was produced before it was set.
      if (done) {
        if (sealedRole) return { blocks: consumed };
        hashRanges(consumed);
        return { blocks: consumed, digest: part.digest() };
      }
      Atomics.wait(ctl, SEQ_P, seq, 1000);
    }
  } catch (error) {
    abortRun(ctl);
    throw error;
  }
}
// Payload runs (see hashPayloadRun): the signature pass of an open. The cipher thread reads the
// ciphertext into the ring of sealed slots and takes each block's GMAC tag; the cipher-hash thread
// adds each slot to the payload hash (hashRun, role 'sealed', sized slots).
function tagRun(m) {
  const { SLOT, slots, sealedSlot, meta, ctl } = runSlots(m);
  const tags = Buffer.from(m.tags);
  let produced = 0;
  let position = m.position;
  try {
    while (position < m.end) {
      for (;;) {
        if (Atomics.load(ctl, ABORT)) return { aborted: true };
        const seq = Atomics.load(ctl, SEQ_C);
        if (produced - Atomics.load(ctl, CONSUMED) < slots) break;
        Atomics.wait(ctl, SEQ_C, seq, 1000);
      }
      step();
      const length = Math.min(SLOT, m.end - position);
      const block = sealedSlot(produced, slots).subarray(0, length);
      if (!readFullyAt(m.fd, block, 0, length, position)) {
        abortRun(ctl);
        return { short: true };
      }
      tag(m.key, produced, block).copy(tags, produced * 16);
      meta[(produced % slots) * META] = length;
      position += length;
      signal(ctl, PRODUCED, ++produced, SEQ_P);
    }
    signal(ctl, DONE, 1, SEQ_P);
    return { blocks: produced };
  } catch (error) {
    abortRun(ctl);
    throw error;
  }
}
// Decryption runs (see DecryptRun): the decryption pass of an open. The cipher thread reads each
// ciphertext block (positional reads into its own buffer), matches its GMAC tag from the signature
// pass, decrypts it into the next plaintext slot and records the slot's length in meta. The
// calling thread parses each slot and publishes records of where its bytes go: [start, end, part]
// (offsets in the plaintext ring; part -1 marks the end of a block, the slot is free after it).
// The plain-hash thread (writeRun, role 'hash') hashes each record's bytes into the part's hash;
// the cipher-hash thread (role 'write') writes them at the part's next offset when it has a file.
const REC_PUB = 7, REC_DONE = 8, REC_WRITTEN = 9, CLAIMED = 10, CHECKED = 11;
// Format 2 (m.split): the two writeRun threads read the ciphertext blocks into the ring of sealed
// slots and check each block's SHA-256 against the signed list (verifyAhead), whichever is free
// claiming the next block, and mark the slot checked (word CHECKED + slot holds index + 1); this
// thread decrypts a block only once its slot is marked checked for it, straight from that slot.
// The SHA-256 of the ciphertext thus runs beside the decryption instead of before it, on whichever
// thread has time: on this VM the writes into fresh page cache cost 0.06-0.9 s per 512 MiB (the
// host takes back freed guest pages, bench/profiles/bundle.md round 10), and the writing thread
// alone carrying the checks as well became the pipeline.
function decryptRun(m) {
  const { BLOCK, SLOT, plainSlot, sealedSlot, meta, ctl } = runSlots(m);
  const slots = m.plainRing.byteLength / BLOCK;
  const sealedSlots = m.sealedRing.byteLength / SLOT;
  const sealed = Buffer.allocUnsafeSlow(SLOT);
  const tags = Buffer.from(m.tags);
  let produced = 0;
  let position = m.position;
  let counter = 0;
  try {
    while (position < m.end) {
      for (;;) {
        if (Atomics.load(ctl, ABORT)) return { aborted: true };
        const seq = Atomics.load(ctl, SEQ_C);
        const consumed = Math.min(Atomics.load(ctl, CONSUMED), Atomics.load(ctl, CONSUMED_PLAIN));
        const checked = !m.split || Atomics.load(ctl, CHECKED + (produced % sealedSlots)) === produced + 1;
        if (produced - consumed < slots && checked) {
          break;
        }
        Atomics.wait(ctl, SEQ_C, seq, 1000);
      }
      step();
      const length = Math.min(SLOT, m.end - position);
      const block = m.split
        ? sealedSlot(produced, sealedSlots).subarray(0, length)
        : sealed.subarray(0, length);
      if (!m.split) {
        if (!readFullyAt(m.fd, block, 0, length, position)) {
          abortRun(ctl);
          return { short: true };
        }
        const expected = tags.subarray(produced * m.tagBytes, (produced + 1) * m.tagBytes);
        if (!checkBlock(m.check, m.tagKey, produced, block, expected)) {
          abortRun(ctl);
          return { changed: true, block: produced };
        }
      }
      position += length;
      const result = decryptChunks(m.key, counter, block, position === m.end, plainSlot(produced, slots));
      if (result.badChunk !== undefined) {
        abortRun(ctl);
        return result;
      }
      counter += Math.ceil(length / SEALED);
      meta[(produced % slots) * META] = result.written;
      signal(ctl, PRODUCED, ++produced, SEQ_P);
    }
    return { blocks: produced };
  } catch (error) {
    abortRun(ctl);
    throw error;
  }
}
// Format 2: claims, reads and checks the next ciphertext block when a sealed slot is free (the
// cipher thread has decrypted the block that was in it). Returns true when it checked one, null
// when none can be claimed now, or the run's result when the file is short or a block is not the
// signed one. Blocks are claimed in order and a claimed block is always checked to the end, so
// the lowest failing block is always found (DecryptRun.settle reports the lowest).
function verifyAhead(m, ctl) {
  const { SLOT, sealedSlot } = runSlots(m);
  const sealedSlots = m.sealedRing.byteLength / SLOT;
  const tags = Buffer.from(m.tags);
  return () => {
    let next;
    for (;;) {
      next = Atomics.load(ctl, CLAIMED);
      if (next >= m.blocks || next - Atomics.load(ctl, PRODUCED) >= sealedSlots) return null;
      if (Atomics.compareExchange(ctl, CLAIMED, next, next + 1) === next) break;
    }
    step();
    const position = m.position + next * SLOT;
    const length = Math.min(SLOT, m.end - position);
    const block = sealedSlot(next, sealedSlots).subarray(0, length);
    if (!readFullyAt(m.fd, block, 0, length, position)) {
      abortRun(ctl);
      return { short: true, block: next };
    }
    const expected = tags.subarray(next * m.tagBytes, (next + 1) * m.tagBytes);
    if (!checkBlock(m.check, m.tagKey, next, block, expected)) {
      abortRun(ctl);
      return { changed: true, block: next };
    }
    signal(ctl, CHECKED + (next % sealedSlots), next + 1, SEQ_C);
    return true;
  };
}
// role 'hash' (the plain-hash thread): adds each record's bytes to its part's hash; role 'write'
// (the cipher-hash thread, idle since the signature pass): writes the bytes of each record whose
// part has a file. The two go through the same records, each at its own pace; a slot is free
// once both have passed its end.
function writeRun(m) {
  const hashing = m.role === 'hash';
  const mine = hashing ? REC_DONE : REC_WRITTEN;
  const slotsDone = hashing ? CONSUMED_PLAIN : CONSUMED;
  const plain = Buffer.from(m.plainRing);
  const records = new Int32Array(m.records);
  const capacity = records.length / 3;
  const table = new Int32Array(m.table);
  const written = new Float64Array(m.written);
  const ctl = new Int32Array(m.ctl);
  const verify = m.verify ? verifyAhead(m, ctl) : null;
  // The block the cipher thread needs next is not claimed for checking yet.
  const starving = () => Atomics.load(ctl, CLAIMED) <= Atomics.load(ctl, PRODUCED);
  let done = 0;
  let blocks = 0;
  try {
    for (;;) {
      if (Atomics.load(ctl, ABORT)) return { aborted: true };
      const seq = Atomics.load(ctl, SEQ_P);
      // Keep the cipher thread fed first: the records wait at most a few sealed slots. The
      // writing thread checks ahead only when it has nothing to write or the cipher thread waits
      // for the very block it needs next (the writes are the pass's dearest and least steady job).
      if (verify && (hashing || done === Atomics.load(ctl, REC_PUB) || starving())) {
        const checked = verify();
        if (checked !== null && checked !== true) return checked;
        if (checked === true) continue;
      }
      // DONE before REC_PUB: every record was published before DONE was set.
      const finished = Atomics.load(ctl, DONE);
      const published = Atomics.load(ctl, REC_PUB);
      if (done === published) {
        if (finished) return { blocks };
        // Caught up: the calling thread may be waiting for room in the record ring.
        Atomics.add(ctl, SEQ_C, 1);
        Atomics.notify(ctl, SEQ_C);
        Atomics.wait(ctl, SEQ_P, seq, 1000);
        continue;
      }
      const r = (done % capacity) * 3;
      const part = records[r + 2];
      if (part < 0) {
        step();
        Atomics.store(ctl, mine, ++done);
        signal(ctl, slotsDone, ++blocks, SEQ_C);
        continue;
      }
      const bytes = plain.subarray(records[r], records[r + 1]);
      const fd = table[2 * part];
      if (hashing) {
        get(table[2 * part + 1]).update(bytes);
      } else if (fd >= 0) {
        const at = written[part];
        for (let n = 0; n < bytes.length; ) n += fs.writeSync(fd, bytes, n, bytes.length - n, at + n);
        written[part] = at + bytes.length;
      }
      Atomics.store(ctl, mine, ++done);
    }
  } catch (error) {
    abortRun(ctl);
    throw error;
  }
}
// Format 2's verify (see checkBlocksRun): this thread checks blocks m.first, m.first + m.stride, …
// against the signed list, reading each itself. ctl[0] holds the lowest block found wrong so far
// (m.blocks while none): each thread stops at it, so the lowest wrong block is always checked and
// is the one reported, whichever thread gets there first, as a check in block order would.
function checkRun(m) {
  const ctl = new Int32Array(m.ctl);
  const hashes = Buffer.from(m.hashes);
  const buffer = Buffer.allocUnsafeSlow(m.blockBytes);
  const fail = (i) => {
    for (let low = Atomics.load(ctl, 0); i < low; low = Atomics.load(ctl, 0)) {
      if (Atomics.compareExchange(ctl, 0, low, i) === low) break;
    }
  };
  let checked = 0;
  for (let i = m.first; i < m.blocks && i < Atomics.load(ctl, 0); i += m.stride) {
    step();
    const position = m.position + i * m.blockBytes;
    const block = buffer.subarray(0, Math.min(m.blockBytes, m.end - position));
    if (!readFullyAt(m.fd, block, 0, block.length, position)) {
      fail(i);
      return { short: true, block: i };
    }
    const actual = crypto.createHash('sha256').update(block).digest();
    if (!crypto.timingSafeEqual(actual, hashes.subarray(i * 32, i * 32 + 32))) {
      fail(i);
      return { changed: true, block: i };
    }
    checked++;
  }
  return { blocks: checked };
}
parentPort.on('message', (m) => {
  try {
    if (m.op === 'update') {
      step();
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
    } else if (m.op === 'sealRun') {
      parentPort.postMessage({ seq: m.seq, ...sealRun(m) });
    } else if (m.op === 'tagRun') {
      parentPort.postMessage({ seq: m.seq, ...tagRun(m) });
    } else if (m.op === 'hashRun') {
      parentPort.postMessage({ seq: m.seq, ...hashRun(m) });
    } else if (m.op === 'decryptRun') {
      parentPort.postMessage({ seq: m.seq, ...decryptRun(m) });
    } else if (m.op === 'writeRun') {
      parentPort.postMessage({ seq: m.seq, ...writeRun(m) });
    } else if (m.op === 'checkRun') {
      parentPort.postMessage({ seq: m.seq, ...checkRun(m) });
    } else if (m.op === 'list') {
      hashes.set(m.id, new BlockList(m.block));
    } else if (m.op === 'crash') {
      crashIn = m.blocks;
    } else if (m.op === 'tag') {
      step();
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
  /** The block that changed, in a decryption run; the block that failed, in a check run. */
  readonly block?: number;
  readonly tag?: Uint8Array;
  readonly error?: string;
  readonly short?: boolean;
  readonly aborted?: boolean;
  readonly filled?: number;
  readonly blocks?: number;
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
  return new BlockChangedError(`ciphertext block ${index} is not the signed one`, index);
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
      if (reply.error !== undefined) {
        waiter.reject(new CryptoThreadError(`crypto thread: ${reply.error}`));
      } else waiter.resolve(reply);
    });
    const die = (error: Error) => {
      this.failure ??= error;
      this.onDead(this);
      for (const waiter of this.pending.values()) waiter.reject(this.failure);
      this.pending.clear();
    };
    this.worker.on('error', (error) =>
      die(new CryptoThreadError(`crypto thread failed: ${error.message}`, { cause: error })),
    );
    this.worker.on('exit', (code) => die(new CryptoThreadError(`crypto thread exited (${code})`)));
    // After the listeners: adding a 'message' listener references the port again.
    this.worker.unref();
  }

  call(message: Record<string, unknown>): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const seq = this.seq++;
    const result = new Promise<Reply>((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
    });
    if (this.pending.size === 1) this.worker.ref();
    this.worker.postMessage({ ...message, seq });
    return result;
  }

  /** Stops the thread; whatever was in flight on it fails with a CryptoThreadError. */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  /** Test hook: the thread exits in the middle of its `blocks`-th block from now. */
  crashAfter(blocks: number): void {
    this.worker.postMessage({ op: 'crash', blocks });
  }

  newHash(): number {
    return this.ids++;
  }

  newBlockList(blockBytes: number): number {
    const id = this.ids++;
    // Ordered before any update of `id`: the thread handles its messages in order.
    if (!this.failure) this.worker.postMessage({ op: 'list', id, block: blockBytes });
    return id;
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

/** An attachment sealed straight from its file by the crypto threads (see `sealFileRun`). */
export interface FileRun {
  /** The STREAM payload key, and the counter of the next chunk. */
  readonly key: Buffer;
  readonly counter: number;
  /**
   * The current container plaintext block (shared; its length is the block size), holding
   * `filled` bytes not yet encrypted. The run appends to it and seals it whenever it is full and
   * more follows; at the end it holds the run's last, not yet encrypted, `filled` bytes.
   */
  readonly block: Uint8Array;
  readonly filled: number;
  /** The attachment: an open file descriptor, where its bytes start, how many. */
  readonly input: number;
  readonly inputPosition: number;
  readonly length: number;
  /** Segment size of the container framing (a u32be length before each segment). */
  readonly segmentBytes: number;
  /** The bundle file's descriptor and the position of the first ciphertext block of the run. */
  readonly output: number;
  readonly outputPosition: number;
  /** The payload hash, on the `cipherHash` thread, that each sealed block is added to. */
  readonly payloadHashId: number;
}

export interface FileRunResult {
  /** Bytes left in `block` (not encrypted yet). */
  readonly filled: number;
  /** Full blocks sealed and written (each block-size plaintext, whole chunks). */
  readonly blocks: number;
  /** SHA-256 of the attachment's bytes. */
  readonly sha256: Buffer;
}

/** The attachment was shorter than its length when read: it changed while being sealed. */
export class InputChangedError extends Error {
  override readonly name = 'InputChangedError';
}

/** Slots in the rings between the threads of a file run. */
const RUN_SLOTS = 4;
/**
 * Control words: produced, consumed (sealed hash), done, abort, one event counter per direction,
 * consumed (part hash and write), records published and done, blocks claimed for checking and
 * one checked mark per sealed slot (decryption runs).
 */
const RUN_CONTROL_WORDS = 11 + RUN_SLOTS;
/** The words ABORT and SEQ_P, SEQ_C of the worker code. */
const RUN_ABORT = 3;
const RUN_EVENTS = [4, 5] as const;
/** Per slot: a count and up to 8 [start, end) ranges of attachment bytes (META in the worker). */
const RUN_META_WORDS = 1 + 2 * 8;

/**
 * The shared memory of a run: RUN_SLOTS sealed slots of `blockBytes` of plaintext in whole STREAM
 * chunks each, `plainBytes` of plaintext ring, the slots' metadata and the control words. `abort`
 * rethrows a thread's failure after setting ABORT and waking every wait, so that the other threads
 * of the run never wait forever for a dead one (they do the same on their own errors).
 */
function runRings(blockBytes: number, plainBytes: number, sealedSlots = RUN_SLOTS) {
  const rings = {
    plainRing: new SharedArrayBuffer(plainBytes),
    sealedRing: new SharedArrayBuffer(sealedSlots * (blockBytes / CHUNK_SIZE) * CIPHER_CHUNK_SIZE),
    meta: new SharedArrayBuffer(RUN_SLOTS * RUN_META_WORDS * Int32Array.BYTES_PER_ELEMENT),
    ctl: new SharedArrayBuffer(RUN_CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT),
    srcLength: blockBytes,
  };
  const control = new Int32Array(rings.ctl);
  const abort = (error: unknown): never => {
    Atomics.store(control, RUN_ABORT, 1);
    for (const word of RUN_EVENTS) {
      Atomics.add(control, word, 1);
      Atomics.notify(control, word);
    }
    throw error;
  };
  return { rings, abort };
}

/**
 * Seals an attachment from its file with no bulk bytes through the calling thread (issue 13): the
 * cipher thread reads the file (positional reads on its descriptor) into a ring of plaintext
 * slots, with the container's segment framing, and encrypts each full slot into a ring of sealed
 * slots; the cipher-hash thread adds each sealed slot to the payload hash; the plain-hash thread
 * hashes the attachment's bytes of each plaintext slot (the part hash) and writes the sealed slot
 * at its offset (a run's blocks are all full, so the offsets are known). The threads hand slots
 * over with Atomics, not a message each way per block, and the calling thread neither copies a
 * byte nor wakes up until the run ends.
 *
 * Three busy threads on two cores, not two (round 7, bench/profiles/bundle.md): with two, one
 * thread held both SHA-256 passes and the write (≈ 2× the other's work) and the other waited for
 * it; with three the kernel runs whichever is ready on whichever core is free, so neither core
 * idles while work is left. Null when the crypto threads run on the calling thread (then nothing
 * was done).
 */
export async function sealFileRun(
  threads: CryptoThreads,
  run: FileRun,
): Promise<FileRunResult | null> {
  const { cipher, cipherHash, plainHash } = threads;
  if (
    !(cipher instanceof WorkerCryptoThread) ||
    !(cipherHash instanceof WorkerCryptoThread) ||
    !(plainHash instanceof WorkerCryptoThread)
  ) {
    return null;
  }
  // A block holds at most 8 attachment ranges (RUN_META_WORDS): segments of a quarter block or
  // more give at most 6. Blocks are whole STREAM chunks.
  if (run.segmentBytes < run.block.length / 4 || run.block.length % CHUNK_SIZE !== 0) {
    throw new RangeError('file run: segments under a quarter block, or a partial-chunk block');
  }
  const { rings, abort } = runRings(run.block.length, RUN_SLOTS * run.block.length);
  // Posted in the same tick, so that every thread receives the runs of concurrent seals in the
  // same order and no run waits on a thread that is busy with another run.
  const [read, sealedHashed, written] = await Promise.allSettled([
    cipher
      .call({
        op: 'sealRun',
        key: run.key,
        counter: run.counter,
        filled: run.filled,
        fd: run.input,
        position: run.inputPosition,
        length: run.length,
        segment: run.segmentBytes,
        ...rings,
        ...shared(run.block, 'src'),
      })
      .catch(abort),
    cipherHash
      .call({ op: 'hashRun', role: 'sealed', hashId: run.payloadHashId, ...rings })
      .catch(abort),
    plainHash
      .call({
        op: 'hashRun',
        role: 'plain',
        fd: run.output,
        position: run.outputPosition,
        ...rings,
      })
      .catch(abort),
  ]);
  if (read.status === 'fulfilled' && read.value.short) {
    throw new InputChangedError('the attachment is shorter than when its size was taken');
  }
  for (const result of [written, sealedHashed, read]) {
    if (result.status === 'rejected') throw result.reason as Error;
  }
  const reply = (read as PromiseFulfilledResult<Reply>).value;
  const hashed = (sealedHashed as PromiseFulfilledResult<Reply>).value;
  const plain = (written as PromiseFulfilledResult<Reply>).value;
  if (
    reply.aborted ||
    hashed.aborted ||
    plain.aborted ||
    reply.blocks !== hashed.blocks ||
    reply.blocks !== plain.blocks
  ) {
    throw new CryptoThreadError('crypto thread: file run aborted');
  }
  return {
    filled: reply.filled!,
    blocks: reply.blocks!,
    sha256: Buffer.from(plain.digest!.buffer, plain.digest!.byteOffset, plain.digest!.byteLength),
  };
}

/** The ciphertext payload of a bundle being opened, hashed and tagged by `hashPayloadRun`. */
export interface PayloadRun {
  /** The bundle's descriptor, and the range of ciphertext after the payload nonce. */
  readonly input: number;
  readonly start: number;
  readonly end: number;
  /** The payload hash, on the `cipherHash` thread (the nonce already in it). */
  readonly hashId: number;
  /** The GMAC key of this open (see {@link blockTag}); blocks are whole ciphertext blocks. */
  readonly tagKey: Buffer;
}

/**
 * The signature pass of an open with no bulk bytes through the calling thread (issue 13): the
 * cipher thread reads the ciphertext (positional reads) into a ring of slots of one ciphertext
 * block each (IO_BLOCK of plaintext in whole STREAM chunks, as the decryption pass reads them) and
 * takes each block's GMAC tag; the cipher-hash thread adds each slot to the payload hash. The
 * SHA-256 is the pass's critical path and the only job that cannot split: its thread gets the
 * next block from a slot already read, without a message or a promise per block on the way.
 * Resolves to the tags in block order; null when the crypto threads run on the calling thread.
 */
export async function hashPayloadRun(
  threads: CryptoThreads,
  run: PayloadRun,
  blockBytes: number,
): Promise<Buffer[] | null> {
  const { cipher, cipherHash } = threads;
  if (!(cipher instanceof WorkerCryptoThread) || !(cipherHash instanceof WorkerCryptoThread)) {
    return null;
  }
  const blocks = Math.ceil((run.end - run.start) / ((blockBytes / CHUNK_SIZE) * CIPHER_CHUNK_SIZE));
  const { rings, abort } = runRings(blockBytes, 0);
  const tags = new SharedArrayBuffer(blocks * 16);
  const [read, hashed] = await Promise.allSettled([
    cipher
      .call({
        op: 'tagRun',
        key: run.tagKey,
        fd: run.input,
        position: run.start,
        end: run.end,
        tags,
        ...rings,
      })
      .catch(abort),
    cipherHash
      .call({ op: 'hashRun', role: 'sealed', sized: true, hashId: run.hashId, ...rings })
      .catch(abort),
  ]);
  if (read.status === 'fulfilled' && read.value.short) {
    throw new InputChangedError('the bundle is shorter than when its size was taken');
  }
  if (hashed.status === 'rejected') throw hashed.reason as Error;
  if (read.status === 'rejected') throw read.reason as Error;
  if (read.value.aborted || hashed.value.aborted || read.value.blocks !== blocks) {
    throw new CryptoThreadError('crypto thread: payload run aborted');
  }
  const all = Buffer.from(tags);
  return Array.from({ length: blocks }, (_, i) => Buffer.from(all.subarray(i * 16, i * 16 + 16)));
}

/** Format 2's ciphertext blocks of a bundle being verified, checked by `checkBlocksRun`. */
export interface CheckRun {
  /** The bundle's descriptor, and the range of ciphertext after the payload nonce. */
  readonly input: number;
  readonly start: number;
  readonly end: number;
  /** The SHA-256 of each block from the signed list, in block order, one per block of the range. */
  readonly hashes: readonly Buffer[];
}

/** The first block (in block order) that is not the signed one, or that the file ends in. */
export type CheckRunResult =
  { readonly ok: true } | { readonly ok: false; readonly block: number; readonly short: boolean };

/**
 * Format 2's verify without the calling thread hashing (issue 13): the two hash threads each read
 * and check alternate ciphertext blocks against the signed list (format 2 lets the hashing split),
 * so a large bundle's verify neither blocks the host's event loop nor waits for one core. The
 * result is the one a check in block order gives: the lowest block that does not match or that the
 * file ends in. Null when the crypto threads run on the calling thread.
 */
export async function checkBlocksRun(
  threads: CryptoThreads,
  run: CheckRun,
  blockBytes: number,
): Promise<CheckRunResult | null> {
  const { plainHash, cipherHash } = threads;
  if (!(plainHash instanceof WorkerCryptoThread) || !(cipherHash instanceof WorkerCryptoThread)) {
    return null;
  }
  const blocks = run.hashes.length;
  if (Math.ceil((run.end - run.start) / blockBytes) !== blocks) {
    throw new RangeError('check run: one hash per block');
  }
  const hashes = Buffer.from(new SharedArrayBuffer(blocks * 32));
  run.hashes.forEach((hash, i) => hash.copy(hashes, i * 32));
  const ctl = new Int32Array(new SharedArrayBuffer(4));
  ctl[0] = blocks;
  const stop = (error: unknown): never => {
    // The other thread stops before its next block.
    Atomics.store(ctl, 0, -1);
    throw error;
  };
  const message = {
    op: 'checkRun',
    fd: run.input,
    position: run.start,
    end: run.end,
    blocks,
    blockBytes,
    hashes: hashes.buffer,
    ctl: ctl.buffer,
    stride: 2,
  };
  const results = await Promise.allSettled([
    cipherHash.call({ ...message, first: 0 }).catch(stop),
    plainHash.call({ ...message, first: 1 }).catch(stop),
  ]);
  for (const result of results) if (result.status === 'rejected') throw result.reason as Error;
  const replies = results.map((result) => (result as PromiseFulfilledResult<Reply>).value);
  const failed = replies
    .filter((reply) => reply.block !== undefined)
    .sort((x, y) => x.block! - y.block!)[0];
  if (failed) return { ok: false, block: failed.block!, short: failed.short === true };
  if (replies.reduce((sum, reply) => sum + reply.blocks!, 0) !== blocks) {
    throw new CryptoThreadError('crypto thread: check run aborted');
  }
  return { ok: true };
}

/** The payload of a bundle being opened, decrypted by a {@link DecryptRun}. */
export interface DecryptRunInput {
  /** The bundle's descriptor, and the range of ciphertext after the payload nonce. */
  readonly input: number;
  readonly start: number;
  readonly end: number;
  /** The STREAM payload key. */
  readonly key: Buffer;
  /**
   * What each block must be before it is decrypted, in block order: its GMAC tag under `tagKey`
   * from the signature pass (format 1), or with `check` 'sha256' its SHA-256 from the signed block
   * list (format 2; `tagKey` unused).
   */
  readonly check?: BlockCheckKind;
  readonly tagKey: Buffer;
  readonly tags: readonly Buffer[];
  /** Parts the container may hold (the part table's size). */
  readonly maxParts: number;
}

/** Records in the ring from the calling thread to the writing thread ([start, end, part] each). */
let runRecords = 4096;

/** Test hook: the record ring of the decryption runs started from now on holds `records`. */
export function useDecryptRunRecords(records: number): void {
  runRecords = records;
}
/** Control words of the worker code: PRODUCED, DONE, REC_PUB, REC_DONE. */
const RUN_PRODUCED = 0;
const RUN_DONE = 2;
const RUN_REC_PUB = 7;
const RUN_REC_DONE = 8;
const RUN_REC_WRITTEN = 9;
const [RUN_SEQ_P, RUN_SEQ_C] = RUN_EVENTS;

/** Atomics.waitAsync (Node ≥ 16; not in TypeScript's ES2023 library). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      this: void,
      array: Int32Array,
      index: number,
      value: number,
      timeout?: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

/** The run stopped because another of its threads failed: its own error comes with its result. */
class RunAborted extends Error {}

/**
 * The decryption pass of an open with no bulk bytes through the calling thread (issue 13, round 8
 * of bench/profiles/bundle.md): the cipher thread reads each ciphertext block itself (positional
 * reads), matches its tag from the signature pass before decrypting a byte of it, and decrypts it
 * into a ring of RUN_SLOTS plaintext slots; the calling thread parses each slot (the container
 * framing, a few bytes per MiB) and publishes where its bytes go; the plain-hash thread hashes
 * them into their part's hash, and the cipher-hash thread, idle since the signature pass, writes
 * the attachments' bytes into their files (on one thread with the hash, the writes made it the
 * busiest of the pass). Slots and records pass with Atomics: no message, promise or I/O-pool job
 * per block, where the block path spent one read, two messages, a hash message and a pool write
 * per MiB.
 *
 * Use: `next()` until it returns null, parsing each slot; between slots `part()` for each new
 * part, `range()` for each of its byte ranges in the slot, then `release()`; `finish()` at the
 * end, or `abort()` after a failure (both settle the threads' calls). Parts' hashes live on the
 * plain-hash thread (ids from its `newHash()`); ask for their digests after `finish()`.
 */
export class DecryptRun {
  private readonly control: Int32Array;
  private readonly meta: Int32Array;
  private readonly plain: Buffer;
  private readonly records: Int32Array;
  private readonly table: Int32Array;
  private readonly writtenBytes: Float64Array;
  private readonly blockBytes: number;
  private readonly slots: number;
  private readonly calls: Promise<PromiseSettledResult<Reply>[]>;
  /** Blocks handed out by `next`, and records published. */
  private taken = 0;
  private published = 0;
  private readonly pending: number[] = [];
  private readonly capacity = runRecords;

  private constructor(
    threads: CryptoThreads,
    run: DecryptRunInput,
    blockBytes: number,
    readonly blocks: number,
  ) {
    this.blockBytes = blockBytes;
    this.slots = RUN_SLOTS;
    // Format 2: the writing thread reads and checks blocks into RUN_SLOTS sealed slots.
    const split = run.check === 'sha256';
    const { rings, abort } = runRings(blockBytes, RUN_SLOTS * blockBytes, split ? RUN_SLOTS : 0);
    const records = new SharedArrayBuffer(this.capacity * 3 * Int32Array.BYTES_PER_ELEMENT);
    const table = new SharedArrayBuffer(run.maxParts * 2 * Int32Array.BYTES_PER_ELEMENT);
    const written = new SharedArrayBuffer(run.maxParts * Float64Array.BYTES_PER_ELEMENT);
    const tagLength = run.check === 'sha256' ? 32 : 16;
    const tags = new SharedArrayBuffer(this.blocks * tagLength);
    const tagBytes = Buffer.from(tags);
    run.tags.forEach((tag, i) => {
      if (tag.length !== tagLength) throw new BlockChangedError('a block check has the wrong size');
      tag.copy(tagBytes, i * tagLength);
    });
    this.control = new Int32Array(rings.ctl);
    this.meta = new Int32Array(rings.meta);
    this.plain = Buffer.from(rings.plainRing);
    this.records = new Int32Array(records);
    this.table = new Int32Array(table);
    this.writtenBytes = new Float64Array(written);
    const cipher = threads.cipher as WorkerCryptoThread;
    const plainHash = threads.plainHash as WorkerCryptoThread;
    const cipherHash = threads.cipherHash as WorkerCryptoThread;
    // Format 2: both writing threads claim, read and check ciphertext blocks (verifyAhead).
    const verify = split
      ? {
          verify: true,
          fd: run.input,
          position: run.start,
          end: run.end,
          blocks: this.blocks,
          tags,
          tagBytes: tagLength,
          check: 'sha256',
          tagKey: run.tagKey,
        }
      : {};
    // Posted in the same tick, as the other runs (see sealFileRun).
    this.calls = Promise.allSettled([
      cipher
        .call({
          op: 'decryptRun',
          key: run.key,
          tagKey: run.tagKey,
          tags,
          tagBytes: tagLength,
          check: run.check ?? 'gmac',
          split,
          fd: run.input,
          position: run.start,
          end: run.end,
          ...rings,
        })
        .catch(abort),
      plainHash
        .call({ op: 'writeRun', role: 'hash', records, table, written, ...rings, ...verify })
        .catch(abort),
      cipherHash
        .call({ op: 'writeRun', role: 'write', records, table, written, ...rings, ...verify })
        .catch(abort),
    ]);
  }

  /** Null when the crypto threads run on the calling thread (then use the block path). */
  static start(
    threads: CryptoThreads,
    run: DecryptRunInput,
    blockBytes: number,
  ): DecryptRun | null {
    if (
      !(threads.cipher instanceof WorkerCryptoThread) ||
      !(threads.plainHash instanceof WorkerCryptoThread) ||
      !(threads.cipherHash instanceof WorkerCryptoThread)
    ) {
      return null;
    }
    const blocks = Math.ceil(
      (run.end - run.start) / ((blockBytes / CHUNK_SIZE) * CIPHER_CHUNK_SIZE),
    );
    if (run.tags.length !== blocks) throw new BlockChangedError('the block count changed');
    return new DecryptRun(threads, run, blockBytes, blocks);
  }

  /** Waits until `ready()` holds, woken by the threads' events on `word`. */
  private async until(word: number, ready: () => boolean): Promise<void> {
    for (;;) {
      if (Atomics.load(this.control, RUN_ABORT)) throw new RunAborted();
      const seq = Atomics.load(this.control, word);
      if (ready()) return;
      const wait = waitAsync(this.control, word, seq, 1000);
      if (wait.async) await wait.value;
    }
  }

  /** The next block's plaintext (a view of its slot, valid until `release()`), or null at the end. */
  async next(): Promise<Buffer | null> {
    if (this.taken === this.blocks) return null;
    const index = this.taken;
    await this.until(RUN_SEQ_P, () => Atomics.load(this.control, RUN_PRODUCED) > index);
    this.taken++;
    const slot = index % this.slots;
    const length = Atomics.load(this.meta, slot * RUN_META_WORDS);
    return this.plain.subarray(slot * this.blockBytes, slot * this.blockBytes + length);
  }

  /** Part `part` (its index in the container) hashes into `hashId` and, with `fd` ≥ 0, is written there. */
  part(part: number, fd: number, hashId: number): void {
    this.table[2 * part] = fd;
    this.table[2 * part + 1] = hashId;
  }

  /** `bytes` (a view of the current slot) belong to part `part`. */
  range(bytes: Uint8Array, part: number): void {
    const start = bytes.byteOffset - this.plain.byteOffset;
    this.pending.push(start, start + bytes.length, part);
  }

  /** Publishes the current slot's ranges; the slot is reused once they are written. */
  async release(): Promise<void> {
    this.pending.push(0, 0, -1);
    for (let i = 0; i < this.pending.length; i += 3) {
      if (this.published - this.recordsDone() >= this.capacity) {
        this.publish();
        const full = this.published - this.capacity;
        await this.until(RUN_SEQ_C, () => this.recordsDone() > full);
      }
      this.records.set(this.pending.slice(i, i + 3), (this.published++ % this.capacity) * 3);
    }
    this.pending.length = 0;
    this.publish();
  }

  /** Records that both the hashing and the writing thread are done with. */
  private recordsDone(): number {
    return Math.min(
      Atomics.load(this.control, RUN_REC_DONE),
      Atomics.load(this.control, RUN_REC_WRITTEN),
    );
  }

  private publish(): void {
    Atomics.store(this.control, RUN_REC_PUB, this.published);
    Atomics.add(this.control, RUN_SEQ_P, 1);
    Atomics.notify(this.control, RUN_SEQ_P);
  }

  /** Bytes of part `part` written to its file so far. */
  written(part: number): number {
    return this.writtenBytes[part]!;
  }

  /** Every block was parsed and released: waits for the threads to finish. */
  async finish(): Promise<void> {
    Atomics.store(this.control, RUN_DONE, 1);
    this.publish();
    await this.settle(null);
  }

  /** Stops the threads after a failure of the calling thread and waits for them. */
  async abort(): Promise<void> {
    Atomics.store(this.control, RUN_ABORT, 1);
    for (const word of RUN_EVENTS) {
      Atomics.add(this.control, word, 1);
      Atomics.notify(this.control, word);
    }
    await this.calls;
  }

  /**
   * The threads' results; throws the first thread's own failure (a changed block, a chunk that
   * does not authenticate, a short file, a dead thread) rather than the other's abort. `cause` is
   * the calling thread's error, rethrown when the threads only stopped because of it.
   */
  async settle(cause: unknown): Promise<void> {
    const [read, hashed, written] = (await this.calls) as [
      PromiseSettledResult<Reply>,
      PromiseSettledResult<Reply>,
      PromiseSettledResult<Reply>,
    ];
    if (read.status === 'fulfilled') {
      const reply = read.value;
      if (reply.short)
        throw new InputChangedError('the bundle is shorter than when its size was taken');
      if (reply.changed) throw changedError(reply.block!);
      if (reply.badChunk !== undefined) throw chunkError(reply.badChunk, reply.last!);
    }
    // Format 2: the writing threads read and check the blocks; the lowest failing block is the
    // one a check in block order would have found.
    const failed = [hashed, written]
      .flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
      .filter((reply) => reply.short || reply.changed)
      .sort((x, y) => x.block! - y.block!)[0];
    if (failed?.short) {
      throw new InputChangedError('the bundle is shorter than when its size was taken');
    }
    if (failed?.changed) throw changedError(failed.block!);
    if (read.status === 'rejected') throw read.reason as Error;
    if (hashed.status === 'rejected') throw hashed.reason as Error;
    if (written.status === 'rejected') throw written.reason as Error;
    // The calling thread's own failure (the threads only stopped because of it).
    if (cause !== null && !(cause instanceof RunAborted)) throw cause as Error;
    if (
      read.value.aborted ||
      hashed.value.aborted ||
      written.value.aborted ||
      read.value.blocks !== this.blocks ||
      hashed.value.blocks !== this.blocks ||
      written.value.blocks !== this.blocks
    ) {
      throw new CryptoThreadError('crypto thread: decryption run aborted');
    }
  }
}

/** The fallback: the same interface, working on the calling thread. */
export class LocalCryptoThread implements CryptoThread {
  private readonly hashes = new Map<number, crypto.Hash | BlockListHash>();
  private ids = 0;

  private get(id: number): crypto.Hash | BlockListHash {
    let hash = this.hashes.get(id);
    if (!hash) this.hashes.set(id, (hash = crypto.createHash('sha256')));
    return hash;
  }

  newHash(): number {
    return this.ids++;
  }

  newBlockList(blockBytes: number): number {
    const id = this.ids++;
    this.hashes.set(id, new BlockListHash(blockBytes));
    return id;
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
    if (check && !checkBlock(check, sealed)) {
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

/**
 * Stops the crypto threads (they start afresh on the next use): at shutdown, or in tests, a crash
 * in the middle of a seal or an open. Whatever is in flight fails with a CryptoThreadError.
 */
export async function stopCryptoThreads(): Promise<void> {
  const set = threads;
  threads = null;
  if (!set) return;
  const workers = Object.values(set).filter((thread) => thread instanceof WorkerCryptoThread);
  await Promise.all(workers.map((thread) => thread.terminate()));
}

/**
 * Test hook: the `role` thread of the current set exits (as a crash would) in the middle of its
 * `blocks`-th block of work from now (a file run counts each block on either thread; the other
 * jobs count one per call). No effect on the same-thread fallback.
 */
export function injectCryptoThreadCrash(role: keyof CryptoThreads, blocks: number): void {
  const thread = cryptoThreads()[role];
  if (thread instanceof WorkerCryptoThread) thread.crashAfter(blocks);
}

/** The three crypto threads, started on first use. */
export function cryptoThreads(): CryptoThreads {
  if (threads) return threads;
  const reset = (dead: CryptoThread) => {
    if (!threads || !Object.values(threads).includes(dead)) return;
    // One thread of the set is gone: the others hold hashes and runs that belong with it (a file
    // run's partner waits on it), so stop them too rather than leave them idle or half-done.
    const set = threads;
    threads = null;
    for (const thread of Object.values(set)) {
      if (thread !== dead && thread instanceof WorkerCryptoThread) void thread.terminate();
    }
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
