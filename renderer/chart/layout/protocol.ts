// Messages between runLayoutInWorker and layoutWorker. Typed arrays travel as transferables, so a
// request gives its buffers to the worker and the reply gives the positions buffer back.
import type { ForceLayoutOptions } from '../../../shared/layout/index.ts';
import type { CytoscapeLayoutInput, CytoscapeLayoutResult } from '../cytoscapeAdapterLayouts.ts';

/** The multilevel force layout over an indexed graph. */
export interface ForceLayoutRequest {
  readonly kind: 'force';
  nodeCount: number;
  edgeSources: Uint32Array;
  edgeTargets: Uint32Array;
  nodeSizes?: Float32Array;
  options?: ForceLayoutOptions;
}

/** One of Cytoscape's own layouts, on a copy of the chart's graph (cytoscapeAdapterLayouts.ts). */
export interface CytoscapeLayoutRequest {
  readonly kind: 'cytoscape';
  readonly input: CytoscapeLayoutInput;
}

export type LayoutRequest = ForceLayoutRequest | CytoscapeLayoutRequest;

export interface ForceLayoutResponse {
  readonly kind: 'force';
  readonly positions: Float64Array;
  readonly milliseconds: number;
}

export interface CytoscapeLayoutResponse extends CytoscapeLayoutResult {
  readonly kind: 'cytoscape';
}

export type LayoutResponse = ForceLayoutResponse | CytoscapeLayoutResponse;
