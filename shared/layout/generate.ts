// Barabási–Albert scale-free graphs for tests and benchmarks. Nodes 0..m form a clique; every later
// node links to m distinct earlier nodes chosen with probability proportional to their degree. The
// degree-proportional draw picks a uniform entry of the list of all edge endpoints so far, in which
// each node appears once per incident edge.

import { createRandom } from '../base/random.ts';
import type { LayoutGraph } from './types.ts';

export interface ScaleFreeOptions {
  /** Edges each new node brings (m); defaults to 2. */
  edgesPerNode?: number;
  seed?: number;
}

/** A seeded Barabási–Albert graph with `nodeCount` nodes and about m·nodeCount edges. */
export function generateScaleFreeGraph(
  nodeCount: number,
  options: ScaleFreeOptions = {},
): LayoutGraph {
  const m = Math.max(1, Math.floor(options.edgesPerNode ?? 2));
  const random = createRandom(options.seed ?? 1);
  const n = Math.max(0, Math.floor(nodeCount));
  const cliqueSize = Math.min(n, m + 1);
  const edgeCapacity = (cliqueSize * (cliqueSize - 1)) / 2 + Math.max(0, n - cliqueSize) * m;
  const sources = new Uint32Array(edgeCapacity);
  const targets = new Uint32Array(edgeCapacity);
  const endpoints = new Uint32Array(2 * edgeCapacity);
  let edgeCount = 0;
  const addEdge = (a: number, b: number): void => {
    sources[edgeCount] = a;
    targets[edgeCount] = b;
    endpoints[2 * edgeCount] = a;
    endpoints[2 * edgeCount + 1] = b;
    edgeCount++;
  };
  for (let v = 1; v < cliqueSize; v++) {
    for (let u = 0; u < v; u++) addEdge(v, u);
  }
  const chosen = new Int32Array(m);
  for (let v = cliqueSize; v < n; v++) {
    const endpointCount = 2 * edgeCount;
    for (let k = 0; k < m; k++) {
      let target: number;
      // m is small, so a rejection loop over the picks made so far is cheaper than a set.
      for (;;) {
        target = endpoints[Math.floor(random() * endpointCount)]!;
        let repeat = false;
        for (let j = 0; j < k; j++) if (chosen[j] === target) repeat = true;
        if (!repeat) break;
      }
      chosen[k] = target;
    }
    for (let k = 0; k < m; k++) addEdge(v, chosen[k]);
  }
  return { nodeCount: n, edgeSources: sources, edgeTargets: targets };
}
