// UI-side handle on the search worker: every method sends one call through the worker runner and
// resolves with the worker's answer (see shared/search/rpc.ts for the calls).

import { createSearchRpc } from '../../shared/search/rpc.ts';
import type { SearchCall, SearchResult, SearchRpc } from '../../shared/search/rpc.ts';
import { WorkerRunner } from '../platform/workerRunner.ts';

export type { SearchRpc as SearchClient } from '../../shared/search/rpc.ts';

export interface StartedSearchClient extends SearchRpc {
  /** Stops the worker; pending and later calls reject with a `terminated` WorkerCallError. */
  terminate(): void;
}

export function startSearchWorker(): StartedSearchClient {
  // The worker holds the case's index: after a termination (terminateAll on lock) it must not
  // come back empty behind the caller's back, so it is stateful.
  const runner = new WorkerRunner<SearchCall, SearchResult>(
    () => new Worker(new URL('./searchWorker.ts', import.meta.url), { type: 'module' }),
    { name: 'search', keepAlive: true, stateful: true },
  );
  return {
    ...createSearchRpc((call, transfer) => runner.run(call, transfer ? { transfer } : {})),
    terminate: () => runner.terminate(),
  };
}
