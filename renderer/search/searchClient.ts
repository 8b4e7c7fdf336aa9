// UI-side handle on the search worker: every method posts a request and resolves with the
// worker's answer (see shared/search/rpc.ts).

import { createSearchRpc } from '../../shared/search/rpc.ts';
import type { SearchPort, SearchRpc } from '../../shared/search/rpc.ts';

export type { SearchRpc as SearchClient } from '../../shared/search/rpc.ts';

export interface StartedSearchClient extends SearchRpc {
  /** Stops the worker; pending calls reject. */
  terminate(): void;
}

export function startSearchWorker(): StartedSearchClient {
  const worker = new Worker(new URL('./searchWorker.ts', import.meta.url), { type: 'module' });
  const rpc = createSearchRpc(worker as unknown as SearchPort);
  worker.addEventListener('error', (event) => rpc.close(`search worker failed: ${event.message}`));
  return {
    ...rpc,
    terminate() {
      worker.terminate();
      rpc.close('search worker terminated');
    },
  };
}
