/**
 * The import worker's own connection to the case store (issue 11): the worker writes the records
 * it maps, so the page never receives them (one structured clone) nor clones them into IndexedDB
 * (another), and keeps only the progress and the final commit (renderer/import/pipeline.ts).
 *
 * - The page's writer (renderer/db/importWriter.ts) marks the import pending first; only then is
 *   this opened, so a crash at any point leaves a mark that the next start cleans up by.
 * - The connection is a TesseraDatabase like the page's: the same migrations and the same DBCore
 *   stack (encryption, pending-import filter), under the page's data keys (CryptoKeys and the
 *   blind-index key are structured-cloneable; the record keys stay non-extractable).
 * - The slices go through a unit of work of the worker's own with the page writer's slice code
 *   (importSliceWriter): hidden changes only, no audit and no undo; the page's unit of work alone
 *   makes the import visible.
 * - Its clock continues the page's (same node, started after the page's stamp); every batch
 *   reports its newest stamp, which the page's clock receives before it commits.
 * - `close` drops the keys and closes the connection: at the end, on `stop` (cancel, failure), and
 *   with the worker itself when the app locks (terminateAll).
 */
import type { EntityRecord } from '../../shared/model/index.ts';
import { HybridLogicalClock } from '../../shared/model/index.ts';
import { TesseraDatabase } from '../db/database.ts';
import type { StoreKeys } from '../db/encryption.ts';
import { importSliceWriter } from '../db/importWriter.ts';
import type { ImportSlice, WrittenBatch } from '../db/importWriter.ts';
import { createUnitOfWork } from '../db/unitOfWork.ts';

/** Where and as what the worker writes one import: sent with the reader's `start`. */
export interface ImportStoreTarget {
  /** The IndexedDB database's name (the page's TesseraDatabase). */
  readonly name: string;
  /** The page's data keys; null for a plaintext store (tests, the benchmark). */
  readonly keys: StoreKeys | null;
  readonly caseId: string;
  readonly importId: string;
  /** The import's `createdAt` (the page writer's). */
  readonly createdAt: string;
  /** The page clock's node and a stamp of it taken at the start. */
  readonly clock: { readonly node: string; readonly after: string };
  readonly actor: { readonly userName: string; readonly agencyId: string };
  /** Records per slice (default IMPORT_SLICE_RECORDS). */
  readonly sliceRecords?: number;
}

export interface ImportStore {
  /** Writes one batch hidden (the previous one may still be committing). */
  write(batch: ImportSlice): Promise<WrittenBatch>;
  /** Waits for the last slice; rejects with the first failure. */
  flush(): Promise<void>;
  /** Drops the keys and closes the connection (idempotent). */
  close(): void;
}

export function openImportStore(
  target: ImportStoreTarget,
  existing: readonly EntityRecord[],
): ImportStore {
  let keys: StoreKeys | null = target.keys;
  const db = new TesseraDatabase(
    target.name,
    undefined,
    target.keys ? { encryption: () => keys } : {},
  );
  // The page's pending set does not reach this connection; nothing here reads the import's rows.
  db.pendingImports.add(target.importId);
  const clock = new HybridLogicalClock(target.clock.node);
  clock.receive(target.clock.after);
  const work = createUnitOfWork(db, { clock, actor: () => target.actor });
  const slices = importSliceWriter(work, {
    caseId: target.caseId,
    importId: target.importId,
    existing: new Set(existing.map((entity) => entity.id)),
    createdAt: target.createdAt,
    ...(target.sliceRecords ? { sliceRecords: target.sliceRecords } : {}),
  });
  let closed = false;
  return {
    write: (batch) => slices.write(batch),
    flush: () => slices.flush(),
    close() {
      if (closed) return;
      closed = true;
      keys = null;
      db.close();
    },
  };
}
