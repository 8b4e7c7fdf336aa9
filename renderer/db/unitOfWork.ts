/**
 * The one write path of the case store. Every change (a form saved, a link drawn, a merge, a bulk
 * marking, an accepted bundle review, a case import, an undo) commits through `commit`, which:
 * 1. opens ONE read-write Dexie transaction over the record tables, attachment contents, audit
 *    trail and sync state (so a change is stored whole or not at all);
 * 2. hands the writer a `WriteTx` whose `put` reads the record's current version (the
 *    before-image), stores the new one and queues an audit entry with both (one change id for
 *    every entry of the change);
 * 3. on success, pushes the before/after pairs on the undo stack under the change's label.
 * Quota failures surface as StorageFullError.
 *
 * Undo writes each record's before-image back (a created record's before is its own tombstone),
 * redo the after-image, both with fresh clocks and 'restore' audit entries, in one transaction.
 * A bulk insert (a case import) is the exception: undo removes what it inserted and redo inserts
 * it again, with one summary audit entry each (see ChangeSpec.bulkInsert). An import written in
 * slices (ChangeSpec.slicedImport) keeps no records on the stack at all: undo hides it again, redo
 * shows it again, and once it can no longer be redone it is removed slice by slice (importWriter.ts).
 * Before writing, each record must still be the version this stack last wrote (same `updatedAt`;
 * changes above the entry were undone first, so that is the entry's own write or the undo of a
 * later one). Otherwise something off the stack changed it since (another window, a retention
 * purge, any change that cannot be undone) and putting the old version
 * back would silently destroy that work. Then nothing is written, UndoConflictError (code
 * 'undo-conflict') names the records, and the entry leaves the stack: it can never apply again,
 * and keeping it on top would block every older one.
 *
 * After each committed change (undo and redo included) the entity records it stored and the ids
 * it removed for good are published to `subscribeCommitted` listeners: the per-case in-memory
 * stores (caseStore.ts) apply them instead of reading the whole case again.
 *
 * The undo stack lives in memory, per page: one unit of work per page (boot.ts) is shared by the
 * repository and every other writer, so Ctrl+Z always reverts the latest change, whoever made it.
 */
import type { Table } from 'dexie';
import { compareHlc, newId } from '../../shared/model/index.ts';
import type {
  AnyRecord,
  AuditEntry,
  EntityRecord,
  ChartNodeView,
  ChartRecord,
  HybridLogicalClock,
  RecordKind,
} from '../../shared/model/index.ts';
import { captionOfRecord, ITEM_KINDS, RECORD_KIND_NAMES } from '../../shared/model/recordKinds.ts';
import type { CommittedEntities } from './caseStore.ts';
import { blockTable } from './blocks.ts';
import { chartNodeTable, withNodeRows } from './chartNodes.ts';
import type { ChartNodeRow, StoredEntity, TesseraDatabase } from './database.ts';
import { silenceChange } from './pendingImports.ts';
import {
  auditAction,
  caseIdOf,
  checkShape,
  mapStorageError,
  readRecord,
  recordTable,
  storeEntity,
  stripEntity,
  summariseChange,
} from './records.ts';
import { UndoConflictError } from './repository.types.ts';
import type { Actor, UndoState } from './repository.types.ts';
import { forgetCase, forgetRecords, syncTables } from './syncState.ts';

/** How an audit entry of a put reads; by default derived from the before/after versions. */
export interface PutNote {
  readonly action?: AuditEntry['action'];
  /** The summary, given the derived one (e.g. `(auto) => \`bulk marking: ${auto}\``). */
  readonly summary?: (derived: string) => string;
}

/** What a writer may do inside its change. Reads see the change's own writes. */
export interface WriteTx {
  readonly db: TesseraDatabase;
  readonly changeId: string;
  readonly actor: Actor;
  /** The record as stored (an entity without its search key), deleted or not. */
  get(kind: RecordKind, id: string): Promise<AnyRecord | undefined>;
  /** Stores a new version and queues its audit entry; the before-image is read here. */
  put(after: AnyRecord, note?: PutNote): Promise<AnyRecord | undefined>;
  /**
   * Stores records that cannot exist yet (a case import checked its case is absent), without
   * reading before-images and without per-record audit entries: the writer adds one summary entry
   * with `audit`. Undo tombstones them.
   */
  insertMany(records: readonly AnyRecord[]): Promise<void>;
  /**
   * Stores records of an import still being written, hidden by its pending mark
   * (pendingImports.ts): no before-image, audit entry or undo pair (the import's final change
   * writes the summary, its undo removes them). `added` must not exist yet (an id already stored
   * aborts the change, as insertMany); `replaced` are the import's own records of earlier slices,
   * merged into since, stored again as their latest versions.
   */
  putHidden(records: {
    readonly added: readonly EntityRecord[];
    readonly replaced: readonly EntityRecord[];
  }): Promise<void>;
  /** Removes hidden records (an unfinished or undone import's) for good, without audit entries. */
  deleteHidden(ids: readonly string[]): Promise<void>;
  /**
   * Moves some nodes of a chart (a drag): stores one row per moved node (chartNodes.ts), not the
   * chart, so the write, the audit entry and the undo entry hold only the moved nodes. `chart`
   * is the version the moves were made on (the one the view shows); a node's before-image is its
   * stored row, or that version's entry when it has none. Nodes not on `chart` are skipped.
   * Returns the chart's new version (`updatedAt`: the move's clock), without assembling the chart
   * (a copy of 50,000 nodes). A change may move a chart's nodes or write it whole, not both.
   */
  moveChartNodes(
    chart: ChartRecord,
    nodes: Readonly<Record<string, ChartNodeView>>,
    note?: PutNote,
  ): Promise<string>;
  putBlob(id: string, content: Blob): Promise<void>;
  /**
   * Removes a record for good (retention purge), with its content, its sync state and its earlier
   * audit entries (they hold copies of it).
   */
  deleteForGood(record: AnyRecord): Promise<void>;
  /** Removes a case and everything of it for good: records, contents, audit trail, sync state. */
  purgeCase(caseId: string): Promise<void>;
  /**
   * Stores a small key/value entry of the `meta` table (a view's remembered layout): no audit
   * entry and no undo pair, since it changes how records are shown, not what they say.
   */
  putMeta(key: string, value: unknown): Promise<void>;
  /** Queues an audit entry that no put derives (an import summary, a purge notice). */
  audit(
    entry: Pick<AuditEntry, 'caseId' | 'recordId' | 'recordKind' | 'action' | 'hlc' | 'summary'> &
      Partial<Pick<AuditEntry, 'before' | 'after' | 'at'>>,
  ): void;
}

export interface ChangeSpec<T> {
  /** Shown by the undo and redo menus and in notices, e.g. "Edit Ivan Petrov". */
  readonly label: string | ((result: T) => string);
  /**
   * False for changes people did not make or must not revert: the demo case loaded at the first
   * start, a purge whose retention ended. Default true.
   */
  readonly undoable?: boolean;
  /**
   * The change only inserts records that did not exist (`insertMany`) and their contents: a case
   * import. Undo removes them for good (there was nothing before, and a tombstone would stop the
   * same file from being imported again); redo inserts them again as they were. Each writes one
   * summary audit entry, as the import did, rather than one per record.
   */
  readonly bulkInsert?: boolean;
  /**
   * The change makes an import written in slices visible (importWriter.ts). Its undo entry holds
   * only the pairs of existing entities it merged into (bounded by the case, not the file); undo
   * reverts those and calls `hide` in the same transaction, redo puts them again and calls `show`.
   * When the undone entry leaves the redo stack (a new change, a conflict, its case purged), `purge`
   * removes the hidden records slice by slice.
   */
  readonly slicedImport?: SlicedImport;
  /**
   * The change writes only hidden records (putHidden, deleteHidden) and meta entries: no live
   * query is told (nothing anyone sees changed). See pendingImports.ts.
   */
  readonly hidden?: boolean;
  readonly write: (tx: WriteTx) => Promise<T>;
}

/** How undo takes back an import written in slices (ChangeSpec.slicedImport). */
export interface SlicedImport {
  readonly caseId: string;
  /** Inside undo's transaction: hides the import's records again, and audits their removal. */
  hide(tx: WriteTx): Promise<void>;
  /** Inside redo's transaction: shows them again, and audits it. */
  show(tx: WriteTx): Promise<void>;
  /** Once the undone import can no longer be redone: removes its records, slice by slice. */
  purge(): Promise<void>;
}

export interface UnitOfWork {
  /** For reads only; writes go through commit. */
  readonly db: TesseraDatabase;
  readonly clock: HybridLogicalClock;
  readonly actor: () => Actor;
  commit<T>(change: ChangeSpec<T>): Promise<T>;
  /** Reverts the latest change; returns its label, or undefined when there is none. */
  undo(): Promise<string | undefined>;
  redo(): Promise<string | undefined>;
  undoState(): UndoState;
  subscribeUndo(listener: (state: UndoState) => void): () => void;
  /** Drops undo and redo entries that touch a case removed for good. */
  forgetCase(caseId: string): void;
  /** Hears every committed change's entity records (after its transaction completed). */
  subscribeCommitted(listener: (change: CommittedEntities) => void): () => void;
}

export interface UnitOfWorkOptions {
  readonly clock: HybridLogicalClock;
  readonly actor: () => Actor;
  /** Changes kept for undo (oldest dropped first). */
  readonly maxUndo?: number;
}

/** One record of an undoable change. */
interface UndoPair {
  /** The record before the change; undefined: it did not exist, and undo tombstones it. */
  readonly before?: AnyRecord;
  /** The record as the change wrote it (what redo puts back). */
  readonly after: AnyRecord;
  /**
   * A move of chart nodes (WriteTx.moveChartNodes): `before` and `after` are the chart with only
   * the moved nodes, and undo and redo move those nodes back or again rather than writing the chart.
   */
  readonly nodesOnly?: true;
}

interface UndoEntry {
  readonly label: string;
  readonly pairs: readonly UndoPair[];
  /** Set for bulk inserts (see ChangeSpec.bulkInsert): the contents they stored. */
  readonly inserted?: ReadonlyMap<string, Blob>;
  /** Set for imports written in slices (see ChangeSpec.slicedImport). */
  readonly sliced?: SlicedImport;
}

const DEFAULT_MAX_UNDO = 200;
/** Records per request of putHidden and deleteHidden (a request's clone is one task on the page). */
const HIDDEN_WRITE_CHUNK = 100;

const MIXED_CHART_WRITES =
  'a change may move some nodes of a chart or write the chart whole, not both';

/** Keys of `meta` entries that belong to one case start so, and go with it when it is purged. */
export function caseMetaPrefix(caseId: string): string {
  return `case:${caseId}:`;
}

export function createUnitOfWork(db: TesseraDatabase, options: UnitOfWorkOptions): UnitOfWork {
  const { clock, actor } = options;
  const maxUndo = options.maxUndo ?? DEFAULT_MAX_UNDO;
  let undoStack: UndoEntry[] = [];
  let redoStack: UndoEntry[] = [];
  const listeners = new Set<(state: UndoState) => void>();
  const committedListeners = new Set<(change: CommittedEntities) => void>();
  /** Record id → `updatedAt` of the version the stack last wrote (absent: not ours to revert). */
  const lastWritten = new Map<string, string>();

  const allTables = (): Table[] => [
    ...RECORD_KIND_NAMES.map((kind) => recordTable(db, kind)),
    // Chart node positions stored per node (chartNodes.ts): read and folded with the charts.
    ...(chartNodeTable(db) ? [db.chartNodes] : []),
    db.attachmentBlobs,
    db.audit,
    // Views' remembered layouts (putMeta), and the import writer's staged batches
    // (importWriter.ts), which leave with the change that shows them.
    db.meta,
    ...syncTables(db),
    // Block envelopes (blocks.ts): a bulk write of entities seals a block of them in the same
    // commit, which it can only where the transaction spans this table.
    ...(blockTable(db) ? [db.blocks] : []),
  ];

  function undoState(): UndoState {
    return { undoLabel: undoStack.at(-1)?.label, redoLabel: redoStack.at(-1)?.label };
  }

  function notify(): void {
    const state = undoState();
    for (const listener of listeners) listener(state);
  }

  const getRecord = (kind: RecordKind, id: string) => readRecord(db, kind, id);

  function publish(change: CommittedEntities): void {
    if (change.entities.length + change.removed.length + change.reloadCases.length === 0) return;
    for (const listener of [...committedListeners]) {
      // The change is stored whatever a listener does: its failure must not fail the commit.
      try {
        listener(change);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  async function putRecord(record: AnyRecord): Promise<void> {
    if (record.kind === 'entity') await db.entities.put(storeEntity(record));
    else await recordTable(db, record.kind).put(record);
    // A chart written whole holds every position: its per-node rows are folded in (chartNodes.ts).
    if (record.kind === 'chart') {
      await chartNodeTable(db)?.where('chartId').equals(record.id).delete();
    }
  }

  /** Runs `write` in one transaction; returns its result, the pairs it wrote and nothing else. */
  async function run<T>(
    write: (tx: WriteTx) => Promise<T>,
    hidden = false,
  ): Promise<{
    result: T;
    pairs: UndoPair[];
    touched: Set<string>;
    blobs: Map<string, Blob>;
  }> {
    const changeId = newId();
    const who = actor();
    // What the change did to entities, published once its transaction has committed.
    const published = {
      entities: new Map<string, EntityRecord>(),
      removed: new Map<string, string>(),
      reloadCases: new Set<string>(),
    };
    try {
      const done = await db.transaction('rw', allTables(), async () => {
        const at = new Date().toISOString();
        const entries: AuditEntry[] = [];
        // Per record: the version before the change (first put) and the latest one.
        const pairs = new Map<string, UndoPair>();
        // Every record written or removed, undoable or not.
        const touched = new Set<string>();
        const blobs = new Map<string, Blob>();
        const tx: WriteTx = {
          db,
          changeId,
          actor: who,
          get: getRecord,
          async put(after, note = {}) {
            checkShape(after);
            if (pairs.get(after.id)?.nodesOnly) throw new Error(MIXED_CHART_WRITES);
            const before = await getRecord(after.kind, after.id);
            await putRecord(after);
            touched.add(after.id);
            if (after.kind === 'entity') published.entities.set(after.id, after);
            const derived = summariseChange(before, after);
            entries.push({
              id: newId(),
              caseId: caseIdOf(after),
              recordId: after.id,
              recordKind: after.kind,
              action: note.action ?? auditAction(before, after),
              actor: who.userName,
              at,
              hlc: after.updatedAt,
              changeId,
              ...(before ? { before } : {}),
              after,
              summary: note.summary ? note.summary(derived) : derived,
            });
            const first = pairs.get(after.id);
            pairs.set(
              after.id,
              first ? { ...first, after } : { ...(before ? { before } : {}), after },
            );
            return before;
          },
          async moveChartNodes(chart, nodes, note = {}) {
            if (pairs.has(chart.id) && !pairs.get(chart.id)!.nodesOnly) {
              throw new Error(MIXED_CHART_WRITES);
            }
            const ids = Object.keys(nodes).filter((id) => id in chart.nodes);
            const stored = await db.chartNodes.bulkGet(ids.map((id) => [chart.id, id]));
            const updatedAt = clock.now();
            const beforeNodes: Record<string, ChartNodeView> = {};
            const afterNodes: Record<string, ChartNodeView> = {};
            const rows: ChartNodeRow[] = [];
            for (const [index, id] of ids.entries()) {
              beforeNodes[id] = stored[index]?.node ?? chart.nodes[id]!;
              afterNodes[id] = nodes[id]!;
              rows.push({
                chartId: chart.id,
                entityId: id,
                caseId: chart.caseId,
                updatedAt,
                node: nodes[id]!,
              });
            }
            const before: ChartRecord = { ...chart, nodes: beforeNodes };
            const after: ChartRecord = { ...chart, nodes: afterNodes, updatedAt };
            checkShape(after);
            await db.chartNodes.bulkPut(rows);
            touched.add(chart.id);
            const derived = `moved ${ids.length} ${ids.length === 1 ? 'node' : 'nodes'} of ${captionOfRecord(chart, 'audit')}`;
            entries.push({
              id: newId(),
              caseId: chart.caseId,
              recordId: chart.id,
              recordKind: 'chart',
              action: note.action ?? 'update',
              actor: who.userName,
              at,
              hlc: updatedAt,
              changeId,
              before,
              after,
              summary: note.summary ? note.summary(derived) : derived,
            });
            const first = pairs.get(chart.id);
            pairs.set(chart.id, {
              before: first
                ? { ...before, nodes: { ...beforeNodes, ...(first.before as ChartRecord).nodes } }
                : before,
              after: first
                ? { ...after, nodes: { ...(first.after as ChartRecord).nodes, ...afterNodes } }
                : after,
              nodesOnly: true,
            });
            return updatedAt;
          },
          async insertMany(records) {
            const entities: StoredEntity[] = [];
            const byKind = new Map<RecordKind, AnyRecord[]>();
            for (const record of records) {
              if (record.kind === 'entity') {
                entities.push(storeEntity(record));
                published.entities.set(record.id, record);
              } else {
                const list = byKind.get(record.kind);
                if (list) list.push(record);
                else byKind.set(record.kind, [record]);
              }
              pairs.set(record.id, { after: record });
              touched.add(record.id);
            }
            // add, not put: an insert must never overwrite a stored record (issue 11: an import
            // whose ids were already stored moved another case's entities). A clash aborts the
            // transaction with a ConstraintError, which mapStorageError turns into a coded error.
            const requests: Promise<unknown>[] = [db.entities.bulkAdd(entities)];
            for (const [kind, list] of byKind) requests.push(recordTable(db, kind).bulkAdd(list));
            await Promise.all(requests);
          },
          async putHidden({ added, replaced }) {
            // Requests of a few hundred records each, one after the other: one bulk request of
            // thousands is one long task on the page (structured clone of every row at once).
            for (let from = 0; from < added.length; from += HIDDEN_WRITE_CHUNK) {
              await db.entities.bulkAdd(
                added.slice(from, from + HIDDEN_WRITE_CHUNK).map(storeEntity),
              );
            }
            for (let from = 0; from < replaced.length; from += HIDDEN_WRITE_CHUNK) {
              await db.entities.bulkPut(
                replaced.slice(from, from + HIDDEN_WRITE_CHUNK).map(storeEntity),
              );
            }
          },
          async deleteHidden(ids) {
            for (let from = 0; from < ids.length; from += HIDDEN_WRITE_CHUNK) {
              await db.entities.bulkDelete(ids.slice(from, from + HIDDEN_WRITE_CHUNK));
            }
          },
          async putBlob(id, content) {
            await db.attachmentBlobs.put({ id, content });
            blobs.set(id, content);
          },
          async deleteForGood(record) {
            await recordTable(db, record.kind).delete(record.id);
            if (record.kind === 'attachment') await db.attachmentBlobs.delete(record.id);
            if (record.kind === 'chart') {
              await chartNodeTable(db)?.where('chartId').equals(record.id).delete();
            }
            await db.audit.where('recordId').equals(record.id).delete();
            await forgetRecords(db, [record.id]);
            pairs.delete(record.id);
            if (record.kind === 'entity') {
              published.entities.delete(record.id);
              published.removed.set(record.id, record.caseId);
            }
            touched.add(record.id);
          },
          async purgeCase(caseId) {
            const attachmentIds = await db.attachments.where('caseId').equals(caseId).primaryKeys();
            await db.attachmentBlobs.bulkDelete(attachmentIds);
            for (const kind of ITEM_KINDS) {
              await recordTable(db, kind).where('caseId').equals(caseId).delete();
            }
            await chartNodeTable(db)?.where('caseId').equals(caseId).delete();
            await blockTable(db)?.where('caseId').equals(caseId).delete();
            await db.audit.where('caseId').equals(caseId).delete();
            await db.meta.where('key').startsWith(caseMetaPrefix(caseId)).delete();
            await forgetCase(db, caseId);
            await db.cases.delete(caseId);
            published.reloadCases.add(caseId);
            for (const [id, pair] of pairs) if (caseIdOf(pair.after) === caseId) pairs.delete(id);
            // Stack entries of the case are dropped by forgetCase.
          },
          async putMeta(key, value) {
            await db.meta.put({ key, value });
          },
          audit(entry) {
            entries.push({ id: newId(), actor: who.userName, at, changeId, ...entry });
          },
        };
        const result = await write(tx);
        if (entries.length > 0) await db.audit.bulkAdd(entries);
        if (hidden) silenceChange();
        return { result, pairs: [...pairs.values()], touched, blobs };
      });
      publish({
        entities: [...published.entities.values()],
        removed: [...published.removed].map(([id, caseId]) => ({ id, caseId })),
        reloadCases: [...published.reloadCases],
      });
      return done;
    } catch (error) {
      throw mapStorageError(error);
    }
  }

  /**
   * The stored versions of `records`, in their order: one bulk read per kind, since an import's
   * undo checks thousands of records, and reads issued side by side (Promise.all of gets) let a
   * read-write transaction on the encrypting store commit early (PrematureCommitError).
   */
  async function readMany(records: readonly AnyRecord[]): Promise<(AnyRecord | undefined)[]> {
    const found = new Map<string, AnyRecord>();
    for (const kind of RECORD_KIND_NAMES) {
      const ids = records.filter((r) => r.kind === kind).map((r) => r.id);
      if (ids.length === 0) continue;
      for (const row of await recordTable(db, kind).bulkGet(ids)) {
        if (!row) continue;
        if (row.kind === 'chart') {
          // With the node rows moved since its last whole write (chartNodes.ts).
          const [assembled] = await withNodeRows(db, [row]);
          found.set(row.id, assembled!);
        } else found.set(row.id, row.kind === 'entity' ? stripEntity(row as StoredEntity) : row);
      }
    }
    return records.map((r) => found.get(r.id));
  }

  /** Forgets what the stack wrote to these records: reverting over them now is a conflict. */
  function disown(ids: Iterable<string>): void {
    for (const id of ids) lastWritten.delete(id);
  }

  /**
   * Entries leaving the redo stack: an undone import written in slices is only hidden until now,
   * and its records are removed in the background (a page closed meanwhile leaves that to the
   * next start's cleanup).
   */
  function dropRedo(entries: readonly UndoEntry[]): void {
    for (const entry of entries) if (entry.sliced) void entry.sliced.purge();
  }

  function push(entry: UndoEntry): void {
    undoStack.push(entry);
    if (undoStack.length > maxUndo) undoStack = undoStack.slice(-maxUndo);
    dropRedo(redoStack);
    redoStack = [];
    notify();
  }

  /**
   * Puts back each record's `before` (undo) or `after` (redo), provided each is still the version
   * this stack last wrote. Throws UndoConflictError, writing nothing, when any record moved on.
   */
  async function revert(entry: UndoEntry, direction: 'undo' | 'redo'): Promise<void> {
    const reason = `${direction === 'undo' ? 'Undo' : 'Redo'} ${entry.label}`;
    const { result: written } = await run(async (tx) => {
      const moved: string[] = [];
      const current = await readMany(entry.pairs.map(({ after }) => after));
      for (const [index, { after }] of entry.pairs.entries()) {
        const stored = current[index];
        // A bulk insert undone left nothing behind, and must find nothing to redo into; anything
        // else must find the version this stack wrote last (gone or disowned: a conflict).
        // (A bulk insert's puts, records it merged into, are checked like any other change's.)
        const pair = entry.pairs[index]!;
        const moves =
          entry.inserted && direction === 'redo' && !pair.before
            ? stored !== undefined
            : !stored || stored.updatedAt !== lastWritten.get(after.id);
        if (moves) {
          moved.push(captionOfRecord(stored ?? after, 'audit'));
        } else if (stored && compareHlc(stored.updatedAt, clock.now()) > 0) {
          // The new version must order after the one it replaces, whoever's clock wrote that.
          clock.receive(stored.updatedAt);
        }
      }
      if (moved.length > 0) throw new UndoConflictError(direction, entry.label, moved);
      if (entry.inserted) return revertInsert(tx, entry, direction, reason);
      const out: [string, string | undefined][] = [];
      for (const [index, pair] of entry.pairs.entries()) {
        if (pair.nodesOnly) {
          // Moves the same nodes back (or again), over the chart as it is now stored.
          const target = (direction === 'redo' ? pair.after : pair.before!) as ChartRecord;
          const updatedAt = await tx.moveChartNodes(current[index] as ChartRecord, target.nodes, {
            action: 'restore',
            summary: (auto) => `${reason}: ${auto}`,
          });
          out.push([pair.after.id, updatedAt]);
          continue;
        }
        const target =
          direction === 'redo' ? pair.after : (pair.before ?? { ...pair.after, deleted: true });
        const next = { ...target, updatedAt: clock.now() } as AnyRecord;
        await tx.put(next, { action: 'restore', summary: (auto) => `${reason}: ${auto}` });
        out.push([next.id, next.updatedAt]);
      }
      if (entry.sliced) {
        await (direction === 'undo' ? entry.sliced.hide(tx) : entry.sliced.show(tx));
      }
      return out;
    }).catch((error: unknown) => {
      // Nothing was stored: what the stack believes it wrote is unchanged unless this failed
      // because the records moved, in which case the entry is gone and so is its claim.
      if (error instanceof UndoConflictError) disown(entry.pairs.map(({ after }) => after.id));
      throw error;
    });
    for (const [id, updatedAt] of written) {
      if (updatedAt === undefined) lastWritten.delete(id);
      else lastWritten.set(id, updatedAt);
    }
    // A sliced import's records were shown or hidden by one flag, not record by record.
    if (entry.sliced) publish({ entities: [], removed: [], reloadCases: [entry.sliced.caseId] });
    // An undone import removed its records with bulk deletes that no put saw.
    if (entry.inserted && direction === 'undo') {
      publish({
        entities: [],
        removed: entry.pairs
          .filter((pair) => !pair.before && pair.after.kind === 'entity')
          .map(({ after }) => ({ id: after.id, caseId: caseIdOf(after) })),
        reloadCases: [],
      });
    }
  }

  /** Removes (undo) or inserts again (redo) the records and contents of a bulk insert. */
  async function revertInsert(
    tx: WriteTx,
    entry: UndoEntry,
    direction: 'undo' | 'redo',
    reason: string,
  ): Promise<[string, string | undefined][]> {
    // Records the change put over existing ones (an import merging into a case's entities) are
    // reverted to their before-image as any change's are; only the inserted ones are removed.
    const merged = entry.pairs.filter((pair) => pair.before !== undefined);
    const records = entry.pairs.filter((pair) => !pair.before).map(({ after }) => after);
    const blobIds = [...(entry.inserted?.keys() ?? [])];
    const out: [string, string | undefined][] = [];
    for (const pair of merged) {
      const target = direction === 'undo' ? pair.before! : pair.after;
      const next = { ...target, updatedAt: clock.now() } as AnyRecord;
      await tx.put(next, { action: 'restore', summary: (auto) => `${reason}: ${auto}` });
      out.push([next.id, next.updatedAt]);
    }
    if (direction === 'undo') {
      for (const kind of RECORD_KIND_NAMES) {
        const ids = records.filter((r) => r.kind === kind).map((r) => r.id);
        if (ids.length > 0) await recordTable(db, kind).bulkDelete(ids);
        // Rows of charts moved since the import (and moved back by the undo before this one).
        for (const id of kind === 'chart' ? ids : []) {
          await chartNodeTable(db)?.where('chartId').equals(id).delete();
        }
      }
      await db.attachmentBlobs.bulkDelete(blobIds);
    } else {
      await tx.insertMany(records);
      for (const [id, content] of entry.inserted ?? []) await tx.putBlob(id, content);
    }
    const first = records[0];
    if (first) {
      const caseId = caseIdOf(first);
      tx.audit({
        caseId,
        recordId: caseId,
        recordKind: 'case',
        action: direction === 'undo' ? 'delete' : 'import',
        hlc: clock.now(),
        summary: `${reason}: ${records.length} records ${direction === 'undo' ? 'removed' : 'imported again'}`,
      });
    }
    for (const r of records) out.push([r.id, direction === 'undo' ? undefined : r.updatedAt]);
    return out;
  }

  /**
   * Undoes or redoes the top entry of its stack, which then moves to the other stack; refused
   * because its records moved, it leaves the stack (it can never apply again). The stacks are
   * read again after the write: a change committed meanwhile may have replaced them.
   */
  async function step(direction: 'undo' | 'redo'): Promise<string | undefined> {
    const stacks = () => (direction === 'undo' ? [undoStack, redoStack] : [redoStack, undoStack]);
    const entry = stacks()[0]!.at(-1);
    if (!entry) return undefined;
    const leave = (): void => {
      const from = stacks()[0]!;
      const index = from.lastIndexOf(entry);
      if (index >= 0) from.splice(index, 1);
    };
    try {
      await revert(entry, direction);
      leave();
      stacks()[1]!.push(entry);
      return entry.label;
    } catch (error) {
      if (error instanceof UndoConflictError) {
        leave();
        if (direction === 'redo') dropRedo([entry]);
      }
      throw error;
    } finally {
      notify();
    }
  }

  return {
    db,
    clock,
    actor,

    async commit<T>(change: ChangeSpec<T>): Promise<T> {
      const { result, pairs, touched, blobs } = await run(change.write, change.hidden === true);
      // Its records became visible by one flag that no put saw: the case's store reads again.
      if (change.slicedImport) {
        publish({ entities: [], removed: [], reloadCases: [change.slicedImport.caseId] });
      }
      // A change that cannot be undone makes older entries over its records unrevertable too.
      disown(touched);
      if (change.undoable !== false && (pairs.length > 0 || change.slicedImport)) {
        const label = typeof change.label === 'string' ? change.label : change.label(result);
        for (const { after } of pairs) lastWritten.set(after.id, after.updatedAt);
        push({
          label,
          pairs,
          ...(change.bulkInsert ? { inserted: blobs } : {}),
          ...(change.slicedImport ? { sliced: change.slicedImport } : {}),
        });
      }
      return result;
    },

    undo: () => step('undo'),
    redo: () => step('redo'),
    undoState,

    subscribeUndo(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    subscribeCommitted(listener) {
      committedListeners.add(listener);
      return () => {
        committedListeners.delete(listener);
      };
    },

    forgetCase(caseId) {
      const touches = (entry: UndoEntry): boolean =>
        entry.sliced?.caseId === caseId ||
        entry.pairs.some(({ after }) => caseIdOf(after) === caseId);
      undoStack = undoStack.filter((entry) => !touches(entry));
      dropRedo(redoStack.filter(touches));
      redoStack = redoStack.filter((entry) => !touches(entry));
      notify();
    },
  };
}
