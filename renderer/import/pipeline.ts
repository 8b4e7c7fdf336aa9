/**
 * The import wizard's pipeline (issue 11): a file read in chunks in a worker (decode → parse → map
 * with the shared engine), each batch of records handed back and staged by the main thread, and the
 * whole import made visible at the end as ONE change of the unit of work (renderer/db/importWriter.ts).
 * STUB: the signature is the agreed one (see /work/briefs/r3/import-common.md); the body follows.
 */
import type { Grading, Markings } from '../../shared/model/index.ts';
import type { ImportSpec, ImportSummary, RowProblem } from '../../shared/importer/types.ts';
import type { UnitOfWork } from '../db/unitOfWork.ts';

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
  /** The rejected rows as CSV (header first), when rows were skipped. */
  readonly rejectsCsv?: string;
  /** False when nothing was stored (stopped on problems). */
  readonly committed: boolean;
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
}

export function runImportPipeline(_args: ImportPipelineArgs): Promise<ImportPipelineResult> {
  return Promise.reject(new Error('not implemented yet'));
}
