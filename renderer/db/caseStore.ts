/**
 * The per-case in-memory entity store (issue 13: a million-record case on a field laptop).
 *
 * Before it, every component called a Dexie liveQuery that read and decrypted ALL of a case's
 * entities again on every change: at a million records that is seconds per keystroke and one
 * full copy per component. Now one store per open case holds the case's live entities and
 * relationships once:
 *
 * 1. Loading: first the remembered first page of a view (`rememberFirstPage`), since the database
 *    answers in order and it must not queue behind the bulk. It is kept twice: its ids, and a
 *    snapshot of its records in one `meta` entry (one envelope to open on the encrypted store, not
 *    one per record: issue 10's open ratio). The snapshot is shown at once and then checked
 *    against the records read by id; it is rewritten or dropped by every change to one of its
 *    records (see 2), so the check finds it current unless something wrote behind the unit of
 *    work's back. Then the rows of each node type are counted (`[caseId+schema]`, nothing to
 *    decrypt); once the nodes are in, each relationship type is asked for one key only and the
 *    case's rows are counted once (a count walks the index: never a million calls per type), and
 *    the case is read one type at a time in slices, each one range read of the
 *    `[caseId+schema+id]` index (schema v6) from the last id read: the nodes one slice at a time,
 *    the relationships with the next slice read while one is taken in. Each slice is decrypted by
 *    the store's middleware and taken in with a yield to the event loop, so no task runs long.
 *    Nodes (entities that are not relationships) come first because the entity table's default
 *    view shows only them. Progress (`loaded` of `total`) is published per slice. Equal parts of
 *    records are shared (recordCompaction.ts: half the heap of an imported case).
 *    On the encrypted store a case written in bulk is read through its blocks instead
 *    (blocks.ts, schema v7: one envelope per few hundred records, issue 10's cold open ratio):
 *    the node blocks, then the relationship blocks, each record checked against its row's label
 *    and any row without a current copy read on its own. An open that read many rows on their own
 *    packs the case again in the background, so the next cold open goes through blocks.
 * 2. Changes: the unit of work is the one writer (unitOfWork.ts); after each committed change it
 *    publishes the entity records it stored and the ids it removed for good, and the store applies
 *    exactly those; a change to a record of the remembered first page rewrites its snapshot, and
 *    any change to a case with no store open here drops that case's snapshot (so a record edited,
 *    deleted or purged elsewhere never shows from a stale copy). A change it cannot see in detail (a case purged) or made in another tab
 *    (announced on a BroadcastChannel by that tab's store registry) makes it load again.
 * 3. The contract other parts rely on (views, search, chart): see `CaseEntities`.
 *
 * One store per case while anything of the case is mounted (reference counted by the hooks of
 * queries.ts); it is dropped shortly after the last user goes (case closed), and at once at a
 * lock (boot.ts's forgetCaseStore disposes the registry of that unlock's repository).
 */
import type { EntityRecord } from '../../shared/model/index.ts';
import { compareHlc, isEdgeSchema, model } from '../../shared/model/index.ts';
import { Dexie } from 'dexie';
import type { StoredEntity, TesseraDatabase } from './database.ts';
import { stripEntity } from './records.ts';
import type { UnitOfWork } from './unitOfWork.ts';
import { viewStateKey } from './viewState.ts';
import { createCompactor } from './recordCompaction.ts';
import { packCase, readBlockedCase, shouldPack } from './blocks.ts';

/** The ids of one change, as the store applied it. */
export interface EntityChange {
  /** Records that were not in the store before (new, or brought back by an undo). */
  readonly added: readonly string[];
  /** Records replaced by a newer version. */
  readonly updated: readonly string[];
  /** Records that left: tombstoned, removed for good, or undone inserts. */
  readonly removed: readonly string[];
}

/**
 * What the store holds at one moment. THE CONTRACT:
 * - Every published state is a new object; `all` and `nodes` are new arrays whenever their
 *   contents changed, and the SAME arrays (===) otherwise (a relationship edit leaves `nodes`
 *   as it was).
 * - Every record that did not change is the SAME object (===) in the new arrays as in the old,
 *   so consumers may memoise per record (a WeakMap keyed by the record).
 * - `lastChange` names the ids of the change that produced this state; it is undefined after a
 *   (re)load, when a consumer must rebuild from `all`.
 * - Records are never mutated; a changed record is a new object.
 */
export interface CaseEntities {
  readonly caseId: string;
  /** 'loading' until every record is in; 'failed' when a read failed (`error` says why). */
  readonly phase: 'loading' | 'ready' | 'failed';
  /** Every live (not deleted) entity and relationship; undefined until fully loaded. */
  readonly all: readonly EntityRecord[] | undefined;
  /**
   * The live entities that are not relationships (`!isEdgeSchema(schema)`), in `all`'s order;
   * loaded first, so defined before `all` (the entity table's default view needs only these).
   */
  readonly nodes: readonly EntityRecord[] | undefined;
  /** Stored rows read so far while loading (deleted ones included), and of how many. */
  readonly loaded: number;
  readonly total: number;
  /** Increases with every published state. */
  readonly version: number;
  readonly lastChange: EntityChange | undefined;
  readonly error?: unknown;
  /**
   * The first page of a view as it was last drawn (`rememberFirstPage`), read again at the start
   * of a load: the records are current (read by id), the rows are those the view showed when it
   * was remembered. A table may show them, under its own view's key, until its records are in.
   */
  readonly firstPage?: FirstPage;
}

/** The rows of one view's first page: `key` names the view (its sort, filters…). */
export interface FirstPage {
  readonly key: string;
  readonly records: readonly EntityRecord[];
}

/** One case's store. `subscribe`/`snapshot` fit React's useSyncExternalStore. */
export interface CaseEntityStore {
  readonly caseId: string;
  /** Bound functions (no `this`), so they can be handed to useSyncExternalStore as they are. */
  readonly snapshot: () => CaseEntities;
  readonly subscribe: (listener: () => void) => () => void;
  /** A live record of the case by id (undefined while it is not loaded yet). */
  readonly get: (id: string) => EntityRecord | undefined;
}

/** What the unit of work publishes after each committed change (unitOfWork.ts). */
export interface CommittedEntities {
  /** Entity records as the change stored them, tombstones included. */
  readonly entities: readonly EntityRecord[];
  /** Entities removed for good (retention purge, an undone import). */
  readonly removed: readonly { readonly id: string; readonly caseId: string }[];
  /** Cases changed in ways not itemised above (a case purged): their stores load again. */
  readonly reloadCases: readonly string[];
}

export interface CaseStoreRegistry {
  /**
   * The store of `caseId`, created (and loading) on first use. One nobody holds (`acquire`) is
   * dropped after a short while, so a look-up alone never keeps a case in memory.
   */
  store(caseId: string): CaseEntityStore;
  /** Holds the store of `caseId` until `release`. */
  acquire(caseId: string): { readonly store: CaseEntityStore; readonly release: () => void };
  /**
   * Remembers the ids on the first page of a view of the case (the entity table's, once its
   * records are in), so the next open can show that page before the case is loaded. Stored in
   * the case's encrypted `meta` entries; written only when the ids or the view changed.
   */
  rememberFirstPage(caseId: string, key: string, ids: readonly string[]): void;
  /** Applies a committed change to the open stores (called by the unit of work). */
  apply(change: CommittedEntities): void;
  /** Drops every store (the lock). */
  dispose(): void;
}

export interface CaseStoreOptions {
  /** Records per read (default 2,000: a slice's work stays well under 50 ms). */
  readonly sliceSize?: number;
  /** How long an unused store is kept (ms), so a remount does not reload it (default 2,000). */
  readonly keepMs?: number;
  /**
   * Whether an open that found many rows of the case outside a current block (blocks.ts) packs
   * the case again in the background (the encrypted store only). Off by default: packing rewrites
   * every row of the case in one transaction, which held the database for 15 s after the first
   * open of a 150,000-row case (the chart waited for its record behind it). Blocks come from the
   * bulk writes (imports, bulk edits) instead.
   */
  readonly packBlocks?: boolean;
  /** Cross-tab announcements (default: a BroadcastChannel where one exists). */
  readonly channel?: ChangeChannel | null;
}

/** How stores of other tabs hear that a case changed here. */
export interface ChangeChannel {
  post(caseIds: readonly string[]): void;
  listen(listener: (caseIds: readonly string[]) => void): () => void;
  close(): void;
}

const DEFAULT_SLICE = 2_000;
const DEFAULT_KEEP_MS = 2_000;
const CHANNEL_NAME = 'tessera-case-store';
/** The view-state entry (viewState.ts) that keeps a case's remembered first page. */
const FIRST_PAGE_VIEW = 'first-page';
/** The entry beside it with a snapshot of that page's records. */
const FIRST_PAGE_RECORDS_VIEW = 'first-page-records';
const FIRST_PAGE_MAX = 200;

interface StoredFirstPage {
  readonly key: string;
  readonly ids: readonly string[];
}

/**
 * The snapshot of a remembered page's records, if `value` is one for `page` (same view, records
 * of the case, each on the page, in its order). Records a change removed are left out of it.
 */
function parsePageRecords(
  value: unknown,
  caseId: string,
  page: StoredFirstPage,
): EntityRecord[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { key, records } = value as { key?: unknown; records?: unknown };
  if (key !== page.key || !Array.isArray(records) || records.length > page.ids.length) {
    return undefined;
  }
  let at = 0;
  for (const record of records as unknown[]) {
    if (typeof record !== 'object' || record === null) return undefined;
    const { id, kind, schema, updatedAt, properties } = record as Partial<EntityRecord>;
    const shaped =
      typeof id === 'string' &&
      kind === 'entity' &&
      (record as EntityRecord).caseId === caseId &&
      typeof schema === 'string' &&
      typeof updatedAt === 'string' &&
      typeof properties === 'object' &&
      properties !== null;
    if (!shaped) return undefined;
    while (at < page.ids.length && page.ids[at] !== id) at += 1;
    if (at === page.ids.length) return undefined;
    at += 1;
  }
  return records as EntityRecord[];
}

/** Whether two versions of a page hold the same records at the same versions. */
function samePage(a: readonly EntityRecord[], b: readonly EntityRecord[]): boolean {
  return (
    a.length === b.length &&
    a.every((record, k) => record.id === b[k]!.id && record.updatedAt === b[k]!.updatedAt)
  );
}

/** What the registry writes for a page: its ids, and its records' snapshot or none. */
interface PageWrite {
  readonly key: string;
  readonly ids?: readonly string[];
  readonly records: readonly EntityRecord[] | undefined;
}

function parseFirstPage(value: unknown): StoredFirstPage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { key, ids } = value as { key?: unknown; ids?: unknown };
  if (typeof key !== 'string' || !Array.isArray(ids)) return undefined;
  if (ids.length > FIRST_PAGE_MAX || !ids.every((id) => typeof id === 'string')) return undefined;
  return { key, ids: ids as string[] };
}

/** The model's schemata, nodes and relationships: a case's records are read one type at a time. */
const NODE_SCHEMA_NAMES: readonly string[] = Object.keys(model.schemata).filter(
  (name) => !isEdgeSchema(name),
);
const EDGE_SCHEMA_NAMES: readonly string[] = Object.keys(model.schemata).filter(isEdgeSchema);

function broadcastChannel(): ChangeChannel | null {
  if (typeof BroadcastChannel === 'undefined') return null;
  const channel = new BroadcastChannel(CHANNEL_NAME);
  return {
    post: (caseIds) => channel.postMessage(caseIds),
    listen(listener) {
      const onMessage = (event: MessageEvent<unknown>) => {
        const data = event.data;
        if (Array.isArray(data) && data.every((id) => typeof id === 'string')) listener(data);
      };
      channel.addEventListener('message', onMessage);
      return () => channel.removeEventListener('message', onMessage);
    },
    close: () => channel.close(),
  };
}

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, 0);
  });

function createStore(db: TesseraDatabase, caseId: string, sliceSize: number, packBlocks: boolean) {
  const listeners = new Set<() => void>();
  let nodes: EntityRecord[] = [];
  let edges: EntityRecord[] = [];
  /** id → position: nodes as -(k + 1), relationships as k. */
  let index = new Map<string, number>();
  let state: CaseEntities = {
    caseId,
    phase: 'loading',
    all: undefined,
    nodes: undefined,
    loaded: 0,
    total: 0,
    version: 0,
    lastChange: undefined,
  };
  /** Bumped by each (re)load and by dispose: a stale load stops at its next slice. */
  let generation = 0;
  let nodesDone = false;
  /** Versions applied from changes while a load runs: older copies its slices read lose. */
  let appliedWhileLoading = new Map<string, string>();
  // Shares what repeats between records (recordCompaction.ts); renewed after each load.
  let compactor = createCompactor();
  /** The first page as stored (read at the load, or last written). */
  let remembered: StoredFirstPage | undefined;
  /** Whether a current snapshot of its records is stored beside it. */
  let snapshotStored = false;

  function publish(next: Partial<CaseEntities>): void {
    state = { ...state, ...next, version: state.version + 1 };
    for (const listener of [...listeners]) listener();
  }

  function reindex(): void {
    index = new Map();
    nodes.forEach((record, k) => index.set(record.id, -(k + 1)));
    edges.forEach((record, k) => index.set(record.id, k));
  }

  function lookup(id: string): EntityRecord | undefined {
    const at = index.get(id);
    if (at === undefined) return undefined;
    return at < 0 ? nodes[-at - 1] : edges[at];
  }

  /** Puts a record in place (or appends it); returns what it replaced. */
  function place(record: EntityRecord): EntityRecord | undefined {
    const at = index.get(record.id);
    if (at !== undefined) {
      const before = at < 0 ? nodes[-at - 1]! : edges[at]!;
      if (at < 0) nodes[-at - 1] = record;
      else edges[at] = record;
      return before;
    }
    if (isEdgeSchema(record.schema)) {
      index.set(record.id, edges.length);
      edges.push(record);
    } else {
      index.set(record.id, -(nodes.length + 1));
      nodes.push(record);
    }
    return undefined;
  }

  /**
   * Packs the case again in the background (blocks.ts): the next cold open reads it through
   * blocks. The same records at the same versions: nothing here changes, and a failure (a lock,
   * the database closed) only leaves the case as it was.
   */
  function repack(): void {
    packCase(db, caseId).catch(() => undefined);
  }

  async function load(): Promise<void> {
    const mine = ++generation;
    nodes = [];
    edges = [];
    index = new Map();
    nodesDone = false;
    appliedWhileLoading = new Map();
    compactor = createCompactor();
    publish({
      phase: 'loading',
      all: undefined,
      nodes: undefined,
      loaded: 0,
      total: 0,
      lastChange: undefined,
    });
    // The remembered first page comes first: the database answers in order, and a page read
    // queued behind the first slices of nodes would wait for them.
    try {
      const [pageEntry, recordsEntry] = await db.meta.bulkGet([
        viewStateKey(caseId, FIRST_PAGE_VIEW),
        viewStateKey(caseId, FIRST_PAGE_RECORDS_VIEW),
      ]);
      const stored = parseFirstPage(pageEntry?.value);
      remembered = stored;
      snapshotStored = false;
      if (stored && stored.ids.length > 0 && mine === generation) {
        // The snapshot first: one entry, drawn before any record is read.
        const snapshot = parsePageRecords(recordsEntry?.value, caseId, stored);
        if (snapshot) publish({ firstPage: { key: stored.key, records: snapshot } });
        const rows = await db.entities.bulkGet([...stored.ids]);
        if (mine !== generation) return;
        const records = rows.flatMap((row) =>
          row && !row.deleted && row.caseId === caseId ? [stripEntity(row)] : [],
        );
        snapshotStored = snapshot !== undefined && samePage(snapshot, records);
        if (!snapshotStored) publish({ firstPage: { key: stored.key, records } });
      }
    } catch {
      // Only a hint: without it the table waits for the nodes.
    }
    if (mine !== generation) return;
    try {
      // Rows per node type, counted in the database (nothing crosses, nothing to open), so
      // "loading N of M" shows M and types the case lacks are never read. The relationships only
      // once the nodes are in, and not per type: counting is a walk over the index in IndexedDB
      // (a million calls take seconds), and every read queued behind it waits. So each
      // relationship type is only asked whether it has a row (one key), and the case's rows are
      // counted once, which gives the total; rows of types the model does not know are those
      // the count has beyond the rows read.
      const countTypes = (names: readonly string[]) =>
        Promise.all(
          names.map((schema) =>
            db.entities.where('[caseId+schema]').equals([caseId, schema]).count(),
          ),
        ).then((counts) => ({
          present: names.filter((_, k) => counts[k]! > 0),
          rows: counts.reduce((sum, count) => sum + count, 0),
        }));
      const presentTypes = (names: readonly string[]) =>
        Promise.all(
          names.map((schema) =>
            db.entities.where('[caseId+schema]').equals([caseId, schema]).limit(1).primaryKeys(),
          ),
        ).then((keys) => ({
          present: names.filter((_, k) => keys[k]!.length > 0),
          rows: 0,
        }));
      let known = 0;
      /** Every row of the case (any type): counted with the relationships' types. */
      let all = 0;
      let loaded = 0;
      /** Rows of the model's types read (a type read again whole counted once). */
      let readKnown = 0;
      let typeRead = 0;
      const takeIn = (rows: readonly (StoredEntity | undefined)[]) => {
        for (const row of rows) {
          if (!row || row.deleted || row.caseId !== caseId || index.has(row.id)) continue;
          const applied = appliedWhileLoading.get(row.id);
          if (applied !== undefined && compareHlc(row.updatedAt, applied) <= 0) continue;
          place(compactor.compact(stripEntity(row)));
        }
        loaded += rows.length;
      };
      /** Takes in records a slice at a time, with a yield between; false if a newer load began. */
      const takeInSliced = async (rows: readonly StoredEntity[]): Promise<boolean> => {
        for (let start = 0; start < rows.length; start += sliceSize) {
          if (start > 0) {
            publish({ loaded });
            await yieldToEventLoop();
            if (mine !== generation) return false;
          }
          takeIn(rows.slice(start, start + sliceSize));
        }
        return true;
      };
      // The encrypted store: through its blocks, one envelope per few hundred records (issue 10).
      const blocked = await readBlockedCase(db, caseId);
      if (mine !== generation) return;
      if (blocked) {
        publish({ total: blocked.rows });
        if (!(await takeInSliced(blocked.first))) return;
        nodesDone = true;
        publish({ loaded, nodes: [...nodes] });
        await yieldToEventLoop();
        if (mine !== generation) return;
        const rest = await blocked.rest();
        if (mine !== generation || !(await takeInSliced(rest))) return;
        appliedWhileLoading = new Map();
        compactor = createCompactor();
        publish({
          phase: 'ready',
          loaded: blocked.rows,
          total: blocked.rows,
          nodes: state.nodes?.length === nodes.length ? state.nodes : [...nodes],
          all: [...nodes, ...edges],
        });
        if (packBlocks && shouldPack(blocked.stats(), blocked.rows)) repack();
        return;
      }
      // One type's records after id `after`, in id order, a slice at a time: one range read of
      // [caseId+schema+id] (schema v6) per slice, not a request per record.
      const readSlice = (schema: string, after: string) =>
        db.entities
          .where('[caseId+schema+id]')
          .between([caseId, schema, after], [caseId, schema, Dexie.maxKey], false, true)
          .limit(sliceSize)
          .toArray();
      for (const last of [false, true]) {
        const [types, caseRows] = await Promise.all([
          last ? presentTypes(EDGE_SCHEMA_NAMES) : countTypes(NODE_SCHEMA_NAMES),
          last ? db.entities.where('caseId').equals(caseId).count() : 0,
        ]);
        if (mine !== generation) return;
        known += types.rows;
        all = caseRows;
        publish({ total: last ? Math.max(known, all) : known });
        for (const schema of types.present) {
          typeRead = 0;
          let pending: Promise<StoredEntity[]> | undefined = readSlice(schema, '');
          while (pending) {
            const rows: StoredEntity[] = await pending;
            if (mine !== generation) return;
            // While a key rotation runs the type has one blind value per key generation, each
            // read up to a slice: then the rest of it at once, so no row of either is stepped over.
            const split = rows.length > sliceSize;
            const after = rows.at(-1)?.id ?? '';
            const more = rows.length === sliceSize || split;
            // Relationships: the next slice is read while this one is taken in. Nodes: one at a
            // time, so reads the first page waits for (the view, the case) are not queued behind.
            pending = more && last && !split ? readSlice(schema, after) : undefined;
            takeIn(rows);
            typeRead += rows.length;
            if (split) {
              const whole = await db.entities
                .where('[caseId+schema+id]')
                .between([caseId, schema, ''], [caseId, schema, Dexie.maxKey], false, true)
                .toArray();
              if (mine !== generation) return;
              takeIn(whole);
              typeRead = whole.length;
            }
            if (more && !split) {
              publish({ loaded });
              await yieldToEventLoop();
              if (mine !== generation) return;
              pending ??= readSlice(schema, after);
            }
          }
          readKnown += typeRead;
        }
        if (!last) {
          nodesDone = true;
          publish({ loaded, nodes: [...nodes] });
        }
      }
      known = Math.max(known, readKnown);
      // Records of a type the model does not know (none in a case this build wrote): by key.
      if (all > readKnown) {
        const ids = await db.entities.where('caseId').equals(caseId).primaryKeys();
        const rest = ids.filter((id) => !index.has(id));
        for (let start = 0; start < rest.length; start += sliceSize) {
          const rows = await db.entities.bulkGet(rest.slice(start, start + sliceSize));
          if (mine !== generation) return;
          takeIn(rows);
        }
      }
      appliedWhileLoading = new Map();
      // Its maps hold every distinct value seen; later changes are few and need not share.
      compactor = createCompactor();
      if (packBlocks && db.keySource && shouldPack(undefined, all)) repack();
      publish({
        phase: 'ready',
        loaded: Math.max(loaded, all),
        total: Math.max(known, all),
        // Records of a type the model does not know came last.
        nodes: state.nodes?.length === nodes.length ? state.nodes : [...nodes],
        all: [...nodes, ...edges],
      });
    } catch (error) {
      if (mine !== generation) return;
      publish({ phase: 'failed', error });
    }
  }

  /**
   * Applies a committed change; returns what to store for the remembered first page when the
   * change touched one of its records (its snapshot renewed, or dropped while still loading).
   */
  function apply(
    records: readonly EntityRecord[],
    removedIds: readonly string[],
  ): PageWrite | undefined {
    const added: string[] = [];
    const updated: string[] = [];
    const removed = new Set<string>();
    let nodesChanged = false;
    const loading = state.phase === 'loading';
    for (const record of records) {
      if (record.caseId !== caseId) continue;
      if (loading) appliedWhileLoading.set(record.id, record.updatedAt);
      if (!isEdgeSchema(record.schema)) nodesChanged = true;
      if (record.deleted) {
        if (index.has(record.id)) removed.add(record.id);
        continue;
      }
      const before = place(compactor.compact(record));
      (before ? updated : added).push(record.id);
    }
    for (const id of removedIds) {
      const record = lookup(id);
      if (record) {
        removed.add(id);
        if (!isEdgeSchema(record.schema)) nodesChanged = true;
      }
    }
    if (added.length + updated.length + removed.size === 0) return undefined;
    if (removed.size > 0) {
      nodes = nodes.filter((record) => !removed.has(record.id));
      edges = edges.filter((record) => !removed.has(record.id));
      reindex();
    }
    const nextNodes = nodesChanged && nodesDone ? [...nodes] : state.nodes;
    publish({
      nodes: nextNodes,
      all: state.phase === 'ready' ? [...nodes, ...edges] : undefined,
      lastChange: { added, updated, removed: [...removed] },
    });
    const page = remembered;
    if (!page || !snapshotStored) return undefined;
    const touched = new Set([...added, ...updated, ...removed]);
    if (!page.ids.some((id) => touched.has(id))) return undefined;
    // While loading, records of the page may not be in yet: drop the snapshot rather than guess.
    const current = loading ? undefined : pageRecords(page.ids);
    snapshotStored = current !== undefined;
    return { key: page.key, records: current };
  }

  /** The live records of `ids` in their order (those removed left out). */
  function pageRecords(ids: readonly string[]): EntityRecord[] {
    return ids.flatMap((id) => {
      const record = lookup(id);
      return record ? [record] : [];
    });
  }

  /**
   * What to store when the view shows `ids` under `key` (now taken as stored), or undefined when
   * that is stored already, snapshot included.
   */
  function firstPageChanged(key: string, ids: readonly string[]): PageWrite | undefined {
    const same =
      remembered?.key === key &&
      remembered.ids.length === ids.length &&
      remembered.ids.every((id, k) => id === ids[k]);
    const records = pageRecords(ids);
    const complete = records.length === ids.length;
    if (same && (snapshotStored || !complete)) return undefined;
    remembered = { key, ids: [...ids] };
    snapshotStored = complete;
    return { key, ids, records: complete ? records : undefined };
  }

  const store: CaseEntityStore = {
    caseId,
    snapshot: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    get: lookup,
  };

  return {
    store,
    load,
    apply,
    firstPageChanged,
    dispose() {
      generation += 1;
      listeners.clear();
      nodes = [];
      edges = [];
      index = new Map();
    },
  };
}

type StoreInternals = ReturnType<typeof createStore>;

interface Entry {
  readonly internals: StoreInternals;
  /** Holders (`acquire`) not yet released. */
  users: number;
  /** Set while nobody holds it: when it is dropped. */
  timer?: ReturnType<typeof setTimeout>;
}

/** The stores of one unlock: created by the repository, fed by its unit of work. */
export function createCaseStoreRegistry(
  work: Pick<UnitOfWork, 'db' | 'commit'>,
  options: CaseStoreOptions = {},
): CaseStoreRegistry {
  const { db } = work;
  const sliceSize = options.sliceSize ?? DEFAULT_SLICE;
  const keepMs = options.keepMs ?? DEFAULT_KEEP_MS;
  const packBlocks = options.packBlocks ?? false;
  const open = new Map<string, Entry>();
  // Open only while a store is: a registry left behind by a lock must not keep listening.
  let channel: ChangeChannel | null = null;
  let stopListening: (() => void) | undefined;
  const reload = (caseIds: readonly string[]) => {
    for (const caseId of caseIds) void open.get(caseId)?.internals.load();
  };
  const listen = () => {
    if (channel) return;
    channel = options.channel === undefined ? broadcastChannel() : options.channel;
    stopListening = channel?.listen(reload);
  };
  const closeChannel = () => {
    stopListening?.();
    stopListening = undefined;
    if (options.channel === undefined) channel?.close();
    channel = null;
  };

  /** Stores a page's ids and snapshot (or drops the snapshot): a hint, so failures are ignored. */
  function writePage(caseId: string, page: PageWrite): void {
    // Not undoable, no audit entry: it changes how the case opens, not what it says.
    work
      .commit({
        label: 'Remember a view',
        undoable: false,
        write: async (tx) => {
          if (page.ids) {
            await tx.putMeta(viewStateKey(caseId, FIRST_PAGE_VIEW), {
              key: page.key,
              ids: page.ids,
            });
          }
          const recordsKey = viewStateKey(caseId, FIRST_PAGE_RECORDS_VIEW);
          if (page.records) await tx.putMeta(recordsKey, { key: page.key, records: page.records });
          else await tx.db.meta.delete(recordsKey);
        },
      })
      .catch(() => undefined); // losing it costs only the next open's speed
  }

  function dropLater(caseId: string, entry: Entry): void {
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      if (entry.users > 0 || open.get(caseId) !== entry) return;
      open.delete(caseId);
      entry.internals.dispose();
      if (open.size === 0) closeChannel();
    }, keepMs);
  }

  function entryOf(caseId: string): Entry {
    let entry = open.get(caseId);
    if (!entry) {
      listen();
      entry = { internals: createStore(db, caseId, sliceSize, packBlocks), users: 0 };
      open.set(caseId, entry);
      dropLater(caseId, entry);
      void entry.internals.load();
    }
    return entry;
  }

  return {
    store: (caseId) => entryOf(caseId).internals.store,

    acquire(caseId) {
      const held = entryOf(caseId);
      held.users += 1;
      if (held.timer !== undefined) {
        clearTimeout(held.timer);
        delete held.timer;
      }
      let released = false;
      return {
        store: held.internals.store,
        release() {
          if (released) return;
          released = true;
          held.users -= 1;
          if (held.users === 0) dropLater(caseId, held);
        },
      };
    },

    rememberFirstPage(caseId, key, ids) {
      const entry = open.get(caseId);
      const write = entry?.internals.firstPageChanged(key, ids.slice(0, FIRST_PAGE_MAX));
      if (write) writePage(caseId, write);
    },

    apply(change) {
      const byCase = new Map<string, { records: EntityRecord[]; removed: string[] }>();
      const of = (caseId: string) => {
        let found = byCase.get(caseId);
        if (!found) byCase.set(caseId, (found = { records: [], removed: [] }));
        return found;
      };
      for (const record of change.entities) of(record.caseId).records.push(record);
      for (const { id, caseId } of change.removed) of(caseId).removed.push(id);
      for (const [caseId, entry] of open) {
        if (change.reloadCases.includes(caseId)) void entry.internals.load();
        else {
          const mine = byCase.get(caseId);
          const page = mine && entry.internals.apply(mine.records, mine.removed);
          if (page) writePage(caseId, page);
        }
      }
      // A case changed with no store here to renew its snapshot: drop it. (Each time: another
      // tab may have written one since; the drop publishes no entities, so it ends here.)
      for (const caseId of byCase.keys()) {
        if (!open.has(caseId)) {
          writePage(caseId, { key: '', records: undefined });
        }
      }
      const touched = new Set([...byCase.keys(), ...change.reloadCases]);
      if (touched.size > 0) channel?.post([...touched]);
    },

    dispose() {
      closeChannel();
      for (const entry of open.values()) {
        if (entry.timer !== undefined) clearTimeout(entry.timer);
        entry.internals.dispose();
      }
      open.clear();
    },
  };
}
