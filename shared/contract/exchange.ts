/**
 * The `exchange.*` contract domain: partner exchange (issue 3) as seen from the renderer. Keys,
 * crypto, transports, sync state and the exchange log live in the Node service
 * (electron/services/exchange); the renderer owns the case database, so it sends the case file it
 * exported from Dexie for previews and sealing, and it merges staged operations itself
 * (`applyOperations`) before confirming an import.
 *
 * Conventions:
 * - Every method answers with plain JSON. File content never crosses in one message: bundles and
 *   receipts handed in, and attachments for sealing, are uploaded in pieces first (transfer.ts) and
 *   passed as a reference; exported files and staged attachments are downloaded in pieces
 *   (`transfer.download.*` with `{kind:'export'}` / `{kind:'staged-attachment'}`). Sealed bundles
 *   stay on disk in the data directory and are referenced by an `ExportRef` / `BundleRef` (refs.ts).
 * - Failures reject with an Error whose message is meant for the officer (e.g. "the key of X changed
 *   …", "bundle … was received before (replay)") and whose code (EXCHANGE_ERROR_CODES, or the code
 *   of the identity, bundle or transfer service that refused) is what code branches on.
 * - Nothing blocks for long except `exchange.sync.now` (one sync round per partner) and
 *   `exchange.export.seal`; the UI polls `exchange.status` every few seconds.
 * - One bundle is sealed per partner (each gets what the release policy lets *it* see), encrypted
 *   to that partner and to our own archive key.
 */
import { z } from 'zod';
import { caseFileObjectSchema, checkCaseFileRecords } from '../caseFile.ts';
import { attachmentRecordSchema } from '../model/recordSchemas.ts';
import { perItemList, recordKindSchema } from '../model/recordKinds.ts';
import { sharingAgreementSchema } from '../exchange/agreement.ts';
import { identityCardSchema, revocationSchema } from '../exchange/bundleFormat.ts';
import { operationSchema, recordMetaSchema } from '../exchange/operations.ts';
import { transportSettingsSchema, type TransportSettings } from '../exchange/transportConfig.ts';
import { bundleRefSchema, exportRefSchema } from './refs.ts';
import { fileRefSchema, uploadRefSchema } from './transfer.ts';

const empty = z.object({}).strict();
const agencyId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'invalid agency id');

/**
 * Codes of exchange failures, carried as the `reason` of a failed call (see bridge.ts): the UI and
 * the service branch on them, never on a message's wording. Identity (`wrong-passphrase`…), bundle
 * (`corrupted`, `bad-signature`…), release (`case-withheld`…) and transfer codes pass through as
 * their own services name them.
 */
export const EXCHANGE_ERROR_CODES = [
  /** No partner with this agency id in the directory. */
  'unknown-partner',
  /** The card is our own, not a partner's. */
  'own-card',
  /** The fingerprint read out of band is not the card's. */
  'fingerprint-mismatch',
  /** A sharing agreement names another partner. */
  'agreement-mismatch',
  'invalid-transport',
  /** The partner has no automatic transport (use file delivery). */
  'no-transport',
  /** A partner is not ready for a seal (unconfirmed, blocked, no agreement, revoked key…). */
  'partner-not-ready',
  /** The bundle file carries no Tessera signature stanza. */
  'unsigned',
  /** Signed by a key of no partner in the directory. */
  'unknown-sender',
  /** The sender's fingerprint was not confirmed out of band. */
  'sender-unconfirmed',
  /** Exchange with the sender is blocked (its key changed). */
  'sender-blocked',
  /** The bundle was received before. */
  'replay',
  /** The bundle does not follow the last one received from the sender (or forks the chain). */
  'broken-chain',
  /** The manifest does not list us as a recipient. */
  'not-recipient',
  /** The operations do not validate, or are for another case than the manifest's. */
  'invalid-operations',
  /** A handed-in file is neither a bundle nor a receipt. */
  'not-a-bundle',
  /** No pending import under this reference. */
  'unknown-import',
  /** The bundle is not staged: open it first. */
  'not-staged',
  /** The staged bundle has no such attachment. */
  'unknown-attachment',
  /** A receipt that is too large, from an untrusted partner, for another agency or unsigned. */
  'invalid-receipt',
  /** A receipt for a case never sent to its sender. */
  'unknown-receipt',
  /** No exported file under this reference (or it is gone). */
  'unknown-export',
] as const;
export type ExchangeErrorCode = (typeof EXCHANGE_ERROR_CODES)[number];

// ---------------------------------------------------------------------------------------------
// Shared shapes

/**
 * The case file as the exchange methods take it: an attachment carries its content either inline
 * (`contentBase64`: small files, tests, the CLI) or as a finished upload (`contentRef`, purpose
 * `attachment`: what the app sends, so no message holds a whole file), or neither for a preview.
 * Sealing refuses a released attachment without content.
 */
export const exchangeCaseFileSchema = caseFileObjectSchema
  .extend({
    attachments: z.array(
      attachmentRecordSchema
        .extend({ contentBase64: z.string().optional(), contentRef: uploadRefSchema.optional() })
        .refine((a) => a.contentBase64 === undefined || a.contentRef === undefined, {
          message: 'give contentBase64 or contentRef, not both',
        }),
    ),
  })
  .superRefine(checkCaseFileRecords);
export type ExchangeCaseFile = z.infer<typeof exchangeCaseFileSchema>;

/** A card in short: what lists and headers show. */
export const cardSummarySchema = z.object({
  agencyId: z.string(),
  agencyName: z.string(),
  keyId: z.string(),
  /** ISO time the current key was created. */
  created: z.string(),
  /** `3f2a 9c01 …` (8 groups of 4 hex digits). */
  fingerprintHex: z.string(),
  /** 16 words, to read out over the phone. */
  fingerprintWords: z.string(),
  /** Set when the card's current key is revoked. */
  revoked: z.object({ reason: z.enum(['compromised', 'retired']), at: z.string() }).nullable(),
  /** Number of key rotations the card carries. */
  rotations: z.number().int().nonnegative(),
});
export type CardSummary = z.infer<typeof cardSummarySchema>;

/** State of one synchronizer (one partner with an automatic transport). */
export const syncStatusViewSchema = z.object({
  state: z.enum(['offline', 'idle', 'syncing', 'error']),
  /** ISO time of the last healthy sync. */
  lastSyncAt: z.string().nullable(),
  /** Bundles and receipts waiting to go. */
  outbox: z.number().int().nonnegative(),
  /** Fetched files waiting to be imported. */
  inbox: z.number().int().nonnegative(),
  lastError: z.string().optional(),
  /** When automatic mode tries next (ISO time). */
  nextAttemptAt: z.string().optional(),
  automatic: z.boolean(),
  /** e.g. "Shared folder /mnt/exchange". */
  transportLabel: z.string(),
  transportKind: z.string(),
});
export type SyncStatusView = z.infer<typeof syncStatusViewSchema>;

export { transportSettingsSchema, type TransportSettings };

/** Per case: how far exchange with one partner got (from the sync state). */
export const partnerCaseSyncSchema = z.object({
  caseId: z.string(),
  lastSentSequence: z.number().int().nonnegative(),
  /** Sent bundles not yet acknowledged by a receipt. */
  unacknowledged: z.number().int().nonnegative(),
  acknowledged: z.number().int().nonnegative(),
  /** Everything up to this clock is known to have arrived at the partner. */
  lastAcknowledgedHlc: z.string().nullable(),
  lastReceivedSequence: z.number().int().nonnegative(),
  /** Sequences from the partner skipped by a later bundle (a gap to show). */
  missing: z.array(z.number().int().positive()),
});
export type PartnerCaseSync = z.infer<typeof partnerCaseSyncSchema>;

/**
 * unconfirmed: card imported, fingerprint not yet confirmed out of band (no exchange);
 * trusted: confirmed; blocked: a presented card changed key without a rotation signed by the pinned
 * key (or with a revoked key) — `warning` says why; confirm the NEW fingerprint to unblock.
 */
export const partnerStateSchema = z.enum(['unconfirmed', 'trusted', 'blocked']);
export type PartnerState = z.infer<typeof partnerStateSchema>;

export const partnerViewSchema = z.object({
  agencyId: z.string(),
  agencyName: z.string(),
  state: partnerStateSchema,
  /** Why the partner is blocked (or a revoked key), to show prominently. */
  warning: z.string().nullable(),
  /** The pinned card. */
  card: cardSummarySchema,
  /** A card presented later that could not be accepted (state `blocked`). */
  presentedCard: cardSummarySchema.nullable(),
  pinnedAt: z.string(),
  confirmedAt: z.string().nullable(),
  agreement: sharingAgreementSchema.nullable(),
  agreementInForce: z.boolean(),
  /** Secrets redacted ('********'). Null: no transport (file delivery only). */
  transport: transportSettingsSchema.nullable(),
  /** Null when there is no automatic transport. */
  sync: syncStatusViewSchema.nullable(),
  cases: z.array(partnerCaseSyncSchema),
});
export type PartnerView = z.infer<typeof partnerViewSchema>;

export const pendingImportSchema = z.object({
  bundleRef: bundleRefSchema,
  /** Where it came from: a transport's inbox or a file handed in by the user. */
  source: z.enum(['transport', 'file']),
  /** Sender as far as known before verification (from the file name); null: unknown. */
  partnerId: z.string().nullable(),
  partnerName: z.string().nullable(),
  fileName: z.string(),
  size: z.number().int().nonnegative(),
  receivedAt: z.string(),
  /** pending: not opened yet; staged: verified and decrypted (open returns it again); failed. */
  state: z.enum(['pending', 'staged', 'failed']),
  error: z.string().optional(),
});
export type PendingImport = z.infer<typeof pendingImportSchema>;

export const identityCardViewSchema = z.object({
  /** The public card exactly as handed to partners. */
  card: identityCardSchema,
  /** The same, as pretty-printed JSON text (for "save card" / copy). */
  cardJson: z.string(),
  summary: cardSummarySchema,
  /** An SVG document with the card JSON as a QR code. */
  qrSvg: z.string(),
});
export type IdentityCardView = z.infer<typeof identityCardViewSchema>;

/** Whether the case goes, and how many items of each kind (keyed by table name, as in the case file). */
const releasedCountsSchema = z.object({
  case: z.boolean(),
  ...perItemList(() => z.number().int().nonnegative()),
});

export const releasePreviewSchema = z.object({
  partnerId: z.string(),
  partnerName: z.string(),
  policyVersion: z.string(),
  /** False when nothing can be sealed for this partner (`problems` says why). */
  ready: z.boolean(),
  /** e.g. "fingerprint not confirmed", "no sharing agreement". */
  problems: z.array(z.string()),
  released: releasedCountsSchema,
  /** Ids of every released record (to highlight them in the UI). */
  releasedIds: z.array(z.string()),
  /** Every record that stays, with the rule (`rules`, e.g. "M1") behind each of its reasons. */
  withheld: z.array(
    z.object({
      id: z.string(),
      kind: recordKindSchema,
      caption: z.string(),
      reasons: z.array(z.string()),
      /** Rule codes of shared/exchange/policy.ts, one per reason, same order. */
      rules: z.array(z.string()).readonly(),
    }),
  ),
  /** Every field left out of a record that goes (properties, free text, provenance source…). */
  stripped: z.array(
    z.object({
      id: z.string(),
      kind: recordKindSchema,
      caption: z.string(),
      /** FtM property name, or the field path for other fields (kept for older readers). */
      property: z.string(),
      /** Field path as in sync operations: `properties.birthDate`, `description`, `nodes`… */
      field: z.string(),
      reasons: z.array(z.string()),
      /** Rule codes of shared/exchange/policy.ts, one per reason, same order. */
      rules: z.array(z.string()).readonly(),
    }),
  ),
  /** True when no bundle of this case was acknowledged by the partner yet: a full snapshot goes. */
  fullSnapshot: z.boolean(),
  /** Operations the next bundle would carry. */
  operations: z.number().int().nonnegative(),
  /** The sequence number the next bundle to this partner gets. */
  nextSequence: z.number().int().positive(),
});
export type ReleasePreview = z.infer<typeof releasePreviewSchema>;

export const sealedBundleSchema = z.object({
  partnerId: z.string(),
  bundleId: z.string(),
  bundleDigest: z.string(),
  size: z.number().int().nonnegative(),
  sequence: z.number().int().positive(),
  operations: z.number().int().nonnegative(),
  attachments: z.number().int().nonnegative(),
  released: z.number().int().nonnegative(),
  withheld: z.number().int().nonnegative(),
  /** transport: queued in the partner's outbox; file: kept under exports (see `exportRef`). */
  delivery: z.enum(['transport', 'file']),
  /** For file delivery: pass to exchange.export.save, or download it (`{kind:'export'}`). */
  exportRef: exportRefSchema.nullable(),
  /** Suggested file name for saving. */
  fileName: z.string(),
  /** Absolute path of the file in the data directory (file delivery). */
  path: z.string().nullable(),
});
export type SealedBundle = z.infer<typeof sealedBundleSchema>;

export const stagedBundleSchema = z.object({
  bundleRef: bundleRefSchema,
  bundleId: z.string(),
  bundleDigest: z.string(),
  caseId: z.string(),
  createdAt: z.string(),
  sender: z.object({ agencyId: z.string(), agencyName: z.string(), keyId: z.string() }),
  sequence: z.number().int().positive(),
  previousBundleDigest: z.string().nullable(),
  hlcRange: z.object({ from: z.string(), to: z.string() }).nullable(),
  policyVersion: z.string(),
  /** Outcome of the sequence check: in order, after a gap, or a late one filling a gap. */
  incoming: z.object({
    status: z.enum(['next', 'gap', 'late']),
    missing: z.array(z.number().int().positive()),
    message: z.string(),
  }),
  /** Validated operations (record schemas checked); the renderer merges them. */
  operations: z.array(operationSchema),
  /** Attachment parts; download one with `{kind:'staged-attachment', bundleRef, name}`. */
  attachments: z.array(
    z.object({
      name: z.string(),
      /** The attachment record id the part belongs to. */
      recordId: z.string().nullable(),
      size: z.number().int().nonnegative(),
      sha256: z.string(),
    }),
  ),
});
export type StagedBundle = z.infer<typeof stagedBundleSchema>;

export const logEntryViewSchema = z.object({
  seq: z.number().int().nonnegative(),
  at: z.string(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type LogEntryView = z.infer<typeof logEntryViewSchema>;

export const exchangeStatusSchema = z.object({
  identity: z.object({
    present: z.boolean(),
    unlocked: z.boolean(),
    /** How the secrets are protected here. */
    protection: z.enum(['passphrase', 'safeStorage']),
    card: cardSummarySchema.nullable(),
  }),
  /**
   * online: at least one transport reachable; offline: transports configured, none reachable (the
   * app works fully, bundles wait in the outbox); none: no automatic transport configured.
   */
  network: z.enum(['online', 'offline', 'none']),
  partners: z.array(
    z.object({
      agencyId: z.string(),
      agencyName: z.string(),
      state: partnerStateSchema,
      sync: syncStatusViewSchema.nullable(),
      /** Bundles sent and not yet acknowledged, over all cases. */
      unacknowledged: z.number().int().nonnegative(),
      /** Missing sequences from this partner, over all cases. */
      missing: z.number().int().nonnegative(),
    }),
  ),
  /** Bundles waiting for review/import (transport inboxes and files handed in). */
  pendingImports: z.number().int().nonnegative(),
  checkedAt: z.string(),
});
export type ExchangeStatus = z.infer<typeof exchangeStatusSchema>;

// ---------------------------------------------------------------------------------------------
// Methods

export const exchangeMethods = {
  /** Overview for the exchange screen and the status bar; cheap, poll it every few seconds. */
  'exchange.status': { input: empty, output: exchangeStatusSchema },

  /**
   * Creates this agency's identity (age X25519 + Ed25519 keys) and unlocks it. `passphrase`
   * protects the secrets (scrypt); it may be omitted only where the host uses a real OS keyring
   * (Electron safeStorage). Refused when an identity exists.
   */
  'exchange.identity.create': {
    input: z
      .object({
        agencyName: z.string().min(1).max(200),
        agencyId,
        passphrase: z.string().min(1).max(1000).optional(),
      })
      .strict(),
    output: identityCardViewSchema,
  },
  /** Unlocks the identity (wrong passphrase → error) and starts automatic sync. */
  'exchange.identity.unlock': {
    input: z.object({ passphrase: z.string().min(1).max(1000).optional() }).strict(),
    output: z.object({ unlocked: z.literal(true), card: cardSummarySchema }),
  },
  /** Forgets the unlocked secrets and stops automatic sync. */
  'exchange.identity.lock': { input: empty, output: z.object({ unlocked: z.literal(false) }) },
  /** The public card to hand to partners: JSON, fingerprint and a QR code (SVG). */
  'exchange.identity.card': { input: empty, output: identityCardViewSchema },
  /** New keys; the new card carries a rotation signed by the old key. Hand the new card out. */
  'exchange.identity.rotate': { input: empty, output: identityCardViewSchema },
  /** Revokes the current key (signed by itself); the card then carries the revocation. */
  'exchange.identity.revoke': {
    input: z.object({ reason: z.enum(['compromised', 'retired']) }).strict(),
    output: z.object({ revocation: revocationSchema, card: identityCardViewSchema }),
  },

  /** The partner directory. */
  'exchange.partners.list': {
    input: empty,
    output: z.object({ partners: z.array(partnerViewSchema) }),
  },
  /**
   * Imports a partner's card. New partner: pinned, state `unconfirmed`. Known partner: accepted
   * when reachable from the pinned card by signed rotations (state kept); otherwise the partner is
   * `blocked` with a warning and the presented card is kept for confirmation.
   */
  'exchange.partners.import': {
    input: z.object({ cardJson: z.string().min(2).max(1_000_000) }).strict(),
    output: z.object({ partner: partnerViewSchema }),
  },
  /**
   * Out-of-band confirmation: `fingerprint` (hex or words, as read by the partner) must equal the
   * card's (the presented one for a blocked partner, which it then pins). Mismatch → error.
   */
  'exchange.partners.confirm': {
    input: z.object({ agencyId, fingerprint: z.string().min(1).max(2000) }).strict(),
    output: z.object({ partner: partnerViewSchema }),
  },
  /** Sets (or clears, with null) the sharing agreement; its partnerAgencyId must be the partner. */
  'exchange.partners.setAgreement': {
    input: z.object({ agencyId, agreement: sharingAgreementSchema.nullable() }).strict(),
    output: z.object({ partner: partnerViewSchema }),
  },
  /** Removes a partner, its transport and its queues (the exchange log keeps the history). */
  'exchange.partners.remove': {
    input: z.object({ agencyId }).strict(),
    output: z.object({ removed: z.boolean() }),
  },

  /**
   * Sets the partner's transport (null or kind `file`: file delivery only). Needs the identity
   * unlocked (settings are stored encrypted). Starts automatic sync for folder and S3.
   */
  'exchange.transport.configure': {
    input: z.object({ agencyId, config: transportSettingsSchema.nullable() }).strict(),
    output: z.object({ partner: partnerViewSchema }),
  },
  /**
   * One sync round now (all partners, or one), then processes received receipts. Resolves when
   * done; never throws for network trouble (see each status).
   */
  'exchange.sync.now': {
    input: z.object({ agencyId: agencyId.optional() }).strict(),
    output: z.object({
      partners: z.array(z.object({ agencyId: z.string(), sync: syncStatusViewSchema })),
    }),
  },

  /**
   * Runs the release policy for each partner on the case file (exported by the renderer from its
   * database): what goes, what is withheld and why, what properties are stripped. Seals nothing.
   */
  'exchange.export.preview': {
    input: z
      .object({ partnerIds: z.array(agencyId).min(1).max(50), caseFile: exchangeCaseFileSchema })
      .strict(),
    output: z.object({ partners: z.array(releasePreviewSchema) }),
  },
  /**
   * Seals one bundle per partner: release policy, the second check on the serialized content,
   * operations since the partner's last acknowledgement (full snapshot the first time), signature,
   * encryption to the partner and our archive key, exchange log entries, sync state. `transport`
   * queues it in the partner's outbox; `file` keeps it under <dataDir>/exports (save it with
   * exchange.export.save). `recordMeta` (record id → field clocks) makes deltas per field; without
   * it changed records travel whole. All partners are checked before anything is sealed.
   */
  'exchange.export.seal': {
    input: z
      .object({
        partnerIds: z.array(agencyId).min(1).max(50),
        caseFile: exchangeCaseFileSchema,
        delivery: z.enum(['transport', 'file']),
        recordMeta: z.record(z.string(), recordMetaSchema).optional(),
      })
      .strict(),
    output: z.object({ bundles: z.array(sealedBundleSchema) }),
  },
  /**
   * Copies an exported file (bundle or receipt) where the user chooses (save dialog in Electron;
   * the exports folder in the web host). Null when cancelled.
   */
  'exchange.export.save': {
    input: z.object({ exportRef: exportRefSchema }).strict(),
    output: z.object({ path: z.string().nullable() }),
  },
  /**
   * Hands in a file (bundle or receipt): an upload (`transfer.upload.*`, purpose `bundle-import`)
   * or, in Electron, a file chosen in the native dialog (`files.chooseImport`). Never a path: the
   * renderer cannot name a file on this machine (issue 8, finding 7). A chosen file must be a
   * regular file within the cap. A bundle is queued for review (`bundleRef`); a receipt is verified
   * and applied at once. The reference is used up.
   */
  'exchange.import.fromFile': {
    input: z.object({ ref: fileRefSchema }).strict(),
    output: z.object({
      kind: z.enum(['bundle', 'receipt']),
      bundleRef: bundleRefSchema.nullable(),
      message: z.string(),
    }),
  },
  /** Bundles waiting for review: transport inboxes and files handed in. */
  'exchange.import.list': {
    input: empty,
    output: z.object({ items: z.array(pendingImportSchema) }),
  },
  /**
   * Verifies the bundle against the pinned card of a trusted partner, refuses replays and broken
   * chains, decrypts to a staging folder, validates every operation and record, and returns the
   * staged content. Errors (forgery, tamper, replay, unconfirmed/blocked sender) leave nothing
   * staged and mark the item failed.
   */
  'exchange.import.open': {
    input: z.object({ bundleRef: bundleRefSchema }).strict(),
    output: stagedBundleSchema,
  },
  /**
   * The renderer applied (or rejected) the staged bundle: records the sequence, writes a signed
   * receipt (status `applied` when anything was accepted, else `rejected`) and queues it to the
   * sender, or keeps it under exports (`receiptExportRef`) when the sender has no transport; logs;
   * removes the item from the inbox and staging.
   */
  'exchange.import.complete': {
    input: z
      .object({
        bundleRef: bundleRefSchema,
        acceptedIds: z.array(z.string().max(200)).max(10_000_000),
        rejectedIds: z.array(z.string().max(200)).max(10_000_000),
      })
      .strict(),
    output: z.object({
      bundleId: z.string(),
      receiptStatus: z.enum(['applied', 'rejected']),
      /** True when the receipt went into the sender's outbox. */
      queued: z.boolean(),
      receiptExportRef: exportRefSchema.nullable(),
      missing: z.array(z.number().int().positive()),
    }),
  },
  /** Drops a pending or staged bundle unimported (logged with the reason). */
  'exchange.import.discard': {
    input: z
      .object({ bundleRef: bundleRefSchema, reason: z.string().max(2000).optional() })
      .strict(),
    output: z.object({ discarded: z.boolean() }),
  },

  /** The newest `limit` exchange log entries, newest first. */
  'exchange.log.list': {
    input: z.object({ limit: z.number().int().min(1).max(10_000).default(200) }).strict(),
    output: z.object({ entries: z.array(logEntryViewSchema), total: z.number().int() }),
  },
  /** Checks the log's hash chain, head signatures and checkpoint against our signing keys. */
  'exchange.log.verify': {
    input: empty,
    output: z.object({
      ok: z.boolean(),
      entries: z.number().int().nonnegative(),
      signatures: z.number().int().nonnegative(),
      problems: z.array(z.string()),
    }),
  },
} as const;
