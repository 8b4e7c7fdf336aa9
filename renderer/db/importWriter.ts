/**
 * Stores a spreadsheet or call-record import (issue 11) as ONE change: all or nothing, one audit
 * summary, one undo entry. A million-row file cannot be one IndexedDB transaction (a transaction
 * commits as soon as no request is pending, and the rows arrive from a worker over many turns), so:
 *
 * 1. Staging. Each batch of records the engine made is written, as it arrives, to the `meta` table
 *    under `import-stage:<importId>:<sequence>`. The meta table is encrypted like every other
 *    (renderer/db/encryption.ts) and no query of case content reads it, so staged records are
 *    invisible: the case does not change while the file is read.
 * 2. Commit. One change of the unit of work reads the staged batches back, folds them (an entity
 *    created in one batch and merged into in a later one is stored once, as its latest version),
 *    inserts the new records (`insertMany`: an id already stored aborts it), puts the existing
 *    entities that identity rules merged into (each with its own audit entry, since their history
 *    must show the merge, and its before-image, which undo puts back), writes one summary audit
 *    entry and deletes the staged rows, in the same transaction. Undo then removes exactly the
 *    inserted records and reverts the merged ones (unitOfWork.ts, bulk inserts).
 * 3. Cancel, failure, crash. `discard` deletes the staged rows; a page killed halfway leaves them
 *    behind, and `removeStaleImports` (called at the next start) deletes every staged import whose
 *    Web Lock (`tessera-import:<importId>`, held while an import runs) nobody holds, so an import
 *    running in another window of the same profile is left alone.
 */
import { CodedError } from '../../shared/base/errors.ts';
import type { EntityRecord } from '../../shared/model/index.ts';
import type { TesseraDatabase } from './database.ts';
import type { UnitOfWork } from './unitOfWork.ts';

const STAGE_PREFIX = 'import-stage:';
const LOCK_PREFIX = 'tessera-import:';

export type ImportWriteErrorCode =
  /** An existing entity an identity rule merged into was changed while the file was read. */
  | 'import-conflict'
  /** A staged record belongs to another case (never made by the engine; refused all the same). */
  | 'import-wrong-case'
  /** The import was committed or discarded already. */
  | 'import-closed';

export class ImportWriteError extends CodedError<ImportWriteErrorCode> {
  override readonly name = 'ImportWriteError';
}

/** What one staged batch holds (the engine's ImportBatch without its counts and problems). */
export interface StagedBatch {
  readonly created: readonly EntityRecord[];
  readonly updated: readonly EntityRecord[];
}

interface StagedRow {
  readonly key: string;
  readonly value: { readonly caseId: string } & StagedBatch;
}

export interface ImportCommit {
  /** The undo menu's label, e.g. "import of cdr.csv: 12,345 entities". */
  readonly label: string;
  /** The one audit entry's summary. */
  readonly summary: string;
  /**
   * The existing entities the engine was given, by id → `updatedAt` as read at the start: a merge
   * into one that changed since is refused (ImportWriteError 'import-conflict'), not overwritten.
   */
  readonly baseVersions: ReadonlyMap<string, string>;
}

export interface ImportCommitResult {
  readonly created: number;
  readonly merged: number;
}

export interface ImportStaging {
  readonly importId: string;
  /** Writes one batch to the staging area (invisible until commit). */
  stage(batch: StagedBatch): Promise<void>;
  /** Makes every staged batch visible as one undoable change. */
  commit(commit: ImportCommit): Promise<ImportCommitResult>;
  /** Removes the staged batches; nothing of the import remains. */
  discard(): Promise<void>;
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

const stageKey = (importId: string, sequence: number): string =>
  `${STAGE_PREFIX}${importId}:${String(sequence).padStart(9, '0')}`;

/** Every staged row of one import, in the order staged. */
const stagedRows = (db: TesseraDatabase, importId: string) =>
  db.meta.where('key').startsWith(`${STAGE_PREFIX}${importId}:`);

/**
 * Opens the staging area of a new import into `caseId`. The import's Web Lock is taken here and
 * released by commit or discard.
 */
export function startImportStaging(
  work: UnitOfWork,
  caseId: string,
  importId: string,
): ImportStaging {
  const { db, clock } = work;
  let sequence = 0;
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

  const ensureOpen = (): void => {
    if (closed) throw new ImportWriteError('import-closed', 'This import has already ended.');
  };

  return {
    importId,

    async stage(batch) {
      ensureOpen();
      await locked;
      if (batch.created.length === 0 && batch.updated.length === 0) return;
      const row: StagedRow = {
        key: stageKey(importId, sequence++),
        value: { caseId, created: batch.created, updated: batch.updated },
      };
      await db.meta.put(row);
    },

    async commit({ label, summary, baseVersions }) {
      ensureOpen();
      await locked;
      try {
        const result = await work.commit({
          label,
          bulkInsert: true,
          async write(tx) {
            const rows = (await stagedRows(tx.db, importId).toArray()) as unknown as StagedRow[];
            const { created, merged } = fold(rows, caseId);
            const now = (): string => clock.now();
            const fresh = [...created.values()].map((record) => {
              const at = now();
              return { ...record, createdAt: at, updatedAt: at };
            });
            for (const record of merged.values()) {
              const stored = await tx.get('entity', record.id);
              if (!stored || stored.updatedAt !== baseVersions.get(record.id)) {
                throw new ImportWriteError(
                  'import-conflict',
                  'An entity this import merges into was changed while the file was read; nothing was imported. Run the import again.',
                );
              }
            }
            await tx.insertMany(fresh);
            for (const record of merged.values()) {
              await tx.put(
                { ...record, updatedAt: now() },
                { summary: (auto) => `${label}: merged ${auto}` },
              );
            }
            tx.audit({
              caseId,
              recordId: caseId,
              recordKind: 'case',
              action: 'import',
              hlc: now(),
              summary,
            });
            await stagedRows(tx.db, importId).delete();
            return { created: fresh.length, merged: merged.size };
          },
        });
        closed = true;
        return result;
      } finally {
        if (closed) release();
      }
    },

    async discard() {
      if (closed) return;
      closed = true;
      try {
        await stagedRows(db, importId).delete();
      } finally {
        release();
      }
    },
  };
}

/** The staged batches as one set of new records and one of merged existing ones, latest versions. */
function fold(
  rows: readonly StagedRow[],
  caseId: string,
): { created: Map<string, EntityRecord>; merged: Map<string, EntityRecord> } {
  const created = new Map<string, EntityRecord>();
  const merged = new Map<string, EntityRecord>();
  const check = (record: EntityRecord): void => {
    if (record.caseId !== caseId) {
      throw new ImportWriteError('import-wrong-case', 'An imported record names another case.');
    }
  };
  for (const { value } of rows) {
    if (value.caseId !== caseId) {
      throw new ImportWriteError('import-wrong-case', 'A staged batch belongs to another case.');
    }
    for (const record of value.created) {
      check(record);
      created.set(record.id, record);
    }
    for (const record of value.updated) {
      check(record);
      if (created.has(record.id)) created.set(record.id, record);
      else merged.set(record.id, record);
    }
  }
  return { created, merged };
}

/**
 * Deletes the staged batches of imports that no page is running (killed halfway, or the app
 * closed): with Web Locks, those whose lock is free; without them (tests), all of them. Returns
 * how many imports were removed.
 */
export async function removeStaleImports(db: TesseraDatabase): Promise<number> {
  const keys = (await db.meta.where('key').startsWith(STAGE_PREFIX).primaryKeys()) as string[];
  if (keys.length === 0) return 0;
  const held = new Set<string>();
  const locks = lockManager();
  if (locks) {
    const snapshot = await locks.query();
    for (const lock of snapshot.held ?? []) if (lock.name) held.add(lock.name);
  }
  const stale = new Map<string, string[]>();
  for (const key of keys) {
    const importId = key.slice(STAGE_PREFIX.length).split(':')[0] ?? '';
    if (held.has(`${LOCK_PREFIX}${importId}`)) continue;
    const list = stale.get(importId);
    if (list) list.push(key);
    else stale.set(importId, [key]);
  }
  for (const list of stale.values()) await db.meta.bulkDelete(list);
  return stale.size;
}
