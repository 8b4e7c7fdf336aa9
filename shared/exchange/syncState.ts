/**
 * Per-partner sync bookkeeping, pure and serializable (the services store it as JSON).
 *
 * Outgoing: bundles to a partner are numbered 1, 2, 3… and each names the digest of the previous
 * one (the manifest's `sequence` and `previousBundleDigest`). Each bundle carries the operations
 * after `lastAcknowledgedHlc`; a receipt acknowledges one bundle, and the acknowledged clock moves
 * to the `coveredTo` of the highest bundle such that it and every bundle before it are
 * acknowledged (a later bundle acknowledged over a gap does not prove the earlier ones arrived).
 *
 * What a partner holds: `sentRecordIds` lists every record id that went to the partner in a bundle
 * for this case (created or changed there). A deletion travels only to a partner that holds the
 * record (a bare tombstone: id, kind, clock), so a record the partner never saw is never named to it;
 * a record the partner does not hold travels whole. States written before this field existed load
 * with it absent ("not known"), and the sealer presumes what the policy releases today was sent.
 *
 * Incoming: a bundle whose id or sequence was seen already is a replay (a no-op); sequence n+2
 * while n+1 has not arrived is a gap, shown to the user and remembered until n+1 turns up; a late
 * bundle that fills a gap is accepted. A bundle whose `previousBundleDigest` disagrees with the
 * digest of the bundle we hold under the sequence before it breaks the chain.
 */
import { z } from 'zod';
import { compareHlc, isHlc } from '../model/hlc.ts';

const agencyId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'invalid agency id');
const hlc = z.string().refine(isHlc, 'invalid hybrid logical clock timestamp');
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const bundleId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'bundle id must be a ULID');
const sequence = z.number().int().positive();
const recordId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'invalid record id');

const sentBundleSchema = z.object({
  bundleId,
  sequence,
  digest: hex64,
  /** The sender's clock when sealing: every operation up to it was in this bundle or before. */
  coveredTo: hlc,
  sentAt: z.string().max(40),
  acknowledged: z.boolean(),
});
export type SentBundle = z.infer<typeof sentBundleSchema>;

const receivedBundleSchema = z.object({
  bundleId,
  sequence,
  digest: hex64,
  previousBundleDigest: hex64.nullable(),
  receivedAt: z.string().max(40),
});
export type ReceivedBundle = z.infer<typeof receivedBundleSchema>;

export const partnerSyncStateSchema = z.object({
  partnerId: agencyId,
  caseId: agencyId,
  lastSentSequence: z.number().int().nonnegative(),
  /** Digest of the last bundle sent (the next one names it); null before the first. */
  previousBundleDigest: hex64.nullable(),
  /** Everything up to this clock is known to have arrived; null: nothing acknowledged yet. */
  lastAcknowledgedHlc: hlc.nullable(),
  sent: z.array(sentBundleSchema),
  /** Highest sequence received from the partner. */
  lastReceivedSequence: z.number().int().nonnegative(),
  received: z.array(receivedBundleSchema),
  /** Sequences skipped by a later bundle and not received since. */
  missing: z.array(sequence),
  /**
   * Ids of the records sent to the partner for this case, sorted. Absent in states written before
   * it was kept: then what was sent is not known.
   */
  sentRecordIds: z.array(recordId).optional(),
});
export type PartnerSyncState = z.infer<typeof partnerSyncStateSchema>;

export function initialSyncState(partnerId: string, caseId: string): PartnerSyncState {
  return {
    partnerId,
    caseId,
    lastSentSequence: 0,
    previousBundleDigest: null,
    lastAcknowledgedHlc: null,
    sent: [],
    lastReceivedSequence: 0,
    received: [],
    missing: [],
    sentRecordIds: [],
  };
}

export function parseSyncState(input: unknown): PartnerSyncState {
  const result = partnerSyncStateSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `invalid sync state: ${issue ? `${issue.path.join('.')}: ${issue.message}` : ''}`,
    );
  }
  return result.data;
}

// ---------------------------------------------------------------------------------------------
// Outgoing

export interface NextBundle {
  readonly sequence: number;
  readonly previousBundleDigest: string | null;
  /** Send the operations after this clock (null: everything). */
  readonly since: string | null;
}

export function nextOutgoing(state: PartnerSyncState): NextBundle {
  return {
    sequence: state.lastSentSequence + 1,
    previousBundleDigest: state.previousBundleDigest,
    since: state.lastAcknowledgedHlc,
  };
}

/** The ids of the records the partner holds from us, or null when not known (an older state). */
export function sentRecordsOf(state: PartnerSyncState): ReadonlySet<string> | null {
  if (state.sentRecordIds === undefined) return state.lastSentSequence === 0 ? new Set() : null;
  return new Set(state.sentRecordIds);
}

export function recordSent(
  state: PartnerSyncState,
  bundle: {
    bundleId: string;
    sequence: number;
    digest: string;
    coveredTo: string;
    sentAt: string;
    /** Ids of the records the bundle carried operations for. */
    recordIds?: Iterable<string>;
  },
): PartnerSyncState {
  if (bundle.sequence !== state.lastSentSequence + 1) {
    throw new Error(
      `bundle ${bundle.bundleId} has sequence ${bundle.sequence}, expected ${state.lastSentSequence + 1}`,
    );
  }
  const { recordIds, ...sent } = bundle;
  const ids = new Set(state.sentRecordIds ?? []);
  for (const id of recordIds ?? []) ids.add(id);
  return {
    ...state,
    lastSentSequence: bundle.sequence,
    previousBundleDigest: bundle.digest,
    sent: [...state.sent, { ...sent, acknowledged: false }],
    sentRecordIds: [...ids].sort(),
  };
}

// ---------------------------------------------------------------------------------------------
// Receipts

export const RECEIPT_FORMAT = 'tessera.receipt';
export const RECEIPT_VERSION = 1;

export const receiptSchema = z.object({
  format: z.literal(RECEIPT_FORMAT),
  version: z.literal(RECEIPT_VERSION),
  /** Agency acknowledging (the bundle's recipient). */
  from: agencyId,
  /** Agency that sent the bundle. */
  to: agencyId,
  caseId: agencyId,
  bundleId,
  sequence,
  bundleDigest: hex64,
  /** applied: merged; rejected: refused by the reviewer or a check (it still counts as arrived). */
  status: z.enum(['applied', 'rejected']),
  /** Sequences from `to` the acknowledging agency is still missing. */
  missing: z.array(sequence).max(10_000),
  at: z.string().min(10).max(40),
  /** Standard base64 Ed25519 signature by `from` over receiptSignedText(receipt). */
  signature: z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'invalid Ed25519 signature'),
});
export type Receipt = z.infer<typeof receiptSchema>;

export function parseReceipt(input: unknown): Receipt {
  let json: unknown = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch {
      throw new Error('not a Tessera receipt: invalid JSON');
    }
  }
  const result = receiptSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `not a valid receipt: ${issue ? `${issue.path.join('.')}: ${issue.message}` : ''}`,
    );
  }
  return result.data;
}

/** The exact text a receipt's signature covers (fixed order, one field per line). */
export function receiptSignedText(receipt: Omit<Receipt, 'signature'>): string {
  const fields: [string, string][] = [
    ['from', receipt.from],
    ['to', receipt.to],
    ['caseId', receipt.caseId],
    ['bundleId', receipt.bundleId],
    ['sequence', String(receipt.sequence)],
    ['bundleDigest', receipt.bundleDigest],
    ['status', receipt.status],
    ['missing', receipt.missing.join(',')],
    ['at', receipt.at],
  ];
  for (const [name, value] of fields) {
    if (/[\n\r]/.test(value)) throw new Error(`receipt field ${name} contains a line break`);
  }
  return `tessera.receipt/1\n${fields.map(([name, value]) => `${name}:${value}\n`).join('')}`;
}

/** Folds a (signature-checked) receipt in; throws when it does not match a bundle we sent. */
export function applyReceipt(state: PartnerSyncState, receipt: Receipt): PartnerSyncState {
  if (receipt.from !== state.partnerId || receipt.caseId !== state.caseId) {
    throw new Error(`receipt ${receipt.bundleId} is not from ${state.partnerId} for this case`);
  }
  const index = state.sent.findIndex((bundle) => bundle.bundleId === receipt.bundleId);
  const bundle = state.sent[index];
  if (!bundle || bundle.sequence !== receipt.sequence || bundle.digest !== receipt.bundleDigest) {
    throw new Error(
      `receipt names bundle ${receipt.bundleId}, which was not sent to ${state.partnerId}`,
    );
  }
  const sent = state.sent.map((entry, i) =>
    i === index ? { ...entry, acknowledged: true } : entry,
  );
  let acknowledged = state.lastAcknowledgedHlc;
  const bySequence = [...sent].sort((a, b) => a.sequence - b.sequence);
  for (const entry of bySequence) {
    if (!entry.acknowledged) break;
    if (acknowledged === null || compareHlc(entry.coveredTo, acknowledged) > 0) {
      acknowledged = entry.coveredTo;
    }
  }
  return { ...state, sent, lastAcknowledgedHlc: acknowledged };
}

// ---------------------------------------------------------------------------------------------
// Incoming

export type IncomingStatus =
  /** The next bundle in order. */
  | 'next'
  /** A later bundle: the ones in `missing` have not arrived (yet). */
  | 'gap'
  /** An earlier bundle that fills a gap. */
  | 'late'
  /** Seen before: apply nothing. */
  | 'replay'
  /** Its previous-bundle digest disagrees with what we hold: refuse it. */
  | 'broken-chain';

export interface IncomingCheck {
  readonly status: IncomingStatus;
  /** Sequences still missing if this bundle is accepted. */
  readonly missing: readonly number[];
  readonly message: string;
}

export function checkIncoming(
  state: PartnerSyncState,
  bundle: {
    bundleId: string;
    sequence: number;
    previousBundleDigest: string | null;
    /** This bundle's digest, to check it against the one after it when that came first. */
    digest?: string;
  },
): IncomingCheck {
  const seen = state.received.find(
    (entry) => entry.bundleId === bundle.bundleId || entry.sequence === bundle.sequence,
  );
  if (seen) {
    return {
      status: 'replay',
      missing: state.missing,
      message:
        seen.bundleId === bundle.bundleId
          ? `bundle ${bundle.bundleId} was received before (replay)`
          : `a bundle with sequence ${bundle.sequence} was received before (replay)`,
    };
  }
  const previous = state.received.find((entry) => entry.sequence === bundle.sequence - 1);
  const expectedDigest = bundle.sequence === 1 ? null : previous?.digest;
  if (expectedDigest !== undefined && expectedDigest !== bundle.previousBundleDigest) {
    return {
      status: 'broken-chain',
      missing: state.missing,
      message: `bundle ${bundle.bundleId} does not follow the bundle received as number ${bundle.sequence - 1}`,
    };
  }
  const following = state.received.find((entry) => entry.sequence === bundle.sequence + 1);
  if (
    following &&
    bundle.digest !== undefined &&
    following.previousBundleDigest !== bundle.digest
  ) {
    return {
      status: 'broken-chain',
      missing: state.missing,
      message: `bundle ${bundle.bundleId} is not the one bundle ${bundle.sequence + 1} follows`,
    };
  }
  const expected = state.lastReceivedSequence + 1;
  if (bundle.sequence === expected) {
    return {
      status: 'next',
      missing: state.missing,
      message: `bundle ${bundle.sequence} in order`,
    };
  }
  if (bundle.sequence > expected) {
    const skipped: number[] = [];
    for (let n = expected; n < bundle.sequence; n += 1) skipped.push(n);
    const missing = [...state.missing, ...skipped];
    return {
      status: 'gap',
      missing,
      message: `received bundle ${bundle.sequence} while expecting ${expected}: ${missingText(skipped)} missing`,
    };
  }
  const missing = state.missing.filter((n) => n !== bundle.sequence);
  return {
    status: 'late',
    missing,
    message: `bundle ${bundle.sequence} arrived late${missing.length > 0 ? `; still missing ${missingText(missing)}` : ''}`,
  };
}

function missingText(sequences: readonly number[]): string {
  return sequences.length === 1 ? `bundle ${sequences[0]}` : `bundles ${sequences.join(', ')}`;
}

/** Records an accepted incoming bundle (after checkIncoming said next, gap or late). */
export function recordReceived(
  state: PartnerSyncState,
  bundle: {
    bundleId: string;
    sequence: number;
    digest: string;
    previousBundleDigest: string | null;
    receivedAt: string;
  },
): PartnerSyncState {
  const check = checkIncoming(state, bundle);
  if (check.status === 'replay' || check.status === 'broken-chain') throw new Error(check.message);
  return {
    ...state,
    lastReceivedSequence: Math.max(state.lastReceivedSequence, bundle.sequence),
    received: [
      ...state.received,
      {
        bundleId: bundle.bundleId,
        sequence: bundle.sequence,
        digest: bundle.digest,
        previousBundleDigest: bundle.previousBundleDigest,
        receivedAt: bundle.receivedAt,
      },
    ],
    missing: [...check.missing].sort((a, b) => a - b),
  };
}

/** Whether a bundle id was seen from this partner (replay detection before any decryption work). */
export function isReplay(state: PartnerSyncState, bundleId: string): boolean {
  return state.received.some((entry) => entry.bundleId === bundleId);
}
