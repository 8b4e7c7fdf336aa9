/**
 * Path queries: single-source distances (breadth-first search, or Dijkstra with edge weights as
 * lengths), one shortest path between two nodes, all simple paths up to k hops, the neighbourhood
 * of a node to a given depth, and connected components (weakly connected for directed graphs).
 * Directed graphs are walked along edge direction except for components.
 */
import { nodeIndex } from './graph.ts';
import type { Graph } from './graph.ts';
import { MinHeap } from './heap.ts';

export interface PathOptions {
  /** Use edge weights as lengths (Dijkstra). Defaults to whether the graph has weights. */
  weighted?: boolean;
}

export interface Distances {
  /** Distance from the source per node; Infinity where unreachable. */
  dist: Float64Array;
  /** Node from which each node was reached on a shortest path; -1 for the source and unreached. */
  parent: Int32Array;
  /** Reached nodes in the order they were settled (non-decreasing distance). */
  order: Int32Array;
  reached: number;
}

/**
 * Shortest distances from one node. `reverse` walks edges backwards (distances *to* the node),
 * which is what closeness centrality of a directed graph needs.
 */
export function distancesFrom(
  graph: Graph,
  source: number,
  options: PathOptions & { reverse?: boolean } = {},
): Distances {
  const weighted = options.weighted ?? graph.weighted;
  const reverse = options.reverse === true;
  const offsets = reverse ? graph.inOffsets : graph.offsets;
  const targets = reverse ? graph.inTargets : graph.targets;
  const weights = reverse ? graph.inWeights : graph.weights;
  const n = graph.nodeCount;
  const dist = new Float64Array(n).fill(Infinity);
  const parent = new Int32Array(n).fill(-1);
  const order = new Int32Array(n);
  let reached = 0;
  dist[source] = 0;
  if (!weighted) {
    order[reached++] = source;
    for (let head = 0; head < reached; head++) {
      const v = order[head]!;
      const next = dist[v]! + 1;
      for (let e = offsets[v]!, end = offsets[v + 1]!; e < end; e++) {
        const w = targets[e]!;
        if (dist[w] === Infinity) {
          dist[w] = next;
          parent[w] = v;
          order[reached++] = w;
        }
      }
    }
    return { dist, parent, order, reached };
  }
  assertNonNegative(weights);
  const settled = new Uint8Array(n);
  const heap = new MinHeap(16);
  heap.push(0, source);
  while (heap.size > 0) {
    const key = heap.peekKey();
    const v = heap.pop();
    if (settled[v] || key > dist[v]!) continue;
    settled[v] = 1;
    order[reached++] = v;
    for (let e = offsets[v]!, end = offsets[v + 1]!; e < end; e++) {
      const w = targets[e]!;
      const candidate = key + weights[e]!;
      if (!settled[w] && candidate < dist[w]!) {
        dist[w] = candidate;
        parent[w] = v;
        heap.push(candidate, w);
      }
    }
  }
  return { dist, parent, order, reached };
}

export function assertNonNegative(weights: Float64Array): void {
  for (let i = 0; i < weights.length; i++) {
    if (weights[i]! < 0)
      throw new Error('negative edge weights are not supported for path lengths');
  }
}

/** One shortest path as node ids from `from` to `to` inclusive, or null when there is none. */
export function shortestPath(
  graph: Graph,
  from: string,
  to: string,
  options: PathOptions = {},
): string[] | null {
  const source = nodeIndex(graph, from);
  const target = nodeIndex(graph, to);
  const { dist, parent } = distancesFrom(graph, source, options);
  if (dist[target] === Infinity) return null;
  const path: string[] = [];
  for (let v = target; v !== -1; v = parent[v]!) path.push(graph.ids[v]!);
  return path.reverse();
}

/** Length of a shortest path (hops, or summed weights); Infinity when there is none. */
export function shortestPathLength(
  graph: Graph,
  from: string,
  to: string,
  options: PathOptions = {},
): number {
  const { dist } = distancesFrom(graph, nodeIndex(graph, from), options);
  return dist[nodeIndex(graph, to)]!;
}

/**
 * Every simple path (no repeated node) from `from` to `to` with at most `maxHops` edges, in the
 * order NetworkX's `all_simple_paths` yields them. Stops after `limit` paths (default 10 000)
 * because the count grows exponentially with k. A node is never a path to itself.
 */
export function allSimplePaths(
  graph: Graph,
  from: string,
  to: string,
  maxHops: number,
  options: { limit?: number } = {},
): string[][] {
  const source = nodeIndex(graph, from);
  const target = nodeIndex(graph, to);
  const limit = options.limit ?? 10_000;
  const paths: string[][] = [];
  if (source === target || maxHops < 1 || limit < 1) return paths;
  const { offsets, targets } = graph;
  const onPath = new Uint8Array(graph.nodeCount);
  const stack: number[] = [source];
  const cursor: number[] = [offsets[source]!];
  onPath[source] = 1;
  while (stack.length > 0) {
    const depth = stack.length - 1;
    const v = stack[depth]!;
    const e = cursor[depth]!;
    if (e >= offsets[v + 1]!) {
      stack.pop();
      cursor.pop();
      onPath[v] = 0;
      continue;
    }
    cursor[depth] = e + 1;
    const w = targets[e]!;
    if (onPath[w]) continue;
    if (w === target) {
      paths.push([...stack, w].map((node) => graph.ids[node]!));
      if (paths.length >= limit) break;
      continue;
    }
    if (stack.length < maxHops) {
      stack.push(w);
      cursor.push(offsets[w]!);
      onPath[w] = 1;
    }
  }
  return paths;
}

/**
 * Nodes within `depth` hops of a node (following edge direction), with their hop count; the node
 * itself is included at 0.
 */
export function neighbourhood(graph: Graph, id: string, depth: number): Record<string, number> {
  const source = nodeIndex(graph, id);
  const hops = new Int32Array(graph.nodeCount).fill(-1);
  const queue = new Int32Array(graph.nodeCount);
  let tail = 0;
  hops[source] = 0;
  queue[tail++] = source;
  const result = Object.create(null) as Record<string, number>;
  for (let head = 0; head < tail; head++) {
    const v = queue[head]!;
    result[graph.ids[v]!] = hops[v]!;
    if (hops[v]! >= depth) continue;
    for (let e = graph.offsets[v]!; e < graph.offsets[v + 1]!; e++) {
      const w = graph.targets[e]!;
      if (hops[w] === -1) {
        hops[w] = hops[v]! + 1;
        queue[tail++] = w;
      }
    }
  }
  return result;
}

/**
 * Component number per node (0 = largest component, ties by first node) and the component count.
 * Directed graphs give weakly connected components.
 */
export function componentLabels(graph: Graph): { labels: Int32Array; count: number } {
  const n = graph.nodeCount;
  const raw = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  const sizes: number[] = [];
  for (let start = 0; start < n; start++) {
    if (raw[start] !== -1) continue;
    const label = sizes.length;
    let tail = 0;
    raw[start] = label;
    queue[tail++] = start;
    for (let head = 0; head < tail; head++) {
      const v = queue[head]!;
      for (let e = graph.offsets[v]!; e < graph.offsets[v + 1]!; e++) {
        const w = graph.targets[e]!;
        if (raw[w] === -1) {
          raw[w] = label;
          queue[tail++] = w;
        }
      }
      if (graph.directed) {
        for (let e = graph.inOffsets[v]!; e < graph.inOffsets[v + 1]!; e++) {
          const w = graph.inTargets[e]!;
          if (raw[w] === -1) {
            raw[w] = label;
            queue[tail++] = w;
          }
        }
      }
    }
    sizes.push(tail);
  }
  // Renumber so that bigger components come first; the sort is stable, so ties keep discovery order.
  const ranking = sizes.map((_, label) => label).sort((a, b) => sizes[b]! - sizes[a]!);
  const rename = new Int32Array(sizes.length);
  ranking.forEach((label, rank) => (rename[label] = rank));
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = rename[raw[i]!]!;
  return { labels, count: sizes.length };
}

/** Connected components as lists of node ids, largest first; nodes keep graph order. */
export function connectedComponents(graph: Graph): string[][] {
  const { labels, count } = componentLabels(graph);
  return groupByLabel(graph, labels, count);
}

export function groupByLabel(graph: Graph, labels: Int32Array, count: number): string[][] {
  const groups: string[][] = Array.from({ length: count }, () => []);
  for (let i = 0; i < graph.nodeCount; i++) groups[labels[i]!]!.push(graph.ids[i]!);
  return groups;
}
