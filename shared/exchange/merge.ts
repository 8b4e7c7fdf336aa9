/**
 * Applying sync operations (operations.ts) to a local state: a state-based CRDT per record.
 *
 * - Every field is a last-writer-wins register ordered by (HLC, canonical JSON of the value): the
 *   HLC string already breaks ties between writers by node id, and the value breaks the tie of two
 *   different values under one identical stamp (only a buggy or forged writer does that), so every
 *   replica picks the same winner whatever the arrival order. A field without its own clock in the
 *   metadata has the record's `base` clock (its `updatedAt` when the state was built).
 * - Deletion of an ordinary record is a LWW register too (`deleted`, true wins a tie).
 * - Relationships are an observed-remove set, add-wins: creation and each restore add a tag (their
 *   HLC); a tombstone removes the tags it observed. A restore concurrent with a tombstone adds a
 *   tag the tombstone did not see, so the relationship stays. A tombstone without `observed`
 *   (a peer that keeps no tags) removes every tag older than itself.
 * - Operations for a record not yet here wait in `pending` and are applied when it arrives, so
 *   out-of-order delivery converges; replays change nothing (every step is a join).
 * - Fields the originator owns (markings, per-property markings, grading, provenance) and the
 *   deletion of its records change only by the originator's operations; other agencies' become
 *   proposals. The author is the bundle's verified sender when given, else the operation's agency.
 *   A markings change that would lower the current markings is a proposal too, never applied.
 * - A conflict is a field changed here after the last sync (`lastSyncHlc`) and changed by the
 *   remote too, to a different value. LWW still decides (replicas must converge); the conflict is
 *   reported, with the loser, for the review screen, where keeping the other value is a new edit.
 */
import { compareHlc, parseHlc } from '../model/hlc.ts';
import { anyRecordSchema } from '../model/recordKinds.ts';
import type { Markings } from '../model/markings.ts';
import type { AnyRecord, RecordKind } from '../model/records.ts';
import type { ClassificationLadder } from './markings.ts';
import { loweringReasons } from './markings.ts';
import type { Operation, RecordMeta, SetOperation } from './operations.ts';
import {
  IMMUTABLE_FIELDS,
  canonicalJson,
  fieldsOf,
  isOriginatorField,
  isRelationship,
  isSettableField,
  operationRecordId,
  readField,
  splitField,
  writeField,
} from './operations.ts';

export interface MergeState {
  readonly records: ReadonlyMap<string, AnyRecord>;
  readonly meta: ReadonlyMap<string, RecordMeta>;
  /** Operations for records not (yet) here. */
  readonly pending: readonly Operation[];
}

export function createMergeState(
  records: Iterable<AnyRecord>,
  meta: Iterable<readonly [string, RecordMeta]> = [],
  pending: readonly Operation[] = [],
): MergeState {
  const map = new Map<string, AnyRecord>();
  for (const record of records) map.set(record.id, record);
  return { records: map, meta: new Map(meta), pending };
}

export interface MergeOptions {
  /** This agency. */
  readonly localAgency: string;
  /** The verified sender of the batch; when given it is the author of every operation in it. */
  readonly sender?: string;
  /** HLC of the last sync with this partner; null or absent: never synced. */
  readonly lastSyncHlc?: string | null;
  /** HLC node ids of this installation: when given, only their writes count as local changes. */
  readonly localNodes?: readonly string[];
  readonly classifications?: ClassificationLadder;
}

export interface Proposal {
  readonly recordId: string;
  readonly kind: RecordKind;
  readonly field: string;
  readonly value: unknown;
  readonly current: unknown;
  readonly hlc: string;
  readonly agency: string;
  readonly reason: string;
}

export interface Conflict {
  readonly recordId: string;
  readonly kind: RecordKind;
  readonly field: string;
  readonly local: unknown;
  readonly remote: unknown;
  readonly localHlc: string;
  readonly remoteHlc: string;
  readonly winner: 'local' | 'remote';
}

export interface RejectedOperation {
  readonly op: Operation;
  readonly reason: string;
}

export interface MergeResult {
  readonly state: MergeState;
  /** Operations that changed the state. */
  readonly applied: readonly Operation[];
  /** Ids of records created or changed. */
  readonly changedIds: readonly string[];
  readonly proposals: readonly Proposal[];
  readonly conflicts: readonly Conflict[];
  readonly rejected: readonly RejectedOperation[];
  /** Operations already reflected in the state (replays) or superseded by newer writes. */
  readonly unchanged: number;
}

function maxHlc(a: string, b: string): string {
  return compareHlc(a, b) >= 0 ? a : b;
}

function union(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] {
  return [...new Set([...(a ?? []), ...(b ?? [])])].sort();
}

/** Metadata for a record that has none yet: every field as old as the record's last change. */
function initialMeta(record: AnyRecord): RecordMeta {
  if (!isRelationship(record)) return { base: record.updatedAt, clocks: {} };
  return record.deleted
    ? { base: record.updatedAt, clocks: {}, adds: [record.createdAt], removes: [record.createdAt] }
    : { base: record.updatedAt, clocks: {}, adds: [record.createdAt] };
}

function relationshipLive(meta: RecordMeta): boolean {
  const removed = new Set(meta.removes ?? []);
  return (meta.adds ?? []).some(
    (tag) =>
      !removed.has(tag) &&
      (meta.removedBefore === undefined || compareHlc(tag, meta.removedBefore) >= 0),
  );
}

function fieldClock(meta: RecordMeta, field: string): string {
  return meta.clocks[field] ?? meta.base;
}

/** Does write (hlcA, valueA) beat (hlcB, valueB)? */
function wins(hlcA: string, valueA: string, hlcB: string, valueB: string): boolean {
  const order = compareHlc(hlcA, hlcB);
  return order > 0 || (order === 0 && valueA > valueB);
}

function opKey(op: Operation): string {
  return canonicalJson(op);
}

/** Applies a batch of operations; pure: the given state is not changed. */
export function applyOperations(
  state: MergeState,
  operations: readonly Operation[],
  options: MergeOptions,
): MergeResult {
  const records = new Map(state.records);
  const metas = new Map(state.meta);
  const pending = new Map<string, Operation[]>();
  const pendingKeys = new Set<string>();
  for (const op of state.pending) {
    const id = operationRecordId(op);
    pending.set(id, [...(pending.get(id) ?? []), op]);
    pendingKeys.add(opKey(op));
  }
  const applied: Operation[] = [];
  const changed = new Set<string>();
  const proposals: Proposal[] = [];
  const conflicts = new Map<string, Conflict>();
  const rejected: RejectedOperation[] = [];
  let unchanged = 0;
  const since = options.lastSyncHlc ?? null;
  const localNodes = options.localNodes ? new Set(options.localNodes) : undefined;

  const authorOf = (op: Operation): string =>
    options.sender ?? (op.op === 'create' ? op.record.originAgency : op.agency);

  const metaOf = (record: AnyRecord): RecordMeta => metas.get(record.id) ?? initialMeta(record);

  const changedLocally = (clock: string): boolean => {
    if (since !== null && compareHlc(clock, since) <= 0) return false;
    if (!localNodes) return true;
    return localNodes.has(parseHlc(clock).node);
  };

  const noteConflict = (recordId: string, field: string, remoteHlc: string, remote: unknown) => {
    // Conflicts are judged against the state before this batch, not against earlier operations
    // of the same batch.
    const original = state.records.get(recordId);
    if (!original) return;
    if (since !== null && compareHlc(remoteHlc, since) <= 0) return;
    const originalMeta = state.meta.get(recordId) ?? initialMeta(original);
    const localHlc = fieldClock(originalMeta, field);
    if (!changedLocally(localHlc)) return;
    const local = readField(original, field);
    if (canonicalJson(local) === canonicalJson(remote)) return;
    const key = `${recordId}\u0000${field}`;
    const previous = conflicts.get(key);
    if (previous && compareHlc(previous.remoteHlc, remoteHlc) >= 0) return;
    conflicts.set(key, {
      recordId,
      kind: original.kind,
      field,
      local,
      remote,
      localHlc,
      remoteHlc,
      winner: wins(remoteHlc, canonicalJson(remote), localHlc, canonicalJson(local))
        ? 'remote'
        : 'local',
    });
  };

  const propose = (
    record: AnyRecord,
    field: string,
    value: unknown,
    hlc: string,
    agency: string,
    reason: string,
  ): void => {
    const current = field === 'deleted' ? record.deleted : readField(record, field);
    if (canonicalJson(current) === canonicalJson(value)) {
      unchanged += 1;
      return;
    }
    proposals.push({
      recordId: record.id,
      kind: record.kind,
      field,
      value,
      current,
      hlc,
      agency,
      reason,
    });
  };

  const store = (record: AnyRecord, meta: RecordMeta): void => {
    records.set(record.id, record);
    metas.set(record.id, meta);
    changed.add(record.id);
  };

  /** One field write at `hlc` by `author`; says whether it changed anything. */
  const writeOne = (
    record: AnyRecord,
    meta: RecordMeta,
    field: string,
    value: unknown,
    hlc: string,
    author: string,
  ): { record: AnyRecord; meta: RecordMeta; changed: boolean; rejectReason?: string } => {
    const same = { record, meta, changed: false };
    const owned = isOriginatorField(field) && author !== record.originAgency;
    if (!owned && author !== options.localAgency) noteConflict(record.id, field, hlc, value);
    const currentValue = readField(record, field);
    if (!wins(hlc, canonicalJson(value), fieldClock(meta, field), canonicalJson(currentValue))) {
      return same;
    }
    const top = splitField(field).top;
    // A change this agency may not make here goes to the owner as a proposal instead.
    const proposeInstead = (reason: string) => {
      propose(record, field, value ?? null, hlc, author, reason);
      return same;
    };
    if (owned) return proposeInstead(`only ${record.originAgency} may change ${top}`);
    if ((top === 'markings' || top === 'propertyMarkings') && currentValue) {
      // Removing a property's own markings leaves it under the record's markings.
      const after = (value ?? record.markings) as Markings;
      const lowered = loweringReasons(currentValue as Markings, after, options.classifications);
      if (lowered.length > 0) {
        return proposeInstead(`would lower markings: ${lowered.join('; ')}`);
      }
    }
    const candidate = writeField(record, field, value);
    const parsed = anyRecordSchema.safeParse(candidate);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const detail = issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid value';
      return { ...same, rejectReason: `${field}: ${detail}` };
    }
    return {
      record: { ...candidate, updatedAt: maxHlc(record.updatedAt, hlc) } as AnyRecord,
      meta: { ...meta, clocks: { ...meta.clocks, [field]: hlc } },
      changed: true,
    };
  };

  const applySet = (op: SetOperation, record: AnyRecord): void => {
    if (record.kind !== op.kind) {
      rejected.push({ op, reason: `record ${op.recordId} is a ${record.kind}, not a ${op.kind}` });
      return;
    }
    if (!isSettableField(record.kind, op.field)) {
      rejected.push({ op, reason: `field ${op.field} cannot be set on a ${record.kind}` });
      return;
    }
    const result = writeOne(record, metaOf(record), op.field, op.value, op.hlc, authorOf(op));
    if (result.rejectReason) rejected.push({ op, reason: result.rejectReason });
    else if (result.changed) {
      store(result.record, result.meta);
      applied.push(op);
    } else unchanged += 1;
  };

  const applyDeletion = (
    op: Extract<Operation, { op: 'tombstone' | 'restore' }>,
    record: AnyRecord,
  ): void => {
    if (record.kind !== op.kind) {
      rejected.push({ op, reason: `record ${op.recordId} is a ${record.kind}, not a ${op.kind}` });
      return;
    }
    const author = authorOf(op);
    const meta = metaOf(record);
    const wantDeleted = op.op === 'tombstone';
    if (author !== record.originAgency) {
      if (
        isRelationship(record) ||
        wins(op.hlc, String(wantDeleted), fieldClock(meta, 'deleted'), String(record.deleted))
      ) {
        propose(
          record,
          'deleted',
          wantDeleted,
          op.hlc,
          author,
          `only ${record.originAgency} may ${wantDeleted ? 'delete' : 'restore'} it`,
        );
      } else unchanged += 1;
      return;
    }
    let newMeta: RecordMeta;
    if (isRelationship(record)) {
      if (op.op === 'restore') {
        newMeta = { ...meta, adds: union(meta.adds, [op.hlc]) };
      } else if (op.observed) {
        newMeta = { ...meta, removes: union(meta.removes, op.observed) };
      } else {
        newMeta = {
          ...meta,
          removedBefore: meta.removedBefore ? maxHlc(meta.removedBefore, op.hlc) : op.hlc,
        };
      }
      const clock = fieldClock(meta, 'deleted');
      newMeta = { ...newMeta, clocks: { ...newMeta.clocks, deleted: maxHlc(clock, op.hlc) } };
      if (canonicalJson(newMeta) === canonicalJson(meta)) {
        unchanged += 1;
        return;
      }
    } else {
      if (!wins(op.hlc, String(wantDeleted), fieldClock(meta, 'deleted'), String(record.deleted))) {
        unchanged += 1;
        return;
      }
      newMeta = { ...meta, clocks: { ...meta.clocks, deleted: op.hlc } };
    }
    const deleted = isRelationship(record) ? !relationshipLive(newMeta) : wantDeleted;
    store(
      { ...record, deleted, updatedAt: maxHlc(record.updatedAt, op.hlc) } as AnyRecord,
      newMeta,
    );
    applied.push(op);
  };

  const applyCreate = (op: Extract<Operation, { op: 'create' }>): void => {
    const incoming = op.record;
    const incomingMeta = op.meta ?? initialMeta(incoming);
    const existing = records.get(incoming.id);
    if (!existing) {
      const meta = isRelationship(incoming)
        ? {
            ...incomingMeta,
            adds: incomingMeta.adds ?? initialMeta(incoming).adds,
          }
        : incomingMeta;
      const deleted = isRelationship(incoming) ? !relationshipLive(meta) : incoming.deleted;
      store({ ...incoming, deleted } as AnyRecord, meta);
      applied.push(op);
      const waiting = pending.get(incoming.id);
      if (waiting) {
        pending.delete(incoming.id);
        for (const queued of waiting) {
          pendingKeys.delete(opKey(queued));
          applyOne(queued);
        }
      }
      return;
    }
    for (const field of IMMUTABLE_FIELDS) {
      if (field === 'updatedAt' || field === 'deleted') continue;
      const a = (existing as unknown as Record<string, unknown>)[field];
      const b = (incoming as unknown as Record<string, unknown>)[field];
      if (a !== b) {
        rejected.push({
          op,
          reason: `record ${incoming.id} differs in ${field} from the one here`,
        });
        return;
      }
    }
    // A snapshot of a record we hold: each of its fields is a write at that field's clock.
    const author = authorOf(op);
    let record = existing;
    let meta = metaOf(existing);
    let any = false;
    const fields = new Set([
      ...fieldsOf(existing),
      ...fieldsOf(incoming),
      ...Object.keys(incomingMeta.clocks),
    ]);
    fields.delete('deleted');
    for (const field of [...fields].sort()) {
      if (!isSettableField(record.kind, field)) continue;
      const value = readField(incoming, field);
      const hlc = fieldClock(incomingMeta, field);
      const result = writeOne(record, meta, field, value, hlc, author);
      if (result.changed) {
        record = result.record;
        meta = result.meta;
        any = true;
      }
    }
    if (isRelationship(record)) {
      const cutoffs = [meta.removedBefore, incomingMeta.removedBefore].filter(
        (tag): tag is string => tag !== undefined,
      );
      const removedBefore = cutoffs.length > 0 ? cutoffs.reduce(maxHlc) : undefined;
      const merged: RecordMeta = {
        ...meta,
        adds: union(meta.adds, incomingMeta.adds ?? initialMeta(incoming).adds),
        removes: union(meta.removes, incomingMeta.removes ?? initialMeta(incoming).removes),
        ...(removedBefore === undefined ? {} : { removedBefore }),
      };
      if (author === record.originAgency && canonicalJson(merged) !== canonicalJson(meta)) {
        meta = merged;
        record = { ...record, deleted: !relationshipLive(meta) } as AnyRecord;
        any = true;
      }
    } else {
      const hlc = fieldClock(incomingMeta, 'deleted');
      if (
        wins(hlc, String(incoming.deleted), fieldClock(meta, 'deleted'), String(record.deleted))
      ) {
        if (author === record.originAgency) {
          meta = { ...meta, clocks: { ...meta.clocks, deleted: hlc } };
          record = { ...record, deleted: incoming.deleted } as AnyRecord;
          any = true;
        } else {
          propose(
            record,
            'deleted',
            incoming.deleted,
            hlc,
            author,
            `only ${record.originAgency} may ${incoming.deleted ? 'delete' : 'restore'} it`,
          );
        }
      }
    }
    if (any) {
      record = { ...record, updatedAt: maxHlc(record.updatedAt, incoming.updatedAt) } as AnyRecord;
      store(record, meta);
      applied.push(op);
    } else unchanged += 1;
  };

  const applyOne = (op: Operation): void => {
    if (op.op === 'create') {
      applyCreate(op);
      return;
    }
    const record = records.get(op.recordId);
    if (!record) {
      const key = opKey(op);
      if (pendingKeys.has(key)) {
        unchanged += 1;
        return;
      }
      pendingKeys.add(key);
      pending.set(op.recordId, [...(pending.get(op.recordId) ?? []), op]);
      return;
    }
    if (op.op === 'set') applySet(op, record);
    else applyDeletion(op, record);
  };

  for (const op of operations) applyOne(op);

  return {
    state: { records, meta: metas, pending: [...pending.values()].flat() },
    applied,
    changedIds: [...changed],
    proposals,
    conflicts: [...conflicts.values()],
    rejected,
    unchanged,
  };
}

/** The clock of one field of a record in a state (for display and tests). */
export function fieldClockOf(
  state: MergeState,
  recordId: string,
  field: string,
): string | undefined {
  const record = state.records.get(recordId);
  if (!record) return undefined;
  return fieldClock(state.meta.get(recordId) ?? initialMeta(record), field);
}
