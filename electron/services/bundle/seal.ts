/**
 * Sealing a bundle in one streaming pass (see docs/bundle-format.md):
 *   1. draw the file key and wrap it for every partner and for our own archive recipient; the
 *      header's length is now known (the signature stanza and the MAC have fixed sizes);
 *   2. stream the container (operations, attachments, manifest, manifest signature) through the
 *      STREAM encryptor into a temporary file, starting right after the space kept for the header,
 *      hashing the ciphertext on the way;
 *   3. sign the recipient stanzas plus the payload hash (the `tessera-sig` stanza), compute the
 *      header MAC over all stanzas, write the header into the kept space, rename into place.
 */
import crypto from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import {
  BUNDLE_DIGEST_CONTEXT,
  BUNDLE_FORMAT_VERSION,
  BUNDLE_LIMITS,
  BUNDLE_MANIFEST_FORMAT,
  type BundleManifest,
  bundleManifestSchema,
  type IdentityCard,
  MANIFEST_SIGNATURE_CONTEXT,
  type ManifestPart,
  OUTER_SIGNATURE_CONTEXT,
  PART_MANIFEST,
  PART_MANIFEST_SIG,
  PART_NAME_PATTERN,
  PART_OPERATIONS,
  parseIdentityCard,
  serializeBundleManifest,
  SIGNATURE_STANZA_TYPE,
  SIGNATURE_STANZA_VERSION,
} from '../../../shared/exchange/bundleFormat.ts';
import { newId } from '../../../shared/model/ids.ts';
import { assertUsable, IdentityError, verifyCard } from '../identity/cards.ts';
import { decodeAgeRecipient, ed25519Sign } from '../identity/keys.ts';
import type { UnlockedIdentity } from '../identity/store.ts';
import {
  AGE_INTRO,
  buildHeader,
  MAC_LINE_LENGTH,
  newFileKey,
  PAYLOAD_NONCE_SIZE,
  payloadKey,
  type Stanza,
  stanzaText,
  StreamEncryptor,
  wrapX25519,
} from './age.ts';
import { CONTAINER_END, MAGIC, PART_END, partHeader, segmentHeader } from './container.ts';
import { BundleError } from './errors.ts';
import { PositionedSink } from './io.ts';

export type SealAttachment = { readonly name: string; readonly label?: string } & (
  | { readonly path: string }
  | { readonly stream: AsyncIterable<Uint8Array> }
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
  /** Chains the next bundle to the same partner (its `previousBundleDigest`). */
  readonly bundleDigest: string;
  readonly payloadSha256: string;
  readonly size: number;
  readonly manifest: BundleManifest;
}

export function signatureStanzaLine(keyId: string, bundleId: string): string {
  return `-> ${SIGNATURE_STANZA_TYPE} ${SIGNATURE_STANZA_VERSION} ${keyId} ${bundleId}\n`;
}

/** The bytes the outer signature covers. */
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

async function* chunksOf(attachment: SealAttachment): AsyncIterable<Uint8Array> {
  if ('bytes' in attachment) {
    yield attachment.bytes;
  } else if ('path' in attachment) {
    yield* createReadStream(attachment.path, {
      highWaterMark: BUNDLE_LIMITS.maxSegmentBytes,
    }) as AsyncIterable<Buffer>;
  } else {
    yield* attachment.stream;
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

/** Seals a bundle to `out` (atomically: a temporary file renamed at the end). */
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
  const fileKey = newFileKey();
  const recipientStanzas: Stanza[] = [...partners, sender].map((card) =>
    wrapX25519(fileKey, decodeAgeRecipient(card.ageRecipient)),
  );
  const sigLine = signatureStanzaLine(sender.keyId, bundleId);
  const stanzasText = Buffer.from(`${AGE_INTRO}${recipientStanzas.map(stanzaText).join('')}`);
  const dummySignature: Stanza = { type: 'x', args: [], body: Buffer.alloc(64) };
  const sigBodyLength = Buffer.byteLength(stanzaText(dummySignature)) - '-> x\n'.length;
  const headerLength = stanzasText.length + sigLine.length + sigBodyLength + MAC_LINE_LENGTH;

  const temp = `${options.out}.tmp-${crypto.randomBytes(6).toString('hex')}`;
  const fh = await fs.open(temp, 'wx');
  let closed = false;
  try {
    const payloadHash = crypto.createHash('sha256');
    const sink = new PositionedSink(fh, headerLength, payloadHash);
    const nonce = crypto.randomBytes(PAYLOAD_NONCE_SIZE);
    sink.push([nonce]);
    const encryptor = new StreamEncryptor(payloadKey(fileKey, nonce));
    const out: Buffer[] = [];
    const emit = (data: Uint8Array): void => {
      encryptor.update(data, out);
      if (out.length > 0) {
        sink.push(out);
        out.length = 0;
      }
    };
    const writePart = async (
      name: string,
      chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    ) => {
      const hash = crypto.createHash('sha256');
      let size = 0;
      emit(partHeader(name));
      for await (const chunk of chunks) {
        for (let i = 0; i < chunk.length; i += BUNDLE_LIMITS.maxSegmentBytes) {
          const segment = chunk.subarray(i, i + BUNDLE_LIMITS.maxSegmentBytes);
          hash.update(segment);
          size += segment.length;
          emit(segmentHeader(segment.length));
          emit(segment);
          await sink.maybeFlush();
        }
      }
      emit(PART_END);
      return { size, sha256: hash.digest('hex') };
    };

    emit(MAGIC);
    const parts: ManifestPart[] = [];
    const ops = await writePart(PART_OPERATIONS, [options.operations]);
    parts.push({ name: PART_OPERATIONS, kind: 'operations', ...ops });
    for (const attachment of options.attachments ?? []) {
      const written = await writePart(attachment.name, chunksOf(attachment));
      parts.push({
        name: attachment.name,
        kind: 'attachment',
        ...written,
        ...(attachment.label === undefined ? {} : { label: attachment.label.slice(0, 255) }),
      });
    }
    const manifestCandidate: BundleManifest = {
      format: BUNDLE_MANIFEST_FORMAT,
      version: BUNDLE_FORMAT_VERSION,
      bundleId,
      createdAt: (options.now?.() ?? new Date()).toISOString(),
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
      parts,
    };
    const checked = bundleManifestSchema.safeParse(manifestCandidate);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new BundleError(
        'invalid-input',
        `manifest: ${issue?.path.join('.')}: ${issue?.message}`,
      );
    }
    const manifest = checked.data;
    const manifestBytes = Buffer.from(serializeBundleManifest(manifest));
    if (manifestBytes.length > BUNDLE_LIMITS.maxManifestBytes) {
      throw new BundleError('invalid-input', 'manifest too large');
    }
    await writePart(PART_MANIFEST, [manifestBytes]);
    const manifestSignature = ed25519Sign(
      options.identity.secrets.signingSeed,
      Buffer.concat([Buffer.from(MANIFEST_SIGNATURE_CONTEXT), manifestBytes]),
    );
    await writePart(PART_MANIFEST_SIG, [manifestSignature]);
    emit(CONTAINER_END);
    encryptor.final(out);
    sink.push(out);
    await sink.close();
    const payloadSha256 = payloadHash.digest();

    const signature = ed25519Sign(
      options.identity.secrets.signingSeed,
      outerSignedMessage(stanzasText, sigLine, payloadSha256),
    );
    const sigStanza: Stanza = {
      type: SIGNATURE_STANZA_TYPE,
      args: [SIGNATURE_STANZA_VERSION, sender.keyId, bundleId],
      body: signature,
    };
    const { header } = buildHeader([...recipientStanzas, sigStanza], fileKey);
    if (header.length !== headerLength) throw new Error('internal: header length mismatch');
    await fh.write(header, 0, header.length, 0);
    await fh.close();
    closed = true;
    await fs.rename(temp, options.out);
    return {
      bundleId,
      bundleDigest: bundleDigestOf(header, payloadSha256),
      payloadSha256: payloadSha256.toString('hex'),
      size: headerLength + sink.written,
      manifest,
    };
  } catch (error) {
    if (!closed) await fh.close().catch(() => undefined);
    await fs.rm(temp, { force: true });
    throw error;
  }
}
