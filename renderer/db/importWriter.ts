/**
 * Stores a spreadsheet or call-record import (issue 11) as ONE change — all or nothing, one audit
 * summary, one undo — without ever holding the whole import, in the page or in one transaction:
 *
 * 1. Start. A mark `import-pending:<importId>` is put in `meta` and the import id joins the
 *    database's pending set (pendingImports.ts): every record whose provenance names this import
 *    is hidden from every read from now on.
 * 2. Slices. Each batch the engine makes is written as it arrives, straight into `entities`, in
 *    changes of at most `sliceRecords` records (each its own short transaction, in requests of a
 *    hundred) by `importSliceWriter`: in the app inside the import's writer worker, through its
 *    own connection and unit of work (renderer/import/importStore.ts), which reports each batch
 *    back to be `adopt`ed here; in-page (`write`) where no worker writes. Every record is tagged with the import id
 *    (`provenance.imported.importId`); a record created in an earlier slice and merged into since
 *    is written again as its latest version; the ids created by each slice are kept in `meta`
 *    (`import-ids:<importId>:<sequence>`) for removal. Existing entities that identity rules merge
 *    into are NOT written yet: their latest versions wait in memory (bounded by the case, not the
 *    file) for the final change.
 * 3. Commit: one change of the unit of work checks and puts the merged existing entities (each with
 *    its audit entry and before-image), writes the summary audit entry and deletes the mark; the
 *    import leaves the pending set inside that transaction, so its records appear at once when it
 *    commits, and not at all when it fails. Its undo entry holds only the merged pairs: undo puts
 *    those back and marks the import pending again (hidden at once, in the same transaction); redo
 *    shows it again the same way; once it can no longer be redone (a new change), its records are
 *    removed slice by slice by the kept ids.
 * 4. Cancel, failure, crash. `discard` removes the records slice by slice (hidden meanwhile). A
 *    page killed halfway leaves the mark: at the next start `hidePendingImports` hides such imports
 *    before anything is read and `removeStaleImports` removes those whose Web Lock
 *    (`tessera-import:<importId>`, held by the page that runs or committed the import) nobody
 *    holds, so an import running in another window of the same profile is left alone.
 */
import { Dexie } from 'dexie';
import { CodedError, errorMessage } from '../../shared/base/errors.ts';
import type { EntityRecord } from '../../shared/model/index.ts';
import type { TesseraDatabase } from './database.ts';
import { signalEntitiesChanged } from './pendingImports.ts';
import type { SlicedImport, UnitOfWork, WriteTx } from './unitOfWork.ts';

const PENDING_PREFIX = 'import-pending:';
const IDS_PREFIX = 'import-ids:';
/** Staged batches of the writer before slices (one version only): removed at start. */
const LEGACY_STAGE_PREFIX = 'import-stage:';
const LOCK_PREFIX = 'tessera-import:';

/** Records per slice (one transaction each); the benchmark's floor writes in slices of this size. */
export const IMPORT_SLICE_RECORDS = 2_000;

export type ImportWriteErrorCode =
  /** An existing entity an identity rule merged into was changed while the file was read. */
  | 'import-conflict'
  /** A record belongs to another case (never made by the engine; refused all the same). */
  | 'import-wrong-case'
  /** A record without import provenance (never made by the engine): it could not be hidden. */
  | 'import-untagged'
  /** The import was committed or discarded already. */
  | 'import-closed';

export class ImportWriteError extends CodedError<ImportWriteErrorCode> {
  override readonly name = 'ImportWriteError';
}

/** What the writer takes of one engine batch (the ImportBatch without its counts and problems). */
export interface ImportSlice {
  readonly created: readonly EntityRecord[];
  readonly updated: readonly EntityRecord[];
}

export interface ImportCommit {
  /** The undo menu's label, e.g. "import of cdr.csv: 12,345 entities". */
  readonly label: string;
  /** The one audit entry's summary. */
  readonly summary: string;
}

export interface ImportCommitResult {
  readonly created: number;
  readonly merged: number;
}

export interface ImportWriter {
  readonly importId: string;
  /** The `createdAt` of every record the import creates (a worker's slice writer uses it too). */
  readonly createdAt: string;
  /** Writes one batch, hidden until commit. */
  write(batch: ImportSlice): Promise<void>;
  /** Resolves once the import is marked pending in the store: records may be written from now. */
  ready(): Promise<void>;
  /** Takes a batch another slice writer (the import worker's) wrote for this import. */
  adopt(written: WrittenBatch): void;
  /** Makes every written record visible as one undoable change. */
  commit(commit: ImportCommit): Promise<ImportCommitResult>;
  /** Removes what was written; nothing of the import remains. */
  discard(): Promise<void>;
}

export interface ImportWriterOptions {
  /**
   * The existing entities the engine was given, by id → `updatedAt` as read at the start: their
   * merged versions wait for the commit, which refuses ('import-conflict') a merge into one that
   * changed since rather than overwrite it.
   */
  readonly baseVersions: ReadonlyMap<string, string>;
  /** Records per slice (default IMPORT_SLICE_RECORDS). */
  readonly sliceRecords?: number;
}

interface PendingMark {
  readonly caseId: string;
  /** 'writing': the import runs or died halfway; 'removing': cancelled or failed; 'undone'. */
  readonly state: 'writing' | 'removing' | 'undone';
}

interface IdSlice {
  readonly caseId: string;
  readonly ids: readonly string[];
}

interface LockManagerLike {
  request(name: string, callback: () => Promise<void>): Promise<unknown>;
  query(): Promise<{ held?: readonly { name?: string }[] }>;
}

/** The page's Web Locks, where there are any (browsers; not Node's test runs). */
function lockManager(): LockManagerLike | undefined {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks;
}

const pendingKey = (importId: string): string => `${PENDING_PREFIX}${importId}`;
const idsPrefix = (importId: string): string => `${IDS_PREFIX}${importId}:`;
const idsKey = (importId: string, sequence: number): string =>
  `${idsPrefix(importId)}${String(sequence).padStart(9, '0')}`;

/**
 * Adds an import to, or removes it from, the pending set inside the current transaction, and
 * undoes that if the transaction aborts: readers see the flip exactly when it commits (a reader's
 * transaction over `entities` waits for this read-write one to end).
 */
function flipPending(db: TesseraDatabase, importId: string, pending: boolean): void {
  const apply = (on: boolean): void => {
    if (on) db.pendingImports.add(importId);
    else db.pendingImports.delete(importId);
  };
  apply(pending);
  Dexie.currentTransaction?.on('abort', () => apply(!pending));
  signalEntitiesChanged(db);
}

/** An import's records stamped as its own (hidden while it is pending) and clocked now. */
function stamp(
  record: EntityRecord,
  caseId: string,
  importId: string,
  createdAt: string,
  updatedAt: string,
): EntityRecord {
  if (record.caseId !== caseId) {
    throw new ImportWriteError('import-wrong-case', 'An imported record names another case.');
  }
  const imported = record.provenance.imported;
  if (!imported) {
    throw new ImportWriteError('import-untagged', 'An imported record has no import provenance.');
  }
  return {
    ...record,
    createdAt,
    updatedAt,
    provenance: { ...record.provenance, imported: { ...imported, importId } },
  };
}

/** What one batch's write did: counted and kept by the import's writer until its commit. */
export interface WrittenBatch {
  /** Records the batch created (written hidden). */
  readonly created: number;
  /** Latest versions of existing entities the batch merged into: they wait for the commit. */
  readonly merged: readonly EntityRecord[];
  /** The newest clock stamped on a written record (the committing page's clock must pass it). */
  readonly lastStamp?: string;
}

export interface ImportSliceWriter {
  /**
   * Writes one batch's records hidden, in slices of one short change each; resolves when the
   * batch's last slice is handed to the store (the slice before it is written by then).
   */
  write(batch: ImportSlice): Promise<WrittenBatch>;
  /** Waits until the last slice is written; rejects with the first failed slice's error. */
  flush(): Promise<void>;
}

export interface ImportSliceOptions {
  readonly caseId: string;
  readonly importId: string;
  /** Ids of the existing entities the engine was given (merged into: kept for the commit). */
  readonly existing: { has(id: string): boolean };
  /** The import's `createdAt` on every record it creates. */
  readonly createdAt: string;
  /** Records per slice (default IMPORT_SLICE_RECORDS). */
  readonly sliceRecords?: number;
}

/**
 * The slices of one import (step 2 above), through `work` — the page's unit of work, or the
 * import worker's own over the same store (renderer/import/importStore.ts), so that the page
 * neither clones the records into IndexedDB nor receives them from the worker. Every slice is
 * a hidden change: no audit entry, no undo entry, no live query told; the import's visible change
 * is the page writer's commit.
 */
export function importSliceWriter(
  work: Pick<UnitOfWork, 'commit' | 'clock'>,
  options: ImportSliceOptions,
): ImportSliceWriter {
  const { clock } = work;
  const { caseId, importId, existing, createdAt } = options;
  const sliceRecords = Math.max(1, options.sliceRecords ?? IMPORT_SLICE_RECORDS);
  let sequence = 0;
  /** The slice still committing (see write). */
  let previous: Promise<void> = Promise.resolve();

  const writeSlice = (added: EntityRecord[], replaced: EntityRecord[]): Promise<void> =>
    work.commit({
      label: 'import slice',
      undoable: false,
      hidden: true,
      async write(tx) {
        await tx.putHidden({ added, replaced });
        if (added.length > 0) {
          const ids: IdSlice = { caseId, ids: added.map((record) => record.id) };
          await tx.putMeta(idsKey(importId, sequence++), ids);
        }
      },
    });

  return {
    async write(batch) {
      let lastStamp: string | undefined;
      const now = (): string => (lastStamp = clock.now());
      // Latest version per id within the batch: each record is written once per slice.
      const added = new Map<string, EntityRecord>();
      const replaced = new Map<string, EntityRecord>();
      const merged = new Map<string, EntityRecord>();
      for (const record of batch.created) {
        added.set(record.id, stamp(record, caseId, importId, createdAt, now()));
      }
      for (const record of batch.updated) {
        if (existing.has(record.id)) {
          if (record.caseId !== caseId) {
            throw new ImportWriteError(
              'import-wrong-case',
              'An imported record names another case.',
            );
          }
          merged.set(record.id, record);
        } else if (added.has(record.id)) {
          added.set(record.id, stamp(record, caseId, importId, createdAt, now()));
        } else {
          replaced.set(record.id, stamp(record, caseId, importId, createdAt, now()));
        }
      }
      const all = [...added.values(), ...replaced.values()];
      for (let from = 0; from < all.length; from += sliceRecords) {
        const slice = all.slice(from, from + sliceRecords);
        // One slice may be committing while the next is cloned into its requests (the store
        // runs them one after the other): the thread's work overlaps the store's, no more.
        await previous;
        previous = writeSlice(
          slice.filter((record) => added.has(record.id)),
          slice.filter((record) => !added.has(record.id)),
        );
        previous.catch(() => undefined);
      }
      return {
        created: added.size,
        merged: [...merged.values()],
        ...(lastStamp ? { lastStamp } : {}),
      };
    },
    flush: () => previous,
  };
}

/**
 * Opens a new import into `caseId`: from now on its records are hidden until `commit`. The
 * import's Web Lock is taken here, and kept after a commit (the page may still undo it).
 *
 * The records are written either here (`write`) or, off the page, by the import worker's own
 * slice writer (`importSliceWriter`), which may start once `ready` resolves (the mark that makes
 * a crash clean up is stored by then) and whose every batch is handed back through `adopt`.
 */
export function startImportWriter(
  work: UnitOfWork,
  caseId: string,
  importId: string,
  options: ImportWriterOptions,
): ImportWriter {
  const { db, clock } = work;
  const { baseVersions } = options;
  const createdAt = clock.now();
  /** Latest versions of existing entities merged into (their ids are in baseVersions). */
  const merged = new Map<string, EntityRecord>();
  let created = 0;
  let closed = false;
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const locks = lockManager();
  const locked: Promise<unknown> = locks
    ? new Promise<void>((acquired) => {
        void locks.request(`${LOCK_PREFIX}${importId}`, () => {
          acquired();
          return held;
        });
      })
    : Promise.resolve();
  db.pendingImports.add(importId);
  const started = locked.then(() =>
    work.commit({
      label: 'import started',
      undoable: false,
      hidden: true,
      write: (tx) => tx.putMeta(pendingKey(importId), { caseId, state: 'writing' }),
    }),
  );

  // Awaited by every step; a failure surfaces there (this only keeps it from being unhandled).
  void started.catch(() => undefined);

  const slices = importSliceWriter(work, {
    caseId,
    importId,
    existing: baseVersions,
    createdAt,
    ...(options.sliceRecords ? { sliceRecords: options.sliceRecords } : {}),
  });

  const ensureOpen = (): void => {
    if (closed) throw new ImportWriteError('import-closed', 'This import has already ended.');
  };

  const adopt = (written: WrittenBatch): void => {
    ensureOpen();
    created += written.created;
    for (const record of written.merged) {
      if (!baseVersions.has(record.id) || record.caseId !== caseId) {
        throw new ImportWriteError('import-wrong-case', 'An imported record names another case.');
      }
      merged.set(record.id, record);
    }
    // The worker's clock stamped the records: whatever this page stamps next orders after them.
    if (written.lastStamp) clock.receive(written.lastStamp);
  };
  const undo: SlicedImport = {
    caseId,
    async hide(tx: WriteTx) {
      const mark: PendingMark = { caseId, state: 'undone' };
      await tx.putMeta(pendingKey(importId), mark);
      flipPending(db, importId, true);
      tx.audit({
        caseId,
        recordId: caseId,
        recordKind: 'case',
        action: 'delete',
        hlc: clock.now(),
        summary: `Undo of an import: ${created} records removed`,
      });
    },
    async show(tx: WriteTx) {
      await tx.db.meta.delete(pendingKey(importId));
      flipPending(db, importId, false);
      tx.audit({
        caseId,
        recordId: caseId,
        recordKind: 'case',
        action: 'import',
        hlc: clock.now(),
        summary: `Redo of an import: ${created} records shown again`,
      });
    },
    purge: () =>
      purgeImport(work, importId)
        .then(() => release())
        .catch((error: unknown) => {
          // The next start removes what is left (the import stays hidden meanwhile).
          console.warn(`removing an undone import failed: ${errorMessage(error)}`);
        }),
  };

  return {
    importId,
    createdAt,

    async write(batch) {
      ensureOpen();
      await started;
      adopt(await slices.write(batch));
    },

    async ready() {
      ensureOpen();
      await started;
    },

    adopt,

    async commit({ label, summary }) {
      ensureOpen();
      await started;
      await slices.flush();
      const result = await work.commit({
        label,
        slicedImport: undo,
        async write(tx) {
          for (const record of merged.values()) {
            const stored = await tx.get('entity', record.id);
            if (!stored || stored.updatedAt !== baseVersions.get(record.id)) {
              throw new ImportWriteError(
                'import-conflict',
                'An entity this import merges into was changed while the file was read; nothing was imported. Run the import again.',
              );
            }
          }
          for (const record of merged.values()) {
            await tx.put(
              { ...record, updatedAt: clock.now() },
              { summary: (auto) => `${label}: merged ${auto}` },
            );
          }
          tx.audit({
            caseId,
            recordId: caseId,
            recordKind: 'case',
            action: 'import',
            hlc: clock.now(),
            summary,
          });
          await tx.db.meta.delete(pendingKey(importId));
          flipPending(db, importId, false);
          return { created, merged: merged.size };
        },
      });
      closed = true;
      merged.clear();
      return result;
    },

    async discard() {
      if (closed) return;
      closed = true;
      try {
        await started;
        await slices.flush().catch(() => undefined);
        await work.commit({
          label: 'import discarded',
          undoable: false,
          hidden: true,
          write: (tx) => tx.putMeta(pendingKey(importId), { caseId, state: 'removing' }),
        });
        await purgeImport(work, importId);
      } finally {
        release();
      }
    },
  };
}

/**
 * Removes a pending import's records for good, one slice of ids per change (hidden meanwhile),
 * then its mark; the import then leaves the pending set.
 */
async function purgeImport(work: UnitOfWork, importId: string): Promise<void> {
  const { db } = work;
  db.pendingImports.add(importId);
  for (;;) {
    const done = await work.commit({
      label: 'import removed',
      undoable: false,
      hidden: true,
      async write(tx) {
        const row = await tx.db.meta.where('key').startsWith(idsPrefix(importId)).first();
        if (!row) {
          await tx.db.meta.delete(pendingKey(importId));
          return true;
        }
        await tx.deleteHidden((row.value as IdSlice).ids);
        await tx.db.meta.delete(row.key);
        return false;
      },
    });
    if (done) break;
  }
  db.pendingImports.delete(importId);
}

/**
 * Hides every import a mark names (running in another window, or killed halfway): call at start,
 * before anything reads the case. Returns their ids.
 */
export async function hidePendingImports(db: TesseraDatabase): Promise<string[]> {
  const keys = (await db.meta.where('key').startsWith(PENDING_PREFIX).primaryKeys()) as string[];
  const ids = keys.map((key) => key.slice(PENDING_PREFIX.length));
  for (const id of ids) db.pendingImports.add(id);
  return ids;
}

/**
 * Removes the imports that no page is running (killed halfway, or the app closed): with Web
 * Locks, those whose lock is free; without them (tests), all of them. Also drops the id lists of
 * committed imports whose page is gone (they served only that page's undo), and the staged rows of
 * the writer's earlier version. Returns how many unfinished imports were removed.
 */
export async function removeStaleImports(work: UnitOfWork): Promise<number> {
  const { db } = work;
  const pending = await hidePendingImports(db);
  const held = new Set<string>();
  const locks = lockManager();
  if (locks) {
    const snapshot = await locks.query();
    for (const lock of snapshot.held ?? []) {
      if (lock.name?.startsWith(LOCK_PREFIX)) held.add(lock.name.slice(LOCK_PREFIX.length));
    }
  }
  const stale = pending.filter((id) => !held.has(id));
  for (const id of stale) await purgeImport(work, id);
  const idKeys = (await db.meta.where('key').startsWith(IDS_PREFIX).primaryKeys()) as string[];
  const live = new Set([...pending, ...held]);
  const orphans = idKeys.filter((key) => !live.has(key.slice(IDS_PREFIX.length).split(':')[0]!));
  const legacy = (await db.meta
    .where('key')
    .startsWith(LEGACY_STAGE_PREFIX)
    .primaryKeys()) as string[];
  for (const keys of [orphans, legacy]) {
    for (let from = 0; from < keys.length; from += 100) {
      const chunk = keys.slice(from, from + 100);
      await work.commit({
        label: 'import lists removed',
        undoable: false,
        hidden: true,
        write: async (tx) => {
          await tx.db.meta.bulkDelete(chunk);
        },
      });
    }
  }
  return stale.length;
}
