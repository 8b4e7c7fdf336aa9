/**
 * Sync operations: how changes travel between agencies (merge.ts applies them).
 *
 * A record is a set of fields, each a last-writer-wins register stamped with a hybrid logical clock
 * (shared/model/hlc.ts). Field paths:
 * - a top-level field by name: `title`, `markings`, `grading`, `schema`, …;
 * - one entry of a map-valued field as `<map>.<key>`: `properties.<FtM property>` (the whole value
 *   list of that property), `propertyMarkings.<FtM property>` and, for charts, `nodes.<entity id>`.
 *   A value of null removes the entry (or clears an optional field).
 * `id`, `kind`, `caseId`, `createdAt`, `originAgency` never change; `updatedAt` is derived (the
 * greatest clock applied); `deleted` changes only through `tombstone` and `restore`.
 *
 * Operations:
 * - `create`: a whole record, optionally with its per-field clocks (`meta`). It also serves as the
 *   snapshot of a record whose field clocks the sender does not know: every field then carries the
 *   record's `updatedAt`.
 * - `set`: one field's new value.
 * - `tombstone` / `restore`: deletion and its reversal. For relationships these are the remove and
 *   add of an observed-remove set (add-wins): a tombstone lists the add tags it saw (`observed`) and
 *   removes only those, so a concurrent restore, which adds a fresh tag, survives it.
 *
 * Operations arrive from partners, so their zod schemas are strict; a bundle's operations part is
 * an `operations document` (serializeOperations / parseOperations).
 */
import { z } from 'zod';
import { compareHlc, isHlc } from '../model/hlc.ts';
import { anyRecordSchema, recordKindSchema } from '../model/recordKinds.ts';
import type { AnyRecord, RecordKind } from '../model/records.ts';
import { isEdgeSchema } from '../model/schema.ts';

const idSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'invalid id');
const hlcSchema = z.string().refine(isHlc, 'invalid hybrid logical clock timestamp');
const fieldSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z][A-Za-z0-9]*(\.[^\s]{1,128})?$/, 'invalid field path');

/** Per-record sync metadata: the clock of each field, and for relationships the add/remove tags. */
export const recordMetaSchema = z.object({
  /** Clock of every field that has no entry in `clocks`. */
  base: hlcSchema,
  clocks: z.record(z.string().max(200), hlcSchema),
  /** Relationships only: add tags (the HLC of each creation or restore). */
  adds: z.array(hlcSchema).max(10_000).optional(),
  /** Relationships only: add tags removed by tombstones that observed them. */
  removes: z.array(hlcSchema).max(10_000).optional(),
  /** Relationships only: a tombstone that listed no tags removes every add older than itself. */
  removedBefore: hlcSchema.optional(),
});
export type RecordMeta = z.infer<typeof recordMetaSchema>;

export const createOperationSchema = z.object({
  op: z.literal('create'),
  record: anyRecordSchema,
  meta: recordMetaSchema.optional(),
});
export const setOperationSchema = z.object({
  op: z.literal('set'),
  recordId: idSchema,
  kind: recordKindSchema,
  field: fieldSchema,
  /** Any JSON value; merge.ts validates the record it would produce. */
  value: z.unknown(),
  hlc: hlcSchema,
  agency: idSchema,
});
export const tombstoneOperationSchema = z.object({
  op: z.literal('tombstone'),
  recordId: idSchema,
  kind: recordKindSchema,
  hlc: hlcSchema,
  agency: idSchema,
  /** Relationships: the add tags this deletion saw. */
  observed: z.array(hlcSchema).max(10_000).optional(),
});
export const restoreOperationSchema = z.object({
  op: z.literal('restore'),
  recordId: idSchema,
  kind: recordKindSchema,
  hlc: hlcSchema,
  agency: idSchema,
});

export const operationSchema = z.discriminatedUnion('op', [
  createOperationSchema,
  setOperationSchema,
  tombstoneOperationSchema,
  restoreOperationSchema,
]);

export interface CreateOperation {
  readonly op: 'create';
  readonly record: AnyRecord;
  readonly meta?: RecordMeta;
}
export type SetOperation = z.infer<typeof setOperationSchema>;
export type TombstoneOperation = z.infer<typeof tombstoneOperationSchema>;
export type RestoreOperation = z.infer<typeof restoreOperationSchema>;
export type Operation = CreateOperation | SetOperation | TombstoneOperation | RestoreOperation;

// ---------------------------------------------------------------------------------------------
// Fields

/** Fields no operation may change. */
export const IMMUTABLE_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'kind',
  'caseId',
  'createdAt',
  'updatedAt',
  'originAgency',
  'deleted',
]);

/** Map-valued fields whose entries are separate registers. */
export const MAP_FIELDS: Readonly<Partial<Record<RecordKind, readonly string[]>>> = {
  entity: ['properties', 'propertyMarkings'],
  chart: ['nodes'],
};

/** Fields only the originating agency may change; other agencies' changes become proposals. */
export const ORIGINATOR_FIELDS: ReadonlySet<string> = new Set([
  'markings',
  'propertyMarkings',
  'grading',
  'provenance',
]);

export interface FieldPath {
  readonly top: string;
  readonly key?: string;
}

export function splitField(field: string): FieldPath {
  const dot = field.indexOf('.');
  return dot < 0 ? { top: field } : { top: field.slice(0, dot), key: field.slice(dot + 1) };
}

function isMapField(kind: RecordKind, top: string): boolean {
  return MAP_FIELDS[kind]?.includes(top) ?? false;
}

/** The top-level fields of each kind, read from the record schemas. */
const KIND_FIELDS: Readonly<Partial<Record<RecordKind, ReadonlySet<string>>>> = Object.fromEntries(
  anyRecordSchema.options.map((schema) => [
    schema.shape.kind.value,
    new Set(Object.keys(schema.shape)),
  ]),
);

/** Whether `field` names a field an operation may set on a record of this kind. */
export function isSettableField(kind: RecordKind, field: string): boolean {
  const { top, key } = splitField(field);
  if (IMMUTABLE_FIELDS.has(top)) return false;
  if (isMapField(kind, top)) return key !== undefined && key.length > 0;
  return key === undefined && (KIND_FIELDS[kind]?.has(top) ?? false);
}

export function isOriginatorField(field: string): boolean {
  return ORIGINATOR_FIELDS.has(splitField(field).top);
}

type Json = Readonly<Record<string, unknown>>;

/** Every settable field path present on the record. */
export function fieldsOf(record: AnyRecord): string[] {
  const fields: string[] = [];
  const json = record as unknown as Json;
  for (const [top, value] of Object.entries(json)) {
    if (IMMUTABLE_FIELDS.has(top) || value === undefined) continue;
    if (isMapField(record.kind, top)) {
      for (const key of Object.keys(value as Json)) fields.push(`${top}.${key}`);
    } else {
      fields.push(top);
    }
  }
  return fields;
}

/** A field's value, or undefined when absent. */
export function readField(record: AnyRecord, field: string): unknown {
  const { top, key } = splitField(field);
  const value = (record as unknown as Json)[top];
  if (key === undefined) return value;
  if (value === undefined || value === null || typeof value !== 'object') return undefined;
  return Object.hasOwn(value, key) ? (value as Json)[key] : undefined;
}

/** A copy of the record with one field replaced; null or undefined removes it. Not validated. */
export function writeField(record: AnyRecord, field: string, value: unknown): AnyRecord {
  const { top, key } = splitField(field);
  const copy: Record<string, unknown> = { ...(record as unknown as Json) };
  if (key === undefined) {
    if (value === null || value === undefined) delete copy[top];
    else copy[top] = value;
  } else {
    const map: Record<string, unknown> = { ...((copy[top] as Json | undefined) ?? {}) };
    if (value === null || value === undefined) delete map[key];
    else map[key] = value;
    // An empty optional map is stored as absent, so "no entries" has one representation.
    if (Object.keys(map).length === 0 && top !== 'properties' && top !== 'nodes') delete copy[top];
    else copy[top] = map;
  }
  return copy as unknown as AnyRecord;
}

/** JSON with object keys sorted: equal values give equal text (used to compare and to tie-break). */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Json)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function isRelationship(record: AnyRecord): boolean {
  return record.kind === 'entity' && isEdgeSchema(record.schema);
}

/** The clock an operation carries (a create: its record's last change). */
export function operationHlc(op: Operation): string {
  return op.op === 'create' ? op.record.updatedAt : op.hlc;
}

export function operationRecordId(op: Operation): string {
  return op.op === 'create' ? op.record.id : op.recordId;
}

/** Lowest and highest clock of a batch, for the bundle manifest; null for an empty batch. */
export function hlcRangeOf(ops: readonly Operation[]): { from: string; to: string } | null {
  let from: string | undefined;
  let to: string | undefined;
  for (const op of ops) {
    const hlc = operationHlc(op);
    if (from === undefined || compareHlc(hlc, from) < 0) from = hlc;
    if (to === undefined || compareHlc(hlc, to) > 0) to = hlc;
  }
  return from === undefined || to === undefined ? null : { from, to };
}

// ---------------------------------------------------------------------------------------------
// Producing operations

/** The add tags a relationship currently holds (for a tombstone's `observed`). */
export function liveAddTags(record: AnyRecord, meta: RecordMeta | undefined): string[] {
  if (!meta?.adds) return record.deleted ? [] : [record.createdAt];
  const removed = new Set(meta.removes ?? []);
  return meta.adds.filter(
    (tag) =>
      !removed.has(tag) &&
      (meta.removedBefore === undefined || compareHlc(tag, meta.removedBefore) >= 0),
  );
}

/**
 * The operations that turn `before` into `after` (a local edit stamped `hlc` by `agency`). No
 * `before` gives a create. `meta` (the record's sync metadata, if kept) lets a relationship's
 * tombstone name the add tags it saw.
 */
export function diffRecords(
  before: AnyRecord | undefined,
  after: AnyRecord,
  hlc: string,
  agency: string,
  meta?: RecordMeta,
): Operation[] {
  if (!before) return [{ op: 'create', record: after }];
  if (before.id !== after.id || before.kind !== after.kind) {
    throw new Error(`cannot diff two different records (${before.id}, ${after.id})`);
  }
  const ops: Operation[] = [];
  const fields = new Set([...fieldsOf(before), ...fieldsOf(after)]);
  for (const field of [...fields].sort()) {
    const old = readField(before, field);
    const next = readField(after, field);
    if (canonicalJson(old) === canonicalJson(next)) continue;
    ops.push({
      op: 'set',
      recordId: after.id,
      kind: after.kind,
      field,
      value: next ?? null,
      hlc,
      agency,
    });
  }
  if (after.deleted && !before.deleted) {
    ops.push({
      op: 'tombstone',
      recordId: after.id,
      kind: after.kind,
      hlc,
      agency,
      ...(isRelationship(after) ? { observed: liveAddTags(before, meta) } : {}),
    });
  } else if (!after.deleted && before.deleted) {
    ops.push({ op: 'restore', recordId: after.id, kind: after.kind, hlc, agency });
  }
  return ops;
}

export interface OperationsSinceOptions {
  /** Agency the set operations are attributed to (the sender). */
  readonly agency: string;
  /** Sync metadata of a record, where kept; without it a changed record travels as a snapshot. */
  readonly metaOf?: (recordId: string) => RecordMeta | undefined;
  /**
   * Whether the recipient holds the record (it went to it in an earlier bundle). Given: a live
   * record it does not hold travels whole, and a deleted record's tombstone goes only to a
   * recipient that holds it. Absent: clocks alone decide, and a deleted record's tombstone goes only
   * when the record existed at `since` (so a first snapshot names no deleted record at all).
   */
  readonly received?: (recordId: string) => boolean;
  /**
   * Whether a field of a record may travel (the release policy's decision: a stripped property, a
   * chart node of a withheld entity may not). A field that may not gets no operation and no clock.
   * Default: every field.
   */
  readonly fieldAllowed?: (recordId: string, field: string) => boolean;
}

/**
 * A record's sync metadata reduced to what may travel with `record` (the released form): the
 * clocks of the fields it carries (and of its deletion), never those of fields left out.
 */
export function releasedMeta(
  record: AnyRecord,
  meta: RecordMeta,
  fieldAllowed: (field: string) => boolean = () => true,
): RecordMeta {
  const carried = new Set(fieldsOf(record));
  const clocks: Record<string, string> = {};
  for (const [field, clock] of Object.entries(meta.clocks)) {
    if (field === 'deleted' || (carried.has(field) && fieldAllowed(field))) clocks[field] = clock;
  }
  return { ...meta, clocks };
}

/**
 * The bare deletion of a record: its id, kind, the clock of the deletion and the sender; for a
 * relationship the add tags the deletion removed (clocks, not content). Nothing of the record's
 * content goes with it.
 */
export function tombstoneOf(
  record: Pick<AnyRecord, 'id' | 'kind' | 'updatedAt'> & { readonly schema?: string },
  meta: RecordMeta | undefined,
  agency: string,
): TombstoneOperation {
  const hlc = meta ? (meta.clocks['deleted'] ?? meta.base) : record.updatedAt;
  const relationship = record.kind === 'entity' && isEdgeSchema(record.schema ?? '');
  return {
    op: 'tombstone',
    recordId: record.id,
    kind: record.kind,
    hlc,
    agency,
    ...(relationship && (meta?.removes?.length ?? 0) > 0 ? { observed: [...meta!.removes!] } : {}),
  };
}

/**
 * What changed after `since` (exclusive; null: everything), as operations sorted by clock: a create
 * for a record created since (or one the recipient does not hold), per-field sets (and
 * tombstone/restore) for a record changed since whose field clocks are known, and a snapshot create
 * for one whose field clocks are not. A deleted record never travels with its content: at most a
 * bare tombstone (tombstoneOf), and only to a recipient that holds it (see `received`).
 */
export function operationsSince(
  records: Iterable<AnyRecord>,
  since: string | null,
  options: OperationsSinceOptions,
): Operation[] {
  const after = (hlc: string): boolean => since === null || compareHlc(hlc, since) > 0;
  const ops: Operation[] = [];
  for (const record of records) {
    const held = options.received
      ? options.received(record.id)
      : since !== null && !after(record.createdAt);
    // A record the recipient is known not to hold goes whatever its clocks say: it may have become
    // releasable without changing (a wider agreement).
    const missing = options.received !== undefined && !held && !record.deleted;
    if (!after(record.updatedAt) && !missing) continue;
    const meta = options.metaOf?.(record.id);
    const allowed = (field: string): boolean => options.fieldAllowed?.(record.id, field) ?? true;
    if (record.deleted) {
      // Only the deletion, and only to whoever may hold the record.
      if (!held) continue;
      const tombstone = tombstoneOf(record, meta, options.agency);
      if (after(tombstone.hlc)) ops.push(tombstone);
      continue;
    }
    if (!held || after(record.createdAt) || !meta) {
      ops.push(
        meta
          ? { op: 'create', record, meta: releasedMeta(record, meta, allowed) }
          : { op: 'create', record },
      );
      continue;
    }
    const fields = new Set([...fieldsOf(record), ...Object.keys(meta.clocks)]);
    fields.delete('deleted');
    for (const field of [...fields].sort()) {
      const clock = meta.clocks[field] ?? meta.base;
      if (!after(clock) || !isSettableField(record.kind, field) || !allowed(field)) continue;
      ops.push({
        op: 'set',
        recordId: record.id,
        kind: record.kind,
        field,
        value: readField(record, field) ?? null,
        hlc: clock,
        agency: options.agency,
      });
    }
    const deletedClock = meta.clocks['deleted'] ?? meta.base;
    if (isRelationship(record)) {
      for (const tag of meta.adds ?? []) {
        if (after(tag)) {
          ops.push({
            op: 'restore',
            recordId: record.id,
            kind: record.kind,
            hlc: tag,
            agency: options.agency,
          });
        }
      }
      if ((meta.removes?.length ?? 0) > 0 && after(deletedClock)) {
        ops.push({
          op: 'tombstone',
          recordId: record.id,
          kind: record.kind,
          hlc: deletedClock,
          agency: options.agency,
          observed: [...(meta.removes ?? [])],
        });
      }
    } else if (after(deletedClock)) {
      // Live now, so changed since: it was deleted and restored.
      ops.push({
        op: 'restore',
        recordId: record.id,
        kind: record.kind,
        hlc: deletedClock,
        agency: options.agency,
      });
    }
  }
  return ops.sort((a, b) => compareHlc(operationHlc(a), operationHlc(b)));
}

// ---------------------------------------------------------------------------------------------
// The operations part of a bundle

export const OPERATIONS_FORMAT = 'tessera.operations';
export const OPERATIONS_VERSION = 1;

export const operationsDocumentSchema = z.object({
  format: z.literal(OPERATIONS_FORMAT),
  version: z.literal(OPERATIONS_VERSION),
  caseId: idSchema,
  operations: z.array(operationSchema).max(10_000_000),
});
export interface OperationsDocument {
  readonly format: typeof OPERATIONS_FORMAT;
  readonly version: typeof OPERATIONS_VERSION;
  readonly caseId: string;
  readonly operations: readonly Operation[];
}

export function serializeOperations(caseId: string, operations: readonly Operation[]): string {
  const document: OperationsDocument = {
    format: OPERATIONS_FORMAT,
    version: OPERATIONS_VERSION,
    caseId,
    operations,
  };
  return JSON.stringify(document);
}

/** Parses and validates an operations document; throws an Error naming the first problems. */
export function parseOperations(text: string): OperationsDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('the operations are not valid JSON');
  }
  const result = operationsDocumentSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(operations)'}: ${issue.message}`);
    throw new Error(`invalid operations: ${issues.join('; ')}`);
  }
  for (const op of result.data.operations) {
    if (op.op === 'create') {
      const caseId = op.record.kind === 'case' ? op.record.id : op.record.caseId;
      if (caseId !== result.data.caseId) {
        throw new Error(`invalid operations: record ${op.record.id} belongs to another case`);
      }
    } else if (op.op === 'set' && !isSettableField(op.kind, op.field)) {
      throw new Error(`invalid operations: field ${op.field} cannot be set on a ${op.kind}`);
    }
  }
  return result.data as OperationsDocument;
}
