/**
 * The pure part of the exchange format (docs/bundle-format.md has the whole of it): identity cards,
 * the bundle manifest, the container framing constants and the limits a reader enforces. The Node
 * service (electron/services/bundle) does the cryptography and the I/O; the renderer may parse cards
 * and manifests with these schemas to show them.
 *
 * Everything that is signed is signed as a canonical text built here (fixed field order, no
 * whitespace freedom), never as "whatever JSON.stringify produced", so that two implementations
 * agree on the bytes.
 */
import { z } from 'zod';
import { isHlc } from '../model/hlc.ts';

// ---------------------------------------------------------------------------------------------
// Identity cards

export const IDENTITY_CARD_FORMAT = 'tessera.identity-card';
export const IDENTITY_CARD_VERSION = 1;

const agencyId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'invalid agency id');
const keyId = z.string().regex(/^[0-9a-f]{16}$/, 'invalid key id');
/** age X25519 recipient: Bech32, HRP "age", 32-byte key → 58 data characters + "age1". */
const ageRecipient = z.string().regex(/^age1[02-9ac-hj-np-z]{58}$/, 'invalid age X25519 recipient');
/** Standard base64 of 32 bytes (Ed25519 public key). */
const ed25519Key = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'invalid Ed25519 public key');
/** Standard base64 of 64 bytes (Ed25519 signature). */
const signature = z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'invalid Ed25519 signature');
const isoTime = z.string().min(10).max(40);

/** The previous key signs the move to the next one; a card carries its whole history, oldest first. */
export const rotationLinkSchema = z.object({
  fromKeyId: keyId,
  fromSigningKey: ed25519Key,
  fromAgeRecipient: ageRecipient,
  toKeyId: keyId,
  toSigningKey: ed25519Key,
  toAgeRecipient: ageRecipient,
  at: isoTime,
  /** By the `from` signing key over `rotationStatementText(agencyId, link)`. */
  signature,
});
export type RotationLink = z.infer<typeof rotationLinkSchema>;

/** Signed by the revoked key itself: whoever holds a key may declare it unusable. */
export const revocationSchema = z.object({
  keyId,
  signingKey: ed25519Key,
  reason: z.enum(['compromised', 'retired']),
  at: isoTime,
  signature,
});
export type Revocation = z.infer<typeof revocationSchema>;

export const identityCardSchema = z.object({
  format: z.literal(IDENTITY_CARD_FORMAT),
  version: z.literal(IDENTITY_CARD_VERSION),
  agencyId,
  agencyName: z.string().min(1).max(200),
  ageRecipient,
  signingKey: ed25519Key,
  keyId,
  created: isoTime,
  rotations: z.array(rotationLinkSchema).max(1000),
  /** By the card's own signing key over `cardBodyText(card)`: proves possession, binds the name. */
  selfSignature: signature,
  revocation: revocationSchema.optional(),
});
export type IdentityCard = z.infer<typeof identityCardSchema>;

/** Parses an identity card (text or JSON value); throws an Error naming what is wrong. */
export function parseIdentityCard(input: unknown): IdentityCard {
  let json: unknown = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch {
      throw new Error('not a Tessera identity card: invalid JSON');
    }
  }
  const result = identityCardSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(card)'}: ${issue.message}`);
    throw new Error(`not a valid Tessera identity card: ${issues.join('; ')}`);
  }
  return result.data;
}

function lines(tag: string, fields: readonly (readonly [string, string])[]): string {
  for (const [, value] of fields) {
    if (/[\n\r]/.test(value)) throw new Error(`signed field contains a line break: ${tag}`);
  }
  return `${tag}\n${fields.map(([name, value]) => `${name}:${value}\n`).join('')}`;
}

/** What a card's self-signature covers: everything but the signature and revocation. */
export function cardBodyText(card: Omit<IdentityCard, 'selfSignature' | 'revocation'>): string {
  return lines('tessera.identity-card/1', [
    ['agencyId', card.agencyId],
    ['agencyName', card.agencyName],
    ['ageRecipient', card.ageRecipient],
    ['signingKey', card.signingKey],
    ['keyId', card.keyId],
    ['created', card.created],
    ['rotations', card.rotations.map((link) => link.signature).join(',')],
  ]);
}

export function rotationStatementText(
  agency: string,
  link: Omit<RotationLink, 'signature'>,
): string {
  return lines('tessera.rotation/1', [
    ['agencyId', agency],
    ['fromKeyId', link.fromKeyId],
    ['fromSigningKey', link.fromSigningKey],
    ['fromAgeRecipient', link.fromAgeRecipient],
    ['toKeyId', link.toKeyId],
    ['toSigningKey', link.toSigningKey],
    ['toAgeRecipient', link.toAgeRecipient],
    ['at', link.at],
  ]);
}

export function revocationStatementText(
  agency: string,
  revocation: Omit<Revocation, 'signature'>,
): string {
  return lines('tessera.revocation/1', [
    ['agencyId', agency],
    ['keyId', revocation.keyId],
    ['signingKey', revocation.signingKey],
    ['reason', revocation.reason],
    ['at', revocation.at],
  ]);
}

// ---------------------------------------------------------------------------------------------
// Bundles

export const BUNDLE_MANIFEST_FORMAT = 'tessera.bundle-manifest';
export const BUNDLE_FORMAT_VERSION = 1;

/** Type of the signature stanza in the age header: `-> tessera-sig <format> <keyId> <bundleId>`. */
export const SIGNATURE_STANZA_TYPE = 'tessera-sig';
/** Format 1: the outer signature covers one SHA-256 of the whole payload (bundles before issue 13). */
export const SIGNATURE_STANZA_VERSION = '1';
/**
 * Format 2 (issue 13, what sealing writes): the outer signature covers the list of SHA-256 hashes
 * of the payload's fixed-size ciphertext blocks, carried in a `tessera-blocks` stanza, so that
 * opening checks each block as it reads it, in one pass (docs/bundle-format.md §2).
 */
export const SIGNATURE_STANZA_VERSION_2 = '2';
/** Every format version that verify and open accept. */
export const SIGNATURE_STANZA_VERSIONS = [SIGNATURE_STANZA_VERSION, SIGNATURE_STANZA_VERSION_2];
/** Domain separation of the outer (header) signature, format 1. */
export const OUTER_SIGNATURE_CONTEXT = 'tessera.bundle-outer-signature/1\n';
/** Format 2's: a format-1 signature never verifies as a format-2 one, nor the reverse. */
export const OUTER_SIGNATURE_CONTEXT_2 = 'tessera.bundle-outer-signature/2\n';
/** Type of format 2's block-list stanza: `-> tessera-blocks 2 <ciphertext length>`. */
export const BLOCKS_STANZA_TYPE = 'tessera-blocks';
/**
 * Bytes of one ciphertext block of format 2's list: 16 whole STREAM chunks (16 × (64 KiB + 16)),
 * i.e. 1 MiB of plaintext, the unit in which seal encrypts and open reads (bigger blocks fell out
 * of the core's cache between read, hash and decryption: round 6 of bench/profiles/bundle.md).
 */
export const PAYLOAD_BLOCK_BYTES = 16 * (64 * 1024 + 16);
/** Domain separation of the manifest signature (part `manifest.sig`). */
export const MANIFEST_SIGNATURE_CONTEXT = 'tessera.bundle-manifest-signature/1\n';
/** Domain separation of the bundle digest used to chain bundles to one partner. */
export const BUNDLE_DIGEST_CONTEXT = 'tessera.bundle-digest/1\n';
/** Format 2's bundle digest (over the whole header, which holds the signed block list). */
export const BUNDLE_DIGEST_CONTEXT_2 = 'tessera.bundle-digest/2\n';

/** First bytes of the decrypted payload. */
export const CONTAINER_MAGIC = 'tessera-bundle/1\n';
/** Record tags of the container framing. */
export const CONTAINER_PART_TAG = 0x50; // 'P'
export const CONTAINER_END_TAG = 0x45; // 'E'

export const PART_OPERATIONS = 'operations';
export const PART_MANIFEST = 'manifest.json';
export const PART_MANIFEST_SIG = 'manifest.sig';

/** Limits a reader enforces before it trusts anything; a writer stays within them. */
export const BUNDLE_LIMITS = {
  /** Stanzas in the age header, all kinds together (a flood is refused before any key work). */
  maxStanzas: 64,
  /**
   * Bytes of the age header, MAC line included: format 2's block list takes ≈ 43 bytes per MiB of
   * payload (≈ 2.8 MB at maxPayloadBlocks), read before anything is authenticated.
   */
  maxHeaderBytes: 3 * 1024 * 1024,
  /**
   * Ciphertext blocks in format 2's list (64 GiB of payload); a larger bundle is sealed as
   * format 1.
   */
  maxPayloadBlocks: 65_536,
  /** Parts in the container, manifest and signature included. */
  maxParts: 10_002,
  /** Bytes of a part's name. */
  maxPartNameBytes: 128,
  /** Bytes of one framing segment; longer ones are refused before they are buffered. */
  maxSegmentBytes: 1024 * 1024,
  /** Bytes of manifest.json (it is held in memory). */
  maxManifestBytes: 16 * 1024 * 1024,
  /** Bytes of the operations part (it is handed to the caller in memory). */
  maxOperationsBytes: 1024 * 1024 * 1024,
  /** Partners a bundle is addressed to. */
  maxRecipients: 62,
} as const;

/** Attachment and operations part names: safe as file names on every platform, no path parts. */
export const PART_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const hlc = z.string().refine(isHlc, 'invalid hybrid logical clock timestamp');

export const manifestPartSchema = z.object({
  name: z.string().regex(PART_NAME_PATTERN),
  kind: z.enum(['operations', 'attachment']),
  size: z.number().int().nonnegative(),
  sha256: hex64,
  /** Caller's label (an attachment's file name or record id); display only, never a path. */
  label: z.string().max(255).optional(),
});
export type ManifestPart = z.infer<typeof manifestPartSchema>;

export const manifestRecipientSchema = z.object({
  agencyId,
  keyId,
  /** 1 for the first bundle from this sender to this partner, then +1 per bundle. */
  sequence: z.number().int().positive(),
  /** Bundle digest of the previous bundle to this partner; null for the first. */
  previousBundleDigest: hex64.nullable(),
});
export type ManifestRecipient = z.infer<typeof manifestRecipientSchema>;

export const bundleManifestSchema = z
  .object({
    format: z.literal(BUNDLE_MANIFEST_FORMAT),
    version: z.literal(BUNDLE_FORMAT_VERSION),
    bundleId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'bundle id must be a ULID'),
    createdAt: isoTime,
    caseId: agencyId,
    sender: z.object({ agencyId, agencyName: z.string().min(1).max(200), keyId }),
    /** The partners; the sender's own archive recipient is implied by `sender.keyId`. */
    recipients: z.array(manifestRecipientSchema).max(BUNDLE_LIMITS.maxRecipients),
    hlcRange: z.object({ from: hlc, to: hlc }).nullable(),
    policyVersion: z.string().min(1).max(64),
    /** Parts are stored as they are: no compression, so no decompression bomb. */
    compression: z.literal('none'),
    parts: z
      .array(manifestPartSchema)
      .min(1)
      .max(BUNDLE_LIMITS.maxParts - 2),
  })
  .superRefine((manifest, ctx) => {
    const names = new Set<string>();
    for (const part of manifest.parts) {
      if (names.has(part.name))
        ctx.addIssue({ code: 'custom', message: `duplicate part ${part.name}` });
      names.add(part.name);
      if ((part.kind === 'operations') !== (part.name === PART_OPERATIONS)) {
        ctx.addIssue({ code: 'custom', message: `part ${part.name} has the wrong kind` });
      }
      if (part.name === PART_MANIFEST || part.name === PART_MANIFEST_SIG) {
        ctx.addIssue({ code: 'custom', message: `part name ${part.name} is reserved` });
      }
    }
    if (manifest.parts[0]?.name !== PART_OPERATIONS) {
      ctx.addIssue({ code: 'custom', message: 'the first part must be the operations' });
    }
    const partners = new Set<string>();
    for (const recipient of manifest.recipients) {
      if (partners.has(recipient.keyId)) {
        ctx.addIssue({ code: 'custom', message: `duplicate recipient ${recipient.keyId}` });
      }
      partners.add(recipient.keyId);
    }
  });
export type BundleManifest = z.infer<typeof bundleManifestSchema>;

/** Parses manifest.json bytes already decoded to text; throws an Error naming what is wrong. */
export function parseBundleManifest(text: string): BundleManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('manifest.json is not valid JSON');
  }
  const result = bundleManifestSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(manifest)'}: ${issue.message}`);
    throw new Error(`manifest.json is not a valid bundle manifest: ${issues.join('; ')}`);
  }
  return result.data;
}

/** manifest.json's bytes are exactly this text: fixed key order, no spaces. */
export function serializeBundleManifest(manifest: BundleManifest): string {
  const ordered: BundleManifest = {
    format: manifest.format,
    version: manifest.version,
    bundleId: manifest.bundleId,
    createdAt: manifest.createdAt,
    caseId: manifest.caseId,
    sender: {
      agencyId: manifest.sender.agencyId,
      agencyName: manifest.sender.agencyName,
      keyId: manifest.sender.keyId,
    },
    recipients: manifest.recipients.map((r) => ({
      agencyId: r.agencyId,
      keyId: r.keyId,
      sequence: r.sequence,
      previousBundleDigest: r.previousBundleDigest,
    })),
    hlcRange: manifest.hlcRange ? { from: manifest.hlcRange.from, to: manifest.hlcRange.to } : null,
    policyVersion: manifest.policyVersion,
    compression: manifest.compression,
    parts: manifest.parts.map((p) => ({
      name: p.name,
      kind: p.kind,
      size: p.size,
      sha256: p.sha256,
      ...(p.label === undefined ? {} : { label: p.label }),
    })),
  };
  return JSON.stringify(ordered);
}
