/**
 * Verifying and opening bundles.
 *
 * verifyBundle needs no secret: it parses the age header, checks that the `tessera-sig` stanza names
 * the pinned sender's current key, hashes the payload as it is in the file and verifies the
 * Ed25519 signature over the recipient stanzas and that hash.
 *
 * openBundle does the same checks in the same single pass as the decryption: it unwraps the file
 * key, checks the header MAC, decrypts the STREAM chunks, parses the container and writes every
 * part into a fresh temporary directory while hashing. Only when the outer signature, the manifest
 * signature and every part's size and hash agree are the attachments moved to their destination;
 * on any failure the temporary directory is removed, so nothing is left behind.
 */
import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
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
  SIGNATURE_STANZA_TYPE,
  SIGNATURE_STANZA_VERSION,
} from '../../../shared/exchange/bundleFormat.ts';
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
import { BundleError } from './errors.ts';
import { type CryptoThread, cryptoThreads } from './cryptoWorker.ts';
import {
  BlockPool,
  IO_BLOCK,
  InFlight,
  MAX_IN_FLIGHT,
  readBlocks,
  readFully,
  readInto,
  SharedFileSink,
  sharedBlock,
} from './io.ts';
import { bundleDigestOf, outerSignedMessage } from './seal.ts';

export interface VerifyOptions {
  /** Revocations learnt elsewhere (the pinned card's own revocation is always honoured). */
  readonly revocations?: readonly Revocation[];
}

export interface OpenOptions extends VerifyOptions {
  /** Replay hook: true when this bundle id was already imported. */
  readonly seenBundleIds?: (bundleId: string) => boolean | Promise<boolean>;
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
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface OpenedBundle extends VerifiedBundle {
  readonly manifest: BundleManifest;
  readonly operations: Buffer;
  readonly attachments: readonly OpenedAttachment[];
  /** Where the attachments are: `outDir`, or a new temporary directory the caller owns. */
  readonly dir: string;
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

function parseHeaderChecked(start: Buffer): ParsedHeader {
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
  /** Header bytes before the signature stanza (intro + recipient stanzas). */
  readonly signedStanzas: Buffer;
  readonly signatureLine: string;
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
    const start = await readFully(fh, 0, Math.min(size, BUNDLE_LIMITS.maxHeaderBytes));
    const header = parseHeaderChecked(start);
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
      version !== SIGNATURE_STANZA_VERSION ||
      !/^[0-9a-f]{16}$/.test(keyId ?? '') ||
      !/^[0-9A-HJKMNP-TV-Z]{26}$/.test(bundleId ?? '') ||
      sig.body.length !== 64
    ) {
      throw new BundleError('malformed', 'malformed Tessera signature stanza');
    }
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

function checkOuterSignature(head: Head, sender: IdentityCard, payloadSha256: Buffer): void {
  const message = outerSignedMessage(head.signedStanzas, head.signatureLine, payloadSha256);
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

const VERIFY_BLOCK = 4 * 1024 * 1024;
/** Ciphertext read blocks hold whole STREAM chunks, so no chunk straddles two blocks. */
const CIPHER_BLOCK = (IO_BLOCK / CHUNK_SIZE) * CIPHER_CHUNK_SIZE;
const PLAIN_BLOCK = IO_BLOCK;

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
    const payloadSha256 = await hashPayload(head);
    checkOuterSignature(head, senderCard, payloadSha256);
    return {
      bundleId: head.bundleId,
      signerKeyId: head.signerKeyId,
      bundleDigest: bundleDigestOf(head.headerBytes, payloadSha256),
      payloadSha256: payloadSha256.toString('hex'),
      recipientStanzas: head.header.stanzas.filter((s) => s.type === 'X25519').length,
    };
  } finally {
    await head.fh.close();
  }
}

interface SeenPart {
  readonly name: string;
  size: number;
  sha256?: string;
  /** In-memory parts (manifest, its signature). */
  readonly hash?: crypto.Hash;
  readonly memory?: Buffer[];
  /** Parts written to files, hashed on a hash thread. */
  readonly file?: string;
  readonly fh?: Promise<FileHandle>;
  readonly sink?: SharedFileSink;
  readonly hashId?: number;
  closed?: boolean;
}

/** Writes parts into `workDir` as they stream by; enforces order, names and sizes. */
class PartCollector implements ContainerHandler {
  readonly parts: SeenPart[] = [];
  private current: SeenPart | null = null;
  private readonly toClose: SeenPart[] = [];
  /** Writes of the current block's data, and of everything not yet settled. */
  private writes: Promise<void>[] = [];
  private readonly allWrites = new InFlight();

  constructor(
    private readonly workDir: string,
    private readonly hasher: CryptoThread,
  ) {}

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
      part = { name, size: 0, hash: crypto.createHash('sha256'), memory: [] };
    } else {
      const file = path.join(this.workDir, name);
      // Written to as soon as data arrives: the sink waits for the open on its first write.
      const fh = fs.open(file, 'wx');
      fh.catch(() => undefined);
      const hashId = this.hasher.newHash();
      const sink = new SharedFileSink(fh, this.hasher, hashId);
      part = { name, size: 0, file, fh, hashId, sink };
    }
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
    if (part.sink) {
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

  /** Called between blocks: closes finished parts once their writes are done. */
  async flush(): Promise<void> {
    if (this.toClose.length === 0) return;
    await this.allWrites.drain(0);
    for (const part of this.toClose.splice(0)) {
      if (part.sink) {
        part.closed = true;
        await (await part.fh!).close();
        part.sha256 = (await this.hasher.digest(part.hashId!)).toString('hex');
      } else {
        part.sha256 = part.hash!.digest('hex');
      }
    }
  }

  async abort(): Promise<void> {
    await this.allWrites.settle();
    for (const part of this.parts) {
      if (!part.sink || part.closed) continue;
      part.closed = true;
      const fh = await part.fh!.catch(() => null);
      await fh?.close().catch(() => undefined);
      if (part.sha256 === undefined) this.hasher.discard(part.hashId!);
    }
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

/**
 * Verifies, decrypts and unpacks a bundle. Attachments land in `outDir` (created; existing files
 * are never overwritten) or, without it, in a new temporary directory returned as `dir`.
 */
export async function openBundle(
  file: string,
  identity: UnlockedIdentity,
  senderCard: IdentityCard,
  outDir?: string,
  options: OpenOptions = {},
): Promise<OpenedBundle> {
  const head = await readHead(file, senderCard, options);
  let workDir: string | null = null;
  let collector: PartCollector | null = null;
  let payloadHash: { readonly thread: CryptoThread; readonly id: number } | null = null;
  try {
    if (await options.seenBundleIds?.(head.bundleId)) {
      throw new BundleError('replay', `bundle ${head.bundleId} was already received (replayed)`);
    }
    const { start, cipherLength } = payloadBounds(head);
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
    if (!fileKey) {
      // A flipped byte in our stanza looks like "not for us": tell the two apart by the signature.
      checkOuterSignature(head, senderCard, await hashPayload(head));
      throw new BundleError(
        'not-addressed',
        `this bundle is not addressed to ${identity.card.agencyName} (${identity.card.agencyId})`,
      );
    }
    if (!crypto.timingSafeEqual(headerMac(fileKey, head.header.macInput), head.header.mac)) {
      throw new BundleError(
        'corrupted',
        'the bundle header MAC does not verify: the header was altered',
      );
    }

    workDir = await fs.mkdtemp(
      path.join(outDir ? path.dirname(path.resolve(outDir)) : os.tmpdir(), '.tessera-open-'),
    );
    const threads = cryptoThreads();
    const parts = new PartCollector(workDir, threads.plainHash);
    collector = parts;
    const parser = new ContainerParser(parts);
    const payloadId = threads.cipherHash.newHash();
    payloadHash = { thread: threads.cipherHash, id: payloadId };
    const nonce = await readInto(head.fh, sharedBlock(PAYLOAD_NONCE_SIZE), start);
    if (nonce.length !== PAYLOAD_NONCE_SIZE)
      throw new BundleError('truncated', 'the bundle file shrank while being read');
    await threads.cipherHash.update(payloadId, nonce);
    try {
      // Checks that the chunk layout of this length is possible.
      new StreamDecryptor(Buffer.alloc(32), cipherLength);
    } catch (error) {
      formatError(error);
    }
    const key = payloadKey(fileKey, Buffer.from(nonce));
    const plainPool = new BlockPool(PLAIN_BLOCK);
    const plainInFlight = new InFlight();
    let counter = 0;
    let consumed = 0;
    await readBlocks(
      head.fh,
      start + PAYLOAD_NONCE_SIZE,
      head.size,
      async (block) => {
        // The ciphertext is hashed on its thread while another one decrypts it.
        const release = threads.cipherHash.update(payloadId, block);
        release.catch(() => undefined);
        consumed += block.length;
        const plain = plainPool.take();
        const length = await threads.cipher.open(
          key,
          counter,
          block,
          consumed === cipherLength,
          plain,
        );
        counter += Math.ceil(block.length / CIPHER_CHUNK_SIZE);
        parser.update(plain.subarray(0, length));
        plainInFlight.add(Promise.all(parts.takeWrites()).then(() => plainPool.give(plain)));
        await parts.flush();
        await plainInFlight.drain(MAX_IN_FLIGHT);
        return { release };
      },
      () => new BundleError('truncated', 'the bundle file shrank while being read'),
      new BlockPool(CIPHER_BLOCK),
    ).catch(formatError);
    await plainInFlight.drain(0);
    parser.final();
    await parts.flush();
    const payloadSha256 = await threads.cipherHash.digest(payloadId);
    payloadHash = null;
    checkOuterSignature(head, senderCard, payloadSha256);

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
    checkManifest(manifest, head, senderCard, openedWith, parts.parts);

    const operations = await fs.readFile(path.join(workDir, PART_OPERATIONS));
    await fs.rm(path.join(workDir, PART_OPERATIONS));
    let dir = workDir;
    if (outDir) {
      dir = path.resolve(outDir);
      await fs.mkdir(dir, { recursive: true });
      for (const part of manifest.parts.slice(1)) {
        const exists = await fs.lstat(path.join(dir, part.name)).then(
          () => true,
          () => false,
        );
        if (exists)
          throw new BundleError('invalid-input', `${path.join(dir, part.name)} already exists`);
      }
      for (const part of manifest.parts.slice(1)) {
        await fs.rename(path.join(workDir, part.name), path.join(dir, part.name));
      }
      await fs.rm(workDir, { recursive: true, force: true });
    }
    workDir = null;
    return {
      bundleId: head.bundleId,
      signerKeyId: head.signerKeyId,
      bundleDigest: bundleDigestOf(head.headerBytes, payloadSha256),
      payloadSha256: payloadSha256.toString('hex'),
      recipientStanzas: head.header.stanzas.filter((s) => s.type === 'X25519').length,
      manifest,
      operations,
      attachments: manifest.parts.slice(1).map((part) => ({
        name: part.name,
        ...(part.label === undefined ? {} : { label: part.label }),
        path: path.join(dir, part.name),
        size: part.size,
        sha256: part.sha256,
      })),
      dir,
    };
  } finally {
    await collector?.abort();
    payloadHash?.thread.discard(payloadHash.id);
    if (workDir) await fs.rm(workDir, { recursive: true, force: true });
    await head.fh.close();
  }
}
