/**
 * The search worker of bench/million/search.ts, on a Node worker thread: the same handler as the
 * app's Web Worker (renderer/search/searchWorker.ts), requests answered one at a time in order,
 * a serialised index handed back rather than copied. `heap` answers the thread's own used heap.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../../shared/base/errors.ts';
import { threadCpuMs } from './searchThreads.ts';
import { createSearchHandler } from '../../shared/search/rpc.ts';
import type { SearchCall } from '../../shared/search/rpc.ts';

export type BenchWorkerCall = SearchCall | { type: 'heap' } | { type: 'cpu' };

const port = parentPort;
if (!port) throw new Error('searchWorker.ts runs on a worker thread');
const handle = createSearchHandler();
let queue: Promise<void> = Promise.resolve();
port.on('message', ({ id, call }: { id: number; call: BenchWorkerCall }) => {
  queue = queue.then(async () => {
    try {
      if (call.type === 'cpu') {
        port.postMessage({ id, ok: true, result: threadCpuMs() });
        return;
      }
      if (call.type === 'heap') {
        // A worker thread cannot be started with --expose-gc; the flag is set from inside.
        setFlagsFromString('--expose-gc');
        (runInNewContext('gc') as () => void)();
        port.postMessage({ id, ok: true, result: getHeapStatistics().used_heap_size });
        return;
      }
      const result = await handle(call);
      port.postMessage(
        { id, ok: true, result },
        result instanceof Uint8Array ? [result.buffer as ArrayBuffer] : [],
      );
    } catch (error) {
      port.postMessage({ id, ok: false, error: errorMessage(error) });
    }
  });
});
