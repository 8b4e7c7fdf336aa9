/**
 * Merges write outside the repository (they touch many records at once); they use the app's one
 * database handle, clock and actor, so merge versions order with every other change.
 */
import { useAppServices } from '../app/context.ts';
import type { TesseraDatabase } from '../db/database.ts';
import type { MergeDeps } from '../db/mergeRepository.ts';

export interface MergeBackend {
  readonly db: TesseraDatabase;
  readonly deps: MergeDeps;
}

export function useMergeBackend(): MergeBackend {
  const { storage } = useAppServices();
  return { db: storage.db, deps: { actor: storage.actor, clock: storage.clock } };
}
