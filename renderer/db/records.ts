/**
 * Record helpers every writer of the case store shares: the stored form of an entity (with its
 * search key), the words people read in the audit trail (summariseChange; record captions are the
 * registry's, shared/model/recordKinds.ts), the
 * final shape check and the mapping of a browser quota failure to StorageFullError.
 */
import { formatGrading } from '../../shared/model/index.ts';
import type { Table } from 'dexie';
import type {
  AnyRecord,
  AuditEntry,
  ChartRecord,
  EntityRecord,
  RecordKind,
} from '../../shared/model/index.ts';
import type { ItemLists } from '../../shared/model/recordKinds.ts';
import {
  anyRecordSchema,
  captionOfRecord,
  ITEM_KINDS,
  perItemList,
  RECORD_KINDS,
} from '../../shared/model/recordKinds.ts';
import { readChart, withNodeRows } from './chartNodes.ts';
import type { StoredEntity, TesseraDatabase } from './database.ts';
import { RecordValidationError, StorageFullError } from './repository.types.ts';
import { entitySearchText } from './searchText.ts';

export const STORAGE_FULL_MESSAGE =
  'Storage is full: nothing of this change was saved. Free disk space or remove old cases, then try again.';

export const ALREADY_STORED_MESSAGE =
  'Some of these records are already stored (in this or another case): nothing was saved.';

/** True when `error` is, or wraps (Dexie's inner, cause, bulk failures), a DOMException `name`. */
function isErrorNamed(error: unknown, name: string, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as { name?: unknown; inner?: unknown; failures?: unknown; cause?: unknown };
  if (e.name === name) return true;
  if (isErrorNamed(e.inner, name, depth + 1) || isErrorNamed(e.cause, name, depth + 1)) return true;
  if (Array.isArray(e.failures)) return e.failures.some((f) => isErrorNamed(f, name, depth + 1));
  return false;
}

export function mapStorageError(error: unknown): unknown {
  if (isErrorNamed(error, 'QuotaExceededError')) return new StorageFullError(STORAGE_FULL_MESSAGE);
  // Only inserts (insertMany's bulkAdd) can violate a primary key: a record id already stored.
  if (isErrorNamed(error, 'ConstraintError'))
    return new RecordValidationError({ file: ALREADY_STORED_MESSAGE });
  return error;
}

/** The table that holds records of `kind` (entities stored with their search key). */
export function recordTable(db: TesseraDatabase, kind: RecordKind): Table<AnyRecord, string> {
  return db[RECORD_KINDS[kind].table] as Table<AnyRecord, string>;
}

/** A case's items as stored, one list per kind of the registry (entities with their search key). */
export type StoredCaseItems = Omit<ItemLists, 'entities'> & {
  readonly entities: readonly StoredEntity[];
};

/** Every item of a case, deleted or not, read in the caller's transaction when there is one. */
export async function readCaseItems(db: TesseraDatabase, caseId: string): Promise<StoredCaseItems> {
  const lists = await Promise.all(
    ITEM_KINDS.map((kind) => recordTable(db, kind).where('caseId').equals(caseId).toArray()),
  );
  const byKind = new Map(ITEM_KINDS.map((kind, index) => [kind, lists[index]!]));
  // Charts with the node positions stored per node since their last whole write (chartNodes.ts).
  byKind.set('chart', await withNodeRows(db, byKind.get('chart') as ChartRecord[]));
  return perItemList((kind) => byKind.get(kind)!) as unknown as StoredCaseItems;
}

/** A record as stored (an entity without its search key), deleted or not. */
export async function readRecord(
  db: TesseraDatabase,
  kind: RecordKind,
  id: string,
): Promise<AnyRecord | undefined> {
  if (kind === 'chart') return readChart(db, id);
  const found = await recordTable(db, kind).get(id);
  return found && found.kind === 'entity' ? stripEntity(found as StoredEntity) : found;
}

export function stripEntity(stored: StoredEntity): EntityRecord {
  const { searchText: _searchText, ...record } = stored;
  return record;
}

export function storeEntity(record: EntityRecord): StoredEntity {
  return { ...record, searchText: entitySearchText(record.schema, record.properties) };
}

/** Lower-case hex SHA-256 of attachment content (checked on the way in and out). */
export async function sha256Hex(data: ArrayBuffer | Uint8Array | Blob): Promise<string> {
  const bytes = data instanceof Blob ? await data.arrayBuffer() : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function quote(value: unknown): string {
  let text: string;
  if (value === undefined || value === null) text = '';
  else if (typeof value === 'string') text = value;
  else if (Array.isArray(value)) text = value.map(String).join(', ');
  else text = JSON.stringify(value) ?? '';
  return `'${text.length > 80 ? `${text.slice(0, 77)}…` : text}'`;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const IGNORED_FIELDS = new Set(['id', 'kind', 'updatedAt', 'createdAt', 'deleted', 'caseId']);

/** Human summary of one record change, e.g. "name: 'Ivan P.' → 'Ivan Petrov'". */
export function summariseChange(before: AnyRecord | undefined, after: AnyRecord): string {
  if (!before) return `created ${captionOfRecord(after, 'audit')}`;
  if (after.deleted && !before.deleted) return `deleted ${captionOfRecord(after, 'audit')}`;
  if (!after.deleted && before.deleted) return `restored ${captionOfRecord(after, 'audit')}`;
  const parts: string[] = [];
  const diffField = (name: string, a: unknown, b: unknown): void => {
    if (sameValue(a, b)) return;
    const empty = (v: unknown): boolean => v === undefined || (Array.isArray(v) && v.length === 0);
    if (empty(a)) parts.push(`${name}: added ${quote(b)}`);
    else if (empty(b)) parts.push(`${name}: removed ${quote(a)}`);
    else if (name === 'nodes' && typeof a === 'object' && typeof b === 'object') {
      parts.push(
        `nodes: ${Object.keys(a as object).length} → ${Object.keys(b as object).length} placed`,
      );
    } else parts.push(`${name}: ${quote(a)} → ${quote(b)}`);
  };
  if (before.kind === 'entity' && after.kind === 'entity') {
    const names = new Set([...Object.keys(before.properties), ...Object.keys(after.properties)]);
    for (const name of [...names].sort())
      diffField(name, before.properties[name], after.properties[name]);
    if (!sameValue(before.grading, after.grading)) {
      parts.push(`grading: ${formatGrading(before.grading)} → ${formatGrading(after.grading)}`);
    }
    diffField('source', before.provenance.source, after.provenance.source);
    diffField('markings', before.markings, after.markings);
    diffField('propertyMarkings', before.propertyMarkings, after.propertyMarkings);
  } else {
    const b = before as unknown as Record<string, unknown>;
    const a = after as unknown as Record<string, unknown>;
    const names = new Set([...Object.keys(b), ...Object.keys(a)]);
    for (const name of [...names].sort()) {
      if (!IGNORED_FIELDS.has(name)) diffField(name, b[name], a[name]);
    }
  }
  return parts.length > 0
    ? parts.join('; ')
    : `no visible change to ${captionOfRecord(after, 'audit')}`;
}

export function auditAction(before: AnyRecord | undefined, after: AnyRecord): AuditEntry['action'] {
  if (!before) return 'create';
  if (after.deleted && !before.deleted) return 'delete';
  return 'update';
}

export function caseIdOf(record: AnyRecord): string {
  return record.kind === 'case' ? record.id : record.caseId;
}

/** Final guard: the stored shape must match the record schema the exchange formats enforce. */
export function checkShape(record: AnyRecord): void {
  const result = anyRecordSchema.safeParse(record);
  if (result.success) return;
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues.slice(0, 10)) {
    errors[issue.path.join('.') || 'record'] = issue.message;
  }
  throw new RecordValidationError(errors);
}
