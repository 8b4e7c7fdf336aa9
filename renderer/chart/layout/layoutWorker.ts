// Web Worker that runs the chart's layouts off the UI thread: the multilevel force layout and
// Cytoscape's own layouts (on a headless copy of the graph). One request in, one positions array
// out, its buffer transferred, not copied. See runLayoutInWorker.ts.
import { forceLayout } from '../../../shared/layout/index.ts';
import { serveRequests } from '../../platform/workerHost.ts';
import { runCytoscapeLayout } from '../cytoscapeAdapterLayouts.ts';
import type { LayoutRequest, LayoutResponse } from './protocol.ts';

export function handleLayoutRequest(request: LayoutRequest): LayoutResponse {
  if (request.kind === 'cytoscape') {
    return { kind: 'cytoscape', ...runCytoscapeLayout(request.input) };
  }
  const started = performance.now();
  const positions = forceLayout(
    {
      nodeCount: request.nodeCount,
      edgeSources: request.edgeSources,
      edgeTargets: request.edgeTargets,
      ...(request.nodeSizes ? { nodeSizes: request.nodeSizes } : {}),
    },
    request.options ?? {},
  );
  return { kind: 'force', positions, milliseconds: performance.now() - started };
}

serveRequests<LayoutRequest, LayoutResponse>(handleLayoutRequest, {
  transferOf: (response) => [response.positions.buffer],
});
