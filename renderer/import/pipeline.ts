/**
 * The import wizard's pipeline (issue 11), shared by the wizard and the benchmark:
 *
 * 1. The case's live entities are read (identity rules merge incoming rows into them) and the
 *    import's writer is opened (renderer/db/importWriter.ts): its records stay hidden until step 4.
 * 2. A worker (importReader.ts) hashes the file, then reads it slice by slice: decode → parse →
 *    map with the shared engine → write, hidden, into the store through a connection of its own
 *    (importStore.ts, under the page's data keys), one slice committing while the next batch is
 *    mapped. The page gets only each batch's counts, problems and the existing entities it merged
 *    into: it neither receives nor clones the records, so its thread stays free for input (issue
 *    11: tasks under 100 ms at a million rows). The page asks for the next batch only when the
 *    previous one is written, one ahead, so memory stays bounded by the store's pace. A reader
 *    without a store (none given) hands the records back and the page writes them instead.
 * 3. At the end, when rows had problems, the caller decides: skip them (the rejected rows come
 *    back as a rejects CSV; nothing is dropped silently) or stop (nothing is imported). With
 *    `onProblems: 'stop'` the read stops at the first problem.
 * 4. The written records become visible as ONE change: one audit summary, one undo entry
 *    ("Import of cdr.csv: 12,345 entities"; undo removes it, and cannot be redone). Cancel (the
 *    signal), a failure or a lock removes what was written (the worker's writes stopped first);
 *    a page killed halfway leaves it hidden, to the next start's cleanup. Locking the store
 *    (its keys gone) ends the worker at once, with the keys it held.
 */
import { errorMessage } from '../../shared/base/errors.ts';
import { rejectsCsv } from '../../shared/importer/index.ts';
import type { ImportSpec, ImportSummary, RowProblem } from '../../shared/importer/index.ts';
import { newId } from '../../shared/model/index.ts';
import type { EntityRecord, Grading, Markings } from '../../shared/model/index.ts';
import type { KeySource } from '../db/encryption.ts';
import { startImportWriter } from '../db/importWriter.ts';
import { VaultError } from '../db/vaultError.ts';
import { stripEntity } from '../db/records.ts';
import type { UnitOfWork } from '../db/unitOfWork.ts';
import { startImportWorker } from './importClient.ts';
import type { ImportReaderPort } from './importClient.ts';
import type { ImportReaderResponse, ReaderStep } from './importReader.ts';
import type { ImportStoreTarget } from './importStore.ts';

export interface ImportProgress {
  readonly bytesRead: number;
  readonly bytesTotal: number;
  readonly rowsRead: number;
  readonly problems: number;
}

export interface ImportPipelineResult {
  readonly importId: string;
  readonly summary: ImportSummary;
  readonly problems: RowProblem[];
  /** The rejected rows as CSV (the header first, where the file has one), when rows were skipped. */
  readonly rejectsCsv?: string;
  /** False when nothing was stored (stopped on problems). */
  readonly committed: boolean;
  /** The file's SHA-256, as written into every record's provenance. */
  readonly fileSha256: string;
}

export type ProblemDecision = 'skip' | 'stop';

export interface ImportPipelineArgs {
  /** The page's unit of work (its `db`, `clock` and `actor` too): the import commits through it. */
  readonly work: UnitOfWork;
  readonly caseId: string;
  readonly file: Blob;
  readonly fileName: string;
  readonly spec: ImportSpec;
  readonly grading: Grading;
  readonly markings: Markings;
  readonly onProgress?: (progress: ImportProgress) => void;
  readonly signal?: AbortSignal;
  /**
   * What to do with rows that have problems: skip them (the rest is imported, the rejected rows
   * come back as a rejects CSV) or stop (nothing is imported). A function is asked once, after the
   * whole file was read and before anything becomes visible. Default: 'skip'.
   */
  readonly onProblems?:
    | ProblemDecision
    | ((problems: readonly RowProblem[], summary: ImportSummary) => Promise<ProblemDecision>);
  /** The reader to use; by default a worker of its own (tests pass an in-process one). */
  readonly reader?: ImportReaderPort;
  /** Bytes read per batch (default PIPELINE_SLICE_BYTES). */
  readonly sliceBytes?: number;
  /** Records per write transaction (default importWriter's IMPORT_SLICE_RECORDS). */
  readonly sliceRecords?: number;
}

/**
 * Bytes of the file per batch: about 850 call records. A batch crosses from the reader to the
 * writer worker as one message (and, where no worker writes, to the page, whose structured clone
 * was then the largest task after IndexedDB's own); small batches also keep the page's progress
 * steady and the one batch in flight small.
 */
export const PIPELINE_SLICE_BYTES = 1 << 16;

const count = new Intl.NumberFormat('en');

/** Thrown when the signal fires: the import stored nothing. Code 'cancelled', as the worker's. */
export class ImportCancelledError extends Error {
  override readonly name = 'ImportCancelledError';
  readonly code = 'cancelled';
  constructor() {
    super('The import was cancelled; nothing was imported.');
  }
}

/** How often a running import checks that the store is still unlocked (ms). */
const LOCK_POLL_MS = 100;

/**
 * Watches the store's keys while an import runs: once they are gone (vault.lock()), `onLocked`
 * runs once, from a timer or from `check` (called between batches). The app's lock terminates
 * every worker too (terminateAll); this also covers a lock that does not go through the shell.
 */
function lockWatch(
  source: KeySource | undefined,
  onLocked: () => void,
): { check(): boolean; stop(): void } {
  let locked = false;
  const check = (): boolean => {
    if (!locked && source?.() === null) {
      locked = true;
      clearInterval(timer);
      onLocked();
    }
    return locked;
  };
  const timer = source ? setInterval(check, LOCK_POLL_MS) : undefined;
  return { check, stop: () => clearInterval(timer) };
}

function expect<T extends ImportReaderResponse['type']>(
  response: ImportReaderResponse,
  type: T,
): Extract<ImportReaderResponse, { type: T }> {
  if (response.type !== type)
    throw new Error(`import worker answered ${response.type}, not ${type}`);
  return response as Extract<ImportReaderResponse, { type: T }>;
}

export async function runImportPipeline(args: ImportPipelineArgs): Promise<ImportPipelineResult> {
  const { work, caseId, file, fileName, spec, signal, onProgress } = args;
  const importId = newId();
  const stored = await work.db.entities.where('caseId').equals(caseId).toArray();
  const existing: EntityRecord[] = stored.filter((e) => !e.deleted).map(stripEntity);
  const baseVersions = new Map(existing.map((e) => [e.id, e.updatedAt]));
  const { agencyId, userName } = work.actor();
  const reader = args.reader ?? startImportWorker();
  const writer = startImportWriter(work, caseId, importId, {
    baseVersions,
    ...(args.sliceRecords ? { sliceRecords: args.sliceRecords } : {}),
  });
  const cancelled = (): boolean => signal?.aborted === true;
  const keySource = work.db.keySource;
  // The worker holds the data keys: on lock it goes at once, whatever it was doing.
  const lock = lockWatch(keySource, () => reader.close());
  const lockedError = () =>
    new VaultError('vault-locked', 'the case store was locked; nothing was imported');
  /** Lets the worker's last slice finish and drops its keys, before what it wrote is removed. */
  const stopWorkerWrites = () =>
    reader.call({ type: 'stop' }).then(
      () => undefined,
      () => {
        // The reader is gone (crashed, ended): end the writer too, so that no slice of it can
        // land after the removal (a terminated worker's unfinished transactions abort).
        if (!args.reader) reader.close();
      },
    );
  try {
    await writer.ready();
    const keys = keySource?.() ?? null;
    if (keySource && !keys) throw lockedError();
    const store: ImportStoreTarget = {
      name: work.db.name,
      keys,
      caseId,
      importId,
      createdAt: writer.createdAt,
      clock: { node: work.clock.node, after: work.clock.now() },
      actor: { userName, agencyId },
      ...(args.sliceRecords ? { sliceRecords: args.sliceRecords } : {}),
    };
    const started = expect(
      await reader.call(
        {
          type: 'start',
          file,
          spec,
          sliceBytes: args.sliceBytes ?? PIPELINE_SLICE_BYTES,
          store,
          options: {
            caseId,
            agencyId,
            userName,
            now: new Date().toISOString(),
            fileName,
            grading: args.grading,
            markings: args.markings,
            existing,
          },
        },
        signal,
      ),
      'started',
    );
    const problems: RowProblem[] = [];
    const rejected = new Map<number, readonly string[]>();
    let header: readonly string[] | undefined;
    let rowsRead = 0;
    let step: ReaderStep;
    const stopEarly = args.onProblems === 'stop';
    const next = () => reader.call({ type: 'next' }, signal);
    let ahead: Promise<ImportReaderResponse> | undefined = next();
    do {
      if (cancelled()) throw new ImportCancelledError();
      step = expect(await ahead!, 'step');
      // Locked meanwhile: not one more batch is asked for.
      if (lock.check()) throw lockedError();
      header ??= step.header;
      rowsRead += step.batch.rowsRead;
      problems.push(...step.batch.problems);
      for (const [row, cells] of step.rejected) rejected.set(row, cells);
      const last = !!step.summary || (stopEarly && problems.length > 0);
      // The worker maps the next batch while this one is written.
      ahead = last ? undefined : next();
      // Should the write fail, the read ahead is abandoned (the worker is closed below).
      void ahead?.catch(() => undefined);
      if (step.written) writer.adopt(step.written);
      else await writer.write(step.batch);
      onProgress?.({
        bytesRead: step.bytesRead,
        bytesTotal: started.bytesTotal,
        rowsRead,
        problems: problems.length,
      });
    } while (!step.summary && !(stopEarly && problems.length > 0));
    if (cancelled()) throw new ImportCancelledError();
    const summary: ImportSummary = step.summary ?? {
      rowsRead,
      rowsImported: 0,
      rowsExcluded: 0,
      rowsRejected: rejected.size,
      entitiesCreated: 0,
      entitiesMerged: 0,
    };
    const onProblems = args.onProblems ?? 'skip';
    const decision: ProblemDecision =
      problems.length === 0
        ? 'skip'
        : typeof onProblems === 'function'
          ? await onProblems(problems, summary)
          : onProblems;
    if (decision === 'stop' || cancelled()) {
      await stopWorkerWrites();
      await writer.discard();
      if (cancelled()) throw new ImportCancelledError();
      return { importId, summary, problems, committed: false, fileSha256: started.fileSha256 };
    }
    await writer.commit({
      label: `Import of ${fileName}: ${count.format(summary.entitiesCreated)} entities`,
      summary:
        `Imported ${fileName} (specification ${spec.name} v${spec.version}, SHA-256 ${started.fileSha256}): ` +
        `${count.format(summary.rowsImported)} of ${count.format(summary.rowsRead)} rows, ` +
        `${count.format(summary.entitiesCreated)} entities created, ${count.format(summary.entitiesMerged)} merged` +
        (problems.length > 0 ? `, ${count.format(rejected.size)} rows rejected (skipped)` : ''),
    });
    return {
      importId,
      summary,
      problems,
      committed: true,
      fileSha256: started.fileSha256,
      ...(problems.length > 0 ? { rejectsCsv: rejectsCsv(problems, header, rejected) } : {}),
    };
  } catch (error) {
    lock.stop();
    await stopWorkerWrites();
    await writer.discard().catch((cause: unknown) => {
      // The cleanup at the next start removes what is left; the original error matters more.
      console.warn(`unfinished import not removed: ${errorMessage(cause)}`);
    });
    if (cancelled() && !(error instanceof ImportCancelledError)) throw new ImportCancelledError();
    if (lock.check()) throw lockedError();
    throw error;
  } finally {
    lock.stop();
    if (!args.reader) reader.close();
  }
}
