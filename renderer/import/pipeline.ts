/**
 * The import wizard's pipeline (issue 11), shared by the wizard and the benchmark:
 *
 * 1. The case's live entities are read (identity rules merge incoming rows into them) and the
 *    import's staging area is opened (renderer/db/importWriter.ts).
 * 2. A worker (importReader.ts) hashes the file, then reads it slice by slice: decode → parse →
 *    map with the shared engine. The main thread pulls one batch at a time and stages it before
 *    pulling the next, so memory stays bounded by the store's pace, and nothing is visible yet.
 * 3. At the end, when rows had problems, the caller decides: skip them (the rejected rows come
 *    back as a rejects CSV; nothing is dropped silently) or stop (nothing is imported). With
 *    `onProblems: 'stop'` the read stops at the first problem.
 * 4. The staged batches become visible as ONE change: one audit summary, one undo entry
 *    ("Import of cdr.csv: 12,345 entities"). Cancel (the signal), a failure or a lock discards
 *    the staging area; a page killed halfway leaves it to the next start's cleanup.
 */
import { errorMessage } from '../../shared/base/errors.ts';
import { rejectsCsv } from '../../shared/importer/index.ts';
import type { ImportSpec, ImportSummary, RowProblem } from '../../shared/importer/index.ts';
import { newId } from '../../shared/model/index.ts';
import type { EntityRecord, Grading, Markings } from '../../shared/model/index.ts';
import { startImportStaging } from '../db/importWriter.ts';
import { stripEntity } from '../db/records.ts';
import type { UnitOfWork } from '../db/unitOfWork.ts';
import { startImportWorker } from './importClient.ts';
import type { ImportReaderPort } from './importClient.ts';
import type { ImportReaderResponse, ReaderStep } from './importReader.ts';

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
}

const count = new Intl.NumberFormat('en');

/** Thrown when the signal fires: the import stored nothing. Code 'cancelled', as the worker's. */
export class ImportCancelledError extends Error {
  override readonly name = 'ImportCancelledError';
  readonly code = 'cancelled';
  constructor() {
    super('The import was cancelled; nothing was imported.');
  }
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
  const staging = startImportStaging(work, caseId, importId);
  const cancelled = (): boolean => signal?.aborted === true;
  try {
    const started = expect(
      await reader.call(
        {
          type: 'start',
          file,
          spec,
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
    do {
      if (cancelled()) throw new ImportCancelledError();
      step = expect(await reader.call({ type: 'next' }, signal), 'step');
      header ??= step.header;
      rowsRead += step.batch.rowsRead;
      problems.push(...step.batch.problems);
      for (const [row, cells] of step.rejected) rejected.set(row, cells);
      await staging.stage(step.batch);
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
      await staging.discard();
      if (cancelled()) throw new ImportCancelledError();
      return { importId, summary, problems, committed: false, fileSha256: started.fileSha256 };
    }
    await staging.commit({
      label: `Import of ${fileName}: ${count.format(summary.entitiesCreated)} entities`,
      summary:
        `Imported ${fileName} (specification ${spec.name} v${spec.version}, SHA-256 ${started.fileSha256}): ` +
        `${count.format(summary.rowsImported)} of ${count.format(summary.rowsRead)} rows, ` +
        `${count.format(summary.entitiesCreated)} entities created, ${count.format(summary.entitiesMerged)} merged` +
        (problems.length > 0 ? `, ${count.format(rejected.size)} rows rejected (skipped)` : ''),
      baseVersions,
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
    await staging.discard().catch((cause: unknown) => {
      // The cleanup at the next start removes what is left; the original error matters more.
      console.warn(`import staging not removed: ${errorMessage(cause)}`);
    });
    if (cancelled() && !(error instanceof ImportCancelledError)) throw new ImportCancelledError();
    throw error;
  } finally {
    if (!args.reader) reader.close();
  }
}
