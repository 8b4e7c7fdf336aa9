/**
 * Bridges the chart to the big-graph force layout (shared/layout): entity ids become the dense
 * node numbers the layout works on, and edges whose ends are not both nodes are dropped.
 */
import type { LayoutGraph } from '../../shared/layout/index.ts';

export interface LayoutNodeInput {
  readonly id: string;
  /** Drawn diameter, so the overlap removal keeps discs apart. */
  readonly size: number;
}

export interface LayoutEdgeInput {
  readonly source: string;
  readonly target: string;
}

export interface IndexedLayoutGraph {
  readonly graph: LayoutGraph;
  /** ids[i] is the entity drawn as layout node i. */
  readonly ids: readonly string[];
}

export function layoutGraphOf(
  nodes: readonly LayoutNodeInput[],
  edges: readonly LayoutEdgeInput[],
): IndexedLayoutGraph {
  const index = new Map<string, number>();
  const ids: string[] = [];
  const nodeSizes = new Float32Array(nodes.length);
  for (const node of nodes) {
    if (index.has(node.id)) continue;
    nodeSizes[ids.length] = node.size;
    index.set(node.id, ids.length);
    ids.push(node.id);
  }
  const sources: number[] = [];
  const targets: number[] = [];
  for (const edge of edges) {
    const s = index.get(edge.source);
    const t = index.get(edge.target);
    if (s === undefined || t === undefined || s === t) continue;
    sources.push(s);
    targets.push(t);
  }
  return {
    graph: {
      nodeCount: ids.length,
      edgeSources: Uint32Array.from(sources),
      edgeTargets: Uint32Array.from(targets),
      nodeSizes: nodeSizes.subarray(0, ids.length),
    },
    ids,
  };
}

/** Interleaved [x0, y0, x1, y1, …] back to positions by id. */
export function positionsById(
  ids: readonly string[],
  positions: ArrayLike<number>,
): Record<string, { x: number; y: number }> {
  const result: Record<string, { x: number; y: number }> = {};
  ids.forEach((id, i) => {
    result[id] = { x: positions[2 * i]!, y: positions[2 * i + 1]! };
  });
  return result;
}
