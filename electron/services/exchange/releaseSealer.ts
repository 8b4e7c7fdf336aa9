/**
 * The one sealing path: the app's export (UI), its automatic sync and `tessera bundle seal` all
 * seal through ReleaseSealer, so the release policy and its second check cannot be skipped.
 *
 * For one partner and one case:
 *   1. decideRelease (shared/exchange/policy.ts) under the partner's sharing agreement; the case
 *      itself must go, or nothing is sealed;
 *   2. the operations for that partner (shared/exchange/operations.ts): everything changed since the
 *      partner's last acknowledged clock, a record the partner does not hold whole, the fields the
 *      policy stripped never (no value, no clock), and a record deleted here only as a bare
 *      tombstone, and only to a partner that holds it (sync state `sentRecordIds`);
 *   3. serializeOperations, then assertReleasable on exactly those bytes (the second check);
 *   4. the attachments those operations need, streamed from a file, a stream or bytes (the case
 *      file's inline base64 by default); each part's size and SHA-256, as sealed, must be the
 *      record's, or the bundle is destroyed;
 *   5. sealBundle into a temporary file (0600, in a 0700 folder or beside the target), then an
 *      atomic rename (or the caller's delivery: an outbox, the exports folder);
 *   6. the sync state (sequence, chain digest, records sent) and the exchange log.
 * There is no "no policy" mode: every bundle names POLICY_VERSION in its manifest.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { SharingAgreement } from '../../../shared/exchange/agreement.ts';
import type { IdentityCard } from '../../../shared/exchange/bundleFormat.ts';
import type { Operation, RecordMeta } from '../../../shared/exchange/operations.ts';
import {
  fieldsOf,
  hlcRangeOf,
  operationHlc,
  operationRecordId,
  operationsSince,
  serializeOperations,
  splitField,
  tombstoneOf,
} from '../../../shared/exchange/operations.ts';
import {
  assertReleasable,
  decideRelease,
  POLICY_VERSION,
  type ReleaseDecision,
  type ReleaseInput,
} from '../../../shared/exchange/policy.ts';
import type { NextBundle, PartnerSyncState } from '../../../shared/exchange/syncState.ts';
import { nextOutgoing, recordSent, sentRecordsOf } from '../../../shared/exchange/syncState.ts';
import { compareHlc, formatHlc } from '../../../shared/model/hlc.ts';
import type { AnyRecord, AttachmentRecord, RecordKind } from '../../../shared/model/records.ts';
import { sealBundle, type SealAttachment, type SealResult } from '../bundle/index.ts';
import { releaseDecisionEntry, type LogEntryInput } from '../exchangeLog/index.ts';
import type { UnlockedIdentity } from '../identity/index.ts';
import { errorMessage } from '../../../shared/base/errors.ts';
import { recordsOf } from '../../../shared/exchange/caseRecords.ts';

export type ReleaseSealErrorCode =
  /** The case record itself may not go to the partner, so nothing does. */
  | 'case-withheld'
  /** The second check refused the serialized operations. */
  | 'release-check'
  /** An attachment to send has no content. */
  | 'attachment-missing'
  /** An attachment's content is not the size and SHA-256 its record names. */
  | 'attachment-mismatch';

export class ReleaseSealError extends Error {
  override readonly name = 'ReleaseSealError';
  constructor(
    readonly code: ReleaseSealErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** An attachment as the case file carries it: the record, maybe with its content inline. */
/**
 * An attachment record as a case file may carry it: with its content inline (base64) or as a
 * reference to a finished upload (`contentRef`). Neither ever goes into an operation.
 */
export type SealableAttachment = AttachmentRecord & {
  readonly contentBase64?: string;
  readonly contentRef?: unknown;
};
/** A case as the case file holds it (CaseFile fits). */
export type SealableCase = ReleaseInput<SealableAttachment>;

export interface ReleasePartner {
  readonly card: IdentityCard;
  readonly agreement: SharingAgreement;
}

/** Where an attachment's content comes from when it is not inline. */
export type AttachmentSource =
  | { readonly path: string }
  /** `size`, when known, lets the bundle be format 2 (see SealAttachment). */
  | { readonly stream: AsyncIterable<Uint8Array>; readonly size?: number }
  | { readonly bytes: Uint8Array };

export interface DeletedRecord {
  readonly id: string;
  readonly kind: RecordKind;
}

/** What would go to one partner: the decision, the operations and their exact bytes. */
export interface ReleasePlan {
  readonly caseId: string;
  readonly partnerId: string;
  readonly decision: ReleaseDecision<SealableAttachment>;
  /** Records deleted here; at most a bare tombstone of those the partner holds goes. */
  readonly deleted: readonly DeletedRecord[];
  readonly state: PartnerSyncState;
  readonly next: NextBundle;
  readonly operations: readonly Operation[];
  /** The operations document, exactly as sealed. */
  readonly serialized: string;
  /** Live records the policy releases. */
  readonly releasedIds: readonly string[];
  /** Attachment records whose content goes as parts, in part order. */
  readonly attachmentIds: readonly string[];
  /**
   * For a sync state from before `sentRecordIds` was kept: the records presumed held by the partner
   * (what the policy releases), recorded with this bundle so the list starts complete.
   */
  readonly presumedHeld: readonly string[];
}

export interface PlanOptions {
  readonly ownAgencyId: string;
  /** ISO time of the decision. */
  readonly now: string;
  /** Record id → field clocks, where kept (per-field deltas); without them, snapshots. */
  readonly recordMeta?: Readonly<Record<string, RecordMeta>>;
}

function withoutContent(record: SealableAttachment): AttachmentRecord {
  const { contentBase64: _content, contentRef: _ref, ...rest } = record;
  return rest;
}

/**
 * The case as the policy judges it: attachment records without the content carried beside them
 * (inline base64 or an upload reference). Content travels as bundle parts, looked up by id.
 */
export function policyView(input: SealableCase): ReleaseInput<SealableAttachment> {
  return { ...input, attachments: input.attachments.map(withoutContent) };
}

/** The records a decision releases, attachments without their inline content. */
export function releasedRecords(decision: ReleaseDecision<SealableAttachment>): AnyRecord[] {
  const set = decision.released;
  return recordsOf({ ...set, attachments: set.attachments.map(withoutContent) });
}

/**
 * Decides and builds what goes to one partner (no I/O). The deletion rule is applied here from the
 * input itself (records with `deleted: true`), whatever the policy says of deleted records: their
 * content is never handed to operationsSince.
 */
export function planRelease(
  input: SealableCase,
  partnerId: string,
  agreement: SharingAgreement,
  state: PartnerSyncState,
  options: PlanOptions,
): ReleasePlan {
  const caseId = input.case.id;
  const records = policyView(input);
  const decision = decideRelease(records, agreement, partnerId, options.ownAgencyId, {
    now: options.now,
  });
  const local = new Map(recordsOf(records).map((record) => [record.id, record]));
  const deleted: DeletedRecord[] = [];
  for (const record of local.values()) {
    if (record.deleted) deleted.push({ id: record.id, kind: record.kind });
  }
  const released = releasedRecords(decision).filter((record) => !local.get(record.id)?.deleted);
  const releasedIds = new Set(released.map((record) => record.id));
  // What the partner holds; for a state from before this was kept, presume what the policy
  // releases (deleted records included) went: older versions sent all of it.
  const known = sentRecordsOf(state);
  const presumedHeld = known ? [] : releasedRecords(decision).map((record) => record.id);
  const held = known ?? new Set(presumedHeld);

  // Fields of a released record that the policy left out never travel, not even as a clock.
  const hidden = new Map<string, Set<string>>();
  for (const record of released) {
    const own = local.get(record.id);
    if (!own) continue;
    const carried = new Set(fieldsOf(record));
    const missing = fieldsOf(own).filter((field) => !carried.has(field));
    if (missing.length > 0) hidden.set(record.id, new Set(missing));
  }
  const fieldAllowed = (recordId: string, field: string): boolean => {
    const { top, key } = splitField(field);
    // A chart node names an entity: only released ones may be named.
    if (top === 'nodes' && key !== undefined && !releasedIds.has(key)) return false;
    return !hidden.get(recordId)?.has(field);
  };

  const next = nextOutgoing(state);
  const meta = options.recordMeta;
  const metaOf = meta ? (id: string): RecordMeta | undefined => meta[id] : undefined;
  const live = operationsSince(released, next.since, {
    agency: options.ownAgencyId,
    ...(metaOf ? { metaOf } : {}),
    received: (id) => held.has(id),
    fieldAllowed,
  });
  const tombstones: Operation[] = [];
  for (const { id } of deleted) {
    if (!held.has(id)) continue;
    const record = local.get(id)!;
    const tombstone = tombstoneOf(
      {
        id: record.id,
        kind: record.kind,
        updatedAt: record.updatedAt,
        ...(record.kind === 'entity' ? { schema: record.schema } : {}),
      },
      metaOf?.(id),
      options.ownAgencyId,
    );
    if (next.since === null || compareHlc(tombstone.hlc, next.since) > 0)
      tombstones.push(tombstone);
  }
  const operations = [...live, ...tombstones].sort((a, b) =>
    compareHlc(operationHlc(a), operationHlc(b)),
  );
  const attachmentIds = new Set<string>();
  for (const op of operations) {
    if (op.op === 'create' && op.record.kind === 'attachment') attachmentIds.add(op.record.id);
    if (op.op === 'set' && op.kind === 'attachment' && op.field === 'sha256')
      attachmentIds.add(op.recordId);
  }
  return {
    caseId,
    partnerId,
    decision,
    deleted,
    state,
    next,
    operations,
    serialized: serializeOperations(caseId, operations),
    releasedIds: [...releasedIds],
    attachmentIds: [...attachmentIds],
    presumedHeld,
  };
}

/** Reads and writes the per-(partner, case) sync state. */
export interface SyncStateStore {
  load(partnerId: string, caseId: string): Promise<PartnerSyncState>;
  save(state: PartnerSyncState): Promise<void>;
}

export interface ReleaseSealerDeps {
  readonly identity: UnlockedIdentity;
  readonly now: () => Date;
  readonly syncStates: SyncStateStore;
  /** The exchange log, where kept: the decision and the sent bundle are appended. */
  readonly appendLog?: (entries: readonly LogEntryInput[]) => Promise<void>;
}

export interface SealReleaseOptions {
  readonly recordMeta?: Readonly<Record<string, RecordMeta>>;
  /** Content of an attachment that is not inline in the case (a file, a stream, bytes). */
  readonly attachmentContent?: (
    record: AttachmentRecord,
  ) => AttachmentSource | undefined | Promise<AttachmentSource | undefined>;
  /**
   * Where the sealed bundle goes: `out` (renamed into place from a temporary file beside it, or in
   * `tmpDir`), or `deliver`, which takes the temporary file (moves or copies it) before the sync
   * state records the bundle as sent.
   */
  readonly out?: string;
  readonly deliver?: (tempPath: string, sealed: SealResult) => Promise<void>;
  /** A private folder (created 0700) for the temporary file; default: the folder of `out`. */
  readonly tmpDir?: string;
}

export interface SealedRelease {
  readonly plan: ReleasePlan;
  readonly sealed: SealResult;
  readonly sequence: number;
  readonly attachments: number;
}

/** The highest clock of the case: every change up to it is covered by a bundle sealed now. */
function coveredTo(input: SealableCase, now: Date): string {
  let max: string | null = null;
  for (const record of recordsOf(input)) {
    if (max === null || compareHlc(record.updatedAt, max) > 0) max = record.updatedAt;
  }
  return max ?? formatHlc({ wallMs: now.getTime(), counter: 0, node: 'seal' });
}

export class ReleaseSealer {
  constructor(private readonly deps: ReleaseSealerDeps) {}

  /** Plans the release to one partner; refuses (code `case-withheld`) when the case may not go. */
  async prepare(
    input: SealableCase,
    partner: ReleasePartner,
    options: Pick<SealReleaseOptions, 'recordMeta'> = {},
  ): Promise<ReleasePlan> {
    const partnerId = partner.card.agencyId;
    const state = await this.deps.syncStates.load(partnerId, input.case.id);
    const plan = planRelease(input, partnerId, partner.agreement, state, {
      ownAgencyId: this.deps.identity.card.agencyId,
      now: this.deps.now().toISOString(),
      ...(options.recordMeta ? { recordMeta: options.recordMeta } : {}),
    });
    if (!plan.decision.released.case) {
      const reasons = plan.decision.withheld.find((item) => item.id === input.case.id)?.reasons;
      throw new ReleaseSealError(
        'case-withheld',
        `the case itself may not go to ${partnerId}${reasons ? `: ${reasons.join('; ')}` : ''}`,
      );
    }
    return plan;
  }

  /** prepare + sealPlan. */
  async seal(
    input: SealableCase,
    partner: ReleasePartner,
    options: SealReleaseOptions,
  ): Promise<SealedRelease> {
    return this.sealPlan(await this.prepare(input, partner, options), input, partner, options);
  }

  /** The second check, the bundle, its delivery, then the sync state and the log. */
  async sealPlan(
    plan: ReleasePlan,
    input: SealableCase,
    partner: ReleasePartner,
    options: SealReleaseOptions,
  ): Promise<SealedRelease> {
    if (!options.out && !options.deliver) throw new Error('sealPlan needs `out` or `deliver`');
    const { identity } = this.deps;
    const own = identity.card.agencyId;
    const now = this.deps.now();
    try {
      assertReleasable(plan.serialized, {
        input: policyView(input),
        agreement: partner.agreement,
        partnerId: plan.partnerId,
        ownAgencyId: own,
        options: { now: now.toISOString() },
      });
    } catch (error) {
      throw new ReleaseSealError(
        'release-check',
        `the release check before sealing refused: ${errorMessage(error)}`,
      );
    }
    const byId = new Map(input.attachments.map((record) => [record.id, record]));
    const attachments: SealAttachment[] = [];
    for (const [index, id] of plan.attachmentIds.entries()) {
      const record = byId.get(id);
      const source =
        record &&
        ((await options.attachmentContent?.(withoutContent(record))) ??
          (record.contentBase64 !== undefined
            ? { bytes: Buffer.from(record.contentBase64, 'base64') }
            : undefined));
      if (!record || !source) {
        throw new ReleaseSealError('attachment-missing', `attachment ${id} has no content to send`);
      }
      attachments.push({ name: `att-${String(index + 1).padStart(6, '0')}`, label: id, ...source });
    }

    const dir = options.tmpDir ?? path.dirname(path.resolve(options.out!));
    if (options.tmpDir) {
      await mkdir(options.tmpDir, { recursive: true, mode: 0o700 });
      await chmod(options.tmpDir, 0o700);
    }
    const temp = path.join(dir, `.tessera-seal-${randomBytes(8).toString('hex')}.partial`);
    try {
      const sealed = await sealBundle({
        identity,
        recipients: [partner.card],
        manifestFields: {
          caseId: plan.caseId,
          policyVersion: POLICY_VERSION,
          hlcRange: hlcRangeOf(plan.operations),
          chain: {
            [plan.partnerId]: {
              sequence: plan.next.sequence,
              previousBundleDigest: plan.next.previousBundleDigest,
            },
          },
        },
        operations: Buffer.from(plan.serialized),
        attachments,
        out: temp,
        now: this.deps.now,
      });
      // The content as sealed (hashed on the way) must be what the records name.
      for (const part of sealed.manifest.parts) {
        if (part.kind !== 'attachment') continue;
        const record = byId.get(part.label ?? '');
        if (!record || record.size !== part.size || record.sha256 !== part.sha256) {
          throw new ReleaseSealError(
            'attachment-mismatch',
            `attachment ${part.label ?? part.name}${record ? ` (${record.fileName})` : ''}: content does not match its size and SHA-256`,
          );
        }
      }
      await chmod(temp, 0o600);
      if (options.deliver) await options.deliver(temp, sealed);
      else await rename(temp, path.resolve(options.out!));

      const state = recordSent(plan.state, {
        bundleId: sealed.bundleId,
        sequence: plan.next.sequence,
        digest: sealed.bundleDigest,
        coveredTo: coveredTo(input, now),
        sentAt: now.toISOString(),
        recordIds: [...plan.presumedHeld, ...plan.operations.map(operationRecordId)],
      });
      await this.deps.syncStates.save(state);
      await this.deps.appendLog?.([
        releaseDecisionEntry(plan.caseId, plan.decision),
        {
          type: 'bundle-sent',
          data: {
            bundleId: sealed.bundleId,
            caseId: plan.caseId,
            partners: [{ agencyId: plan.partnerId, sequence: plan.next.sequence }],
            digest: sealed.bundleDigest,
            policyVersion: POLICY_VERSION,
            operations: plan.operations.length,
            attachments: attachments.length,
          },
        },
      ]);
      return { plan, sealed, sequence: plan.next.sequence, attachments: attachments.length };
    } finally {
      await rm(temp, { force: true });
    }
  }
}
