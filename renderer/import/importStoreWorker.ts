// The import's writer worker (importStore.ts): opened by the page with the store's keys and a
// port to the reader worker, it writes the batches the reader sends it, hidden, so that neither
// the page nor the reader clones the records into IndexedDB.
import { serveRequests } from '../platform/workerHost.ts';
import { importStoreHost } from './importStore.ts';
import type { ImportStoreRequest, ImportStoreResponse } from './importStore.ts';

const handle = importStoreHost((handler, port) =>
  serveRequests<ImportStoreRequest, ImportStoreResponse>(handler, { scope: port }),
);
serveRequests<ImportStoreRequest, ImportStoreResponse>(handle);
