// Web Worker hosting the search index (see shared/search/rpc.ts for the protocol). Started by
// searchClient.ts; FlateDecode PDF streams are inflated with the browser's DecompressionStream.

import { createSearchHandler } from '../../shared/search/rpc.ts';
import type { SearchRequest } from '../../shared/search/rpc.ts';

async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart])
    .stream()
    .pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const handle = createSearchHandler({ inflate });
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<SearchRequest>) => void) | null;
  postMessage(message: unknown): void;
};

// Requests are handled one at a time, in order, so an add is visible to the search after it.
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (event) => {
  queue = queue.then(async () => scope.postMessage(await handle(event.data)));
};
