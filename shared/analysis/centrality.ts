/**
 * Node centrality measures, numerically matching NetworkX 2.8 (`degree_centrality`,
 * `betweenness_centrality`, `closeness_centrality`, `eigenvector_centrality`, `pagerank`) so that
 * results can be checked against it to 1e-9. Each returns a Float64Array indexed by node number;
 * `toRecord` from graph.ts turns one into `{ id: value }`.
 *
 * Betweenness is Brandes' algorithm: one breadth-first search (or Dijkstra when weighted) per
 * source counts shortest paths (sigma), then a sweep in reverse settle order accumulates
 * dependencies. Rather than keeping predecessor lists, the sweep *pulls* from successors: a node
 * w is a successor of v when dist[w] = dist[v] + length(v, w). Keeping coeff[w] = (1 + delta[w]) /
 * sigma[w] makes the dependency of v simply sigma[v] * sum(coeff[successors]), so the whole inner
 * loop reads and writes flat typed arrays only. The unweighted search keeps coeff[v] in sigma[v]'s
 * own slot (sigma[v] is last read just before coeff[v] is written).
 *
 * The iterative measures replicate NetworkX's iteration (start vector, update order, stopping
 * test) rather than solving to full precision, because NetworkX stops at a tolerance of about 1e-6:
 * only the same iterates agree with its output to 1e-9.
 */
import { createRandom } from '../base/random.ts';
import { degrees } from './graph.ts';
import type { Graph } from './graph.ts';
import { MinHeap } from './heap.ts';
import { assertNonNegative } from './paths.ts';

export interface WeightOption {
  /** Use edge weights (as lengths for paths, as strengths otherwise). Defaults to graph.weighted. */
  weighted?: boolean;
}

/** Degree / (n - 1), as `nx.degree_centrality`; 1 for every node of a graph with one node. */
export function degreeCentrality(graph: Graph): Float64Array {
  const n = graph.nodeCount;
  const result = new Float64Array(n);
  if (n <= 1) return result.fill(1);
  const scale = 1 / (n - 1);
  const degree = degrees(graph);
  for (let i = 0; i < n; i++) result[i] = degree[i]! * scale;
  return result;
}

export interface BetweennessOptions extends WeightOption {
  /** Divide by (n-1)(n-2) as NetworkX does by default; false halves undirected sums instead. */
  normalized?: boolean;
  /**
   * Approximate from `k` sampled sources (NetworkX's `k`); all nodes (exact) when absent or ≥ n.
   * The sample is drawn by {@link sampleSources} from `seed`.
   */
  k?: number;
  /** Seed of the source sample (default 0); only with `k`. */
  seed?: number;
}

/** What Brandes reads of a graph: a worker thread can rebuild just this from transferred arrays. */
export type BrandesGraph = Pick<
  Graph,
  'nodeCount' | 'offsets' | 'targets' | 'weights' | 'weighted'
>;

/**
 * Unscaled Brandes sums over the given sources (all nodes by default). Sums over disjoint source
 * sets add up, so callers may split the sources across workers and add the partial results before
 * {@link rescaleBetweenness}.
 */
export function betweennessRaw(
  graph: BrandesGraph,
  options: WeightOption & { sources?: ArrayLike<number> } = {},
): Float64Array {
  return prepareBrandes(graph, options)(options.sources ?? allNodes(graph.nodeCount));
}

/** Raw Brandes sums over some sources, indexed by node number (a fresh array per call). */
export type BrandesRun = (sources: ArrayLike<number>) => Float64Array;

/**
 * Brandes over one graph, prepared once for many calls: the rows are relabelled and the search's
 * working arrays allocated here, then reused by every call (a pool's thread runs its chunks of
 * sources through one of these, so a chunk costs its searches and one node-sized result only).
 */
export function prepareBrandes(graph: BrandesGraph, options: WeightOption = {}): BrandesRun {
  const weighted = options.weighted ?? graph.weighted;
  const n = graph.nodeCount;
  if (weighted) assertNonNegative(graph.weights);
  const rows = breadthFirstRelabel(graph, weighted);
  const kernel = weighted ? weightedBrandes(rows) : unweightedBrandes(rows);
  return (given) => {
    const sources = new Int32Array(given.length);
    for (let i = 0; i < given.length; i++) {
      const source = given[i]!;
      if (!(source >= 0 && source < n && Number.isInteger(source))) {
        throw new RangeError(`betweenness source ${source} is not a node number`);
      }
      sources[i] = rows.newIndex[source]!;
    }
    const sums = new Float64Array(n);
    kernel(sources, sums);
    const result = new Float64Array(n);
    for (let i = 0; i < n; i++) result[i] = sums[rows.newIndex[i]!]!;
    return result;
  };
}

/** Adds the dependencies of each source (relabelled) to `result` (relabelled). */
type Kernel = (sources: Int32Array, result: Float64Array) => void;

interface Rows {
  offsets: Int32Array;
  targets: Int32Array;
  weights: Float64Array;
  /** Position of each original node in the relabelled rows. */
  newIndex: Int32Array;
}

/**
 * Copy of the out-rows with nodes renumbered in breadth-first order from the best-connected node.
 * Neighbours then tend to sit close together in memory, which speeds Brandes up by 10-15 % on
 * scale-free graphs where the per-node arrays no longer fit the fastest caches.
 */
function breadthFirstRelabel(graph: BrandesGraph, weighted: boolean): Rows {
  const n = graph.nodeCount;
  const { offsets, targets, weights } = graph;
  const newIndex = new Int32Array(n).fill(-1);
  const oldIndex = new Int32Array(n);
  let next = 0;
  const visit = (start: number): void => {
    let head = next;
    newIndex[start] = next;
    oldIndex[next++] = start;
    for (; head < next; head++) {
      const v = oldIndex[head]!;
      for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
        const w = targets[e]!;
        if (newIndex[w] === -1) {
          newIndex[w] = next;
          oldIndex[next++] = w;
        }
      }
    }
  };
  let hub = 0;
  for (let v = 1; v < n; v++) {
    if (offsets[v + 1]! - offsets[v]! > offsets[hub + 1]! - offsets[hub]!) hub = v;
  }
  if (n > 0) visit(hub);
  for (let v = 0; v < n; v++) if (newIndex[v] === -1) visit(v);
  const newOffsets = new Int32Array(n + 1);
  const newTargets = new Int32Array(targets.length);
  // Only a weighted search reads weights: an unweighted one saves 8 bytes per edge end.
  const newWeights = new Float64Array(weighted ? targets.length : 0);
  for (let i = 0; i < n; i++) {
    const v = oldIndex[i]!;
    let slot = newOffsets[i]!;
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++, slot++) {
      newTargets[slot] = newIndex[targets[e]!]!;
      if (weighted) newWeights[slot] = weights[e]!;
    }
    newOffsets[i + 1] = slot;
  }
  return { offsets: newOffsets, targets: newTargets, weights: newWeights, newIndex };
}

/** 0 .. n - 1: every node a source. */
export function allNodes(n: number): Int32Array {
  const nodes = new Int32Array(n);
  for (let i = 0; i < n; i++) nodes[i] = i;
  return nodes;
}

/** The unweighted search's arrays, allocated once per prepared graph and clean between sources. */
interface UnweightedWork {
  readonly dist: Int32Array;
  readonly sigma: Float64Array;
  readonly order: Int32Array;
  readonly succStart: Int32Array;
  readonly succ: Int32Array;
}

function unweightedBrandes(rows: Rows): Kernel {
  const n = rows.offsets.length - 1;
  const work: UnweightedWork = {
    dist: new Int32Array(n).fill(-1),
    // sigma[v] (shortest paths from the source) until the backward sweep reaches v, then v's
    // coefficient (1 + delta[v]) / sigma[v]: sigma[v] is last read just before, and its successors
    // hold their coefficients by then. One node-sized array fewer keeps the working set of a 20k
    // graph closer to the core's own cache.
    sigma: new Float64Array(n),
    // One spare slot: the search writes order[tail] for every edge and only keeps it when w is new.
    order: new Int32Array(n + 1),
    // Successors of order[i] are succ[succStart[i] .. succStart[i + 1]), recorded during the search
    // so that the backward sweep needs no distance test (and no mispredicted branch) per edge.
    succStart: new Int32Array(n + 1),
    succ: new Int32Array(rows.targets.length + 1),
  };
  return (sources, result) => unweightedSearches(rows, work, sources, result);
}

function unweightedSearches(
  rows: Rows,
  work: UnweightedWork,
  sources: Int32Array,
  result: Float64Array,
): void {
  const { offsets, targets } = rows;
  const { dist, sigma, order, succStart, succ } = work;
  for (let k = 0; k < sources.length; k++) {
    const s = sources[k]!;
    dist[s] = 0;
    sigma[s] = 1;
    order[0] = s;
    let tail = 1;
    let count = 0;
    for (let head = 0; head < tail; head++) {
      const v = order[head]!;
      succStart[head] = count;
      const next = dist[v]! + 1;
      const sv = sigma[v]!;
      // Branch-free on purpose: whether w is new, and whether it lies one step further, are
      // coin flips to the branch predictor, and mispredicting them cost more than always doing
      // the stores (measured in bench/profiles/centrality.md). `fresh` is 1 when dist[w] is -1,
      // `isNext` is 1 when dist[w] === next (both distances are non-negative, so the xor is 0
      // exactly then); the writes of order[tail], succ[count] and sigma[w] are kept only when
      // their flag is 1. sigma[w] of a new node is 0: every node's sigma is cleared after its search.
      for (let e = offsets[v]!, end = offsets[v + 1]!; e < end; e++) {
        const w = targets[e]!;
        const before = dist[w]!;
        const fresh = before >>> 31;
        const dw = before + fresh * (next + 1);
        dist[w] = dw;
        order[tail] = w;
        tail += fresh;
        const isNext = ((dw ^ next) - 1) >>> 31;
        sigma[w] += sv * isNext;
        succ[count] = w;
        count += isNext;
      }
    }
    succStart[tail] = count;
    for (let i = tail - 1; i > 0; i--) {
      const v = order[i]!;
      let sum = 0;
      for (let j = succStart[i]!, end = succStart[i + 1]!; j < end; j++) sum += sigma[succ[j]!]!;
      const sv = sigma[v]!;
      sigma[v] = 1 / sv + sum;
      result[v] += sv * sum;
    }
    for (let i = 0; i < tail; i++) {
      const v = order[i]!;
      dist[v] = -1;
      sigma[v] = 0;
    }
  }
}

/** The weighted search's arrays, allocated once per prepared graph and clean between sources. */
interface WeightedWork {
  readonly dist: Float64Array;
  readonly rank: Int32Array;
  readonly sigma: Float64Array;
  readonly coeff: Float64Array;
  readonly order: Int32Array;
  readonly heap: MinHeap;
}

function weightedBrandes(rows: Rows): Kernel {
  const n = rows.offsets.length - 1;
  const work: WeightedWork = {
    dist: new Float64Array(n).fill(Infinity),
    rank: new Int32Array(n).fill(-1),
    sigma: new Float64Array(n),
    coeff: new Float64Array(n),
    order: new Int32Array(n),
    heap: new MinHeap(n),
  };
  return (sources, result) => weightedSearches(rows, work, sources, result);
}

function weightedSearches(
  rows: Rows,
  work: WeightedWork,
  sources: Int32Array,
  result: Float64Array,
): void {
  const { offsets, targets, weights } = rows;
  const { dist, rank, sigma, coeff, order, heap } = work;
  for (let k = 0; k < sources.length; k++) {
    const s = sources[k]!;
    let settled = 0;
    dist[s] = 0;
    sigma[s] = 1;
    heap.clear();
    heap.push(0, s);
    while (heap.size > 0) {
      const key = heap.peekKey();
      const v = heap.pop();
      if (rank[v]! >= 0 || key > dist[v]!) continue;
      rank[v] = settled;
      order[settled++] = v;
      const sv = sigma[v]!;
      for (let e = offsets[v]!, end = offsets[v + 1]!; e < end; e++) {
        const w = targets[e]!;
        if (rank[w]! >= 0) continue;
        const candidate = key + weights[e]!;
        const dw = dist[w]!;
        if (candidate < dw) {
          dist[w] = candidate;
          sigma[w] = sv;
          heap.push(candidate, w);
        } else if (candidate === dw) {
          sigma[w] += sv;
        }
      }
    }
    for (let i = settled - 1; i > 0; i--) {
      const v = order[i]!;
      const dv = dist[v]!;
      const rv = rank[v]!;
      let sum = 0;
      for (let e = offsets[v]!, end = offsets[v + 1]!; e < end; e++) {
        const w = targets[e]!;
        // The rank test only matters for zero-length edges, where both ends share a distance.
        if (dv + weights[e]! === dist[w] && rank[w]! > rv) sum += coeff[w]!;
      }
      const sv = sigma[v]!;
      coeff[v] = 1 / sv + sum;
      result[v] += sv * sum;
    }
    for (let i = 0; i < settled; i++) {
      const v = order[i]!;
      dist[v] = Infinity;
      rank[v] = -1;
    }
  }
}

/**
 * `k` distinct source nodes drawn uniformly from `n` by a seeded partial Fisher–Yates shuffle, or
 * null (every node, exact betweenness) when `k` is absent or at least `n`, as NetworkX treats
 * `k == len(G)`. The same seed always gives the same sources, on any thread.
 */
export function sampleSources(n: number, k: number | undefined, seed = 0): Int32Array | null {
  if (k === undefined || k >= n) return null;
  if (!(Number.isInteger(k) && k >= 1)) {
    throw new RangeError(`betweenness k must be a whole number of at least 1, not ${k}`);
  }
  const random = createRandom(seed);
  const pool = allNodes(n);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    const picked = pool[j]!;
    pool[j] = pool[i]!;
    pool[i] = picked;
  }
  return pool.slice(0, k);
}

/**
 * Scales summed Brandes dependencies exactly as NetworkX 2.8's `_rescale` (no endpoints): with `k`
 * sampled sources the scale is multiplied by n / k, an estimate of the sum over all n sources.
 * (NetworkX 2.8 leaves unnormalised directed sums unscaled, sampled or not; so does this.)
 */
export function rescaleBetweenness(
  graph: Pick<Graph, 'nodeCount' | 'directed'>,
  raw: Float64Array,
  normalized = true,
  k: number | null = null,
): Float64Array {
  const n = graph.nodeCount;
  let scale: number | null = null;
  if (normalized) {
    if (n > 2) scale = 1 / ((n - 1) * (n - 2));
  } else if (!graph.directed) {
    scale = 0.5;
  }
  const result = Float64Array.from(raw);
  if (scale !== null) {
    if (k !== null) scale = (scale * n) / k;
    for (let i = 0; i < n; i++) result[i]! *= scale;
  }
  return result;
}

export function betweennessCentrality(
  graph: Graph,
  options: BetweennessOptions = {},
): Float64Array {
  const sampled = sampleSources(graph.nodeCount, options.k, options.seed);
  const raw = betweennessRaw(graph, { ...options, ...(sampled ? { sources: sampled } : {}) });
  return rescaleBetweenness(graph, raw, options.normalized ?? true, sampled?.length ?? null);
}

export interface ClosenessOptions extends WeightOption {
  /** Wasserman–Faust scaling by the reachable share of the graph (NetworkX default true). */
  wfImproved?: boolean;
}

/**
 * (r - 1) / (sum of distances to the r - 1 reachable nodes), times (r - 1) / (n - 1) with the
 * Wasserman–Faust correction. Directed graphs use incoming distances, as NetworkX does.
 */
export function closenessCentrality(graph: Graph, options: ClosenessOptions = {}): Float64Array {
  const weighted = options.weighted ?? graph.weighted;
  const wfImproved = options.wfImproved ?? true;
  const n = graph.nodeCount;
  const offsets = graph.inOffsets;
  const targets = graph.inTargets;
  const weights = graph.inWeights;
  if (weighted) assertNonNegative(weights);
  const result = new Float64Array(n);
  const order = new Int32Array(n);
  const hops = new Int32Array(n).fill(-1);
  const dist = new Float64Array(n).fill(Infinity);
  const done = new Uint8Array(n);
  const heap = new MinHeap(n);
  for (let s = 0; s < n; s++) {
    let reached = 0;
    let total = 0;
    if (!weighted) {
      hops[s] = 0;
      order[reached++] = s;
      for (let head = 0; head < reached; head++) {
        const v = order[head]!;
        const next = hops[v]! + 1;
        for (let e = offsets[v]!, end = offsets[v + 1]!; e < end; e++) {
          const w = targets[e]!;
          if (hops[w]! < 0) {
            hops[w] = next;
            total += next;
            order[reached++] = w;
          }
        }
      }
      for (let i = 0; i < reached; i++) hops[order[i]!] = -1;
    } else {
      dist[s] = 0;
      heap.clear();
      heap.push(0, s);
      while (heap.size > 0) {
        const key = heap.peekKey();
        const v = heap.pop();
        if (done[v] || key > dist[v]!) continue;
        done[v] = 1;
        order[reached++] = v;
        total += key;
        for (let e = offsets[v]!, end = offsets[v + 1]!; e < end; e++) {
          const w = targets[e]!;
          const candidate = key + weights[e]!;
          if (!done[w] && candidate < dist[w]!) {
            dist[w] = candidate;
            heap.push(candidate, w);
          }
        }
      }
      for (let i = 0; i < reached; i++) {
        dist[order[i]!] = Infinity;
        done[order[i]!] = 0;
      }
    }
    let value = 0;
    if (total > 0 && n > 1) {
      value = (reached - 1) / total;
      if (wfImproved) value *= (reached - 1) / (n - 1);
    }
    result[s] = value;
  }
  return result;
}

export interface PowerIterationOptions extends WeightOption {
  maxIter?: number;
  tol?: number;
}

export class ConvergenceError extends Error {
  override readonly name = 'ConvergenceError';
}

/**
 * `nx.eigenvector_centrality`: power iteration on (A + I) from a uniform start, L2-normalised each
 * step, stopping when the L1 change drops below n * tol. Directed graphs score incoming links.
 * Throws ConvergenceError after maxIter iterations, as NetworkX does.
 */
export function eigenvectorCentrality(
  graph: Graph,
  options: PowerIterationOptions = {},
): Float64Array {
  const weighted = options.weighted ?? graph.weighted;
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-6;
  const n = graph.nodeCount;
  if (n === 0) throw new Error('eigenvector centrality of an empty graph is undefined');
  const { offsets, targets, weights } = graph;
  let x = new Float64Array(n).fill(1 / n);
  let next = new Float64Array(n);
  for (let iteration = 0; iteration < maxIter; iteration++) {
    next.set(x);
    for (let v = 0; v < n; v++) {
      const xv = x[v]!;
      for (let e = offsets[v]!, end = offsets[v + 1]!; e < end; e++) {
        next[targets[e]!] += weighted ? xv * weights[e]! : xv;
      }
    }
    let squares = 0;
    for (let i = 0; i < n; i++) squares += next[i]! ** 2;
    const norm = Math.sqrt(squares) || 1;
    let change = 0;
    for (let i = 0; i < n; i++) {
      next[i] = next[i]! / norm;
      change += Math.abs(next[i]! - x[i]!);
    }
    [x, next] = [next, x];
    if (change < n * tol) return x;
  }
  throw new ConvergenceError(`eigenvector centrality did not converge in ${maxIter} iterations`);
}

export interface PageRankOptions extends PowerIterationOptions {
  /** Damping factor, 0.85 by default. */
  alpha?: number;
}

/**
 * `nx.pagerank` (the SciPy variant NetworkX 2.8 uses): rows of the weighted adjacency matrix are
 * scaled to sum 1, dangling nodes (no outgoing weight) spread their rank uniformly, no
 * renormalisation between steps, stop when the L1 change drops below n * tol.
 */
export function pagerank(graph: Graph, options: PageRankOptions = {}): Float64Array {
  const weighted = options.weighted ?? graph.weighted;
  const alpha = options.alpha ?? 0.85;
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-6;
  const n = graph.nodeCount;
  if (n === 0) return new Float64Array(0);
  const { offsets, targets, weights } = graph;
  // Transition weights A[i,j] / rowsum(i), computed as NetworkX does: multiply by the reciprocal.
  const transition = new Float64Array(targets.length);
  const dangling: number[] = [];
  for (let v = 0; v < n; v++) {
    let rowSum = 0;
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) rowSum += weighted ? weights[e]! : 1;
    if (rowSum === 0) {
      dangling.push(v);
      continue;
    }
    const inverse = 1 / rowSum;
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
      transition[e] = (weighted ? weights[e]! : 1) * inverse;
    }
  }
  const uniform = 1 / n;
  let x = new Float64Array(n).fill(uniform);
  let next = new Float64Array(n);
  for (let iteration = 0; iteration < maxIter; iteration++) {
    next.fill(0);
    for (let v = 0; v < n; v++) {
      const xv = x[v]!;
      for (let e = offsets[v]!, end = offsets[v + 1]!; e < end; e++) {
        next[targets[e]!] += xv * transition[e]!;
      }
    }
    let danglingSum = 0;
    for (const v of dangling) danglingSum += x[v]!;
    let change = 0;
    for (let i = 0; i < n; i++) {
      next[i] = alpha * (next[i]! + danglingSum * uniform) + (1 - alpha) * uniform;
      change += Math.abs(next[i]! - x[i]!);
    }
    [x, next] = [next, x];
    if (change < n * tol) return x;
  }
  throw new ConvergenceError(`pagerank did not converge in ${maxIter} iterations`);
}

export interface RankedNode {
  id: string;
  degree: number;
}

/** The `limit` nodes of highest degree, ties broken by ascending id (code-unit order). */
export function mostConnected(graph: Graph, limit = 10): RankedNode[] {
  const degree = degrees(graph);
  const ids = graph.ids;
  const ranked = allNodes(graph.nodeCount).sort((a, b) => {
    const byDegree = degree[b]! - degree[a]!;
    if (byDegree !== 0) return byDegree;
    const idA = ids[a]!;
    const idB = ids[b]!;
    return idA < idB ? -1 : idA > idB ? 1 : 0;
  });
  return Array.from(ranked.subarray(0, Math.max(0, limit)), (i) => ({
    id: ids[i]!,
    degree: degree[i]!,
  }));
}
