/**
 * Betweenness on several threads (issue 13). Brandes' algorithm is one independent search per
 * source, and the dependency sums of disjoint source sets add up, so the work splits cleanly:
 *
 *   1. the sources (every node, or the k drawn by `sampleSources`) are dealt round-robin into one
 *      slice per thread: neighbouring node numbers tend to have searches of similar cost, so dealing
 *      them out keeps the threads evenly loaded without measuring anything;
 *   2. each thread, holding its own copy of the graph, works out its slice from the plan alone
 *      (index, count, k, seed: the same graph gives every thread the same node numbers and the
 *      same sample), runs `betweennessRaw` over it and hands back the raw sums;
 *   3. the sums are added in slice order (so a run is reproducible) and rescaled once.
 *
 * This module only plans and merges; who runs a slice is the caller's `runSlice` (a Web Worker in
 * the app, a worker_thread in Node), so it stays pure and one plan serves the renderer, the CLI and
 * the bench. The result equals the single-threaded one up to the order of floating-point additions.
 *
 * Where the threads share memory (Node's worker_threads), fixed slices leave a thread idle at the
 * end whenever the other runs slower (another process on its core, a colder JIT, a costlier set of
 * searches): measured idle, one thread waited 2.4 s of a 10.9 s run at 20k nodes. There the
 * sources are cut instead into chunks that the threads claim one at a time from a shared counter
 * ({@link planChunks}, {@link claimChunk}): a thread that runs faster simply claims more, and the
 * threads end within one small chunk of each other. Each chunk's sums start from zero and the
 * chunks are added in chunk order ({@link ChunkSums}), so the result does not depend on which
 * thread ran which chunk: every run gives the same bits.
 */
import {
  allNodes,
  type BetweennessOptions,
  betweennessRaw,
  type BrandesGraph,
  rescaleBetweenness,
  sampleSources,
} from './centrality.ts';
import type { Graph } from './graph.ts';

/** One thread's share of a betweenness run: plain data, posted to the thread. */
export interface BetweennessSlice {
  /** This slice's number, 0 ≤ index < count. */
  readonly index: number;
  readonly count: number;
  /** Honour edge weights; the graph's own `weighted` when absent. */
  readonly weighted?: boolean;
  /** The run's sample size and seed (absent: every node is a source). */
  readonly k?: number;
  readonly seed?: number;
}

/** Runs one slice somewhere and resolves to its raw sums (length = node count). */
export type RunBetweennessSlice = (slice: BetweennessSlice) => Promise<Float64Array>;

/** Deals `sources` round-robin into at most `parts` non-empty slices (at least one). */
export function splitSources(sources: Int32Array, parts: number): Int32Array[] {
  const count = Math.max(1, Math.min(Math.floor(parts), sources.length));
  const slices: Int32Array[] = [];
  for (let p = 0; p < count; p++) {
    const slice = new Int32Array(Math.ceil((sources.length - p) / count));
    for (let i = p, j = 0; i < sources.length; i += count, j++) slice[j] = sources[i]!;
    slices.push(slice);
  }
  return slices;
}

/**
 * The slices of a run on `threads` threads: fewer for a graph of fewer sources, when its node count
 * `n` is known (a thread that builds the graph itself may get an empty slice otherwise).
 */
export function planSlices(
  n: number | null,
  options: BetweennessOptions,
  threads: number,
): BetweennessSlice[] {
  const sources = Math.min(n ?? Infinity, options.k ?? Infinity);
  const count = Math.max(1, Math.min(Math.floor(threads), sources));
  const weighted = options.weighted === undefined ? {} : { weighted: options.weighted };
  const sample = options.k === undefined ? {} : { k: options.k, seed: options.seed ?? 0 };
  return Array.from({ length: count }, (_, index) => ({ index, count, ...weighted, ...sample }));
}

/** The sources of one slice, worked out from the plan alone. */
export function sliceSources(n: number, slice: BetweennessSlice): Int32Array {
  const sources =
    sampleSources(n, slice.k, slice.seed) ?? Int32Array.from({ length: n }, (_, i) => i);
  return splitSources(sources, slice.count)[slice.index] ?? new Int32Array(0);
}

/** What a thread runs: the raw Brandes sums over its slice's sources. */
export function betweennessOfSlice(graph: BrandesGraph, slice: BetweennessSlice): Float64Array {
  const sources = sliceSources(graph.nodeCount, slice);
  return betweennessRaw(graph, {
    sources,
    ...(slice.weighted === undefined ? {} : { weighted: slice.weighted }),
  });
}

/** Adds raw sums slot by slot, in the order given. */
export function addRawSums(n: number, partials: readonly Float64Array[]): Float64Array {
  const total = new Float64Array(n);
  for (const partial of partials) {
    if (partial.length !== n) {
      throw new RangeError(`betweenness slice has ${partial.length} values for ${n} nodes`);
    }
    for (let i = 0; i < n; i++) total[i]! += partial[i]!;
  }
  return total;
}

/** The slices' raw sums, added and scaled as `betweennessCentrality(graph, options)` scales. */
export function mergeSlices(
  graph: Pick<Graph, 'nodeCount' | 'directed'>,
  options: BetweennessOptions,
  partials: readonly Float64Array[],
): Float64Array {
  const n = graph.nodeCount;
  const k = options.k !== undefined && options.k < n ? options.k : null;
  return rescaleBetweenness(graph, addRawSums(n, partials), options.normalized ?? true, k);
}

/**
 * `betweennessCentrality(graph, options)` with the searches spread over `threads` slices, each run
 * by `runSlice` (all at once: the caller's pool decides where).
 */
export async function betweennessInSlices(
  graph: Graph,
  options: BetweennessOptions,
  threads: number,
  runSlice: RunBetweennessSlice,
): Promise<Float64Array> {
  const slices = planSlices(graph.nodeCount, options, threads);
  return mergeSlices(graph, options, await Promise.all(slices.map(runSlice)));
}

/** Every source of a run: the k drawn by `sampleSources`, or all nodes in order. */
export function runSources(n: number, options: Pick<BetweennessOptions, 'k' | 'seed'>): Int32Array {
  return sampleSources(n, options.k, options.seed) ?? allNodes(n);
}

/**
 * Chunk bounds over a run's source list for `threads` threads that claim chunks one at a time:
 * chunk c is sources[bounds[c] .. bounds[c + 1]). Guided sizes: each chunk takes 1/(2 threads)
 * of the sources still left, but never fewer than 1/(64 threads) of all, so the first chunks
 * are large (few claims, few node-sized partial sums) and the last ones small (the threads end
 * close together). A chunk's fixed cost is one node-sized array to fill, hand back and add,
 * small beside even one search over the graph.
 */
export function planChunks(sourceCount: number, threads: number): Int32Array {
  const t = Math.max(1, Math.floor(threads));
  const smallest = Math.max(1, Math.ceil(sourceCount / (64 * t)));
  const bounds = [0];
  for (let start = 0; start < sourceCount;) {
    const left = sourceCount - start;
    start += Math.min(left, Math.max(smallest, Math.ceil(left / (2 * t))));
    bounds.push(start);
  }
  return Int32Array.from(bounds);
}

/**
 * Claims the next chunk of a run from its counter (an Int32Array of one slot over shared memory,
 * starting at 0), or null when every chunk is taken. Atomic: two threads never get the same chunk.
 */
export function claimChunk(counter: Int32Array, bounds: Int32Array): number | null {
  const chunk = Atomics.add(counter, 0, 1);
  return chunk < bounds.length - 1 ? chunk : null;
}

/**
 * The raw sums of a run's chunks, arriving in any order, added in chunk order: a chunk that comes
 * early waits until those before it are in (the threads claim in order, so few ever wait).
 */
export class ChunkSums {
  readonly #total: Float64Array;
  readonly #waiting = new Map<number, Float64Array>();
  #next = 0;

  constructor(
    readonly nodeCount: number,
    readonly chunkCount: number,
  ) {
    this.#total = new Float64Array(nodeCount);
  }

  /** Records chunk `chunk`'s sums; a chunk given twice is refused. */
  add(chunk: number, raw: Float64Array): void {
    if (!(Number.isInteger(chunk) && chunk >= this.#next && chunk < this.chunkCount)) {
      throw new RangeError(`betweenness chunk ${chunk} is not awaited`);
    }
    if (this.#waiting.has(chunk)) throw new RangeError(`betweenness chunk ${chunk} came twice`);
    if (raw.length !== this.nodeCount) {
      throw new RangeError(
        `betweenness chunk has ${raw.length} values for ${this.nodeCount} nodes`,
      );
    }
    this.#waiting.set(chunk, raw);
    const total = this.#total;
    for (let sums = this.#waiting.get(this.#next); sums; sums = this.#waiting.get(this.#next)) {
      this.#waiting.delete(this.#next++);
      for (let i = 0; i < total.length; i++) total[i]! += sums[i]!;
    }
  }

  get complete(): boolean {
    return this.#next === this.chunkCount;
  }

  /** Chunks not given yet, in order (a thread that failed leaves its claimed ones missing). */
  missing(): number[] {
    const missing: number[] = [];
    for (let c = this.#next; c < this.chunkCount; c++) if (!this.#waiting.has(c)) missing.push(c);
    return missing;
  }

  /** The summed raw sums; only once every chunk is in. */
  total(): Float64Array {
    if (!this.complete) throw new RangeError('betweenness chunks are missing');
    return this.#total;
  }
}
