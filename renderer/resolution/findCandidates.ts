/** Runs the candidate search inline for small cases and in a worker for large ones. */
import { findDuplicateCandidates } from '../../shared/resolution/candidates.ts';
import type { CandidateOptions, DuplicateCandidate } from '../../shared/resolution/candidates.ts';
import type { FtmEntity } from '../../shared/search/types.ts';
import { WORKER_THRESHOLD } from './duplicatesModel.ts';
import type { DuplicatesRequest, DuplicatesResponse } from './duplicatesWorker.ts';

export function findCandidates(
  entities: FtmEntity[],
  options?: CandidateOptions,
): Promise<DuplicateCandidate[]> {
  if (entities.length <= WORKER_THRESHOLD) {
    return Promise.resolve(findDuplicateCandidates(entities, options));
  }
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./duplicatesWorker.ts', import.meta.url), {
      type: 'module',
    });
    worker.onmessage = (event: MessageEvent<DuplicatesResponse>) => {
      worker.terminate();
      if (event.data.ok) resolve(event.data.candidates);
      else reject(new Error(event.data.error));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`duplicate search failed: ${event.message}`));
    };
    const request: DuplicatesRequest = { entities, options };
    worker.postMessage(request);
  });
}
