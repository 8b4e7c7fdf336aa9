/** A graph to lay out: nodes are 0..nodeCount-1, edge k joins edgeSources[k] and edgeTargets[k]. */
export interface LayoutGraph {
  nodeCount: number;
  edgeSources: Uint32Array;
  edgeTargets: Uint32Array;
  /** Node diameters in layout units; defaults to DEFAULT_NODE_SIZE for every node. */
  nodeSizes?: Float32Array;
}

/** Node diameter assumed when a graph carries no nodeSizes (Cytoscape's default node width). */
export const DEFAULT_NODE_SIZE = 30;

/** Radii from optional diameters: missing, negative or non-finite sizes count as the default. */
export function nodeRadii(nodeSizes: ArrayLike<number> | undefined, n: number): Float64Array {
  const radius = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = nodeSizes?.[i];
    radius[i] = (d !== undefined && Number.isFinite(d) && d >= 0 ? d : DEFAULT_NODE_SIZE) / 2;
  }
  return radius;
}
