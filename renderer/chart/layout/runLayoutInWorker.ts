// Runs forceLayout in a dedicated module worker and resolves with interleaved positions
// [x0, y0, x1, y1, …]. Aborting the signal terminates the worker at once and rejects with an
// AbortError; the worker is terminated after every run, so none lingers.
import type { ForceLayoutOptions, LayoutGraph } from '../../../shared/layout/index.ts';
import type { LayoutRequest, LayoutResponse } from './protocol.ts';

export interface WorkerLayoutOptions extends ForceLayoutOptions {
  signal?: AbortSignal;
  /**
   * Give the graph's typed-array buffers to the worker instead of copying them (faster for big
   * graphs; the caller's arrays become empty). Default false.
   */
  transferInput?: boolean;
}

export function runLayoutInWorker(
  graph: LayoutGraph,
  options: WorkerLayoutOptions = {},
): Promise<Float64Array> {
  const { signal, transferInput = false, ...layoutOptions } = options;
  return new Promise<Float64Array>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const worker = new Worker(new URL('./layoutWorker.ts', import.meta.url), { type: 'module' });
    const finish = (): void => {
      worker.terminate();
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      finish();
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.onmessage = (event: MessageEvent<LayoutResponse>) => {
      finish();
      const response = event.data;
      if (response.ok) resolve(response.positions);
      else reject(new Error(`layout failed: ${response.error}`));
    };
    worker.onerror = (event: ErrorEvent) => {
      finish();
      reject(new Error(`layout worker failed: ${event.message}`));
    };
    const request: LayoutRequest = {
      nodeCount: graph.nodeCount,
      edgeSources: graph.edgeSources,
      edgeTargets: graph.edgeTargets,
      ...(graph.nodeSizes ? { nodeSizes: graph.nodeSizes } : {}),
      options: layoutOptions,
    };
    const transfer: Transferable[] = [];
    if (transferInput) {
      for (const array of [graph.edgeSources, graph.edgeTargets, graph.nodeSizes]) {
        if (array && !transfer.includes(array.buffer)) transfer.push(array.buffer);
      }
    }
    worker.postMessage(request, transfer);
  });
}

function abortError(): DOMException {
  return new DOMException('layout cancelled', 'AbortError');
}
