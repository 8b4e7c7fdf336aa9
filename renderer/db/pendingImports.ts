/**
 * Hides the records of imports that are not (or no longer) part of the case (issue 11).
 *
 * The import wizard writes a large file in bounded slices, each its own short transaction, straight
 * into the `entities` table (renderer/db/importWriter.ts), so neither the page nor the heap holds
 * the whole import at once. Until its one final change commits, none of it may be seen; after an
 * undo, none of it may be seen while it is removed slice by slice. Every record an import writes
 * carries the import's id in its provenance (`provenance.imported.importId`, model data that stays
 * with the record), and this Dexie DBCore middleware drops, on every read of `entities` (get,
 * bulkGet, queries, counts, cursors), the rows whose import id is in the database's pending set.
 * The set lives in memory on the TesseraDatabase (`pendingImports`): the writer adds an import
 * when it starts and removes it inside the final change's transaction; undo adds it back inside
 * its transaction; at start, `hidePendingImports` (importWriter.ts) fills it from the `meta`
 * markers an unfinished import leaves behind, before anything is read.
 *
 * It sits between the encrypting middleware (level -2: it sees plaintext) and Dexie's caches
 * (levels -1 and 0: nothing cached ever holds a hidden row). While the set is empty (no import
 * running), every request passes through untouched.
 *
 * Live queries: the slices change nothing anyone sees, so their transactions tell no reader
 * (`silenceChange`), or every open list of the case would read the whole case again after each
 * slice; the change that shows or hides an import writes no entity row of it, so it tells every
 * reader of `entities` that they changed (`signalEntitiesChanged`). Both edit the transaction's
 * `mutatedParts`, the set Dexie's observability middleware collects and publishes when a
 * read-write transaction commits (dexie 4: Transaction oncomplete, and its cache middleware's
 * endTransaction, which drops cached results that overlap it).
 *
 * Limit: the set is per page. Another window of the same profile learns of an import started
 * after it opened only when that import commits (its rows are then visible anyway).
 */
import { Dexie, RangeSet } from 'dexie';
import { wrappedCursor } from './wrappedCursor.ts';
import type {
  DBCore,
  DBCoreCursor,
  DBCoreQueryRequest,
  DBCoreTable,
  Middleware,
  ObservabilitySet,
} from 'dexie';

/** The table whose rows imports write (relationships are entities too, with edge schemata). */
const IMPORT_TABLE = 'entities';

/** The import a stored row belongs to, if an import wrote it. */
export function importIdOf(row: unknown): string | undefined {
  const id = (row as { provenance?: { imported?: { importId?: unknown } } } | undefined)?.provenance
    ?.imported?.importId;
  return typeof id === 'string' ? id : undefined;
}

function filteringCursor(inner: DBCoreCursor, hidden: (row: unknown) => boolean): DBCoreCursor {
  // A hidden row is stepped over: the caller never sees it (advance(n) counts hidden rows,
  // which no query of the app uses on entities while an import runs).
  return wrappedCursor(
    inner,
    () => inner.value as unknown,
    (onNext) => {
      if (hidden(inner.value)) inner.continue();
      else onNext();
    },
  );
}

function filteringTable(down: DBCoreTable, pending: ReadonlySet<string>): DBCoreTable {
  const hidden = (row: unknown): boolean => {
    const id = importIdOf(row);
    return id !== undefined && pending.has(id);
  };
  const primaryKeyOf = (row: unknown): unknown => (row as { id: unknown }).id;
  /** The visible rows of a query, read with values (a keys-only read cannot be filtered). */
  const visibleRows = (req: DBCoreQueryRequest) =>
    // Without its limit: rows left out would make a page short. Only while an import is pending.
    down.query({ ...req, values: true, limit: undefined }).then((response) => {
      const rows = (response.result as unknown[]).filter((row) => !hidden(row));
      return req.limit === undefined ? rows : rows.slice(0, req.limit);
    });
  return {
    ...down,
    get: (req) =>
      down.get(req).then((row: unknown) => (pending.size > 0 && hidden(row) ? undefined : row)),
    getMany: (req) =>
      down
        .getMany(req)
        .then((rows: unknown[]) =>
          pending.size > 0 ? rows.map((row) => (hidden(row) ? undefined : row)) : rows,
        ),
    query: (req) =>
      pending.size === 0
        ? down.query(req)
        : visibleRows(req).then((rows) => ({
            result: req.values ? rows : rows.map(primaryKeyOf),
          })),
    count: (req) =>
      pending.size === 0
        ? down.count(req)
        : visibleRows({ trans: req.trans, query: req.query }).then((rows) => rows.length),
    openCursor: (req) =>
      pending.size === 0
        ? down.openCursor(req)
        : down
            .openCursor({ ...req, values: true })
            .then((cursor) => (cursor ? filteringCursor(cursor, hidden) : cursor)),
  };
}

/** The middleware over a database's pending set (TesseraDatabase installs it). */
export function pendingImportFilter(pending: ReadonlySet<string>): Middleware<DBCore> {
  return {
    stack: 'dbcore',
    name: 'TesseraPendingImports',
    // Above the encryption (-2), below Dexie's caches (-1 and 0); see the top of this file.
    level: -1.5,
    create(down) {
      let table: DBCoreTable | undefined;
      return {
        ...down,
        table(name) {
          if (name !== IMPORT_TABLE) return down.table(name);
          table ??= filteringTable(down.table(name), pending);
          return table;
        },
      };
    },
  };
}

interface ObservedTransaction {
  mutatedParts?: ObservabilitySet;
}

/** The IndexedDB transaction of the Dexie transaction this code runs in. */
function currentIdbTransaction(): ObservedTransaction | undefined {
  return (Dexie.currentTransaction as { idbtrans?: ObservedTransaction } | null)?.idbtrans;
}

/**
 * Tells no live query about the current transaction's writes: call at the end of a change that
 * wrote only hidden rows (an import's slice, or the removal of an unfinished or undone import).
 */
export function silenceChange(): void {
  const trans = currentIdbTransaction();
  if (trans?.mutatedParts) trans.mutatedParts = {};
}

/**
 * Tells every live query over `entities` that they changed when the current transaction commits:
 * call inside the change that shows (final commit) or hides (undo) an import.
 */
export function signalEntitiesChanged(db: Dexie): void {
  const trans = currentIdbTransaction();
  if (!trans) return;
  const everything = (): RangeSet => new RangeSet(-Infinity, [[[]]]);
  const parts: ObservabilitySet = {};
  const table = db.table(IMPORT_TABLE);
  parts[`idb://${db.name}/${IMPORT_TABLE}/`] = everything();
  parts[`idb://${db.name}/${IMPORT_TABLE}/:dels`] = everything();
  for (const index of table.schema.indexes) {
    parts[`idb://${db.name}/${IMPORT_TABLE}/${index.name}`] = everything();
  }
  trans.mutatedParts ??= {};
  Dexie.extendObservabilitySet(trans.mutatedParts, parts);
}
