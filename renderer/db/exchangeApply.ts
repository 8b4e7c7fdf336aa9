/**
 * The renderer's side of partner exchange: bulk marking, the import review model, applying what
 * the reviewer accepted, the operations to send, and the purge of received material whose
 * retention ended. Crypto and transports stay in the Node services; this module only works on the
 * local Dexie database and the pure merge (shared/exchange/merge.ts).
 *
 * Sync metadata lives in its own tables next to the records (syncState.ts, migrations/v3.ts):
 * the record's per-field clocks as of the last import; operations for records not here yet
 * (out-of-order arrival); the HLC of the last exchange with each partner (conflicts are fields
 * changed on both sides after it); who sent a foreign record, when, and until when it may be kept.
 * Local edits go through the repository, which keeps no field clocks; they are recovered from the
 * audit trail (every change stores before/after with its HLC) and joined with the stored metadata,
 * so a field edited here after an import carries the edit's clock.
 *
 * Review: the staged operations are merged into a copy of the case (nothing written), and every
 * record the merge would change becomes an item: new, changed (field by field) or conflicting
 * (both sides changed a field since the last exchange; LWW picked a winner). Changes to fields only
 * the originator owns come back as proposals. applyAccepted then writes all accepted items in ONE
 * transaction with 'import' audit entries, or nothing. Taking the loser of a conflict (accepting
 * the remote value where ours won, or keeping ours where theirs won) is a new edit with a fresh
 * clock, so it travels back and wins at the partner too.
 *
 * Writes (bulk marking, applying a review, the retention purge) commit through the unit of work:
 * bulk marking and an accepted review are undoable like any edit (undo is a local edit after the
 * import, so it travels to partners as one); a purge is not: the retention limit is the law.
 */
import type { ClassificationLadder } from '../../shared/exchange/markings.ts';
import { isLowering, loweringReasons } from '../../shared/exchange/markings.ts';
import type { Conflict, MergeState } from '../../shared/exchange/merge.ts';
import { applyOperations, createMergeState } from '../../shared/exchange/merge.ts';
import type { Operation, RecordMeta } from '../../shared/exchange/operations.ts';
import {
  canonicalJson,
  diffRecords,
  fieldsOf,
  hlcRangeOf,
  isRelationship,
  operationsSince,
  readField,
  writeField,
} from '../../shared/exchange/operations.ts';
import { captionOfRecord, ITEM_KINDS, RECORD_KIND_NAMES } from '../../shared/model/recordKinds.ts';
import {
  DEFAULT_CLASSIFICATIONS,
  TLP_LEVELS,
  captionOf,
  model,
  compareHlc,
  edgeEnds,
  parseHlc,
  validateDate,
  validateEntity,
} from '../../shared/model/index.ts';
import type {
  AnyRecord,
  AuditEntry,
  ChartRecord,
  HybridLogicalClock,
  Markings,
  RecordKind,
  Tlp,
} from '../../shared/model/index.ts';
import { withNodeRows } from './chartNodes.ts';
import type { StoredEntity, TesseraDatabase } from './database.ts';
import {
  caseIdOf,
  checkShape,
  readRecord,
  recordTable,
  sha256Hex,
  stripEntity,
} from './records.ts';
import { RecordValidationError } from './repository.types.ts';
import type { Actor } from './repository.types.ts';
import {
  advanceLastSync,
  forgetRecords,
  listReceived,
  noteReceived,
  readLastSync,
  readPending,
  readRecordMeta,
  syncTables,
  writePending,
  writeRecordMeta,
} from './syncState.ts';
import type { UnitOfWork } from './unitOfWork.ts';

export interface ExchangeDeps {
  /** The page's unit of work: every write of this module commits through it. */
  readonly work: UnitOfWork;
  /** The unit of work's database, clock and actor (read here; writes use `work`). */
  readonly db: TesseraDatabase;
  readonly clock: HybridLogicalClock;
  readonly actor: () => Actor;
  readonly classifications?: ClassificationLadder;
  /** HLC node ids of this installation; only their writes count as local changes. */
  readonly localNodes?: readonly string[];
}

/** Record tables, audit trail and sync state: what reading a case's merge state touches. */
function readTables(db: TesseraDatabase) {
  return [
    ...RECORD_KIND_NAMES.map((kind) => recordTable(db, kind)),
    db.chartNodes,
    db.audit,
    ...syncTables(db),
  ];
}

async function findRecord(db: TesseraDatabase, id: string): Promise<AnyRecord | undefined> {
  for (const kind of RECORD_KIND_NAMES) {
    const found = await readRecord(db, kind, id);
    if (found) return found;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Bulk marking

/** A change to apply to the markings of many records at once; absent fields stay as they are. */
export interface MarkingsPatch {
  readonly classification?: string;
  readonly tlp?: Tlp;
  /** null clears the handling code. */
  readonly handlingCode?: string | null;
  readonly releasableTo?: {
    readonly mode: 'set' | 'add' | 'remove';
    readonly partners: readonly string[];
  };
  readonly referToOriginator?: boolean;
  /** ISO date; null clears it (the agreement decides). */
  readonly retainUntil?: string | null;
}

export function patchMarkings(current: Markings, patch: MarkingsPatch): Markings {
  let releasableTo = [...current.releasableTo];
  if (patch.releasableTo) {
    const partners = patch.releasableTo.partners.map((p) => p.trim()).filter(Boolean);
    if (patch.releasableTo.mode === 'set') releasableTo = partners;
    else if (patch.releasableTo.mode === 'add') releasableTo = [...releasableTo, ...partners];
    else releasableTo = releasableTo.filter((p) => !partners.includes(p));
  }
  const handlingCode =
    patch.handlingCode === undefined
      ? current.handlingCode
      : patch.handlingCode?.trim() || undefined;
  const retainUntil =
    patch.retainUntil === undefined ? current.retainUntil : patch.retainUntil || undefined;
  return {
    classification: patch.classification ?? current.classification,
    tlp: patch.tlp ?? current.tlp,
    releasableTo: [...new Set(releasableTo)].sort(),
    referToOriginator: patch.referToOriginator ?? current.referToOriginator,
    ...(handlingCode ? { handlingCode } : {}),
    ...(retainUntil ? { retainUntil } : {}),
  };
}

export function validateMarkingsPatch(
  patch: MarkingsPatch,
  ladder: ClassificationLadder = DEFAULT_CLASSIFICATIONS,
): Record<string, string> {
  const errors: Record<string, string> = {};
  if (patch.classification !== undefined && !ladder.includes(patch.classification))
    errors.classification = `not a classification of this agency: ${patch.classification}`;
  if (patch.tlp !== undefined && !TLP_LEVELS.includes(patch.tlp))
    errors.tlp = `not a TLP label: ${String(patch.tlp)}`;
  if (patch.retainUntil) {
    const problem = validateDate(patch.retainUntil);
    if (problem) errors.retainUntil = `Retain until: ${problem}`;
  }
  const bad = (patch.releasableTo?.partners ?? []).filter(
    (p) => !/^[A-Za-z0-9_.:-]{1,64}$/.test(p),
  );
  if (bad.length > 0) errors.releasableTo = `not an agency id: ${bad.join(', ')}`;
  if (patch.handlingCode && patch.handlingCode.length > 200)
    errors.handlingCode = 'Handling code is longer than 200 characters';
  return errors;
}

export interface RefusedItem {
  readonly id: string;
  readonly caption: string;
  readonly reasons: readonly string[];
}

export interface BulkMarkingsResult {
  readonly updated: readonly string[];
  readonly unchanged: readonly string[];
  /** Material of another agency whose markings the patch would lower: left as it was. */
  readonly refused: readonly RefusedItem[];
}

/**
 * Sets the markings of the given records (entities, notes, attachments, notices, charts) in one
 * transaction with one audit change. Material from another agency is never lowered: such records
 * are refused (and reported); the others are changed.
 */
export async function setMarkingsBulk(
  deps: ExchangeDeps,
  recordIds: readonly string[],
  patch: MarkingsPatch,
): Promise<BulkMarkingsResult> {
  const ladder = deps.classifications ?? DEFAULT_CLASSIFICATIONS;
  const errors = validateMarkingsPatch(patch, ladder);
  if (Object.keys(errors).length > 0) throw new RecordValidationError(errors);
  const { db } = deps.work;
  const actor = deps.work.actor();
  return deps.work.commit({
    label: ({ updated }) =>
      `Set markings of ${updated.length} record${updated.length === 1 ? '' : 's'}`,
    async write(tx) {
      const updated: string[] = [];
      const unchanged: string[] = [];
      const refused: RefusedItem[] = [];
      for (const id of new Set(recordIds)) {
        const found = await findRecord(db, id);
        if (!found || found.deleted) throw new Error(`record ${id} does not exist`);
        const markings = patchMarkings(found.markings, patch);
        if (canonicalJson(markings) === canonicalJson(found.markings)) {
          unchanged.push(id);
          continue;
        }
        if (found.originAgency !== actor.agencyId && isLowering(found.markings, markings, ladder)) {
          refused.push({
            id,
            caption: captionOfRecord(found, 'release'),
            reasons: [
              `material of ${found.originAgency}: ${loweringReasons(found.markings, markings, ladder).join('; ')}`,
            ],
          });
          continue;
        }
        const after = { ...found, markings, updatedAt: deps.work.clock.now() } as AnyRecord;
        await tx.put(after, { summary: (derived) => `bulk marking: ${derived}` });
        updated.push(id);
      }
      return { updated, unchanged, refused };
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Merge state from the database

async function caseRecords(db: TesseraDatabase, caseId: string): Promise<AnyRecord[]> {
  const out: AnyRecord[] = [];
  const record = await db.cases.get(caseId);
  if (record) out.push(record);
  for (const kind of ITEM_KINDS) {
    const stored = await recordTable(db, kind).where('caseId').equals(caseId).toArray();
    // Charts with their per-node positions (chartNodes.ts).
    const items = kind === 'chart' ? await withNodeRows(db, stored as ChartRecord[]) : stored;
    for (const item of items)
      out.push(item.kind === 'entity' ? stripEntity(item as StoredEntity) : item);
  }
  return out;
}

/**
 * The per-field clocks of a record: the stored ones (from imports) joined with those of the local
 * edits in its audit trail (sorted by HLC). Without either, every field has the record's clock.
 */
export function deriveMeta(
  record: AnyRecord,
  stored: RecordMeta | undefined,
  entries: readonly AuditEntry[],
): RecordMeta | undefined {
  const edits = entries.filter((entry) => entry.action !== 'import' && entry.after);
  if (!stored && edits.length === 0) return undefined;
  let base = stored?.base;
  if (base === undefined) {
    const first = edits[0]!;
    base = first.before ? first.before.updatedAt : record.createdAt;
  }
  const clocks: Record<string, string> = { ...(stored?.clocks ?? {}) };
  const bump = (field: string, hlc: string): void => {
    const current = clocks[field] ?? base;
    if (compareHlc(hlc, current) > 0) clocks[field] = hlc;
  };
  for (const entry of edits) {
    const after = entry.after!;
    if (!entry.before) continue;
    for (const op of diffRecords(entry.before, after, entry.hlc, '-')) {
      if (op.op === 'set') bump(op.field, entry.hlc);
      else if (op.op === 'tombstone' || op.op === 'restore') bump('deleted', entry.hlc);
    }
  }
  const meta: RecordMeta = { ...(stored ?? {}), base, clocks };
  return meta;
}

/**
 * A relationship's add/remove tags spelled out (an absent list and an empty one compare unequal in
 * the merge, which would make every resent relationship look changed).
 */
function withRelationshipTags(
  record: AnyRecord,
  meta: RecordMeta | undefined,
): RecordMeta | undefined {
  if (!isRelationship(record)) return meta;
  const base = meta ?? { base: record.updatedAt, clocks: {} };
  return {
    ...base,
    adds: base.adds ?? [record.createdAt],
    removes: base.removes ?? (record.deleted ? [record.createdAt] : []),
  };
}

async function loadState(
  db: TesseraDatabase,
  caseId: string,
): Promise<{ records: AnyRecord[]; state: MergeState; localNodes: Set<string> }> {
  const records = await caseRecords(db, caseId);
  const storedMetas = await readRecordMeta(
    db,
    records.map((r) => r.id),
  );
  const audit = await db.audit.where('caseId').equals(caseId).toArray();
  audit.sort((a, b) => compareHlc(a.hlc, b.hlc));
  const byRecord = new Map<string, AuditEntry[]>();
  // Every change in the audit trail that is not an import was made here: its clock node is ours.
  const localNodes = new Set<string>();
  for (const entry of audit) {
    if (entry.action !== 'import') localNodes.add(parseHlc(entry.hlc).node);
    const list = byRecord.get(entry.recordId);
    if (list) list.push(entry);
    else byRecord.set(entry.recordId, [entry]);
  }
  const metas: [string, RecordMeta][] = [];
  records.forEach((record, index) => {
    const stored = storedMetas[index];
    const meta = withRelationshipTags(
      record,
      deriveMeta(record, stored, byRecord.get(record.id) ?? []),
    );
    if (meta) metas.push([record.id, meta]);
  });
  const pending = await readPending(db, caseId);
  return { records, state: createMergeState(records, metas, pending), localNodes };
}

// ---------------------------------------------------------------------------------------------
// Review

export interface FieldChange {
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

export type ReviewStatus = 'new' | 'changed' | 'conflict';

export interface ReviewItem {
  readonly id: string;
  readonly kind: RecordKind;
  readonly status: ReviewStatus;
  readonly caption: string;
  /** The record as it is here; undefined for a new one. */
  readonly local?: AnyRecord;
  /** The record as it would be with the partner's changes (on conflicts: their values). */
  readonly incoming: AnyRecord;
  readonly changes: readonly FieldChange[];
  readonly conflicts: readonly Conflict[];
  /** Why the item cannot be accepted as it is (e.g. it refers to an entity not here). */
  readonly problems: readonly string[];
  /** Ids of new items this one needs (the ends of a relationship, the case, …). */
  readonly requires: readonly string[];
}

export interface ReviewProposal {
  /** `<recordId>#<field>` */
  readonly key: string;
  readonly recordId: string;
  readonly caption: string;
  readonly field: string;
  readonly current: unknown;
  readonly proposed: unknown;
  readonly agency: string;
  readonly reason: string;
  /** Only our own records' proposals can be taken (foreign markings are never lowered here). */
  readonly acceptable: boolean;
}

export interface StagedImport {
  readonly caseId: string;
  /** The verified sender agency. */
  readonly sender: string;
  readonly bundleId?: string;
  readonly operations: readonly Operation[];
}

export interface ReviewModel {
  readonly caseId: string;
  readonly sender: string;
  readonly bundleId?: string;
  readonly items: readonly ReviewItem[];
  readonly proposals: readonly ReviewProposal[];
  readonly rejected: readonly { readonly recordId: string; readonly reason: string }[];
  /** Operations waiting for records that have not arrived. */
  readonly pendingCount: number;
  readonly unchanged: number;
  /** The case after the merge, and the field clocks before it (for applyAccepted). */
  readonly merged: MergeState;
  readonly localMeta: ReadonlyMap<string, RecordMeta>;
  readonly hlcTo: string | null;
}

/** Fields shown for a new record: its content, not the bookkeeping (markings show apart). */
const HIDDEN_NEW_FIELDS = new Set([
  'markings',
  'provenance',
  'grading',
  'propertyMarkings',
  'nodes',
  'viewport',
]);

/** A relationship reads "Directorship: Ivan Petrov → Danube Freight"; anything else as usual. */
function reviewCaption(record: AnyRecord, state: MergeState): string {
  if (record.kind === 'entity') {
    const ends = edgeEnds(record.schema, record.properties);
    if (ends) {
      const name = (id: string): string => {
        const end = state.records.get(id);
        return end?.kind === 'entity' ? captionOf(end.schema, end.properties) : id;
      };
      const label = model.schemata[record.schema]?.label ?? record.schema;
      return `${label}: ${name(ends.source)} → ${name(ends.target)}`;
    }
  }
  return captionOfRecord(record, 'release');
}

/** Entity references in a change read as the entities' captions rather than their ids. */
function readableRefs(record: AnyRecord, changes: FieldChange[], state: MergeState): FieldChange[] {
  if (record.kind !== 'entity') return changes;
  const properties = model.schemata[record.schema]?.getProperties();
  const name = (value: unknown): unknown => {
    const end = typeof value === 'string' ? state.records.get(value) : undefined;
    return end?.kind === 'entity' ? captionOf(end.schema, end.properties) : value;
  };
  const names = (value: unknown): unknown => (Array.isArray(value) ? value.map(name) : value);
  return changes.map((change) => {
    const property = change.field.startsWith('properties.') ? change.field.slice(11) : undefined;
    if (!property || !properties?.get(property)?.type.isEntity) return change;
    return { ...change, before: names(change.before), after: names(change.after) };
  });
}

function fieldChanges(local: AnyRecord | undefined, after: AnyRecord): FieldChange[] {
  if (!local) {
    return fieldsOf(after)
      .filter((field) => !HIDDEN_NEW_FIELDS.has(field.split('.')[0]!))
      .map((field) => ({ field, before: undefined, after: readField(after, field) }));
  }
  const changes: FieldChange[] = [];
  for (const op of diffRecords(local, after, '0000000000000-0000-x', '-')) {
    if (op.op === 'set') {
      changes.push({
        field: op.field,
        before: readField(local, op.field),
        after: op.value ?? undefined,
      });
    } else if (op.op === 'tombstone' || op.op === 'restore') {
      changes.push({ field: 'deleted', before: local.deleted, after: after.deleted });
    }
  }
  return changes;
}

function entityRefs(record: AnyRecord): string[] {
  if (record.kind === 'entity') {
    const ends = edgeEnds(record.schema, record.properties);
    const refs = ends ? [ends.source, ends.target] : [];
    // Other entity references are validated by validateEntity; the ends are what must exist.
    return refs;
  }
  if (record.kind === 'note' || record.kind === 'attachment')
    return record.entityId ? [record.entityId] : [];
  if (record.kind === 'notice') return record.subjectId ? [record.subjectId] : [];
  return [];
}

/** Merges the staged operations into a copy of the case and lists what would change. Writes nothing. */
export async function buildReview(deps: ExchangeDeps, staged: StagedImport): Promise<ReviewModel> {
  const { db } = deps;
  const local = deps.actor().agencyId;
  const { state, lastSync, nodes } = await db.transaction('r', readTables(db), async () => {
    const loaded = await loadState(db, staged.caseId);
    return {
      state: loaded.state,
      nodes: loaded.localNodes,
      lastSync: await readLastSync(db, staged.caseId, staged.sender),
    };
  });
  const localNodes = [...new Set([...(deps.localNodes ?? []), ...nodes])];
  const result = applyOperations(state, staged.operations, {
    localAgency: local,
    sender: staged.sender,
    lastSyncHlc: lastSync,
    localNodes,
    ...(deps.classifications ? { classifications: deps.classifications } : {}),
  });
  const conflictsById = new Map<string, Conflict[]>();
  for (const conflict of result.conflicts) {
    conflictsById.set(conflict.recordId, [
      ...(conflictsById.get(conflict.recordId) ?? []),
      conflict,
    ]);
  }
  const ids = new Set([...result.changedIds, ...conflictsById.keys()]);
  const knownEntities = new Set<string>();
  for (const record of result.state.records.values()) {
    if (record.kind === 'entity' && !record.deleted && record.caseId === staged.caseId)
      knownEntities.add(record.id);
  }
  const items: ReviewItem[] = [];
  for (const id of ids) {
    const before = state.records.get(id);
    let incoming = result.state.records.get(id)!;
    const conflicts = conflictsById.get(id) ?? [];
    for (const conflict of conflicts) {
      if (conflict.winner === 'local')
        incoming = writeField(incoming, conflict.field, conflict.remote);
    }
    const problems: string[] = [];
    if (caseIdOf(incoming) !== staged.caseId) problems.push('belongs to another case');
    if (incoming.kind === 'entity' && !incoming.deleted) {
      // Like an import, a partner's entity may lack a required value (issue 11: a Passport
      // without a number); only a relationship's ends and well-formed values are insisted on.
      const messages = Object.values(
        validateEntity(incoming.schema, incoming.properties, knownEntities, {
          allowMissingRequired: true,
        }),
      );
      problems.push(...messages);
    }
    const requires = [
      ...entityRefs(incoming),
      ...(incoming.kind === 'case' ? [] : [staged.caseId]),
    ].filter((ref) => !state.records.get(ref) || state.records.get(ref)!.deleted);
    items.push({
      id,
      kind: incoming.kind,
      status: conflicts.length > 0 ? 'conflict' : before ? 'changed' : 'new',
      caption: reviewCaption(before ?? incoming, result.state),
      ...(before ? { local: before } : {}),
      incoming,
      changes: readableRefs(incoming, fieldChanges(before, incoming), result.state),
      conflicts,
      problems,
      requires: requires.filter((ref) => ids.has(ref)),
    });
  }
  const order: Record<RecordKind, number> = {
    case: 0,
    entity: 1,
    note: 2,
    attachment: 3,
    notice: 4,
    chart: 5,
  };
  items.sort((a, b) => order[a.kind] - order[b.kind] || a.caption.localeCompare(b.caption));
  const proposals: ReviewProposal[] = result.proposals.map((proposal) => {
    const record = result.state.records.get(proposal.recordId)!;
    return {
      key: `${proposal.recordId}#${proposal.field}`,
      recordId: proposal.recordId,
      caption: captionOfRecord(record, 'release'),
      field: proposal.field,
      current: proposal.current,
      proposed: proposal.value,
      agency: proposal.agency,
      reason: proposal.reason,
      acceptable: record.originAgency === local,
    };
  });
  const range = hlcRangeOf(staged.operations);
  return {
    caseId: staged.caseId,
    sender: staged.sender,
    ...(staged.bundleId ? { bundleId: staged.bundleId } : {}),
    items,
    proposals,
    rejected: result.rejected.map(({ op, reason }) => ({
      recordId: op.op === 'create' ? op.record.id : op.recordId,
      reason,
    })),
    pendingCount: result.state.pending.length,
    unchanged: result.unchanged,
    merged: result.state,
    localMeta: state.meta,
    hlcTo: range?.to ?? null,
  };
}

/** The new items an item needs, transitively (accepting it accepts them too in the UI). */
export function requiredClosure(review: ReviewModel, id: string): string[] {
  const byId = new Map(review.items.map((item) => [item.id, item]));
  const out = new Set<string>();
  const visit = (current: string): void => {
    for (const ref of byId.get(current)?.requires ?? []) {
      if (!out.has(ref)) {
        out.add(ref);
        visit(ref);
      }
    }
  };
  visit(id);
  return [...out];
}

// ---------------------------------------------------------------------------------------------
// Apply

export interface ApplyDecisions {
  /** Items (record ids) to take; the others are rejected. */
  readonly acceptedIds: ReadonlySet<string>;
  /** Proposal keys to take (our own records only). */
  readonly acceptedProposals?: ReadonlySet<string>;
  /** Content of accepted new attachments, checked against their SHA-256. */
  readonly attachmentBlobs?: ReadonlyMap<string, Blob>;
  /** ISO date until which received material may be kept (from the sharing agreement). */
  readonly retainUntil?: string;
}

export interface ApplyResult {
  readonly changeId: string;
  readonly written: number;
}

/**
 * Writes every accepted item (and accepted proposal) in ONE change with 'import' audit entries;
 * all or nothing, and undoable as one step. Throws RecordValidationError when an accepted item is invalid or needs
 * a rejected one, and an Error when the case changed since the review was built.
 */
export async function applyAccepted(
  deps: ExchangeDeps,
  review: ReviewModel,
  decisions: ApplyDecisions,
): Promise<ApplyResult> {
  const { db, clock } = deps.work;
  const actor = deps.work.actor();
  const errors: Record<string, string> = {};
  const accepted = review.items.filter((item) => decisions.acceptedIds.has(item.id));
  const acceptedIds = new Set(accepted.map((item) => item.id));
  for (const item of accepted) {
    if (item.problems.length > 0) errors[item.id] = `${item.caption}: ${item.problems.join('; ')}`;
    const missing = item.requires.filter((ref) => !acceptedIds.has(ref));
    if (missing.length > 0) {
      const names = missing.map((ref) => review.items.find((i) => i.id === ref)?.caption ?? ref);
      errors[item.id] = `${item.caption} needs ${names.join(', ')}, which is not accepted`;
    }
  }
  const blobs = new Map<string, Blob>();
  for (const item of accepted) {
    if (item.kind !== 'attachment' || item.status !== 'new' || item.incoming.kind !== 'attachment')
      continue;
    const blob = decisions.attachmentBlobs?.get(item.id);
    if (!blob) errors[item.id] = `${item.caption}: its content did not arrive`;
    else if ((await sha256Hex(blob)) !== item.incoming.sha256)
      errors[item.id] = `${item.caption}: content does not match its SHA-256`;
    else blobs.set(item.id, blob);
  }
  if (Object.keys(errors).length > 0) throw new RecordValidationError(errors);
  try {
    if (review.hlcTo) clock.receive(review.hlcTo);
  } catch (error) {
    throw new RecordValidationError({ bundle: (error as Error).message });
  }
  const receivedAt = new Date().toISOString();
  return deps.work.commit({
    label: ({ written }) =>
      `Accept ${written} change${written === 1 ? '' : 's'} from ${review.sender}`,
    async write(tx) {
      const writes = new Map<string, { before?: AnyRecord; after: AnyRecord; meta: RecordMeta }>();
      const metaOf = (id: string): RecordMeta =>
        writes.get(id)?.meta ?? review.merged.meta.get(id) ?? { base: '', clocks: {} };
      for (const item of review.items) {
        const here = await tx.get(item.kind, item.id);
        if ((here?.updatedAt ?? null) !== (item.local?.updatedAt ?? null)) {
          throw new Error(
            `${item.caption} changed here since the review was opened; open the import again`,
          );
        }
        const keepLocal = item.conflicts.filter((c) => c.winner === 'remote');
        const takeRemote = item.conflicts.filter((c) => c.winner === 'local');
        const take = (
          record: AnyRecord,
          startMeta: RecordMeta,
          fields: readonly Conflict[],
          side: 'local' | 'remote',
        ): { record: AnyRecord; meta: RecordMeta } => {
          let next = record;
          let meta = startMeta;
          for (const conflict of fields) {
            const hlc = clock.now();
            const value = side === 'local' ? conflict.local : conflict.remote;
            next = { ...writeField(next, conflict.field, value), updatedAt: hlc } as AnyRecord;
            meta = { ...meta, clocks: { ...meta.clocks, [conflict.field]: hlc } };
          }
          return { record: next, meta };
        };
        let written: { record: AnyRecord; meta: RecordMeta } | undefined;
        if (acceptedIds.has(item.id)) {
          const merged = review.merged.records.get(item.id)!;
          const meta = review.merged.meta.get(item.id) ?? { base: merged.updatedAt, clocks: {} };
          written = take(merged, meta, takeRemote, 'remote');
        } else if (keepLocal.length > 0 && item.local) {
          // Keeping ours where theirs won is a new edit, so that it wins at the partner too.
          const meta = review.localMeta.get(item.id) ?? { base: item.local.updatedAt, clocks: {} };
          written = take(item.local, meta, keepLocal, 'local');
        }
        if (!written) continue;
        checkShape(written.record);
        writes.set(item.id, {
          ...(here ? { before: here } : {}),
          after: written.record,
          meta: written.meta,
        });
      }
      for (const proposal of review.proposals) {
        if (!decisions.acceptedProposals?.has(proposal.key) || !proposal.acceptable) continue;
        const existing = writes.get(proposal.recordId);
        const stored = await findRecord(db, proposal.recordId);
        const base = existing?.after ?? stored;
        if (!base) continue;
        const hlc = clock.now();
        const after = (
          proposal.field === 'deleted'
            ? { ...base, deleted: proposal.proposed === true, updatedAt: hlc }
            : { ...writeField(base, proposal.field, proposal.proposed), updatedAt: hlc }
        ) as AnyRecord;
        checkShape(after);
        const meta = metaOf(proposal.recordId);
        writes.set(proposal.recordId, {
          ...((existing?.before ?? stored) ? { before: existing?.before ?? stored } : {}),
          after,
          meta: {
            ...meta,
            base: meta.base || base.updatedAt,
            clocks: { ...meta.clocks, [proposal.field]: hlc },
          },
        });
      }
      // Entity references must resolve among what is here and what is accepted.
      const known = new Set(
        (await db.entities.where('caseId').equals(review.caseId).toArray())
          .filter((e) => !e.deleted)
          .map((e) => e.id),
      );
      for (const { after } of writes.values()) {
        if (after.kind === 'entity') {
          if (after.deleted) known.delete(after.id);
          else known.add(after.id);
        }
      }
      for (const { after } of writes.values()) {
        if (after.kind !== 'entity' || after.deleted) continue;
        const problems = Object.values(
          validateEntity(after.schema, after.properties, known, { allowMissingRequired: true }),
        );
        if (problems.length > 0)
          errors[after.id] = `${captionOfRecord(after, 'release')}: ${problems.join('; ')}`;
      }
      if (Object.keys(errors).length > 0) throw new RecordValidationError(errors);
      for (const { before, after, meta } of writes.values()) {
        const taken = !before ? 'new' : 'changed';
        await tx.put(after, {
          action: 'import',
          summary: (derived) => `import from ${review.sender} (${taken}): ${derived}`,
        });
        await writeRecordMeta(db, caseIdOf(after), after.id, meta);
        if (after.originAgency !== actor.agencyId) {
          await noteReceived(db, {
            recordId: after.id,
            caseId: caseIdOf(after),
            sender: review.sender,
            receivedAt,
            ...(decisions.retainUntil ? { retainUntil: decisions.retainUntil } : {}),
          });
        }
      }
      for (const [id, content] of blobs) await tx.putBlob(id, content);
      await writePending(db, review.caseId, review.merged.pending);
      if (review.hlcTo) await advanceLastSync(db, review.caseId, review.sender, review.hlcTo);
      return { changeId: tx.changeId, written: writes.size };
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Outgoing

/** Notes that everything up to `hlc` went to the partner (call after sealing). */
export async function markSynced(
  db: TesseraDatabase,
  caseId: string,
  partner: string,
  hlc: string,
): Promise<void> {
  await db.transaction('rw', db.syncPartners, () => advanceLastSync(db, caseId, partner, hlc));
}

/**
 * The operations that carry `records` (the released set of a case) changed after `since` (null:
 * everything), with per-field clocks where known. The sender is this agency.
 */
export async function outgoingOperations(
  deps: ExchangeDeps,
  caseId: string,
  records: readonly AnyRecord[],
  since: string | null,
): Promise<Operation[]> {
  const { state } = await deps.db.transaction('r', readTables(deps.db), () =>
    loadState(deps.db, caseId),
  );
  return operationsSince(records, since, {
    agency: deps.actor().agencyId,
    metaOf: (id) => state.meta.get(id),
  });
}

/**
 * Field clocks of every record of the case that has them (for `exchange.export.seal`'s
 * `recordMeta`, so that deltas travel per field).
 */
export async function recordMetaForCase(
  db: TesseraDatabase,
  caseId: string,
): Promise<Record<string, RecordMeta>> {
  const { state } = await db.transaction('r', readTables(db), () => loadState(db, caseId));
  return Object.fromEntries(state.meta);
}

// ---------------------------------------------------------------------------------------------
// Retention

export interface PurgeResult {
  readonly purged: readonly {
    readonly id: string;
    readonly kind: RecordKind;
    readonly sender: string;
  }[];
}

/**
 * Removes for good the received records whose retention ended before `now` (the sharing
 * agreement's date noted at import, or the record's own retainUntil, whichever is earlier),
 * with relationships whose end goes. Earlier audit entries of a purged record carry copies of
 * it, so they go too; one 'delete' entry per record (kind, id, sender, date, no content) stays.
 */
export async function purgeExpired(deps: ExchangeDeps, now: Date): Promise<PurgeResult> {
  const { db, clock } = deps.work;
  const today = now.toISOString().slice(0, 10);
  return deps.work.commit({
    label: 'Purge received material past its retention',
    undoable: false,
    async write(tx) {
      const { rows, unreadable } = await listReceived(db);
      await forgetRecords(db, unreadable);
      const expired = new Map<string, { record: AnyRecord; sender: string; until: string }>();
      for (const entry of rows) {
        const record = await findRecord(db, entry.recordId);
        if (!record) {
          await forgetRecords(db, [entry.recordId]);
          continue;
        }
        const dates = [entry.retainUntil, record.markings.retainUntil].filter(
          (d): d is string => !!d,
        );
        if (dates.length === 0) continue;
        const until = dates.sort()[0]!.slice(0, 10);
        if (until < today) expired.set(entry.recordId, { record, sender: entry.sender, until });
      }
      // A relationship whose end is purged goes with it.
      const caseIds = new Set([...expired.values()].map(({ record }) => caseIdOf(record)));
      for (const caseId of caseIds) {
        const entities = await db.entities.where('caseId').equals(caseId).toArray();
        for (const stored of entities) {
          const entity = stripEntity(stored);
          const ends = edgeEnds(entity.schema, entity.properties);
          if (
            ends &&
            !expired.has(entity.id) &&
            (expired.has(ends.source) || expired.has(ends.target))
          ) {
            expired.set(entity.id, { record: entity, sender: entity.originAgency, until: today });
          }
        }
      }
      const purged: { id: string; kind: RecordKind; sender: string }[] = [];
      // Cases last: one goes only once nothing of it is left.
      const ordered = [...expired].sort(
        ([, a], [, b]) => Number(a.record.kind === 'case') - Number(b.record.kind === 'case'),
      );
      for (const [id, { record, sender, until }] of ordered) {
        if (record.kind === 'case') {
          const own = await Promise.all(
            ITEM_KINDS.map((kind) => recordTable(db, kind).where('caseId').equals(id).count()),
          );
          // The case stays while it still holds records (own or not yet expired).
          if (own.some((n) => n > 0)) continue;
        }
        await tx.deleteForGood(record);
        tx.audit({
          caseId: caseIdOf(record),
          recordId: id,
          recordKind: record.kind,
          action: 'delete',
          at: now.toISOString(),
          hlc: clock.now(),
          summary: `purged ${record.kind} ${id} received from ${sender}: retention ended ${until}`,
        });
        purged.push({ id, kind: record.kind, sender });
      }
      return { purged };
    },
  });
}
