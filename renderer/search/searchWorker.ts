// Web Worker hosting the search index (see shared/search/rpc.ts for the calls). Started by
// searchClient.ts; FlateDecode PDF streams are inflated with the browser's DecompressionStream.
// The host answers calls one at a time, in order, so an add is visible to the search after it.

import { createSearchHandler } from '../../shared/search/rpc.ts';
import { serveRequests } from '../platform/workerHost.ts';

async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart])
    .stream()
    .pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// A serialised index (possibly a hundred megabytes at a million records) is handed back, not copied.
serveRequests(createSearchHandler({ inflate }), {
  transferOf: (result) =>
    result instanceof Uint8Array && result.buffer instanceof ArrayBuffer ? [result.buffer] : [],
});
