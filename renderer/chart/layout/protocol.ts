// Messages between runLayoutInWorker and layoutWorker. Typed arrays travel as transferables, so a
// request gives its buffers to the worker and the reply gives the positions buffer back.
import type { ForceLayoutOptions } from '../../../shared/layout/index.ts';

export interface LayoutRequest {
  nodeCount: number;
  edgeSources: Uint32Array;
  edgeTargets: Uint32Array;
  nodeSizes?: Float32Array;
  options?: ForceLayoutOptions;
}

export type LayoutResponse =
  { ok: true; positions: Float64Array; milliseconds: number } | { ok: false; error: string };
