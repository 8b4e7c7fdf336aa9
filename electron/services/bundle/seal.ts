/**
 * Sealing a bundle in one streaming pass (see docs/bundle-format.md):
 *   1. draw the file key and wrap it for every partner and for our own archive recipient; work out
 *      the container's exact length from the parts' sizes (format 2: the block list's length
 *      follows from it); the header's length is now known (the block list, the signature stanza
 *      and the MAC have sizes known in advance);
 *   2. stream the container (operations, attachments, manifest, manifest signature) through the
 *      STREAM encryptor into a temporary file, starting right after the space kept for the header,
 *      hashing each 1 MiB ciphertext block on the way (format 2; format 1: one hash of it all),
 *      flushing the file to disk in the background as it grows;
 *   3. sign the recipient stanzas, the block list and the payload nonce (format 2; format 1: the
 *      payload hash) in the `tessera-sig` stanza, compute the header MAC over all stanzas, write
 *      the header into the kept space, flush, rename into place.
 * A part streamed from an `AsyncIterable` has no length in advance: such a bundle is format 1, as
 * is one whose payload would need more than `maxPayloadBlocks` blocks.
 */
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import {
  BLOCKS_STANZA_TYPE,
  BUNDLE_DIGEST_CONTEXT,
  BUNDLE_DIGEST_CONTEXT_2,
  BUNDLE_FORMAT_VERSION,
  BUNDLE_LIMITS,
  BUNDLE_MANIFEST_FORMAT,
  type BundleManifest,
  bundleManifestSchema,
  type IdentityCard,
  MANIFEST_SIGNATURE_CONTEXT,
  type ManifestPart,
  OUTER_SIGNATURE_CONTEXT,
  OUTER_SIGNATURE_CONTEXT_2,
  PART_MANIFEST,
  PART_MANIFEST_SIG,
  PART_NAME_PATTERN,
  PART_OPERATIONS,
  parseIdentityCard,
  serializeBundleManifest,
  PAYLOAD_BLOCK_BYTES,
  SIGNATURE_STANZA_TYPE,
  SIGNATURE_STANZA_VERSION,
  SIGNATURE_STANZA_VERSION_2,
} from '../../../shared/exchange/bundleFormat.ts';
import { newId } from '../../../shared/model/ids.ts';
import { assertUsable, IdentityError, verifyCard } from '../identity/cards.ts';
import { decodeAgeRecipient, ed25519Sign } from '../identity/keys.ts';
import type { UnlockedIdentity } from '../identity/store.ts';
import {
  AGE_INTRO,
  buildHeader,
  CHUNK_SIZE,
  CIPHER_CHUNK_SIZE,
  MAC_LINE_LENGTH,
  newFileKey,
  PAYLOAD_NONCE_SIZE,
  payloadKey,
  type Stanza,
  stanzaText,
  TAG_SIZE,
  wrapX25519,
} from './age.ts';
import { CONTAINER_END, MAGIC, PART_END, partHeader, segmentHeader } from './container.ts';
import { BundleError, threadFailure } from './errors.ts';
import {
  type CryptoThreads,
  cryptoThreads,
  InputChangedError,
  sealFileRun,
} from './cryptoWorker.ts';
import {
  BackgroundFlush,
  BlockPool,
  InFlight,
  IO_BLOCK,
  MAX_IN_FLIGHT,
  readInto,
  SerialWriter,
  sharedBlock,
  writeFully,
} from './io.ts';

export type SealAttachment = { readonly name: string; readonly label?: string } & (
  | { readonly path: string }
  | {
      readonly stream: AsyncIterable<Uint8Array>;
      /**
       * Its length, when known in advance: the bundle can then be format 2 (its header's size is
       * known before the payload), and a stream of any other length fails the seal. Without it
       * the bundle is format 1.
       */
      readonly size?: number;
    }
  | { readonly bytes: Uint8Array }
);

export interface ChainPosition {
  /** 1 for the first bundle from this sender to this partner. */
  readonly sequence: number;
  /** Bundle digest of the previous bundle to this partner, null for the first. */
  readonly previousBundleDigest: string | null;
}

export interface ManifestFields {
  readonly caseId: string;
  readonly policyVersion: string;
  readonly hlcRange?: { readonly from: string; readonly to: string } | null;
  /** A ULID; a new one when absent. */
  readonly bundleId?: string;
  /** Per partner agency id; a partner without an entry gets { sequence: 1, previous: null }. */
  readonly chain?: Readonly<Record<string, ChainPosition>>;
}

export interface SealOptions {
  readonly identity: UnlockedIdentity;
  readonly recipients: readonly IdentityCard[];
  readonly manifestFields: ManifestFields;
  readonly operations: Uint8Array;
  readonly attachments?: readonly SealAttachment[];
  readonly out: string;
  readonly now?: () => Date;
}

export interface SealResult {
  readonly bundleId: string;
  /** The bundle format written: 2, or 1 for a part streamed without a known length. */
  readonly format: BundleFormat;
  /** Chains the next bundle to the same partner (its `previousBundleDigest`). */
  readonly bundleDigest: string;
  /**
   * What the outer signature covers of the payload: format 1, the SHA-256 of the payload; format
   * 2, the SHA-256 of the block list (the concatenated block hashes).
   */
  readonly payloadSha256: string;
  readonly size: number;
  readonly manifest: BundleManifest;
}

export type BundleFormat = 1 | 2;

export function signatureStanzaLine(
  keyId: string,
  bundleId: string,
  format: BundleFormat = 1,
): string {
  const version = format === 2 ? SIGNATURE_STANZA_VERSION_2 : SIGNATURE_STANZA_VERSION;
  return `-> ${SIGNATURE_STANZA_TYPE} ${version} ${keyId} ${bundleId}\n`;
}

/** Format 2's block-list stanza: the SHA-256 of each PAYLOAD_BLOCK_BYTES of ciphertext. */
export function blocksStanza(cipherLength: number, list: Buffer): Stanza {
  return {
    type: BLOCKS_STANZA_TYPE,
    args: [SIGNATURE_STANZA_VERSION_2, String(cipherLength)],
    body: list,
  };
}

/** Blocks of format 2's list for a payload of `cipherLength` bytes after its nonce. */
export function payloadBlocks(cipherLength: number): number {
  return Math.ceil(cipherLength / PAYLOAD_BLOCK_BYTES);
}

/**
 * The bytes format 2's outer signature covers: the header up to the signature stanza (recipient
 * stanzas and the block-list stanza, whose text holds the list and the ciphertext length), the
 * signature stanza's line, and the payload nonce (the one payload byte range outside the blocks).
 */
export function outerSignedMessage2(
  stanzasBefore: Buffer,
  signatureLine: string,
  nonce: Buffer,
): Buffer {
  return Buffer.concat([
    Buffer.from(OUTER_SIGNATURE_CONTEXT_2),
    stanzasBefore,
    Buffer.from(`${signatureLine}payload-nonce:${nonce.toString('hex')}\n`),
  ]);
}

/** Format 2's bundle digest: the header holds the signed list, the nonce is the rest. */
export function bundleDigestOf2(header: Buffer, nonce: Buffer): string {
  return crypto
    .createHash('sha256')
    .update(BUNDLE_DIGEST_CONTEXT_2)
    .update(header)
    .update(nonce)
    .digest('hex');
}

/** Bytes of a part in the container with `size` bytes of data (see container.ts). */
function partBytes(name: string, size: number): number {
  const segments = Math.ceil(size / BUNDLE_LIMITS.maxSegmentBytes);
  return partHeader(name).length + 4 * segments + size + PART_END.length;
}

/** Ciphertext bytes after the nonce of a container of `plain` bytes (age STREAM). */
function cipherBytesOf(plain: number): number {
  return plain + Math.max(1, Math.ceil(plain / CHUNK_SIZE)) * TAG_SIZE;
}

/** The bytes the outer signature covers (format 1). */
export function outerSignedMessage(
  stanzasBefore: Buffer,
  signatureLine: string,
  payloadSha256: Buffer,
): Buffer {
  return Buffer.concat([
    Buffer.from(OUTER_SIGNATURE_CONTEXT),
    stanzasBefore,
    Buffer.from(`${signatureLine}payload-sha256:${payloadSha256.toString('hex')}\n`),
  ]);
}

export function bundleDigestOf(header: Buffer, payloadSha256: Buffer): string {
  return crypto
    .createHash('sha256')
    .update(BUNDLE_DIGEST_CONTEXT)
    .update(header)
    .update(payloadSha256)
    .digest('hex');
}

/** The container is encrypted in blocks of whole STREAM chunks. */
const PLAIN_BLOCK = IO_BLOCK;
const SEALED_BLOCK = (PLAIN_BLOCK / CHUNK_SIZE) * CIPHER_CHUNK_SIZE;

function noop(): void {}

/**
 * Builds the container plaintext in shared blocks; the crypto threads hash each part's data and
 * encrypt every full block, and the ciphertext goes to the file (and its hash) from there. A full
 * block is encrypted only when more data follows it, so the last STREAM chunk is always known.
 */
class PayloadWriter {
  private readonly plainPool = new BlockPool(PLAIN_BLOCK);
  private readonly sealedPool = new BlockPool(SEALED_BLOCK);
  private readonly inFlight = new InFlight();
  private block: Buffer;
  private filled = 0;
  /** Part-data ranges of the current block not yet handed to the hash thread. */
  private ranges: { id: number; start: number; end: number }[] = [];
  private hashing: Promise<void>[] = [];
  private readonly ids = new Set<number>();
  private counter = 0;
  private readonly writer: SerialWriter;

  constructor(
    private readonly key: Buffer,
    private readonly fh: FileHandle,
    /** File position of the first ciphertext chunk. */
    private position: number,
    private readonly threads: CryptoThreads,
    private readonly payloadHashId: number,
  ) {
    this.block = this.plainPool.take();
    this.writer = new SerialWriter(fh);
  }

  newHash(): number {
    const id = this.threads.plainHash.newHash();
    this.ids.add(id);
    return id;
  }

  private addRange(hashId: number | undefined, start: number, length: number): void {
    if (hashId === undefined) return;
    const last = this.ranges.at(-1);
    if (last?.id === hashId && last.end === start) last.end += length;
    else this.ranges.push({ id: hashId, start, end: start + length });
  }

  /** Appends container bytes; those with a `hashId` count towards that part's hash. */
  write(data: Uint8Array, hashId?: number): void {
    let offset = 0;
    while (offset < data.length) {
      if (this.filled === PLAIN_BLOCK) this.seal(false);
      const n = Math.min(PLAIN_BLOCK - this.filled, data.length - offset);
      this.block.set(data.subarray(offset, offset + n), this.filled);
      this.addRange(hashId, this.filled, n);
      this.filled += n;
      offset += n;
    }
  }

  /** Appends `length` bytes of a file, read straight into the blocks. */
  async writeFrom(fh: FileHandle, position: number, length: number, hashId: number): Promise<void> {
    while (length > 0) {
      if (this.filled === PLAIN_BLOCK) this.seal(false);
      const n = Math.min(PLAIN_BLOCK - this.filled, length);
      const read = await readInto(fh, this.block.subarray(this.filled, this.filled + n), position);
      if (read.length !== n) {
        throw new BundleError('invalid-input', 'an attachment changed while it was being sealed');
      }
      this.addRange(hashId, this.filled, n);
      this.filled += n;
      position += n;
      length -= n;
    }
  }

  private postRanges(): void {
    for (const { id, start, end } of this.ranges) {
      this.hashing.push(this.threads.plainHash.update(id, this.block.subarray(start, end)));
    }
    this.ranges = [];
  }

  private seal(final: boolean): void {
    this.postRanges();
    const block = this.block;
    const sealedBlock = this.sealedPool.take();
    const chunks = Math.max(1, Math.ceil(this.filled / CHUNK_SIZE));
    const position = this.position;
    this.position += this.filled + chunks * TAG_SIZE;
    const sealed = this.threads.cipher.seal(
      this.key,
      this.counter,
      block.subarray(0, this.filled),
      final,
      sealedBlock,
    );
    this.counter += chunks;
    // The payload hash lives on the cipher-hash thread, which also hashes the file runs' blocks
    // (see writeFileRun). The cipher thread settles blocks in order, so the updates go in order.
    const stored = sealed.then((length) => {
      const data = sealedBlock.subarray(0, length);
      return Promise.all([
        this.threads.cipherHash.update(this.payloadHashId, data),
        this.writer.write(data, position),
      ]);
    });
    const plainDone = Promise.all([sealed, ...this.hashing]).then(() => this.plainPool.give(block));
    const sealedDone = stored.then(() => this.sealedPool.give(sealedBlock));
    this.inFlight.add(Promise.all([plainDone, sealedDone]).then(noop));
    this.hashing = [];
    this.block = final ? Buffer.alloc(0) : this.plainPool.take();
    this.filled = 0;
  }

  /**
   * Appends `length` bytes of an open file in segments of `segmentBytes`, read, hashed, encrypted
   * and written by the crypto threads themselves (cryptoWorker.ts `sealFileRun`): this thread
   * moves none of those bytes. Resolves to their SHA-256, or to null when the crypto threads run
   * on this thread (nothing was appended: use `writeFrom`).
   */
  async writeFileRun(
    input: FileHandle,
    length: number,
    segmentBytes: number,
  ): Promise<Buffer | null> {
    if (length === 0) return null;
    this.postRanges();
    // The run overwrites the block once it is sealed: the hashes of earlier parts' bytes in it
    // must be taken first. Every earlier block must be in the payload hash before the run's.
    await Promise.all(this.hashing);
    await this.inFlight.drain(0);
    let result: Awaited<ReturnType<typeof sealFileRun>>;
    try {
      result = await sealFileRun(this.threads, {
        key: this.key,
        counter: this.counter,
        block: this.block,
        filled: this.filled,
        input: input.fd,
        inputPosition: 0,
        length,
        segmentBytes,
        output: this.fh.fd,
        outputPosition: this.position,
        payloadHashId: this.payloadHashId,
      });
    } catch (error) {
      if (error instanceof InputChangedError) {
        throw new BundleError('invalid-input', 'an attachment changed while it was being sealed');
      }
      throw error;
    }
    if (!result) return null;
    this.counter += result.blocks * (PLAIN_BLOCK / CHUNK_SIZE);
    this.position += result.blocks * SEALED_BLOCK;
    this.filled = result.filled;
    return result.sha256;
  }

  /** Drops a part hash that is not needed (its part's bytes were hashed elsewhere). */
  discard(id: number): void {
    this.ids.delete(id);
    this.threads.plainHash.discard(id);
  }

  async digest(id: number): Promise<string> {
    this.postRanges();
    this.ids.delete(id);
    return (await this.threads.plainHash.digest(id)).toString('hex');
  }

  /** File position after the ciphertext written so far. */
  get end(): number {
    return this.position;
  }

  drain(): Promise<void> {
    return this.inFlight.drain(MAX_IN_FLIGHT);
  }

  /** Encrypts the rest (the last chunk) and waits until everything is written. */
  async finish(): Promise<void> {
    this.seal(true);
    await this.inFlight.drain(0);
  }

  async abort(): Promise<void> {
    await this.inFlight.settle();
    for (const id of this.ids) this.threads.plainHash.discard(id);
  }
}

function checkInputs(options: SealOptions): IdentityCard[] {
  const sender = options.identity.card;
  assertUsable(sender);
  const partners: IdentityCard[] = [];
  const seen = new Set<string>([sender.keyId]);
  for (const raw of options.recipients) {
    const card = parseIdentityCard(raw);
    verifyCard(card);
    assertUsable(card);
    if (seen.has(card.keyId)) continue;
    seen.add(card.keyId);
    partners.push(card);
  }
  if (partners.length > BUNDLE_LIMITS.maxRecipients) {
    throw new BundleError(
      'invalid-input',
      `at most ${BUNDLE_LIMITS.maxRecipients} partners per bundle`,
    );
  }
  if (options.operations.length > BUNDLE_LIMITS.maxOperationsBytes) {
    throw new BundleError('invalid-input', 'the operations part is larger than the limit');
  }
  const names = new Set<string>([PART_OPERATIONS, PART_MANIFEST, PART_MANIFEST_SIG]);
  for (const attachment of options.attachments ?? []) {
    if (!PART_NAME_PATTERN.test(attachment.name) || names.has(attachment.name)) {
      throw new BundleError(
        'invalid-input',
        `invalid or duplicate attachment part name: ${attachment.name}`,
      );
    }
    names.add(attachment.name);
  }
  if ((options.attachments?.length ?? 0) + 3 > BUNDLE_LIMITS.maxParts) {
    throw new BundleError('invalid-input', 'too many attachments for one bundle');
  }
  return partners;
}

/** How often the growing bundle file is flushed to disk while it is written (see BackgroundFlush). */
const FLUSH_EVERY_MS = 50;

type ManifestPartInput = Omit<ManifestPart, 'kind'>;

/** The manifest, checked; `invalid-input` when it breaks its schema or size limit. */
function buildManifest(
  options: SealOptions,
  partners: readonly IdentityCard[],
  bundleId: string,
  createdAt: string,
  written: readonly ManifestPartInput[],
): { manifest: BundleManifest; bytes: Buffer } {
  const sender = options.identity.card;
  const fields = options.manifestFields;
  const manifestCandidate: BundleManifest = {
    format: BUNDLE_MANIFEST_FORMAT,
    version: BUNDLE_FORMAT_VERSION,
    bundleId,
    createdAt,
    caseId: fields.caseId,
    sender: { agencyId: sender.agencyId, agencyName: sender.agencyName, keyId: sender.keyId },
    recipients: partners.map((card) => ({
      agencyId: card.agencyId,
      keyId: card.keyId,
      sequence: fields.chain?.[card.agencyId]?.sequence ?? 1,
      previousBundleDigest: fields.chain?.[card.agencyId]?.previousBundleDigest ?? null,
    })),
    hlcRange: fields.hlcRange ?? null,
    policyVersion: fields.policyVersion,
    compression: 'none',
    parts: written.map((part, i) => ({ ...part, kind: i === 0 ? 'operations' : 'attachment' })),
  };
  const checked = bundleManifestSchema.safeParse(manifestCandidate);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new BundleError('invalid-input', `manifest: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const manifest = checked.data;
  const bytes = Buffer.from(serializeBundleManifest(manifest));
  if (bytes.length > BUNDLE_LIMITS.maxManifestBytes) {
    throw new BundleError('invalid-input', 'manifest too large');
  }
  return { manifest, bytes };
}

function labelOf(attachment: SealAttachment): { label?: string } {
  return attachment.label === undefined ? {} : { label: attachment.label.slice(0, 255) };
}

/**
 * The exact ciphertext length (after the nonce) of the payload, worked out before it is written,
 * or null when a part has no length in advance (a stream) or the block list would be over its
 * limit: that bundle is sealed as format 1. `sizes` holds each attachment's size (null: a stream).
 */
function plannedCipherLength(
  options: SealOptions,
  partners: readonly IdentityCard[],
  bundleId: string,
  createdAt: string,
  sizes: readonly (number | null)[],
): number | null {
  const attachments = options.attachments ?? [];
  if (sizes.some((size) => size === null)) return null;
  const placeholder = '0'.repeat(64);
  const parts: ManifestPartInput[] = [
    { name: PART_OPERATIONS, size: options.operations.length, sha256: placeholder },
    ...attachments.map((attachment, i) => ({
      name: attachment.name,
      size: sizes[i]!,
      sha256: placeholder,
      ...labelOf(attachment),
    })),
  ];
  // Every field of the manifest but the parts' hashes is known now, and a hash is always 64
  // hex digits: the real manifest has this one's length (checked after sealing).
  const manifestBytes = buildManifest(options, partners, bundleId, createdAt, parts).bytes.length;
  let plain = MAGIC.length + CONTAINER_END.length;
  for (const part of parts) plain += partBytes(part.name, part.size);
  plain += partBytes(PART_MANIFEST, manifestBytes) + partBytes(PART_MANIFEST_SIG, 64);
  const cipher = cipherBytesOf(plain);
  return payloadBlocks(cipher) > BUNDLE_LIMITS.maxPayloadBlocks ? null : cipher;
}

/** Seals a bundle to `out` (atomically: a temporary file renamed at the end, flushed first). */
export async function sealBundle(options: SealOptions): Promise<SealResult> {
  let partners: IdentityCard[];
  try {
    partners = checkInputs(options);
  } catch (error) {
    if (error instanceof IdentityError) throw new BundleError('invalid-input', error.message);
    throw error;
  }
  const sender = options.identity.card;
  const fields = options.manifestFields;
  const bundleId = fields.bundleId ?? newId();
  const createdAt = (options.now?.() ?? new Date()).toISOString();
  const sizes = await Promise.all(
    (options.attachments ?? []).map(async (attachment) => {
      if ('bytes' in attachment) return attachment.bytes.length;
      if ('path' in attachment) return (await fs.stat(attachment.path)).size;
      return attachment.size ?? null;
    }),
  );
  const plannedLength = plannedCipherLength(options, partners, bundleId, createdAt, sizes);
  const format: BundleFormat = plannedLength === null ? 1 : 2;
  const fileKey = newFileKey();
  const recipientStanzas: Stanza[] = [...partners, sender].map((card) =>
    wrapX25519(fileKey, decodeAgeRecipient(card.ageRecipient)),
  );
  const sigLine = signatureStanzaLine(sender.keyId, bundleId, format);
  // Format 2: the block list's stanza, its body's length known from the planned length.
  const listStanzaText =
    plannedLength === null
      ? ''
      : stanzaText(blocksStanza(plannedLength, Buffer.alloc(payloadBlocks(plannedLength) * 32)));
  const recipientsText = `${AGE_INTRO}${recipientStanzas.map(stanzaText).join('')}`;
  const dummySignature: Stanza = { type: 'x', args: [], body: Buffer.alloc(64) };
  const sigBodyLength = Buffer.byteLength(stanzaText(dummySignature)) - '-> x\n'.length;
  const headerLength =
    Buffer.byteLength(recipientsText) +
    Buffer.byteLength(listStanzaText) +
    sigLine.length +
    sigBodyLength +
    MAC_LINE_LENGTH;

  const temp = `${options.out}.tmp-${crypto.randomBytes(6).toString('hex')}`;
  // 0600: a bundle is ciphertext, but it is still the agency's, and it is born private.
  const fh = await fs.open(temp, 'wx', 0o600);
  let closed = false;
  let writer: PayloadWriter | null = null;
  const threads = cryptoThreads();
  // Format 2: the hash of each ciphertext block (the list); format 1: one hash of the payload.
  const payloadHashId =
    format === 2
      ? threads.cipherHash.newBlockList(PAYLOAD_BLOCK_BYTES)
      : threads.cipherHash.newHash();
  const flush = new BackgroundFlush(fh, FLUSH_EVERY_MS);
  let flushing = true;
  try {
    const nonce = crypto.randomBytes(PAYLOAD_NONCE_SIZE);
    const sharedNonce = sharedBlock(PAYLOAD_NONCE_SIZE);
    sharedNonce.set(nonce);
    await Promise.all([
      writeFully(fh, sharedNonce, headerLength),
      // Format 2 signs the nonce itself; its blocks start after it.
      format === 1 ? threads.cipherHash.update(payloadHashId, sharedNonce) : undefined,
    ]);
    const payloadStart = headerLength + PAYLOAD_NONCE_SIZE;
    writer = new PayloadWriter(
      payloadKey(fileKey, nonce),
      fh,
      payloadStart,
      threads,
      payloadHashId,
    );
    const payload = writer;
    const segments = async (
      length: number,
      write: (at: number, n: number) => void | Promise<void>,
    ) => {
      for (let at = 0; at < length; at += BUNDLE_LIMITS.maxSegmentBytes) {
        const n = Math.min(BUNDLE_LIMITS.maxSegmentBytes, length - at);
        payload.write(segmentHeader(n));
        await write(at, n);
        await payload.drain();
      }
    };
    const writePart = async (
      name: string,
      source: SealAttachment | { readonly bytes: Uint8Array },
      plannedSize: number | null,
    ): Promise<{ size: number; sha256: Promise<string> }> => {
      const id = payload.newHash();
      let size = 0;
      payload.write(partHeader(name));
      if ('bytes' in source) {
        const bytes = source.bytes;
        size = bytes.length;
        await segments(size, (at, n) => payload.write(bytes.subarray(at, at + n), id));
      } else if ('path' in source) {
        const input = await fs.open(source.path, 'r');
        try {
          size = (await input.stat()).size;
          if (plannedSize !== null && size !== plannedSize) {
            throw new BundleError(
              'invalid-input',
              'an attachment changed while it was being sealed',
            );
          }
          const run = await payload.writeFileRun(input, size, BUNDLE_LIMITS.maxSegmentBytes);
          if (run) {
            payload.discard(id);
            payload.write(PART_END);
            return { size, sha256: Promise.resolve(run.toString('hex')) };
          }
          await segments(size, (at, n) => payload.writeFrom(input, at, n, id));
        } finally {
          await input.close();
        }
      } else {
        for await (const chunk of source.stream) {
          size += chunk.length;
          // Checked as it grows: the payload may not outgrow the header's planned block list.
          if (plannedSize !== null && size > plannedSize) break;
          await segments(chunk.length, (at, n) => payload.write(chunk.subarray(at, at + n), id));
        }
        if (plannedSize !== null && size !== plannedSize) {
          throw new BundleError(
            'invalid-input',
            `an attachment stream is ${size > plannedSize ? 'longer' : 'shorter'} than its stated size`,
          );
        }
      }
      payload.write(PART_END);
      const sha256 = payload.digest(id);
      sha256.catch(noop);
      return { size, sha256 };
    };

    payload.write(MAGIC);
    const written: { name: string; size: number; sha256: Promise<string>; label?: string }[] = [];
    written.push({
      name: PART_OPERATIONS,
      ...(await writePart(PART_OPERATIONS, { bytes: options.operations }, null)),
    });
    for (const [i, attachment] of (options.attachments ?? []).entries()) {
      written.push({
        name: attachment.name,
        ...(await writePart(attachment.name, attachment, sizes[i] ?? null)),
        ...labelOf(attachment),
      });
    }
    const parts: ManifestPartInput[] = [];
    for (const part of written) {
      parts.push({
        name: part.name,
        size: part.size,
        sha256: await part.sha256,
        ...(part.label === undefined ? {} : { label: part.label }),
      });
    }
    const { manifest, bytes: manifestBytes } = buildManifest(
      options,
      partners,
      bundleId,
      createdAt,
      parts,
    );
    await writePart(PART_MANIFEST, { bytes: manifestBytes }, null);
    const manifestSignature = ed25519Sign(
      options.identity.secrets.signingSeed,
      Buffer.concat([Buffer.from(MANIFEST_SIGNATURE_CONTEXT), manifestBytes]),
    );
    await writePart(PART_MANIFEST_SIG, { bytes: manifestSignature }, null);
    payload.write(CONTAINER_END);
    await payload.finish();
    const size = payload.end;
    writer = null;
    const payloadDigest = await threads.cipherHash.digest(payloadHashId);

    let stanzas: Stanza[];
    let signed: Buffer;
    let payloadSha256: Buffer;
    if (plannedLength === null) {
      stanzas = recipientStanzas;
      signed = outerSignedMessage(Buffer.from(recipientsText), sigLine, payloadDigest);
      payloadSha256 = payloadDigest;
    } else {
      if (
        size !== payloadStart + plannedLength ||
        payloadDigest.length !== payloadBlocks(plannedLength) * 32
      ) {
        throw new Error('internal: the payload differs from its planned length');
      }
      const list = blocksStanza(plannedLength, payloadDigest);
      stanzas = [...recipientStanzas, list];
      signed = outerSignedMessage2(
        Buffer.from(`${recipientsText}${stanzaText(list)}`),
        sigLine,
        nonce,
      );
      payloadSha256 = crypto.createHash('sha256').update(payloadDigest).digest();
    }
    const signature = ed25519Sign(options.identity.secrets.signingSeed, signed);
    const sigStanza: Stanza = {
      type: SIGNATURE_STANZA_TYPE,
      args: [
        format === 2 ? SIGNATURE_STANZA_VERSION_2 : SIGNATURE_STANZA_VERSION,
        sender.keyId,
        bundleId,
      ],
      body: signature,
    };
    const { header } = buildHeader([...stanzas, sigStanza], fileKey);
    if (header.length !== headerLength) throw new Error('internal: header length mismatch');
    await fh.write(header, 0, header.length, 0);
    flushing = false;
    await flush.stop();
    // Durable before it has its name: a power cut leaves the bundle whole or absent.
    await fh.sync();
    await fh.close();
    closed = true;
    await fs.rename(temp, options.out);
    return {
      bundleId,
      format,
      bundleDigest:
        format === 2 ? bundleDigestOf2(header, nonce) : bundleDigestOf(header, payloadSha256),
      payloadSha256: payloadSha256.toString('hex'),
      size,
      manifest,
    };
  } catch (error) {
    if (flushing) await flush.stop().catch(noop);
    await writer?.abort();
    threads.cipherHash.discard(payloadHashId);
    if (!closed) await fh.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw threadFailure(error);
  }
}
