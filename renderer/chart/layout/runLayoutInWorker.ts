// Runs the chart's layouts in a module worker: forceLayout, resolving with interleaved positions
// [x0, y0, x1, y1, …], and Cytoscape's own layouts (see cytoscapeAdapterLayouts.ts). A worker is
// started when needed and terminated once idle (see renderer/platform/workerRunner.ts): aborting the
// signal of the only layout running terminates it at once and rejects with `cancelled`.
import type { ForceLayoutOptions, LayoutGraph } from '../../../shared/layout/index.ts';
import { WorkerCallError, WorkerRunner } from '../../platform/workerRunner.ts';
import type { CytoscapeLayoutInput, CytoscapeLayoutResult } from '../cytoscapeAdapterLayouts.ts';
import type { LayoutRequest, LayoutResponse } from './protocol.ts';

export interface WorkerLayoutOptions extends ForceLayoutOptions {
  signal?: AbortSignal;
  /**
   * Give the graph's typed-array buffers to the worker instead of copying them (faster for big
   * graphs; the caller's arrays become empty). Default false.
   */
  transferInput?: boolean;
}

const layoutRunner = new WorkerRunner<LayoutRequest, LayoutResponse>(
  () => new Worker(new URL('./layoutWorker.ts', import.meta.url), { type: 'module' }),
  { name: 'chart layout' },
);

export async function runLayoutInWorker(
  graph: LayoutGraph,
  options: WorkerLayoutOptions = {},
): Promise<Float64Array> {
  const { signal, transferInput = false, ...layoutOptions } = options;
  const request: LayoutRequest = {
    kind: 'force',
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
  const response = await layoutRunner.run(request, { transfer, ...(signal ? { signal } : {}) });
  return response.positions;
}

/** Runs one of Cytoscape's own layouts on the graph `input` describes. */
export async function runCytoscapeLayoutInWorker(
  input: CytoscapeLayoutInput,
  signal?: AbortSignal,
): Promise<CytoscapeLayoutResult> {
  const response = await layoutRunner.run({ kind: 'cytoscape', input }, signal ? { signal } : {});
  if (response.kind !== 'cytoscape') {
    throw new WorkerCallError('chart layout: answered a different request', 'failed');
  }
  return response;
}
