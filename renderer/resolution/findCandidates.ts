/** Runs the candidate search inline for small cases and in a worker for large ones. */
import { findDuplicateCandidates } from '../../shared/resolution/candidates.ts';
import type { CandidateOptions, DuplicateCandidate } from '../../shared/resolution/candidates.ts';
import type { FtmEntity } from '../../shared/search/types.ts';
import { WorkerRunner } from '../platform/workerRunner.ts';
import { WORKER_THRESHOLD } from './duplicatesModel.ts';
import type { DuplicatesRequest } from './duplicatesWorker.ts';

const duplicatesRunner = new WorkerRunner<DuplicatesRequest, DuplicateCandidate[]>(
  () => new Worker(new URL('./duplicatesWorker.ts', import.meta.url), { type: 'module' }),
  { name: 'duplicate search' },
);

export function findCandidates(
  entities: FtmEntity[],
  options?: CandidateOptions,
): Promise<DuplicateCandidate[]> {
  if (entities.length <= WORKER_THRESHOLD) {
    return Promise.resolve(findDuplicateCandidates(entities, options));
  }
  return duplicatesRunner.run({ entities, options });
}
