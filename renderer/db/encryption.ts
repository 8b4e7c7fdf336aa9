/**
 * Encryption at rest for the case store: a Dexie DBCore middleware (https://dexie.org/docs/DBCore)
 * that sits directly above IndexedDB, below Dexie's own caches and hooks, so that everything above
 * it (the unit of work, queries, liveQuery) sees plain records and everything below it, i.e. on
 * disk, sees only this per row:
 *
 *   - the primary key and the id-valued fields that queries need (ID_FIELDS: caseId, recordId,
 *     changeId, entityId, subjectId, partner), in the clear: random ULIDs and agency ids;
 *   - every other indexed field as a keyed blind index (shared/encryption/blindIndex.ts), so an
 *     entity's type filter stays an index look-up ([caseId+schema]) without naming the type;
 *   - `_k`: the data key generation, `_v`: the version bound into the envelope (the record's
 *     `updatedAt`, '' for rows without one);
 *   - `_e`: the whole record in a record envelope (shared/encryption/envelope.ts), AES-256-GCM bound
 *     to table, primary key and version;
 *   - `_b`: each Blob-valued field (attachment contents) as a Blob of 1 MiB encrypted chunks
 *     (shared/encryption/chunks.ts);
 *   - `_p` (tables with a block label index, i.e. `entities` from schema v7): the id of the block
 *     that holds a copy of this very version of the row, or '' for none (see blocks.ts). A bulk
 *     write in a transaction over the `blocks` table too seals each slice's records of one case
 *     and part a second time, as one block envelope, and labels their rows with it; any other
 *     write of a row labels it ''.
 *
 * On read the envelope is opened and the clear and blind fields are checked against the plaintext,
 * so a row moved to another case, given another type or replayed under a newer version is refused
 * with VaultError 'tampered', as is a row without an envelope: nothing unauthenticated is returned.
 *
 * WebCrypto is asynchronous, and an IndexedDB transaction commits as soon as no request is pending;
 * the crypto runs on the engine's promises, outside Dexie's zones, and a transaction that goes on
 * afterwards is kept alive with cheap reads and resumed in its own zone (see afterCrypto for why both matter).
 *
 * The `keyring` table (wrapped keys only) passes through: it must be readable while locked.
 */
import type {
  DBCore,
  DBCoreCursor,
  DBCoreIndex,
  DBCoreKeyRange,
  DBCoreMutateResponse,
  DBCoreQueryRequest,
  DBCoreQueryResponse,
  DBCoreRangeType,
  DBCoreTable,
  DBCoreTableSchema,
  DBCoreTransaction,
  Middleware,
} from 'dexie';
import { Dexie } from 'dexie';
import { blindIndex as computeBlindIndex } from '../../shared/encryption/blindIndex.ts';
import { CHUNK_BYTES, openChunks, sealChunks } from '../../shared/encryption/chunks.ts';
import type { ByteSource } from '../../shared/encryption/chunks.ts';
import { openRecord, sealRecord } from '../../shared/encryption/envelope.ts';
import type { DataKeys } from '../../shared/encryption/keys.ts';
import { fromUtf8, utf8 } from '../../shared/encryption/webCrypto.ts';
import { BLOCK_MIN_ROWS, BLOCK_TABLE, blockPartOf } from './blocks.ts';
import { VaultError } from './vaultError.ts';
import { wrappedCursor } from './wrappedCursor.ts';

/** The keys the store reads and writes with; `null` from the source means locked. */
export interface StoreKeys {
  /** The generation new writes use. */
  readonly current: DataKeys;
  /** Every generation rows may still be under (two while a rotation runs). */
  readonly all: ReadonlyMap<number, DataKeys>;
}

export type KeySource = () => StoreKeys | null;

/** Tables stored as they are: the keyring holds only wrapped keys and must be readable while locked. */
export const CLEAR_TABLES: ReadonlySet<string> = new Set(['keyring']);

/** Indexed fields whose values are random ids (or agency ids), kept in the clear for look-ups. */
const ID_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'key',
  'caseId',
  'recordId',
  'changeId',
  'entityId',
  'subjectId',
  'partner',
]);

/**
 * Fields the middleware sets beside the envelope, never part of a record: an index over them
 * (schema v7's `[caseId+_p+_v+id]`) is neither clear nor blind.
 */
const STORAGE_FIELDS: ReadonlySet<string> = new Set(['_p', '_v']);

/** A stored encrypted row (the clear and blind fields sit beside these). */
export interface SealedRow {
  readonly _k: number;
  readonly _v: string;
  readonly _e: Uint8Array;
  readonly _b?: Readonly<Record<string, Blob>>;
  /** The block holding a copy of this version ('' for none), where the table has the label. */
  readonly _p?: string;
  readonly [field: string]: unknown;
}

interface BlobMark {
  readonly $blob: string;
}

/** How one table's rows are split into clear, blind and sealed parts. */
export interface RowLayout {
  readonly table: string;
  /** The primary key's field(s). */
  readonly primaryKeyPaths: readonly string[];
  readonly clear: readonly string[];
  readonly blind: readonly string[];
  /** Whether rows carry a block label (`_p`): an index of the table names it. */
  readonly labelled: boolean;
  readonly extractKey: (value: unknown) => unknown;
}

// Blind-indexed values repeat (a case has a handful of entity types), so each is computed once per
// key; the cache lives as long as the key object, i.e. until lock or rotation drops it. Opening a
// case checks one blind value per row, so the look-up itself must be cheap: string values (nearly
// all) are found by the value, without building a cache key.
interface BlindSlot {
  /** String values by the value itself. */
  readonly strings: Map<string, string>;
  /** Any other value (a number, an array) by its JSON text. */
  readonly others: Map<string, string>;
}
interface BlindCache {
  size: number;
  readonly slots: Map<string, BlindSlot>;
}
const blindCache = new WeakMap<Uint8Array, BlindCache>();
const BLIND_CACHE_LIMIT = 10_000;

function blindIndex(key: Uint8Array, table: string, field: string, value: unknown): string {
  let cache = blindCache.get(key);
  if (!cache) blindCache.set(key, (cache = { size: 0, slots: new Map() }));
  if (cache.size >= BLIND_CACHE_LIMIT) {
    cache.slots.clear();
    cache.size = 0;
  }
  const slotId = `${table}\u0000${field}`;
  let slot = cache.slots.get(slotId);
  if (!slot) cache.slots.set(slotId, (slot = { strings: new Map(), others: new Map() }));
  const text = typeof value === 'string';
  const map = text ? slot.strings : slot.others;
  const id = text ? value : JSON.stringify(value);
  let result = map.get(id);
  if (result === undefined) {
    result = computeBlindIndex(key, table, field, value);
    map.set(id, result);
    cache.size += 1;
  }
  return result;
}

function keyPaths(index: DBCoreIndex): string[] {
  if (index.keyPath === null) return [];
  return typeof index.keyPath === 'string' ? [index.keyPath] : [...index.keyPath];
}

export function rowLayout(schema: DBCoreTableSchema): RowLayout {
  const primary = keyPaths(schema.primaryKey);
  const all = schema.indexes.flatMap(keyPaths);
  const indexed = all.filter((field) => !STORAGE_FIELDS.has(field));
  const clear = [...new Set([...primary, ...indexed.filter((field) => ID_FIELDS.has(field))])];
  const blind = [...new Set(indexed.filter((field) => !clear.includes(field)))];
  const extractKey = schema.primaryKey.extractKey;
  if (!extractKey) throw new Error(`table ${schema.name}: outbound primary keys are not supported`);
  const labelled = all.includes('_p');
  return { table: schema.name, primaryKeyPaths: primary, clear, blind, labelled, extractKey };
}

export function isSealedRow(row: unknown): row is SealedRow {
  return (
    typeof row === 'object' && row !== null && (row as { _e?: unknown })._e instanceof Uint8Array
  );
}

function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    read: async (start, end) => new Uint8Array(await blob.slice(start, end).arrayBuffer()),
  };
}

function versionOf(value: Record<string, unknown>): string {
  return typeof value.updatedAt === 'string' ? value.updatedAt : '';
}

function tampered(layout: RowLayout, why: string): VaultError {
  return new VaultError('tampered', `a stored row of ${layout.table} failed its check: ${why}`);
}

/**
 * The engine's own Promise. Inside a Dexie zone the global `Promise` is Dexie's, whose callbacks
 * re-enter the zone they were made in; the sealing and opening must not make any of those (see
 * afterCrypto). An async function's result is always the engine's promise, whatever the global is.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- an async function's result is the point
const NativePromise = (async () => undefined)().constructor as PromiseConstructor;

/**
 * Seals one plain record into its stored row. A chain of the engine's promises with one WebCrypto
 * call per row (as openRow), unless the record holds Blobs (attachment contents), sealed in chunks.
 */
export function sealRow(layout: RowLayout, keys: DataKeys, value: unknown): Promise<SealedRow> {
  try {
    return sealRowOf(layout, keys, value, '').row;
  } catch (error) {
    return NativePromise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** A row being sealed, and the UTF-8 JSON sealed into it (a block holds the same bytes). */
interface Sealing {
  readonly row: Promise<SealedRow>;
  /** Undefined for a record with Blob fields (sealed after its chunks; never in a block). */
  readonly bytes: Uint8Array | undefined;
}

/** The clear and blind fields of a record's row. */
function rowFields(layout: RowLayout, keys: DataKeys, record: Record<string, unknown>) {
  const row: Record<string, unknown> = {};
  for (const field of layout.clear) if (record[field] !== undefined) row[field] = record[field];
  for (const field of layout.blind) {
    if (record[field] !== undefined) {
      row[field] = blindIndex(keys.index, layout.table, field, record[field]);
    }
  }
  return row;
}

/** `block`: the label of the row (the block sealed with it in the same write), '' for none. */
function sealRowOf(layout: RowLayout, keys: DataKeys, value: unknown, block: string): Sealing {
  const record = value as Record<string, unknown>;
  const id = layout.extractKey(record);
  const row = rowFields(layout, keys, record);
  if (layout.labelled) row._p = block;
  let blobFields: string[] | undefined;
  for (const field in record) if (record[field] instanceof Blob) (blobFields ??= []).push(field);
  const version = versionOf(record);
  const seal = (bytes: Uint8Array, blobs?: Record<string, Blob>) =>
    sealRecord(keys.record, { table: layout.table, id, version }, bytes).then(
      (envelope): SealedRow => ({
        ...row,
        _k: keys.generation,
        _v: version,
        _e: envelope,
        ...(blobs ? { _b: blobs } : {}),
      }),
    );
  if (!blobFields) {
    const bytes = utf8(JSON.stringify(record));
    return { row: seal(bytes), bytes };
  }
  return {
    row: sealBlobs(layout, keys, id, record, blobFields).then(({ plain, blobs }) =>
      seal(utf8(JSON.stringify(plain)), blobs),
    ),
    bytes: undefined,
  };
}

const COMMA = utf8(',');
const BLOCK_END = utf8(']}');

/**
 * Seals one block (blocks.ts): the records' own UTF-8 JSON (already made for their rows) joined
 * into one record of the blocks table, sealed as any row of it (bound to that table, the block's
 * id and version ''), so reading it back goes through openRow and its checks like any row.
 */
function sealBlock(
  layout: RowLayout,
  keys: DataKeys,
  header: { readonly id: string; readonly caseId: string; readonly part: string; table: string },
  records: readonly Uint8Array[],
): Promise<SealedRow> {
  const head = JSON.stringify(header);
  const parts = [utf8(`${head.slice(0, -1)},"records":[`)];
  records.forEach((bytes, k) => {
    if (k > 0) parts.push(COMMA);
    parts.push(bytes);
  });
  parts.push(BLOCK_END);
  const plaintext = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    plaintext.set(part, at);
    at += part.length;
  }
  const row = rowFields(layout, keys, header);
  return sealRecord(
    keys.record,
    { table: layout.table, id: header.id, version: '' },
    plaintext,
  ).then((envelope): SealedRow => ({ ...row, _k: keys.generation, _v: '', _e: envelope }));
}

/** A fresh block id: 96 random bits, short because every row of the block carries it. */
function newBlockId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
}

function holdsBlob(record: Record<string, unknown>): boolean {
  for (const field in record) if (record[field] instanceof Blob) return true;
  return false;
}

/**
 * Seals a slice of a bulk write with its blocks: the records of one case and part (at least
 * BLOCK_MIN_ROWS of them; fewer are not worth a block) go into one block, whose id labels their
 * rows; every other record is sealed alone. One WebCrypto call per row as ever, plus one per block.
 */
function sealWithBlocks(
  layout: RowLayout,
  blockLayout: RowLayout,
  keys: DataKeys,
  values: readonly unknown[],
): Promise<SealedSlice> {
  const groups = new Map<string, number[]>();
  values.forEach((value, at) => {
    const record = value as Record<string, unknown>;
    const caseId = record.caseId;
    if (typeof caseId !== 'string' || holdsBlob(record)) return;
    const key = `${caseId}\u0000${blockPartOf(record)}`;
    const group = groups.get(key);
    if (group) group.push(at);
    else groups.set(key, [at]);
  });
  const labels: string[] = values.map(() => '');
  const blockOf: { id: string; members: number[] }[] = [];
  for (const members of groups.values()) {
    if (members.length < BLOCK_MIN_ROWS) continue;
    const id = newBlockId();
    for (const at of members) labels[at] = id;
    blockOf.push({ id, members });
  }
  const sealings = values.map((value, at) => sealRowOf(layout, keys, value, labels[at]!));
  const blocks = blockOf.map(({ id, members }) => {
    const first = values[members[0]!] as Record<string, unknown>;
    return sealBlock(
      blockLayout,
      keys,
      { id, caseId: first.caseId as string, part: blockPartOf(first), table: layout.table },
      members.map((at) => sealings[at]!.bytes!),
    );
  });
  return NativePromise.all([
    NativePromise.all(sealings.map((sealing) => sealing.row)),
    NativePromise.all(blocks),
  ]).then(([rows, sealed]) => ({ rows, blocks: sealed }));
}

/** DBCoreRangeType.Equal (see RANGE below for why it is spelt so). */
const EQUAL = 1 as DBCoreRangeType.Equal;

/**
 * Before rows are deleted for good (a retention purge, an undone import), drops every block of
 * their cases: a block may hold a copy of any version of them, and nothing of a record deleted for
 * good may stay on disk, sealed or not. The case's other rows then point at no block and are read
 * on their own until the case is packed again (blocks.ts).
 */
function dropBlocksOf(
  down: DBCoreTable,
  blockDown: DBCoreTable,
  trans: DBCoreTransaction,
  keys: readonly unknown[],
): Promise<void> {
  const byCase = blockDown.schema.getIndexByKeyPath('caseId');
  if (!byCase) return Dexie.Promise.resolve();
  return down.getMany({ trans, keys: [...keys] }).then((rows: unknown[]) => {
    const cases = new Set<string>();
    for (const row of rows) {
      const caseId = (row as { caseId?: unknown } | undefined)?.caseId;
      if (typeof caseId === 'string') cases.add(caseId);
    }
    return Dexie.Promise.all(
      [...cases].map((caseId) =>
        blockDown
          .query({
            trans,
            values: false,
            query: { index: byCase, range: { type: EQUAL, lower: caseId, upper: caseId } },
          })
          .then(({ result }) =>
            result.length === 0
              ? undefined
              : blockDown.mutate({ type: 'delete', trans, keys: result as unknown[] }),
          ),
      ),
    ).then(() => undefined);
  });
}

/** A slice of a bulk write, sealed: its rows and the blocks that hold copies of some of them. */
interface SealedSlice {
  readonly rows: readonly SealedRow[];
  readonly blocks: readonly SealedRow[];
}

/** Whether a transaction's scope holds `table` (DBCore's transaction is the IDBTransaction). */
function inScope(trans: DBCoreTransaction, table: string): boolean {
  const names = (trans as DBCoreTransaction & { readonly objectStoreNames?: DOMStringList })
    .objectStoreNames;
  return names?.contains(table) === true;
}

/** Seals the Blob fields of a record in chunks; the record keeps a mark with each one's type. */
async function sealBlobs(
  layout: RowLayout,
  keys: DataKeys,
  id: unknown,
  record: Record<string, unknown>,
  fields: readonly string[],
): Promise<{ plain: Record<string, unknown>; blobs: Record<string, Blob> }> {
  const plain = { ...record };
  const blobs: Record<string, Blob> = {};
  for (const field of fields) {
    const content = record[field] as Blob;
    plain[field] = { $blob: content.type } satisfies BlobMark;
    const chunks: BlobPart[] = [];
    for await (const chunk of sealChunks(
      keys.attachment,
      chunkId(layout, id, field),
      blobSource(content),
    )) {
      chunks.push(chunk as Uint8Array<ArrayBuffer>);
    }
    blobs[field] = new Blob(chunks);
  }
  return { plain, blobs };
}

function chunkId(layout: RowLayout, id: unknown, field: string): string {
  return JSON.stringify([layout.table, id, field]);
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Opens a stored row; VaultError 'tampered' unless it is exactly what was sealed for this slot.
 * Opening a case opens every row of it, so this is a chain of the engine's promises (no async
 * frames) with one WebCrypto call per row, and everything after the decryption is synchronous
 * except attachment contents.
 */
export function openRow(
  layout: RowLayout,
  keys: ReadonlyMap<number, DataKeys>,
  row: unknown,
): Promise<unknown> {
  if (!isSealedRow(row)) return NativePromise.reject(tampered(layout, 'it holds no envelope'));
  const dataKeys = keys.get(row._k);
  if (!dataKeys) {
    return NativePromise.reject(tampered(layout, `no key of generation ${String(row._k)}`));
  }
  const id = layout.extractKey(row);
  return openRecord(dataKeys.record, { table: layout.table, id, version: row._v }, row._e).then(
    (bytes) => checkedRow(layout, dataKeys, id, row, bytes),
    () => {
      throw tampered(layout, 'its envelope does not open for this table, id and version');
    },
  );
}

/** The plaintext of an authenticated envelope, checked against the row's clear and blind fields. */
function checkedRow(
  layout: RowLayout,
  dataKeys: DataKeys,
  id: unknown,
  row: SealedRow,
  bytes: Uint8Array,
): unknown {
  let plain: Record<string, unknown>;
  try {
    plain = JSON.parse(fromUtf8(bytes)) as Record<string, unknown>;
  } catch {
    throw tampered(layout, 'its envelope does not hold a record');
  }
  if (versionOf(plain) !== row._v) throw tampered(layout, 'its version was changed');
  for (const field of layout.clear) {
    if (!sameValue(row[field], plain[field])) throw tampered(layout, `its ${field} was changed`);
  }
  for (const field of layout.blind) {
    const expected =
      plain[field] === undefined
        ? undefined
        : blindIndex(dataKeys.index, layout.table, field, plain[field]);
    if (row[field] !== expected) throw tampered(layout, `its ${field} index was changed`);
  }
  let blobs: string[] | undefined;
  for (const field in plain) {
    const mark = plain[field];
    if (typeof mark === 'object' && mark !== null && '$blob' in mark) (blobs ??= []).push(field);
  }
  return blobs ? openBlobs(layout, dataKeys, id, row, plain, blobs) : plain;
}

async function openBlobs(
  layout: RowLayout,
  dataKeys: DataKeys,
  id: unknown,
  row: SealedRow,
  plain: Record<string, unknown>,
  fields: readonly string[],
): Promise<Record<string, unknown>> {
  for (const field of fields) {
    const sealed = row._b?.[field];
    if (!(sealed instanceof Blob)) throw tampered(layout, `its ${field} content is missing`);
    plain[field] = await openBlob(
      dataKeys,
      chunkId(layout, id, field),
      sealed,
      (plain[field] as BlobMark).$blob,
    );
  }
  return plain;
}

/**
 * Decrypts a chunked Blob one chunk at a time (each verified before it is kept), so memory holds
 * one 1 MiB chunk of plaintext beyond what the browser keeps in its blob store.
 */
async function openBlob(keys: DataKeys, id: string, sealed: Blob, type: string): Promise<Blob> {
  const parts: BlobPart[] = [];
  try {
    for await (const chunk of openChunks(keys.attachment, id, blobSource(sealed))) {
      parts.push(chunk as Uint8Array<ArrayBuffer>);
    }
  } catch {
    throw new VaultError(
      'tampered',
      'an attachment failed its check (changed, truncated or reordered)',
    );
  }
  return new Blob(parts, { type });
}

/** Chunk size, exported for tests that build attachments just over a boundary. */
export const ATTACHMENT_CHUNK_BYTES = CHUNK_BYTES;

/** Rows per slice of a bulk write (see mutate). */
const WRITE_SLICE = 250;

// A key no row has: the keep-alive reads of it find nothing and cost one index probe each.
const NO_SUCH_KEY = -Infinity;

/**
 * Hands the result of WebCrypto work (`work`, built of native promises only) to a DBCore call, and
 * resolves where the caller may issue its next request.
 *
 * Why it is built this way (issue 10's PrematureCommitError; e2e/encryption-concurrency.e2e.ts
 * reproduces it):
 * - IndexedDB commits a transaction as soon as no request is pending at the end of a task, and
 *   WebCrypto answers in a later task: a transaction that goes on afterwards must be kept alive.
 * - Dexie finds the transaction of a `db.table.op()` call through its zone (PSD), and carries that
 *   zone across the caller's native `await`s (`await write(tx)` in the unit of work) only
 *   heuristically: for a few microtasks after each of its own callbacks ("echoes", counted in one
 *   budget that every zone shares). The middleware used to seal and open on the global Promise,
 *   which inside a zone is Dexie's, so every WebCrypto answer resumed in a Dexie callback that
 *   re-entered the caller's zone in an unrelated task, and its async methods added one more
 *   counted await per call. When two transactions began in the same tick (at each unlock: the case
 *   list's live query and the retention purge), the writer's zone ran out before its code did: the
 *   unit of work's `db.audit.bulkAdd` after `await write(tx)` ran in a new implicit transaction,
 *   the writer's own transaction, left with nothing pending, committed, and Dexie failed the
 *   change with PrematureCommitError after its audit entry had been written apart from it.
 *   (Switching zones here, as Dexie.ignoreTransaction does, starts echoes of its own: as bad.)
 * So the work uses the engine's promises only and never touches Dexie; the middleware switches no
 * zone and its methods are chains of the DBCore's own promises. The keep-alive reads (of a key that
 * never exists) are issued from the caller's zone through the DBCore below, like any plain Dexie
 * request: one request, one callback, one zone. The call resolves inside the callback of the read
 * that found the work settled, so the caller goes on in its zone while the transaction is active.
 * (Dexie.waitFor keeps transactions alive too, but it settles every finished wait in one callback,
 * and a wait that starts after another finished, before the spin came round, empties the queue
 * holding that one's result: with concurrent decrypting reads in one transaction the repository's
 * demo-case round trip hung.)
 */
function afterCrypto<T>(
  down: DBCoreTable,
  trans: DBCoreTransaction,
  work: Promise<T>,
  keepAlive: boolean,
): Promise<T> {
  if (!keepAlive) return work;
  let outcome: { readonly value: T } | { readonly error: unknown } | undefined;
  work.then(
    (value) => (outcome = { value }),
    (error: unknown) => (outcome = { error }),
  );
  const wait = (): Promise<T> =>
    down.get({ trans, key: NO_SUCH_KEY }).then(() => {
      if (!outcome) return wait();
      if ('error' in outcome) throw outcome.error;
      return outcome.value;
    });
  return wait();
}

/**
 * A read needs the transaction kept alive only if the caller may issue another request in it
 * afterwards: in a read-write transaction (Dexie's modify reads, then writes) or in an explicit
 * one (`db.transaction(...)`, which Dexie marks `_explicit` on the IDBTransaction). A lone read in
 * the read-only transaction Dexie opens just for it may let that transaction finish while it
 * decrypts, which saves the keep-alive requests on the hot path of opening a case.
 */
function needsKeepAlive(trans: DBCoreTransaction): boolean {
  const idb = trans as DBCoreTransaction & { readonly mode?: string; readonly _explicit?: boolean };
  return idb.mode !== 'readonly' || idb._explicit === true;
}

function unsupported(layout: RowLayout, field: string): VaultError {
  return new VaultError(
    'unsupported-query',
    `${layout.table}.${field} is a blind index: only equality look-ups can use it`,
  );
}

/** Maps the blind parts of a key (or compound key) to their blind-index values. */
function blindKey(
  layout: RowLayout,
  keys: DataKeys,
  fields: readonly string[],
  lower: unknown,
  upper: unknown,
  which: 'lower' | 'upper',
): unknown {
  const value = which === 'lower' ? lower : upper;
  if (fields.length === 1) {
    const field = fields[0]!;
    if (!layout.blind.includes(field)) return value;
    if (!sameValue(lower, upper)) throw unsupported(layout, field);
    return blindIndex(keys.index, layout.table, field, value);
  }
  if (!Array.isArray(value)) return value;
  const low = lower as unknown[];
  const high = upper as unknown[];
  return value.map((part: unknown, i) => {
    const field = fields[i];
    if (field === undefined || !layout.blind.includes(field)) return part;
    // A compound prefix query (Dexie's virtual index) leaves the blind part open: pass it on.
    if (typeof part !== 'string') return part;
    if (!sameValue(low[i], high[i])) throw unsupported(layout, field);
    return blindIndex(keys.index, layout.table, field, part);
  });
}

function blindRanges(
  layout: RowLayout,
  store: StoreKeys,
  index: DBCoreIndex,
  range: DBCoreKeyRange,
): DBCoreKeyRange[] {
  const fields = keyPaths(index);
  if (!fields.some((field) => layout.blind.includes(field))) return [range];
  // While a rotation runs, a value has one blind form per generation: ask for each.
  return [...store.all.values()].map((keys) => ({
    ...range,
    lower: blindKey(layout, keys, fields, range.lower, range.upper, 'lower'),
    upper: blindKey(layout, keys, fields, range.lower, range.upper, 'upper'),
  }));
}

function decryptingCursor(
  inner: DBCoreCursor,
  open: (row: unknown) => Promise<unknown>,
): DBCoreCursor {
  let value: unknown;
  return wrappedCursor(
    inner,
    () => value,
    (onNext) => {
      open(inner.value).then(
        (plain) => {
          value = plain;
          try {
            onNext();
          } catch (error) {
            inner.fail(error instanceof Error ? error : new Error(String(error)));
          }
        },
        (error: unknown) => inner.fail(error instanceof Error ? error : new Error(String(error))),
      );
    },
  );
}

/**
 * Calls `body` and returns its promise; a synchronous throw (a locked store, a refused query)
 * becomes a rejection, as from Dexie's own DBCore.
 */
function guarded<T>(body: () => Promise<T>): Promise<T> {
  try {
    return body();
  } catch (error) {
    return Dexie.Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Puts slice responses of one bulk write back together, failures at their original positions. */
function joinResponses(responses: readonly DBCoreMutateResponse[]): DBCoreMutateResponse {
  const failures: Record<number, Error> = {};
  responses.forEach((response, index) => {
    for (const [at, error] of Object.entries(response.failures)) {
      failures[index * WRITE_SLICE + Number(at)] = error;
    }
  });
  return {
    numFailures: responses.reduce((sum, response) => sum + response.numFailures, 0),
    failures,
    lastResult: responses.at(-1)?.lastResult as unknown,
    results: responses.flatMap((response) => (response.results ?? []) as unknown[]),
  };
}

/** DBCoreRangeType.Range: Dexie declares the enum `const`, so it has no value to import. */
const RANGE = 2 as DBCoreRangeType.Range;

/** Rows per read of a query that reads ahead (see readAhead). */
export const READ_AHEAD_ROWS = 250;

/**
 * Whether a query may be read in parts, each part's rows opened while the next part is read: a
 * read of values in ascending order over one range of an index whose key holds the primary key
 * (so each row's index key is its own, and a part can start right after the last row of the one
 * before), more rows than one part, in a lone read-only transaction (nothing else goes on in it
 * afterwards, so nothing waits for the transaction to stay open while the last part is opened).
 * The case store's slices, one range of [caseId+schema+id] each, are such reads.
 */
function readsAhead(
  layout: RowLayout,
  req: DBCoreQueryRequest,
  ranges: readonly DBCoreKeyRange[],
): boolean {
  const { index, range } = req.query;
  if (!req.values || ranges.length !== 1 || needsKeepAlive(req.trans)) return false;
  if ((req.limit ?? Infinity) <= READ_AHEAD_ROWS) return false;
  if ((req.direction ?? 'next') !== 'next' || range.type !== RANGE) return false;
  if (index.multiEntry === true || !index.extractKey) return false;
  const fields = keyPaths(index);
  const primary = layout.primaryKeyPaths;
  return index.isPrimaryKey === true || primary.every((field) => fields.includes(field));
}

/**
 * Reads a query in parts of READ_AHEAD_ROWS and opens each part's rows while the next part is
 * read (issue 10's encrypted open ratio). Opening a record costs the page about as much as
 * IndexedDB takes to read it, and one read of a whole slice left the database idle while its rows
 * were opened and the page idle while it read them; now each part's read goes out before the
 * part before it is opened, so the two overlap and only the first read and the last part's
 * opening are not hidden. Every row is still opened and checked as before, in order; a failure
 * (a tampered row, a failed read) rejects the whole query.
 */
function readAhead(
  down: DBCoreTable,
  req: DBCoreQueryRequest,
  range: DBCoreKeyRange,
  open: (rows: readonly unknown[]) => Promise<unknown[]>,
): Promise<DBCoreQueryResponse> {
  const extractKey = req.query.index.extractKey as (row: unknown) => unknown;
  const opened: Promise<unknown[]>[] = [];
  const part = (from: DBCoreKeyRange, left: number): Promise<void> => {
    const limit = Math.min(READ_AHEAD_ROWS, left);
    return down
      .query({ ...req, limit, query: { ...req.query, range: from } })
      .then(({ result }) => {
        const rows = result as unknown[];
        // The next part is asked for first, so IndexedDB reads it while these rows are opened.
        const next =
          rows.length === limit && left > limit
            ? part(
                {
                  type: RANGE,
                  lower: extractKey(rows.at(-1)),
                  lowerOpen: true,
                  upper: range.upper as unknown,
                  upperOpen: range.upperOpen ?? false,
                },
                left - limit,
              )
            : undefined;
        const opening = open(rows);
        // Waited for in turn below; this only keeps a failure from being reported as unhandled
        // while later parts are still being read.
        opening.catch(() => undefined);
        opened.push(opening);
        return next;
      });
  };
  return part(range, req.limit ?? Infinity).then(() =>
    NativePromise.all(opened).then((parts) => ({ result: parts.flat() })),
  );
}

/*
 * The methods below are chains of the DBCore's own (Dexie) promises, not async functions: an async
 * method's result is a native promise that adopts Dexie's, which Dexie counts as one more await in
 * the caller's zone and which shortens the echoes carrying that zone (see afterCrypto). Dexie's
 * own middlewares are promise chains too.
 */
function encryptingTable(
  down: DBCoreTable,
  source: KeySource,
  blockDown: DBCoreTable | undefined,
): DBCoreTable {
  const layout = rowLayout(down.schema);
  // Bulk writes of a labelled table also write blocks, where the database has the table (v7).
  const blockLayout = layout.labelled && blockDown ? rowLayout(blockDown.schema) : undefined;
  const need = (): StoreKeys => {
    const keys = source();
    if (!keys) throw new VaultError('vault-locked', 'the case store is locked');
    return keys;
  };
  const openAll = (trans: DBCoreTransaction, store: StoreKeys, rows: readonly unknown[]) =>
    afterCrypto(
      down,
      trans,
      NativePromise.all(
        rows.map((row) =>
          row === undefined ? NativePromise.resolve(undefined) : openRow(layout, store.all, row),
        ),
      ),
      needsKeepAlive(trans),
    );
  return {
    ...down,
    mutate: (req) =>
      guarded(() => {
        const store = need();
        if (req.type === 'delete' && blockLayout && blockDown && inScope(req.trans, BLOCK_TABLE)) {
          return dropBlocksOf(down, blockDown, req.trans, req.keys).then(() => down.mutate(req));
        }
        if (req.type !== 'add' && req.type !== 'put') return down.mutate(req);
        // Blocks only where the transaction can write them in the same commit as their rows.
        const blocks =
          blockLayout &&
          blockDown &&
          req.values.length >= BLOCK_MIN_ROWS &&
          inScope(req.trans, BLOCK_TABLE)
            ? { layout: blockLayout, down: blockDown }
            : undefined;
        const seal = (values: readonly unknown[]): Promise<SealedSlice> =>
          blocks
            ? sealWithBlocks(layout, blocks.layout, store.current, values)
            : NativePromise.all(values.map((value) => sealRow(layout, store.current, value))).then(
                (rows) => ({ rows, blocks: [] }),
              );
        /**
         * Writes a sealed slice: its blocks and its rows, both asked for at once (one
         * transaction: a failed block write fails the change, and the rows go with it).
         */
        const write = (
          sealed: SealedSlice,
          keys: unknown[] | undefined,
        ): Promise<DBCoreMutateResponse> => {
          const rows = down.mutate({ ...req, values: sealed.rows, ...(keys ? { keys } : {}) });
          if (!blocks || sealed.blocks.length === 0) return rows;
          const blockWrite = blocks.down.mutate({
            type: 'put',
            trans: req.trans,
            values: sealed.blocks,
          });
          return Dexie.Promise.all([blockWrite, rows]).then(([response, written]) => {
            const failure = Object.values(response.failures)[0];
            if (failure) throw failure;
            return written;
          });
        };
        if (req.values.length <= WRITE_SLICE) {
          return afterCrypto(down, req.trans, seal(req.values), true).then((sealed) =>
            write(sealed, req.keys),
          );
        }
        // A bulk write is sealed and written in slices: each slice goes to IndexedDB as soon as it
        // is sealed, so the database writes one while WebCrypto seals the next.
        const writes: Promise<DBCoreMutateResponse>[] = [];
        let written: Promise<void> = Dexie.Promise.resolve();
        for (let start = 0; start < req.values.length; start += WRITE_SLICE) {
          const sealing = seal(req.values.slice(start, start + WRITE_SLICE));
          // Waited for in turn below; this only keeps a failure after an earlier one from going unheard.
          sealing.catch(() => undefined);
          written = written
            .then(() => afterCrypto(down, req.trans, sealing, true))
            .then((sealed) => {
              const count = Math.min(WRITE_SLICE, req.values.length - start);
              const keys = req.keys?.slice(start, start + count);
              writes.push(write(sealed, keys));
            });
        }
        return written.then(() => Dexie.Promise.all(writes)).then(joinResponses);
      }),
    get: (req) =>
      guarded(() => {
        const store = need();
        return down
          .get(req)
          .then((row: unknown) =>
            row === undefined
              ? undefined
              : openAll(req.trans, store, [row]).then((opened) => opened[0]),
          );
      }),
    getMany: (req) =>
      guarded(() => {
        const store = need();
        return down.getMany(req).then((rows) => openAll(req.trans, store, rows));
      }),
    query: (req) =>
      guarded(() => {
        const store = need();
        const ranges = blindRanges(layout, store, req.query.index, req.query.range);
        if (readsAhead(layout, req, ranges)) {
          return readAhead(down, req, ranges[0]!, (rows) =>
            NativePromise.all(rows.map((row) => openRow(layout, store.all, row))),
          );
        }
        return Dexie.Promise.all(
          ranges.map((range) => down.query({ ...req, query: { ...req.query, range } })),
        ).then((responses) => {
          const result = responses.flatMap((response) => response.result as unknown[]);
          if (!req.values) return { result };
          return openAll(req.trans, store, result).then((opened) => ({ result: opened }));
        });
      }),
    count: (req) =>
      guarded(() => {
        const store = need();
        const ranges = blindRanges(layout, store, req.query.index, req.query.range);
        return Dexie.Promise.all(
          ranges.map((range) => down.count({ ...req, query: { ...req.query, range } })),
        ).then((counts) => counts.reduce((sum, n) => sum + n, 0));
      }),
    openCursor: (req) =>
      guarded(() => {
        const store = need();
        const ranges = blindRanges(layout, store, req.query.index, req.query.range);
        if (ranges.length > 1) {
          throw new VaultError(
            'unsupported-query',
            'cursor on a blind index during a key rotation',
          );
        }
        return down
          .openCursor({ ...req, query: { ...req.query, range: ranges[0]! } })
          .then((cursor) =>
            !cursor || !req.values
              ? cursor
              : decryptingCursor(cursor, (row) =>
                  openAll(req.trans, store, [row]).then((opened) => opened[0]),
                ),
          );
      }),
  };
}

/** The middleware; `source` returns the current keys, or null while the vault is locked. */
export function encryptionMiddleware(source: KeySource): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'TesseraEncryption',
    // Below Dexie's caches (levels -1 and 0): nothing cached above holds ciphertext, nothing below plaintext.
    level: -2,
    create(down) {
      const tables = new Map<string, DBCoreTable>();
      return {
        ...down,
        table(name) {
          let table = tables.get(name);
          if (!table) {
            table = CLEAR_TABLES.has(name)
              ? down.table(name)
              : encryptingTable(
                  down.table(name),
                  source,
                  down.schema.tables.some((schema) => schema.name === BLOCK_TABLE)
                    ? down.table(BLOCK_TABLE)
                    : undefined,
                );
            tables.set(name, table);
          }
          return table;
        },
      };
    },
  };
}
