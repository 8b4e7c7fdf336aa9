/**
 * Merges write outside the repository (they touch many records at once); they commit through the
 * app's one unit of work, so merge versions order with every other change and Ctrl+Z reverts them.
 */
import { useAppServices } from '../core/context.ts';
import type { TesseraDatabase } from '../db/database.ts';
import type { UnitOfWork } from '../db/unitOfWork.ts';

export interface MergeBackend {
  /** For reads (the merges listed from the audit trail). */
  readonly db: TesseraDatabase;
  readonly work: UnitOfWork;
}

export function useMergeBackend(): MergeBackend {
  const { storage } = useAppServices();
  return { db: storage.db, work: storage.work };
}
