/**
 * Compact graph for analysis: nodes are numbered 0..n-1 in insertion order and adjacency is stored
 * in CSR form (compressed sparse rows) in typed arrays, so the hot loops of the algorithms touch
 * only contiguous integer/float memory and never a Map.
 *
 * Semantics follow NetworkX's simple graphs (`nx.Graph` / `nx.DiGraph`), because the results are
 * checked against NetworkX:
 * - a repeated edge is merged into the first one and its weight is overwritten by the last one
 *   (`parallel: 'last'`, the default, as `nx.Graph` does), or summed over the repeats
 *   (`parallel: 'sum'`: 22 calls between two phones weigh 22, as NetworkX gives when a
 *   `MultiGraph` is collapsed into a weighted `Graph`);
 * - a self-loop appears once in its node's adjacency row but counts twice towards the degree of an
 *   undirected node;
 * - each node's neighbours are listed in the order the edges were added.
 *
 * For undirected graphs the `in*` arrays are the very same arrays as the `out*` ones.
 */

export interface EdgeInput {
  source: string;
  target: string;
  weight?: number;
}

export interface GraphInput {
  /** Listed nodes come first, in this order; nodes only named by edges follow. */
  nodes?: string[];
  edges: EdgeInput[];
  directed?: boolean;
  /**
   * How repeated edges between the same pair merge: `last` keeps the last weight (NetworkX's
   * simple graphs), `sum` adds them up (an unweighted repeat counts 1), so parallel links count
   * as a weight and the graph becomes weighted once any pair repeats.
   */
  parallel?: 'last' | 'sum';
}

export interface Graph {
  readonly directed: boolean;
  /** True when at least one edge carried an explicit weight. */
  readonly weighted: boolean;
  readonly nodeCount: number;
  /** Distinct edges; an undirected edge counts once. */
  readonly edgeCount: number;
  readonly ids: readonly string[];
  readonly indexOf: ReadonlyMap<string, number>;
  /** Row starts into `targets`/`weights`, length nodeCount + 1: successors (directed) or neighbours. */
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  readonly weights: Float64Array;
  /** Predecessors; identical arrays to the out-rows for undirected graphs. */
  readonly inOffsets: Int32Array;
  readonly inTargets: Int32Array;
  readonly inWeights: Float64Array;
  /** 1 where the node has a self-loop. */
  readonly selfLoops: Uint8Array;
}

export function buildGraph(input: GraphInput): Graph {
  const directed = input.directed === true;
  const ids: string[] = [];
  const indexOf = new Map<string, number>();
  const intern = (id: string): number => {
    let index = indexOf.get(id);
    if (index === undefined) {
      index = ids.length;
      ids.push(id);
      indexOf.set(id, index);
    }
    return index;
  };
  for (const id of input.nodes ?? []) intern(String(id));

  // Deduplicate edges first (the key needs the final node count only as a multiplier, so it is
  // built from a provisional bound and kept below 2^53).
  const sources: number[] = [];
  const destinations: number[] = [];
  const edgeWeights: number[] = [];
  const seen = new Map<number, number>();
  const stride = 2 ** 26;
  const keyed = (input.nodes?.length ?? 0) + input.edges.length * 2 < stride;
  const seenByString = keyed ? null : new Map<string, number>();
  let weighted = false;
  const sumParallel = input.parallel === 'sum';
  for (const edge of input.edges) {
    let u = intern(String(edge.source));
    let v = intern(String(edge.target));
    let weight = 1;
    if (edge.weight !== undefined && edge.weight !== null) {
      weight = Number(edge.weight);
      if (!Number.isFinite(weight)) {
        throw new Error(`edge ${edge.source} → ${edge.target} has a non-numeric weight`);
      }
      weighted = true;
    }
    if (!directed && v < u) [u, v] = [v, u];
    let existing: number | undefined;
    if (seenByString) {
      const key = `${u} ${v}`;
      existing = seenByString.get(key);
      if (existing === undefined) seenByString.set(key, sources.length);
    } else {
      const key = u * stride + v;
      existing = seen.get(key);
      if (existing === undefined) seen.set(key, sources.length);
    }
    if (existing !== undefined) {
      if (sumParallel) {
        edgeWeights[existing]! += weight;
        weighted = true;
      } else {
        edgeWeights[existing] = weight;
      }
      continue;
    }
    sources.push(u);
    destinations.push(v);
    edgeWeights.push(weight);
  }

  const n = ids.length;
  const m = sources.length;
  const selfLoops = new Uint8Array(n);
  const outDegree = new Int32Array(n);
  const inDegree = directed ? new Int32Array(n) : outDegree;
  for (let e = 0; e < m; e++) {
    const u = sources[e]!;
    const v = destinations[e]!;
    if (u === v) {
      selfLoops[u] = 1;
      outDegree[u]!++;
      if (directed) inDegree[u]!++;
    } else {
      outDegree[u]!++;
      inDegree[v]!++;
    }
  }
  const out = fillRows(n, outDegree);
  const incoming = directed ? fillRows(n, inDegree) : out;
  // Walk edges in insertion order so every row keeps NetworkX's neighbour order.
  for (let e = 0; e < m; e++) {
    const u = sources[e]!;
    const v = destinations[e]!;
    const weight = edgeWeights[e]!;
    append(out, u, v, weight);
    if (u === v) {
      if (directed) append(incoming, v, u, weight);
    } else {
      append(incoming, v, u, weight);
    }
  }
  return {
    directed,
    weighted,
    nodeCount: n,
    edgeCount: m,
    ids,
    indexOf,
    offsets: out.offsets,
    targets: out.targets,
    weights: out.weights,
    inOffsets: incoming.offsets,
    inTargets: incoming.targets,
    inWeights: incoming.weights,
    selfLoops,
  };
}

interface Rows {
  offsets: Int32Array;
  targets: Int32Array;
  weights: Float64Array;
  cursor: Int32Array;
}

function fillRows(n: number, degree: Int32Array): Rows {
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + degree[i]!;
  const total = offsets[n]!;
  return {
    offsets,
    targets: new Int32Array(total),
    weights: new Float64Array(total),
    cursor: offsets.slice(0, n),
  };
}

function append(rows: Rows, from: number, to: number, weight: number): void {
  const slot = rows.cursor[from]!++;
  rows.targets[slot] = to;
  rows.weights[slot] = weight;
}

/** Index of a node id, or an error naming the missing node. */
export function nodeIndex(graph: Graph, id: string): number {
  const index = graph.indexOf.get(id);
  if (index === undefined) throw new Error(`node '${id}' is not in the graph`);
  return index;
}

/** NetworkX degree: neighbours (in + out for directed graphs), a self-loop counting twice. */
export function degreeOf(graph: Graph, node: number): number {
  const out = graph.offsets[node + 1]! - graph.offsets[node]!;
  if (graph.directed) return out + graph.inOffsets[node + 1]! - graph.inOffsets[node]!;
  return out + graph.selfLoops[node]!;
}

/** Degrees of all nodes, see {@link degreeOf}. */
export function degrees(graph: Graph): Int32Array {
  const result = new Int32Array(graph.nodeCount);
  for (let i = 0; i < graph.nodeCount; i++) result[i] = degreeOf(graph, i);
  return result;
}

/**
 * The undirected view of a graph (itself when already undirected). Reciprocal directed edges are
 * merged into one edge whose weight is their sum.
 */
export function undirectedView(graph: Graph): Graph {
  if (!graph.directed) return graph;
  const pairs = new Map<string, number>();
  const order: [number, number][] = [];
  for (let u = 0; u < graph.nodeCount; u++) {
    for (let e = graph.offsets[u]!; e < graph.offsets[u + 1]!; e++) {
      const v = graph.targets[e]!;
      const a = Math.min(u, v);
      const b = Math.max(u, v);
      const key = `${a} ${b}`;
      const previous = pairs.get(key);
      if (previous === undefined) order.push([a, b]);
      pairs.set(key, (previous ?? 0) + graph.weights[e]!);
    }
  }
  return buildGraph({
    nodes: [...graph.ids],
    edges: order.map(([a, b]) => ({
      source: graph.ids[a]!,
      target: graph.ids[b]!,
      ...(graph.weighted ? { weight: pairs.get(`${a} ${b}`)! } : {}),
    })),
    directed: false,
  });
}

/** Per-node record keyed by node id, the serialisable form of a Float64Array result. */
export function toRecord(graph: Graph, values: ArrayLike<number>): Record<string, number> {
  // A prototype-less object, so that a node called `__proto__` is an ordinary key.
  const record = Object.create(null) as Record<string, number>;
  for (let i = 0; i < graph.nodeCount; i++) record[graph.ids[i]!] = values[i]!;
  return record;
}
