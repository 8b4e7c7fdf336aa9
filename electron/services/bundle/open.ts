/**
 * Verifying and opening bundles.
 *
 * verifyBundle needs no secret: it parses the age header, checks that the `tessera-sig` stanza names
 * the pinned sender's current key and verifies the Ed25519 signature: format 2 (issue 13) over the
 * header, whose `tessera-blocks` stanza lists the SHA-256 of every 1 MiB ciphertext block, and the
 * nonce, then hashes each block against the list; format 1 over the recipient stanzas and the
 * SHA-256 of the payload as it is in the file.
 *
 * openBundle produces no plaintext before the signature covering it is checked (issue 8, finding
 * 8). Format 2: it unwraps the file key, checks the header MAC and the signature (no payload
 * involved), then makes one pass in which each ciphertext block is read and its hash matched with
 * the signed list (on one crypto thread) before it is decrypted (on another); the rest is as
 * below. Format 1: it unwraps the file key and checks the header MAC, then makes a first pass
 * over the ciphertext that hashes it for the sender's signature and, on a second crypto thread,
 * takes a GMAC tag of every ciphertext block under a key drawn for this open (issue 13: far cheaper
 * than hashing the ciphertext a second time). The second pass matches each block's tag before
 * decrypting it, so it decrypts exactly the ciphertext the signature covers even if the file is
 * swapped in between; it parses the container and writes the operations into a scratch space
 * (electron/services/files/scratch.ts: files encrypted under a key held only in memory, 0600 in a
 * 0700 folder) and each attachment into its `.<name>.tessera-partial-<pid>` file in `outDir`
 * (0600), or into the scratch space when there is no `outDir`, hashing each part's plaintext.
 * Only when the manifest signature verifies and every part's size and hash agree are the parts
 * released: the operations are returned in memory, the partial files are flushed and renamed into
 * place (all or none), or the attachments stay in the scratch space for the caller. On any failure
 * every scratch and partial file of this call is removed. A `kill -9` at any point leaves only
 * ciphertext under a key that died with the process (swept at the next start) or a partial file of
 * signed content in `outDir` (swept by the next open into that folder).
 */
import crypto from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  BLOCKS_STANZA_TYPE,
  BUNDLE_LIMITS,
  type BundleManifest,
  type IdentityCard,
  MANIFEST_SIGNATURE_CONTEXT,
  PART_MANIFEST,
  PART_MANIFEST_SIG,
  PART_NAME_PATTERN,
  PART_OPERATIONS,
  parseBundleManifest,
  type Revocation,
  PAYLOAD_BLOCK_BYTES,
  SIGNATURE_STANZA_TYPE,
  SIGNATURE_STANZA_VERSION,
  SIGNATURE_STANZA_VERSION_2,
} from '../../../shared/exchange/bundleFormat.ts';
import { partialPathOf, sweepPartials } from '../files/partialFile.ts';
import { type ScratchFile, ScratchSpace, type ScratchWriter } from '../files/scratch.ts';
import { assertUsable, IdentityError } from '../identity/cards.ts';
import { ed25519Verify } from '../identity/keys.ts';
import type { UnlockedIdentity } from '../identity/store.ts';
import {
  AgeFormatError,
  headerMac,
  PAYLOAD_NONCE_SIZE,
  type ParsedHeader,
  parseHeader,
  payloadKey,
  CHUNK_SIZE,
  CIPHER_CHUNK_SIZE,
  StreamDecryptor,
  TAG_SIZE,
  unwrapX25519,
} from './age.ts';
import { type ContainerHandler, ContainerParser } from './container.ts';
import { BundleError, threadFailure } from './errors.ts';
import {
  BlockChangedError,
  type BlockCheckKind,
  type CryptoThread,
  type CryptoThreads,
  cryptoThreads,
  checkBlocksRun,
  DecryptRun,
  hashPayloadRun,
  InputChangedError,
} from './cryptoWorker.ts';
import {
  BlockPool,
  IO_BLOCK,
  InFlight,
  readBlocks,
  readFully,
  readInto,
  SerialWriter,
  sharedBlock,
} from './io.ts';
import {
  type BundleFormat,
  bundleDigestOf,
  bundleDigestOf2,
  outerSignedMessage,
  outerSignedMessage2,
  payloadBlocks,
} from './seal.ts';

export interface VerifyOptions {
  /** Revocations learnt elsewhere (the pinned card's own revocation is always honoured). */
  readonly revocations?: readonly Revocation[];
}

export interface OpenOptions extends VerifyOptions {
  /** Replay hook: true when this bundle id was already imported. */
  readonly seenBundleIds?: (bundleId: string) => boolean | Promise<boolean>;
  /**
   * Where decrypted parts wait, encrypted, until every check has passed, and where the attachments
   * stay when there is no `outDir` (the caller then owns those scratch files). Default: a scratch
   * space of this call under the system temporary folder, removed by `dispose()` (at once when the
   * attachments go to `outDir`).
   */
  readonly scratch?: ScratchSpace;
}

export interface VerifiedBundle {
  readonly bundleId: string;
  readonly signerKeyId: string;
  readonly bundleDigest: string;
  readonly payloadSha256: string;
  /** Number of X25519 recipient stanzas (partners + the sender's archive). */
  readonly recipientStanzas: number;
}

export interface OpenedAttachment {
  readonly name: string;
  readonly label?: string;
  /** The file in `outDir`; null when the attachment is held in the scratch space. */
  readonly path: string | null;
  /** The encrypted scratch file holding it when there is no `outDir`; null otherwise. */
  readonly scratchFile: ScratchFile | null;
  readonly size: number;
  readonly sha256: string;
}

export interface OpenedBundle extends VerifiedBundle {
  readonly manifest: BundleManifest;
  readonly operations: Buffer;
  readonly attachments: readonly OpenedAttachment[];
  /** `outDir` (resolved), or null: the attachments are in the scratch space until `dispose()`. */
  readonly dir: string | null;
  /** The plaintext of attachment `name`, chunk by chunk (from `outDir` or the scratch space). */
  readAttachment(name: string): AsyncGenerator<Buffer>;
  /**
   * Removes the attachments' scratch files, and the scratch space when openBundle made it; files
   * written to `outDir` stay. Call it once the attachments are no longer needed.
   */
  dispose(): Promise<void>;
}

function formatError(error: unknown): never {
  if (error instanceof BundleError) throw error;
  if (error instanceof AgeFormatError) {
    const code = /authenticate/.test(error.message)
      ? 'corrupted'
      : /truncated/.test(error.message)
        ? 'truncated'
        : /more than|larger than/.test(error.message)
          ? 'too-large'
          : 'malformed';
    throw new BundleError(code, `not a valid bundle: ${error.message}`);
  }
  throw error;
}

/** The first line of an ASCII-armored age file (https://age-encryption.org/v1, "ASCII armor"). */
const AGE_ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';

/** Bytes read for the header at first; a longer one (format 2's block list) is read whole after. */
const HEADER_FIRST_READ = 32 * 1024;

function parseHeaderChecked(start: Buffer): ParsedHeader {
  // Armored files are valid age, so "not an age v1 file" would be wrong (issue 11); bundles are
  // opened as binary, streamed from disk, and Tessera never writes armor.
  if (start.toString('latin1', 0, 64).trimStart().startsWith(AGE_ARMOR_BEGIN)) {
    throw new BundleError(
      'unsupported',
      `armored bundles are not supported: this is an ASCII-armored age file (${AGE_ARMOR_BEGIN}); ask the sender for the binary bundle Tessera writes`,
    );
  }
  try {
    return parseHeader(start, {
      maxStanzas: BUNDLE_LIMITS.maxStanzas,
      maxBytes: BUNDLE_LIMITS.maxHeaderBytes,
    });
  } catch (error) {
    return formatError(error);
  }
}

interface Head {
  readonly fh: FileHandle;
  readonly size: number;
  readonly header: ParsedHeader;
  readonly headerBytes: Buffer;
  readonly bundleId: string;
  readonly signerKeyId: string;
  readonly signature: Buffer;
  /** Header bytes before the signature stanza (intro + recipient stanzas + format 2's list). */
  readonly signedStanzas: Buffer;
  readonly signatureLine: string;
  readonly format: BundleFormat;
  /** Format 2: the signed block list (null for format 1). */
  readonly blocks: BlockList | null;
}

/** Format 2's block list, as the header states it (covered by the outer signature). */
interface BlockList {
  /** Ciphertext bytes after the payload nonce. */
  readonly cipherLength: number;
  /** The SHA-256 of each PAYLOAD_BLOCK_BYTES of the ciphertext, in order. */
  readonly hashes: readonly Buffer[];
  /** The list's bytes (the concatenated hashes). */
  readonly bytes: Buffer;
}

/**
 * Format 2: exactly one `tessera-blocks` stanza, right before the signature stanza, whose length
 * and list agree with each other and with the file's size. Format 1: none. A file cut short or
 * with bytes appended is refused here, before any key work or decryption.
 */
function blockList(header: ParsedHeader, format: BundleFormat, size: number): BlockList | null {
  const indexes = header.stanzas.flatMap((s, i) => (s.type === BLOCKS_STANZA_TYPE ? [i] : []));
  if (format === 1) {
    if (indexes.length > 0) {
      throw new BundleError('malformed', 'a format 1 bundle carries a block list');
    }
    return null;
  }
  const at = header.stanzas.length - 2;
  if (indexes.length !== 1 || indexes[0] !== at) {
    throw new BundleError(
      'malformed',
      'a format 2 bundle needs one block-list stanza, right before its signature stanza',
    );
  }
  const stanza = header.stanzas[at]!;
  const [version, lengthText] = stanza.args;
  if (
    stanza.args.length !== 2 ||
    version !== SIGNATURE_STANZA_VERSION_2 ||
    !/^(0|[1-9][0-9]{0,14})$/.test(lengthText ?? '')
  ) {
    throw new BundleError('malformed', 'malformed block-list stanza');
  }
  const cipherLength = Number(lengthText);
  const count = payloadBlocks(cipherLength);
  if (count > BUNDLE_LIMITS.maxPayloadBlocks) {
    throw new BundleError(
      'too-large',
      `the block list has more than ${BUNDLE_LIMITS.maxPayloadBlocks} blocks`,
    );
  }
  if (stanza.body.length !== count * 32) {
    throw new BundleError(
      'malformed',
      'the block list does not match the payload length it states',
    );
  }
  const expected = header.length + PAYLOAD_NONCE_SIZE + cipherLength;
  if (size < expected) {
    throw new BundleError('truncated', 'the bundle is shorter than its signed length (truncated)');
  }
  if (size > expected) {
    throw new BundleError(
      'bad-signature',
      'the bundle is longer than its signed length (bytes appended)',
    );
  }
  return {
    cipherLength,
    hashes: Array.from({ length: count }, (_, i) => stanza.body.subarray(i * 32, i * 32 + 32)),
    bytes: stanza.body,
  };
}

async function readHead(file: string, sender: IdentityCard, options: VerifyOptions): Promise<Head> {
  let fh: FileHandle;
  try {
    fh = await fs.open(file, 'r');
  } catch (error) {
    throw new BundleError('malformed', `cannot read bundle ${file}: ${(error as Error).message}`);
  }
  try {
    const { size } = await fh.stat();
    const limit = Math.min(size, BUNDLE_LIMITS.maxHeaderBytes);
    let start = await readFully(fh, 0, Math.min(limit, HEADER_FIRST_READ));
    let header: ParsedHeader;
    try {
      header = parseHeaderChecked(start);
    } catch (error) {
      // The header goes on past the first read (a long block list): read up to the limit.
      if (!(error instanceof BundleError && error.code === 'truncated') || start.length >= limit) {
        throw error;
      }
      start = await readFully(fh, 0, limit);
      header = parseHeaderChecked(start);
    }
    const sigIndexes = header.stanzas.flatMap((s, i) =>
      s.type === SIGNATURE_STANZA_TYPE ? [i] : [],
    );
    if (sigIndexes.length === 0) {
      throw new BundleError(
        'unsigned',
        'the bundle carries no Tessera signature: it was not sealed by Tessera or was re-encrypted by someone else',
      );
    }
    const sigIndex = sigIndexes[0];
    const sig = header.stanzas[sigIndex];
    if (sigIndexes.length > 1 || sigIndex !== header.stanzas.length - 1) {
      throw new BundleError(
        'malformed',
        'the Tessera signature stanza must be the single last stanza',
      );
    }
    const [version, keyId, bundleId] = sig.args;
    if (
      sig.args.length !== 3 ||
      (version !== SIGNATURE_STANZA_VERSION && version !== SIGNATURE_STANZA_VERSION_2) ||
      !/^[0-9a-f]{16}$/.test(keyId ?? '') ||
      !/^[0-9A-HJKMNP-TV-Z]{26}$/.test(bundleId ?? '') ||
      sig.body.length !== 64
    ) {
      throw new BundleError('malformed', 'malformed Tessera signature stanza');
    }
    const format: BundleFormat = version === SIGNATURE_STANZA_VERSION_2 ? 2 : 1;
    const blocks = blockList(header, format, size);
    checkSigner(sender, keyId, options.revocations ?? []);
    const sigOffset = header.stanzaOffsets[sigIndex];
    const signatureLine = start.toString('latin1', sigOffset, start.indexOf(0x0a, sigOffset) + 1);
    return {
      fh,
      size,
      header,
      headerBytes: start.subarray(0, header.length),
      bundleId: bundleId,
      signerKeyId: keyId,
      signature: sig.body,
      signedStanzas: start.subarray(0, sigOffset),
      signatureLine,
      format,
      blocks,
    };
  } catch (error) {
    await fh.close();
    throw error;
  }
}

function checkSigner(
  sender: IdentityCard,
  keyId: string,
  revocations: readonly Revocation[],
): void {
  const who = `${sender.agencyName} (${sender.agencyId})`;
  const revoked = revocations.find((r) => r.keyId === keyId);
  if (revoked) {
    throw new BundleError(
      'revoked',
      `the bundle is signed by key ${keyId}, revoked (${revoked.reason}) on ${revoked.at}`,
    );
  }
  try {
    assertUsable(sender, revocations);
  } catch (error) {
    if (error instanceof IdentityError) throw new BundleError('revoked', error.message);
    throw error;
  }
  if (keyId !== sender.keyId) {
    const older = sender.rotations.some((link) => link.fromKeyId === keyId);
    throw new BundleError(
      'unknown-signer',
      older
        ? `the bundle is signed by an older key (${keyId}) of ${who}, not its current key ${sender.keyId}`
        : `the bundle is signed by an unknown key ${keyId}, not by ${who} (key ${sender.keyId})`,
    );
  }
}

/**
 * Checks the outer signature. Format 1: `payload` is the SHA-256 of the payload; format 2: the
 * payload nonce (the list in the header stands for the rest).
 */
function checkOuterSignature(head: Head, sender: IdentityCard, payload: Buffer): void {
  const message =
    head.format === 2
      ? outerSignedMessage2(head.signedStanzas, head.signatureLine, payload)
      : outerSignedMessage(head.signedStanzas, head.signatureLine, payload);
  if (!ed25519Verify(Buffer.from(sender.signingKey, 'base64'), message, head.signature)) {
    throw new BundleError(
      'bad-signature',
      `the bundle's signature by ${sender.agencyName} does not verify: the file was altered or forged`,
    );
  }
}

function payloadBounds(head: Head): { start: number; cipherLength: number } {
  const start = head.header.length;
  const cipherLength = head.size - start - PAYLOAD_NONCE_SIZE;
  if (cipherLength < TAG_SIZE)
    throw new BundleError('truncated', 'the bundle is truncated (no payload)');
  return { start, cipherLength };
}

/** Ciphertext read blocks hold whole STREAM chunks, so no chunk straddles two blocks. */
const VERIFY_BLOCK = 4 * 1024 * 1024;
const CIPHER_BLOCK = (IO_BLOCK / CHUNK_SIZE) * CIPHER_CHUNK_SIZE;
const PLAIN_BLOCK = IO_BLOCK;
/** An attachment's partial file is flushed after each this many bytes (see PartialFileSink). */
const SYNC_EVERY = 32 * 1024 * 1024;
/** Blocks waiting to be parsed besides a new one: the cipher thread always has the next queued. */
const PARSE_AHEAD = 1;

/** SHA-256 of the payload as it is in the file. */
async function hashPayload(head: Head): Promise<Buffer> {
  const hash = crypto.createHash('sha256');
  await readBlocks(
    head.fh,
    head.header.length,
    head.size,
    (block) => void hash.update(block),
    () => new BundleError('truncated', 'the bundle file shrank while being read'),
    new BlockPool(VERIFY_BLOCK),
  );
  return hash.digest();
}

/** The payload nonce of a format-2 bundle (signed with its header). */
async function readNonce(head: Head): Promise<Buffer> {
  const nonce = await readFully(head.fh, head.header.length, PAYLOAD_NONCE_SIZE);
  if (nonce.length !== PAYLOAD_NONCE_SIZE) throw shrank();
  return nonce;
}

/**
 * A block that is not the one the sender's signature covers: the same code as a format-1 payload
 * whose signature fails (issue 8's refusal table), for the same attack.
 */
function blockMismatch(index: number): BundleError {
  return new BundleError(
    'bad-signature',
    `ciphertext block ${index} does not match the sender's signed block list: the bundle was altered`,
  );
}

/**
 * Format 2: every ciphertext block against its hash in the (already verified) list, on the crypto
 * threads (`checkBlocksRun`), or on this thread where they run here.
 */
async function checkBlocks(head: Head, list: BlockList, threads: CryptoThreads): Promise<void> {
  const start = head.header.length + PAYLOAD_NONCE_SIZE;
  const blocks = Math.ceil((head.size - start) / PAYLOAD_BLOCK_BYTES);
  const checked = Math.min(blocks, list.hashes.length);
  const result = await checkBlocksRun(
    threads,
    {
      input: head.fh.fd,
      start,
      end: Math.min(head.size, start + checked * PAYLOAD_BLOCK_BYTES),
      hashes: list.hashes.slice(0, checked),
    },
    PAYLOAD_BLOCK_BYTES,
  );
  if (result === null) return checkBlocksHere(head, list);
  // As in block order: the first wrong block, else a file shorter or longer than the list.
  if (!result.ok) throw result.short ? shrank() : blockMismatch(result.block);
  if (blocks > checked) throw blockMismatch(checked);
  if (blocks < list.hashes.length) throw shrank();
}

async function checkBlocksHere(head: Head, list: BlockList): Promise<void> {
  let index = 0;
  await readBlocks(
    head.fh,
    head.header.length + PAYLOAD_NONCE_SIZE,
    head.size,
    (block) => {
      const expected = list.hashes[index];
      const actual = crypto.createHash('sha256').update(block).digest();
      if (!expected || !crypto.timingSafeEqual(actual, expected)) throw blockMismatch(index);
      index++;
    },
    shrank,
    new BlockPool(PAYLOAD_BLOCK_BYTES),
  );
  if (index !== list.hashes.length) throw shrank();
}

/** What a format-2 bundle reports as its payload hash: the SHA-256 of its signed block list. */
function listSha256(list: BlockList): Buffer {
  return crypto.createHash('sha256').update(list.bytes).digest();
}

/** Checks authenticity and integrity without any secret key. Throws a BundleError otherwise. */
export async function verifyBundle(
  file: string,
  senderCard: IdentityCard,
  options: VerifyOptions = {},
): Promise<VerifiedBundle> {
  const head = await readHead(file, senderCard, options);
  try {
    const { cipherLength } = payloadBounds(head);
    try {
      // Structure only: checks that the chunk layout of this length is possible.
      new StreamDecryptor(Buffer.alloc(32), cipherLength);
    } catch (error) {
      formatError(error);
    }
    if (head.blocks) {
      // Format 2: the signature over the header and nonce first, then each block against the list.
      const nonce = await readNonce(head);
      checkOuterSignature(head, senderCard, nonce);
      await checkBlocks(head, head.blocks, cryptoThreads());
      return {
        bundleId: head.bundleId,
        signerKeyId: head.signerKeyId,
        bundleDigest: bundleDigestOf2(head.headerBytes, nonce),
        payloadSha256: listSha256(head.blocks).toString('hex'),
        recipientStanzas: head.header.stanzas.filter((s) => s.type === 'X25519').length,
      };
    }
    const payloadSha256 = await hashPayload(head);
    checkOuterSignature(head, senderCard, payloadSha256);
    return {
      bundleId: head.bundleId,
      signerKeyId: head.signerKeyId,
      bundleDigest: bundleDigestOf(head.headerBytes, payloadSha256),
      payloadSha256: payloadSha256.toString('hex'),
      recipientStanzas: head.header.stanzas.filter((s) => s.type === 'X25519').length,
    };
  } catch (error) {
    throw threadFailure(error);
  } finally {
    await head.fh.close();
  }
}

function noop(): void {}

/**
 * Where one part's plaintext goes as it streams by, each view also hashed on `hasher`. Views are
 * consumed in order; a view's memory must stay as it is until its `put` settles.
 */
interface PartSink {
  put(view: Uint8Array): Promise<void>;
}

/** Into a scratch file (encrypted under the scratch space's in-memory key). */
class ScratchSink implements PartSink {
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    readonly writer: Promise<ScratchWriter>,
    private readonly hasher: CryptoThread,
    private readonly hashId: number,
  ) {}

  put(view: Uint8Array): Promise<void> {
    return Promise.all([this.write(view), this.hasher.update(this.hashId, view)]).then(noop);
  }

  /** The write alone: in a decryption run the hash thread hashes the view (see DecryptRun). */
  write(view: Uint8Array): Promise<void> {
    const write = this.last.then(async () => (await this.writer).write(view));
    this.last = write.catch(noop);
    return write;
  }
}

/**
 * Into the attachment's partial file in `outDir` (0600, `.<name>.tessera-partial-<pid>`, see
 * files/partialFile.ts), renamed to its name only once every check has passed. Only ciphertext
 * that the sender's signature covers is decrypted into it (each block's tag is matched first), so
 * what a crash can leave there is the sender's signed content, swept by the next open.
 */
class PartialFileSink implements PartSink {
  private readonly writer: SerialWriter;
  private position = 0;
  private unsynced = 0;
  /** The flush started along the way (see `put`), at most one at a time; it never rejects. */
  private syncing: Promise<void> | null = null;
  /** Its failure: reported by `end` (Linux reports a write-back error to one flush only). */
  private syncError: Error | null = null;

  constructor(
    readonly target: string,
    readonly temp: string,
    readonly handle: Promise<FileHandle>,
    private readonly hasher: CryptoThread,
    private readonly hashId: number,
  ) {
    this.writer = new SerialWriter(handle);
  }

  put(view: Uint8Array): Promise<void> {
    const write = this.writer.write(view, this.position);
    this.position += view.length;
    this.unsynced += view.length;
    this.flushSoon(write);
    return Promise.all([write, this.hasher.update(this.hashId, view)]).then(noop);
  }

  /**
   * In a decryption run a crypto thread writes the file: `written` bytes of it are written so far
   * (see DecryptRun.written); flushes them as `put` does.
   */
  writtenUpTo(written: number): void {
    this.unsynced += written - this.position;
    this.position = written;
    this.flushSoon(Promise.resolve());
  }

  /** Starts a flush of what `write` leaves written once SYNC_EVERY bytes are not flushed. */
  private flushSoon(write: Promise<void>): void {
    if (this.unsynced >= SYNC_EVERY && !this.syncing) {
      // Start flushing what is written so far while the crypto threads work on: the disk writes
      // overlap the decryption instead of all waiting for the final sync in `end` (on the
      // development machine a 512 MiB flush at the end alone took 0.5 s). One at a time, so that
      // flushes never hold more than one thread of the I/O pool that the reads and writes need.
      this.unsynced = 0;
      this.syncing = write
        .then(async () => (await this.handle).datasync())
        .catch((error: unknown) => {
          this.syncError ??= error instanceof Error ? error : new Error(String(error));
        })
        .finally(() => {
          this.syncing = null;
        });
    }
  }

  /** Flushed to the disk and closed: ready to be renamed. */
  async end(): Promise<void> {
    const handle = await this.handle;
    await this.syncing;
    // A failed early flush fails the open, as a failed final one does.
    if (this.syncError !== null) throw this.syncError;
    await handle.sync();
    await handle.close();
  }

  async abort(): Promise<void> {
    await this.syncing;
    await (await this.handle.catch(() => null))?.close().catch(noop);
    await fs.rm(this.temp, { force: true });
  }
}

interface SeenPart {
  readonly name: string;
  /** Its place in the container (0: the operations). */
  readonly index: number;
  size: number;
  sha256?: string;
  /** In-memory parts (manifest, its signature). */
  readonly hash?: crypto.Hash;
  readonly memory?: Buffer[];
  /** Parts written to the scratch space or to a partial file, hashed on a hash thread. */
  readonly sink?: PartSink;
  readonly scratchSink?: ScratchSink;
  readonly fileSink?: PartialFileSink;
  readonly hashId?: number;
  /** The finished scratch file. */
  file?: ScratchFile;
  closed?: boolean;
}

/**
 * Writes parts as they stream by, enforces order, names and sizes: the operations into the scratch
 * space, the attachments into their partial files in `outDir`, or into the scratch space too when
 * there is none.
 */
class PartCollector implements ContainerHandler {
  readonly parts: SeenPart[] = [];
  private current: SeenPart | null = null;
  private readonly toClose: SeenPart[] = [];
  /** Writes of the current block's data, and of everything not yet settled. */
  private writes: Promise<void>[] = [];
  private readonly allWrites = new InFlight();
  /** Set once `outDir` is made: the folder that was created for this open, if any. */
  private dirMade: Promise<string | undefined> | null = null;
  /**
   * The decryption run that hashes and writes the parts' bytes (see DecryptRun), null on the
   * block path; its parts not yet in its part table, and the last file part started in it.
   */
  private run: DecryptRun | null = null;
  private readonly unregistered: SeenPart[] = [];
  private runFile: SeenPart | null = null;

  constructor(
    private readonly scratch: ScratchSpace,
    private readonly hasher: CryptoThread,
    private readonly outDir: string | null,
  ) {}

  /** A partial file for attachment `name` in `outDir`, refused when `name` already exists. */
  private partialFile(dir: string, name: string, hashId: number): PartialFileSink {
    const target = path.join(dir, name);
    const temp = partialPathOf(target);
    this.dirMade ??= fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const made = this.dirMade;
    const handle = (async () => {
      await made;
      const exists = await fs.lstat(target).then(
        () => true,
        () => false,
      );
      if (exists) throw new BundleError('invalid-input', `${target} already exists`);
      // A partial of this pid can only be a leftover of an earlier failure of ours: replace it.
      await fs.rm(temp, { force: true });
      return fs.open(temp, 'wx', 0o600);
    })();
    handle.catch(noop);
    return new PartialFileSink(target, temp, handle, this.hasher, hashId);
  }

  private fail(message: string): never {
    throw new BundleError('malformed', `bundle container: ${message}`);
  }

  partStart(name: string): void {
    const index = this.parts.length;
    const previous = this.parts[index - 1]?.name;
    if (index === 0 && name !== PART_OPERATIONS) this.fail('the first part must be the operations');
    if (previous === PART_MANIFEST_SIG) this.fail('a part follows the manifest signature');
    if (previous === PART_MANIFEST && name !== PART_MANIFEST_SIG)
      this.fail('the manifest is not followed by its signature');
    if (name === PART_MANIFEST_SIG && previous !== PART_MANIFEST)
      this.fail('a manifest signature without a manifest');
    if (index > 0 && name === PART_OPERATIONS) this.fail('a second operations part');
    if (!PART_NAME_PATTERN.test(name) && name !== PART_MANIFEST && name !== PART_MANIFEST_SIG) {
      this.fail(`invalid part name ${JSON.stringify(name.slice(0, 40))}`);
    }
    if (this.parts.some((p) => p.name === name)) this.fail(`duplicate part ${name}`);
    let part: SeenPart;
    if (name === PART_MANIFEST || name === PART_MANIFEST_SIG) {
      part = { name, index, size: 0, hash: crypto.createHash('sha256'), memory: [] };
    } else if (this.outDir && index > 0) {
      const hashId = this.hasher.newHash();
      const sink = this.partialFile(this.outDir, name, hashId);
      part = { name, index, size: 0, hashId, sink, fileSink: sink };
      if (this.run) this.runFile = part;
    } else {
      // A random scratch name: a shared scratch space may hold parts of other bundles.
      // Written to as soon as data arrives: the sink waits for the file on its first write.
      const writer = this.scratch.create();
      writer.catch(noop);
      const hashId = this.hasher.newHash();
      const sink = new ScratchSink(writer, this.hasher, hashId);
      part = { name, index, size: 0, hashId, sink, scratchSink: sink };
    }
    if (this.run && part.hashId !== undefined) this.unregistered.push(part);
    this.parts.push(part);
    this.current = part;
  }

  partData(data: Buffer): void {
    const part = this.current!;
    part.size += data.length;
    const limit =
      part.name === PART_MANIFEST
        ? BUNDLE_LIMITS.maxManifestBytes
        : part.name === PART_MANIFEST_SIG
          ? 64
          : part.name === PART_OPERATIONS
            ? BUNDLE_LIMITS.maxOperationsBytes
            : Number.MAX_SAFE_INTEGER;
    if (part.size > limit)
      throw new BundleError('too-large', `bundle part ${part.name} exceeds its size limit`);
    if (this.run && part.hashId !== undefined) {
      // The run's threads hash the bytes, and write them when the part has a file; a scratch
      // part's bytes are encrypted into the scratch space from here.
      this.run.range(data, part.index);
      if (part.scratchSink) {
        const write = part.scratchSink.write(data);
        this.writes.push(write);
        this.allWrites.add(write);
      }
    } else if (part.sink) {
      const write = part.sink.put(data);
      this.writes.push(write);
      this.allWrites.add(write);
    } else {
      const copy = Buffer.from(data);
      part.hash!.update(copy);
      part.memory!.push(copy);
    }
  }

  partEnd(): void {
    this.toClose.push(this.current!);
    this.current = null;
  }

  /** The writes from the data seen since the last call (which use its memory). */
  takeWrites(): Promise<void>[] {
    const writes = this.writes;
    this.writes = [];
    return writes;
  }

  /** Hashing and writing through `run` from now on (null: through the sinks again). */
  useRun(run: DecryptRun | null): void {
    this.run = run;
    this.runFile = null;
  }

  /**
   * In a decryption run, after each slot is parsed: enters the new parts in the run's part table,
   * waits for this slot's scratch writes (they read the slot), hands the slot's ranges to the run
   * and flushes the current attachment's file along the way as `put` does.
   */
  async publishRun(): Promise<void> {
    const run = this.run!;
    for (const part of this.unregistered.splice(0)) {
      const fd = part.fileSink ? (await part.fileSink.handle).fd : -1;
      run.part(part.index, fd, part.hashId!);
    }
    await Promise.all(this.takeWrites());
    await run.release();
    if (this.runFile) this.runFile.fileSink!.writtenUpTo(run.written(this.runFile.index));
  }

  /** Called between blocks: closes finished parts once their writes are done. */
  async flush(): Promise<void> {
    // A run's parts are hashed on a thread that is busy until the run ends: closed after it.
    if (this.toClose.length === 0 || this.run) return;
    await this.allWrites.drain(0);
    for (const part of this.toClose.splice(0)) {
      if (part.scratchSink) {
        part.closed = true;
        part.file = await (await part.scratchSink.writer).end();
        part.sha256 = (await this.hasher.digest(part.hashId!)).toString('hex');
      } else if (part.fileSink) {
        part.closed = true;
        await part.fileSink.end();
        part.sha256 = (await this.hasher.digest(part.hashId!)).toString('hex');
      } else {
        part.sha256 = part.hash!.digest('hex');
      }
    }
  }

  /**
   * Every check passed: renames the partial files to their names in `outDir`, all or none (a name
   * that appeared meanwhile is refused, and what was renamed is removed again).
   */
  async release(): Promise<string[]> {
    const sinks = this.parts.flatMap((part) => (part.fileSink ? [part.fileSink] : []));
    const renamed: string[] = [];
    try {
      for (const sink of sinks) {
        const exists = await fs.lstat(sink.target).then(
          () => true,
          () => false,
        );
        if (exists) throw new BundleError('invalid-input', `${sink.target} already exists`);
        await fs.rename(sink.temp, sink.target);
        renamed.push(sink.target);
      }
    } catch (error) {
      for (const target of renamed) await fs.rm(target, { force: true });
      throw error;
    }
    return renamed;
  }

  /**
   * After a failure: stops the writes, removes every scratch and partial file of this bundle and
   * `outDir` itself when this open made it.
   */
  async abort(): Promise<void> {
    await this.allWrites.settle();
    for (const part of this.parts) {
      if (part.fileSink) {
        await part.fileSink.abort();
        if (part.sha256 === undefined && !part.closed) this.hasher.discard(part.hashId!);
        continue;
      }
      if (!part.scratchSink) continue;
      if (part.file) {
        await this.scratch.remove(part.file).catch(noop);
        continue;
      }
      part.closed = true;
      const writer = await part.scratchSink.writer.catch(() => null);
      await writer?.abort().catch(noop);
      if (part.sha256 === undefined) this.hasher.discard(part.hashId!);
    }
    const made = await this.dirMade?.catch(() => undefined);
    if (made) await fs.rm(made, { recursive: true, force: true });
  }
}

function manifestError(message: string): BundleError {
  return new BundleError('manifest', `bundle manifest: ${message}`);
}

function checkManifest(
  manifest: BundleManifest,
  head: Head,
  sender: IdentityCard,
  ourKeyId: string,
  parts: readonly SeenPart[],
): void {
  if (manifest.bundleId !== head.bundleId)
    throw manifestError('bundle id differs from the signed header');
  if (manifest.sender.keyId !== sender.keyId || manifest.sender.agencyId !== sender.agencyId) {
    throw manifestError(
      `sender ${manifest.sender.agencyId}/${manifest.sender.keyId} is not the expected sender`,
    );
  }
  if (ourKeyId !== sender.keyId && !manifest.recipients.some((r) => r.keyId === ourKeyId)) {
    throw manifestError('our key is not among the recipients');
  }
  const stanzas = head.header.stanzas.filter((s) => s.type === 'X25519').length;
  if (stanzas !== manifest.recipients.length + 1) {
    throw manifestError(
      `${stanzas} recipient stanzas for ${manifest.recipients.length} partners and the archive`,
    );
  }
  const dataParts = parts.slice(0, -2);
  if (dataParts.length !== manifest.parts.length)
    throw manifestError('part list differs from the container');
  manifest.parts.forEach((expected, i) => {
    const seen = dataParts[i];
    if (
      seen.name !== expected.name ||
      seen.size !== expected.size ||
      seen.sha256 !== expected.sha256
    ) {
      throw new BundleError(
        'corrupted',
        `bundle part ${expected.name} does not match its manifest entry`,
      );
    }
  });
}

/** Unwraps the file key with the current key, then the previous ones; checks the header MAC. */
function fileKeyOf(
  head: Head,
  identity: UnlockedIdentity,
): { readonly fileKey: Buffer; readonly openedWith: string } | null {
  let fileKey: Buffer | null = null;
  let openedWith = identity.card.keyId;
  try {
    fileKey = unwrapX25519(head.header.stanzas, identity.secrets.ageSecret);
    for (const previous of identity.previous) {
      if (fileKey) break;
      fileKey = unwrapX25519(head.header.stanzas, previous.secrets.ageSecret);
      openedWith = previous.keyId;
    }
  } catch (error) {
    formatError(error);
  }
  if (!fileKey) return null;
  if (!crypto.timingSafeEqual(headerMac(fileKey, head.header.macInput), head.header.mac)) {
    throw new BundleError(
      'corrupted',
      'the bundle header MAC does not verify: the header was altered',
    );
  }
  return { fileKey, openedWith };
}

/** What the signature covers of the ciphertext, block by block. */
interface SignedPayload {
  /** Format 1: the payload's SHA-256; format 2: the block list's. */
  readonly sha256: Buffer;
  readonly nonce: Buffer;
  /**
   * One check per ciphertext block: format 1, a GMAC tag under `tagKey` (see cryptoWorker.ts
   * `blockTag`) from the signature pass; format 2, its SHA-256 from the signed list.
   */
  readonly check: BlockCheckKind;
  readonly tags: readonly Buffer[];
  readonly tagKey: Buffer;
}

/**
 * First pass: the SHA-256 of the payload as it is in the file (what the signature covers) on one
 * crypto thread, and a GMAC tag of each ciphertext block under a key drawn for this open on
 * another, so that the second pass can prove each block it decrypts is the one hashed here. With
 * worker threads it is one run (cryptoWorker.ts `hashPayloadRun`: the threads read the file
 * themselves); on the same-thread fallback, block by block from here.
 */
async function signaturePass(head: Head, threads: CryptoThreads): Promise<SignedPayload> {
  const { start } = payloadBounds(head);
  const tagKey = crypto.randomBytes(32);
  const hashId = threads.cipherHash.newHash();
  let digested = false;
  try {
    const nonce = await readInto(head.fh, sharedBlock(PAYLOAD_NONCE_SIZE), start);
    if (nonce.length !== PAYLOAD_NONCE_SIZE)
      throw new BundleError('truncated', 'the bundle file shrank while being read');
    await threads.cipherHash.update(hashId, nonce);
    const run = await hashPayloadRun(
      threads,
      { input: head.fh.fd, start: start + PAYLOAD_NONCE_SIZE, end: head.size, hashId, tagKey },
      PLAIN_BLOCK,
    ).catch((error: unknown) => {
      if (error instanceof InputChangedError) throw shrank();
      throw error;
    });
    const tags: Promise<Buffer>[] = run?.map((tag) => Promise.resolve(tag)) ?? [];
    // The same thread fallback: block by block from this thread.
    if (!run) {
      await readBlocks(
        head.fh,
        start + PAYLOAD_NONCE_SIZE,
        head.size,
        (block) => {
          const tag = threads.cipher.tag(tagKey, tags.length, block);
          tags.push(tag);
          tag.catch(noop);
          return {
            release: Promise.all([threads.cipherHash.update(hashId, block), tag]).then(noop),
          };
        },
        shrank,
        new BlockPool(CIPHER_BLOCK),
      );
    }
    digested = true;
    const sha256 = await threads.cipherHash.digest(hashId);
    return {
      sha256,
      nonce: Buffer.from(nonce),
      check: 'gmac',
      tags: await Promise.all(tags),
      tagKey,
    };
  } finally {
    if (!digested) threads.cipherHash.discard(hashId);
  }
}

function shrank(): BundleError {
  return new BundleError('truncated', 'the bundle file shrank while being read');
}

/**
 * A block differs from what the signature covers: format 2, from its hash in the signed list;
 * format 1, from the block the signature pass hashed (the file changed in between).
 */
function changedWhileOpening(signed?: SignedPayload, error?: BlockChangedError): BundleError {
  if (signed?.check === 'sha256') {
    return blockMismatch(error?.block ?? -1);
  }
  return new BundleError(
    'corrupted',
    'the bundle file changed while it was being opened: its content is not the signed one',
  );
}

/**
 * Second pass: decrypts the payload into `parts`, each ciphertext block first matched against its
 * tag from the signature pass (on the cipher thread, before any of it is decrypted).
 *
 * The blocks are handed to the cipher thread as they are read, without waiting for the previous
 * one's plaintext to be parsed and written (a block's STREAM counter follows from its index): the
 * cipher thread always has the next block queued instead of idling for a round trip per block
 * while this thread parses. The plaintext is still parsed strictly in order, and at most
 * PARSE_AHEAD blocks wait to be parsed, so memory stays bounded.
 */
async function decryptInto(
  head: Head,
  fileKey: Buffer,
  signed: SignedPayload,
  parts: PartCollector,
  threads: CryptoThreads,
): Promise<void> {
  const { start, cipherLength } = payloadBounds(head);
  const parser = new ContainerParser(parts);
  const nonce = await readFully(head.fh, start, PAYLOAD_NONCE_SIZE);
  if (!nonce.equals(signed.nonce)) throw changedWhileOpening();
  const key = payloadKey(fileKey, nonce);
  const plainPool = new BlockPool(PLAIN_BLOCK);
  const plainInFlight = new InFlight();
  /** Blocks decrypted or being decrypted, parsed in this order. */
  const parsing = new InFlight();
  let parsed: Promise<void> = Promise.resolve();
  let counter = 0;
  let consumed = 0;
  let index = 0;
  await readBlocks(
    head.fh,
    start + PAYLOAD_NONCE_SIZE,
    head.size,
    async (block) => {
      const tag = signed.tags[index];
      if (!tag) throw changedWhileOpening();
      consumed += block.length;
      await parsing.drain(PARSE_AHEAD);
      const plain = plainPool.take();
      const decrypted = threads.cipher.open(key, counter, block, consumed === cipherLength, plain, {
        kind: signed.check,
        key: signed.tagKey,
        index: index++,
        tag,
      });
      counter += Math.ceil(block.length / CIPHER_CHUNK_SIZE);
      // After a failure the chain stays rejected: no later block is parsed.
      parsed = parsed.then(async () => {
        const length = await decrypted;
        parser.update(plain.subarray(0, length));
        plainInFlight.add(Promise.all(parts.takeWrites()).then(() => plainPool.give(plain)));
        await parts.flush();
        await plainInFlight.drain(PARSE_AHEAD + 1);
      });
      parsing.add(parsed);
      // The ciphertext block may be read into again once the cipher thread is done with it.
      return { release: decrypted.then(noop, noop) };
    },
    () => new BundleError('truncated', 'the bundle file shrank while being read'),
    new BlockPool(CIPHER_BLOCK),
  )
    .then(() => parsed)
    .catch(async (error: unknown) => {
      // Settle everything in flight before the caller aborts the parts (their writes use it).
      await parsing.settle();
      await plainInFlight.settle();
      if (error instanceof BlockChangedError) throw changedWhileOpening(signed, error);
      return formatError(error);
    });
  await plainInFlight.drain(0);
  if (index !== signed.tags.length) throw changedWhileOpening();
  parser.final();
  await parts.flush();
}

/**
 * Second pass as a run (cryptoWorker.ts `DecryptRun`): the cipher thread reads, matches each
 * block's tag and decrypts into a ring of slots, this thread parses each slot and says where its
 * bytes go, the plain-hash thread hashes them and the cipher-hash thread (idle since the signature
 * pass) writes the attachments, without a message, a promise or an I/O-pool job per block. The
 * block path (`decryptInto`) when the crypto threads run on this thread.
 */
async function decryptRunInto(
  head: Head,
  fileKey: Buffer,
  signed: SignedPayload,
  parts: PartCollector,
  threads: CryptoThreads,
): Promise<void> {
  const { start } = payloadBounds(head);
  const nonce = await readFully(head.fh, start, PAYLOAD_NONCE_SIZE);
  if (!nonce.equals(signed.nonce)) throw changedWhileOpening();
  let run: DecryptRun | null;
  try {
    run = DecryptRun.start(
      threads,
      {
        input: head.fh.fd,
        start: start + PAYLOAD_NONCE_SIZE,
        end: head.size,
        key: payloadKey(fileKey, nonce),
        check: signed.check,
        tagKey: signed.tagKey,
        tags: signed.tags,
        maxParts: BUNDLE_LIMITS.maxParts,
      },
      PLAIN_BLOCK,
    );
  } catch (error) {
    if (error instanceof BlockChangedError) throw changedWhileOpening(signed, error);
    throw error;
  }
  if (!run) return decryptInto(head, fileKey, signed, parts, threads);
  const parser = new ContainerParser(parts);
  parts.useRun(run);
  try {
    for (let plain = await run.next(); plain; plain = await run.next()) {
      parser.update(plain);
      await parts.publishRun();
    }
    await run.finish();
  } catch (error) {
    await run.abort();
    try {
      await run.settle(error);
    } catch (failure) {
      if (failure instanceof BlockChangedError) throw changedWhileOpening(signed, failure);
      if (failure instanceof InputChangedError) throw shrank();
      return formatError(failure);
    }
    throw error;
  } finally {
    parts.useRun(null);
  }
  parser.final();
  await parts.flush();
}

/**
 * Verifies, decrypts and unpacks a bundle. Attachments land in `outDir` (created; existing files
 * are never overwritten) or, without it, stay encrypted in the scratch space (`readAttachment`);
 * call `dispose()` when done with them.
 */
export async function openBundle(
  file: string,
  identity: UnlockedIdentity,
  senderCard: IdentityCard,
  outDir?: string,
  options: OpenOptions = {},
): Promise<OpenedBundle> {
  const dir = outDir === undefined ? null : path.resolve(outDir);
  // Leftovers of an open into this folder that was killed halfway.
  if (dir) await sweepPartials(dir);
  const head = await readHead(file, senderCard, options);
  let scratch: ScratchSpace | null = options.scratch ?? null;
  const ownScratch = !options.scratch;
  let collector: PartCollector | null = null;
  let done = false;
  try {
    if (await options.seenBundleIds?.(head.bundleId)) {
      throw new BundleError('replay', `bundle ${head.bundleId} was already received (replayed)`);
    }
    const { cipherLength } = payloadBounds(head);
    const key = fileKeyOf(head, identity);
    if (!key) {
      // A flipped byte in our stanza looks like "not for us": tell the two apart by the signature.
      checkOuterSignature(
        head,
        senderCard,
        head.blocks ? await readNonce(head) : await hashPayload(head),
      );
      throw new BundleError(
        'not-addressed',
        `this bundle is not addressed to ${identity.card.agencyName} (${identity.card.agencyId})`,
      );
    }
    try {
      // Checks that the chunk layout of this length is possible.
      new StreamDecryptor(Buffer.alloc(32), cipherLength);
    } catch (error) {
      formatError(error);
    }

    // Nothing is decrypted before the sender's signature over the ciphertext holds. Format 1: a
    // first pass hashes the whole payload. Format 2: the signature covers the header's block
    // list, checked here without reading the payload; the one pass then checks each block against
    // its listed hash before decrypting any of it.
    const threads = cryptoThreads();
    let signed: SignedPayload;
    if (head.blocks) {
      const nonce = await readNonce(head);
      checkOuterSignature(head, senderCard, nonce);
      signed = {
        sha256: listSha256(head.blocks),
        nonce,
        check: 'sha256',
        tags: head.blocks.hashes,
        tagKey: Buffer.alloc(32),
      };
    } else {
      signed = await signaturePass(head, threads);
      checkOuterSignature(head, senderCard, signed.sha256);
    }
    const payloadSha256 = signed.sha256;

    scratch ??= await ScratchSpace.create(os.tmpdir());
    const parts = new PartCollector(scratch, threads.plainHash, dir);
    collector = parts;
    await decryptRunInto(head, key.fileKey, signed, parts, threads);

    const manifestPart = parts.parts.at(-2);
    const sigPart = parts.parts.at(-1);
    if (manifestPart?.name !== PART_MANIFEST || sigPart?.name !== PART_MANIFEST_SIG) {
      throw new BundleError(
        'malformed',
        'bundle container has no manifest and signature at its end',
      );
    }
    const manifestBytes = Buffer.concat(manifestPart.memory ?? []);
    const manifestSignature = Buffer.concat(sigPart.memory ?? []);
    if (
      !ed25519Verify(
        Buffer.from(senderCard.signingKey, 'base64'),
        Buffer.concat([Buffer.from(MANIFEST_SIGNATURE_CONTEXT), manifestBytes]),
        manifestSignature,
      )
    ) {
      throw new BundleError('bad-signature', 'the manifest signature does not verify');
    }
    let manifest: BundleManifest;
    try {
      manifest = parseBundleManifest(manifestBytes.toString('utf8'));
    } catch (error) {
      throw manifestError((error as Error).message);
    }
    checkManifest(manifest, head, senderCard, key.openedWith, parts.parts);

    // Every check passed: the parts may leave the scratch space.
    const space = scratch;
    const operationsFile = parts.parts[0]!.file!;
    const operations = await space.readAll(operationsFile);
    await space.remove(operationsFile);
    const held = manifest.parts.slice(1).map((part, i) => ({
      part,
      name: part.name,
      file: parts.parts[i + 1]!.file!,
    }));
    if (dir) {
      await parts.release();
      if (ownScratch) await space.dispose();
    }
    let disposed = false;
    const byName = new Map(held.map((h) => [h.name, h]));
    const opened: OpenedBundle = {
      bundleId: head.bundleId,
      signerKeyId: head.signerKeyId,
      bundleDigest:
        head.format === 2
          ? bundleDigestOf2(head.headerBytes, signed.nonce)
          : bundleDigestOf(head.headerBytes, payloadSha256),
      payloadSha256: payloadSha256.toString('hex'),
      recipientStanzas: head.header.stanzas.filter((s) => s.type === 'X25519').length,
      manifest,
      operations,
      attachments: held.map(({ part, file: scratchFile }) => ({
        name: part.name,
        ...(part.label === undefined ? {} : { label: part.label }),
        path: dir ? path.join(dir, part.name) : null,
        scratchFile: dir ? null : scratchFile,
        size: part.size,
        sha256: part.sha256,
      })),
      dir,
      async *readAttachment(name: string): AsyncGenerator<Buffer> {
        const entry = byName.get(name);
        if (!entry) throw new BundleError('invalid-input', `the bundle has no attachment ${name}`);
        if (dir) {
          for await (const chunk of createReadStream(path.join(dir, name))) yield chunk as Buffer;
        } else {
          if (disposed) throw new BundleError('invalid-input', 'the opened bundle is disposed');
          yield* space.read(entry.file);
        }
      },
      async dispose(): Promise<void> {
        if (disposed || dir) return;
        disposed = true;
        if (ownScratch) {
          await space.dispose();
        } else {
          for (const { file: held } of byName.values()) await space.remove(held);
        }
      },
    };
    done = true;
    return opened;
  } catch (error) {
    throw threadFailure(error);
  } finally {
    if (!done) {
      await collector?.abort();
      if (ownScratch) await scratch?.dispose();
    }
    await head.fh.close();
  }
}
