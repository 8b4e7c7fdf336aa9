/**
 * The import workers' own connection to the case store (issue 11): the records the reader maps
 * are written off the page, so the page never receives them (one structured clone) nor clones
 * them into IndexedDB (another), and keeps only the progress and the final commit
 * (renderer/import/pipeline.ts). In the app a second worker writes (importStoreWorker.ts): the
 * reader hands it each batch over a MessagePort of their own, one batch in flight, so decoding,
 * parsing and mapping go on in one thread while cloning into IndexedDB goes on in the other, as
 * they did when the page wrote; in tests the reader writes in its own thread (openImportStore).
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
 *   with the workers themselves when the app locks (terminateAll ends both; so does the pipeline
 *   when it sees the keys gone).
 */
import { HybridLogicalClock } from '../../shared/model/index.ts';
import { TesseraDatabase } from '../db/database.ts';
import type { StoreKeys } from '../db/encryption.ts';
import { ImportWriteError, importSliceWriter } from '../db/importWriter.ts';
import type { ImportSlice, WrittenBatch } from '../db/importWriter.ts';
import { createUnitOfWork } from '../db/unitOfWork.ts';
import { WorkerRunner } from '../platform/workerRunner.ts';
import type { WorkerPort } from '../platform/workerRunner.ts';

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
  /**
   * Writes one batch hidden (the previous one may still be committing). Resolves with what was
   * written since the last call: this batch (in the reader's thread) or the one before it (in
   * the writer's worker, one batch behind).
   */
  write(batch: ImportSlice): Promise<WrittenBatch>;
  /** Waits for the last slice and resolves with what was not yet reported; rejects on failure. */
  flush(): Promise<WrittenBatch>;
  /** Drops the keys and closes the connection (idempotent). */
  close(): void;
}

/** Nothing written (yet). */
export const NOTHING_WRITTEN: WrittenBatch = { created: 0, merged: [] };

/** Two reports as one (the later stamp wins: stamps only grow). */
export function joinWritten(a: WrittenBatch, b: WrittenBatch): WrittenBatch {
  const lastStamp = b.lastStamp ?? a.lastStamp;
  return {
    created: a.created + b.created,
    merged: [...a.merged, ...b.merged],
    ...(lastStamp ? { lastStamp } : {}),
  };
}

/** The store in this thread (the reader's, in tests; the writer worker's in the app). */
export function openImportStore(
  target: ImportStoreTarget,
  existing: ReadonlySet<string>,
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
    existing,
    createdAt: target.createdAt,
    ...(target.sliceRecords ? { sliceRecords: target.sliceRecords } : {}),
  });
  let closed = false;
  return {
    write: (batch) => slices.write(batch),
    flush: () => slices.flush().then(() => NOTHING_WRITTEN),
    close() {
      if (closed) return;
      closed = true;
      keys = null;
      // For good: a late request must fail, not reopen the store.
      db.close({ disableAutoOpen: true });
    },
  };
}

/**
 * What the writer worker (importStoreWorker.ts) is asked: `open` by the page (with the port the
 * reader talks to it through, and the keys), the rest by the reader over that port.
 */
export type ImportStoreRequest =
  | {
      readonly type: 'open';
      readonly target: ImportStoreTarget;
      /** Ids of the case's existing entities (merges into them wait for the page's commit). */
      readonly existing: readonly string[];
      readonly port: MessagePort;
    }
  | { readonly type: 'write'; readonly batch: ImportSlice }
  | { readonly type: 'flush' }
  | { readonly type: 'close' };

export type ImportStoreResponse = WrittenBatch;

/** A MessagePort as the worker runner's port (closing it is how the reader lets go). */
function portAsWorker(port: MessagePort): WorkerPort {
  return {
    postMessage: (message, transfer) => port.postMessage(message, transfer),
    terminate: () => port.close(),
    get onmessage() {
      return port.onmessage;
    },
    set onmessage(handler) {
      // Setting onmessage starts the port.
      port.onmessage = handler;
    },
    onerror: null,
  };
}

/**
 * The writer worker's side, over the port the page hands it: the import's records are cloned
 * once from the reader to here, and once into IndexedDB, each on its own thread, while the
 * page's thread does neither (what the page used to do, off it).
 */
export function importStoreHost(
  serve: (
    handler: (request: ImportStoreRequest) => Promise<ImportStoreResponse>,
    port: MessagePort,
  ) => void,
): (request: ImportStoreRequest) => Promise<ImportStoreResponse> {
  let store: ImportStore | undefined;
  const handle = async (request: ImportStoreRequest): Promise<ImportStoreResponse> => {
    switch (request.type) {
      case 'open':
        store?.close();
        store = openImportStore(request.target, new Set(request.existing));
        serve(handle, request.port);
        return NOTHING_WRITTEN;
      case 'write':
        if (!store) throw new ImportWriteError('import-closed', 'No import is being written here.');
        return store.write(request.batch);
      case 'flush':
        return store ? store.flush() : NOTHING_WRITTEN;
      case 'close':
        store?.close();
        store = undefined;
        return NOTHING_WRITTEN;
    }
  };
  return handle;
}

/**
 * The reader's handle on the writer worker: one batch in flight there at a time, so the reader
 * maps the next batch while the writer clones and stores this one, and no further ahead.
 */
export function remoteImportStore(port: MessagePort): ImportStore {
  const runner = new WorkerRunner<ImportStoreRequest, ImportStoreResponse>(
    () => portAsWorker(port),
    { name: 'import store', keepAlive: true, stateful: true },
  );
  let inFlight: Promise<WrittenBatch> = Promise.resolve(NOTHING_WRITTEN);
  return {
    async write(batch) {
      const before = await inFlight;
      inFlight = runner.run({ type: 'write', batch });
      inFlight.catch(() => undefined);
      return before;
    },
    async flush() {
      const last = await inFlight;
      inFlight = Promise.resolve(NOTHING_WRITTEN);
      await runner.run({ type: 'flush' });
      return last;
    },
    close() {
      void runner.run({ type: 'close' }).then(
        () => runner.terminate(),
        () => runner.terminate(),
      );
    },
  };
}
