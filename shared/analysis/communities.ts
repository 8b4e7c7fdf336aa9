/**
 * Community detection by the Louvain method (Blondel et al. 2008), and Newman's modularity.
 *
 * Louvain alternates two phases until nothing moves: (1) visit nodes in a seeded random order and
 * move each into the neighbouring community with the largest modularity gain
 *   gain(i → C) = w(i, C) − resolution · tot(C) · k(i) / 2m
 * (w = weight from i into C, tot = summed degree of C, k = degree of i), until a full pass moves
 * no node; (2) collapse every community into one node (internal weight becomes a self-loop) and
 * repeat on the smaller graph. Several trials with different random orders may be run and the
 * best partition kept; everything derives from the seed, so results are reproducible.
 *
 * Directed graphs are analysed through their undirected view (reciprocal weights summed).
 */
import { undirectedView } from './graph.ts';
import type { Graph } from './graph.ts';
import { groupByLabel } from './paths.ts';
import { createRandom, shuffle } from '../base/random.ts';
import type { Random } from '../base/random.ts';

export interface CommunityOptions {
  seed?: number;
  /** Values above 1 favour smaller communities. Default 1. */
  resolution?: number;
  /** Use edge weights; defaults to graph.weighted. */
  weighted?: boolean;
  /** Independent runs with different visiting orders; the best modularity wins. Default 4. */
  trials?: number;
  /** Stop aggregating when a level improves modularity by no more than this. Default 1e-7. */
  threshold?: number;
}

export interface CommunityResult {
  /** Communities as node ids, largest first; nodes keep graph order. */
  communities: string[][];
  /** Community number per node, matching the index into `communities`. */
  labels: Int32Array;
  modularity: number;
}

/** Weighted undirected graph in CSR form without self-loops, which are kept apart in `loops`. */
interface LevelGraph {
  n: number;
  offsets: Int32Array;
  targets: Int32Array;
  weights: Float64Array;
  loops: Float64Array;
}

export function louvainCommunities(graph: Graph, options: CommunityOptions = {}): CommunityResult {
  const view = undirectedView(graph);
  const weighted = options.weighted ?? graph.weighted;
  const resolution = options.resolution ?? 1;
  const trials = Math.max(1, options.trials ?? 4);
  const threshold = options.threshold ?? 1e-7;
  const random = createRandom(options.seed ?? 0);
  const base = levelGraphOf(view, weighted);
  let best: Int32Array | null = null;
  let bestModularity = -Infinity;
  for (let trial = 0; trial < trials; trial++) {
    let labels = runLouvain(base, resolution, threshold, random);
    let q = levelModularity(base, labels, resolution);
    for (let round = 0; round < 10; round++) {
      const refined = runLouvain(base, resolution, threshold, random, labels);
      const refinedQ = levelModularity(base, refined, resolution);
      if (refinedQ - q <= threshold) break;
      labels = refined;
      q = refinedQ;
    }
    if (q > bestModularity) {
      bestModularity = q;
      best = labels;
    }
  }
  const { labels, count } = canonicalLabels(best ?? new Int32Array(0));
  return {
    communities: groupByLabel(view, labels, count),
    labels,
    modularity: modularity(view, labels, { resolution, weighted }),
  };
}

function levelGraphOf(graph: Graph, weighted: boolean): LevelGraph {
  const n = graph.nodeCount;
  const loops = new Float64Array(n);
  const offsets = new Int32Array(n + 1);
  const targets = new Int32Array(graph.targets.length);
  const weights = new Float64Array(graph.targets.length);
  let slot = 0;
  for (let v = 0; v < n; v++) {
    for (let e = graph.offsets[v]!; e < graph.offsets[v + 1]!; e++) {
      const w = graph.targets[e]!;
      const weight = weighted ? graph.weights[e]! : 1;
      if (w === v) {
        loops[v] = weight;
      } else {
        targets[slot] = w;
        weights[slot++] = weight;
      }
    }
    offsets[v + 1] = slot;
  }
  return { n, offsets, targets: targets.slice(0, slot), weights: weights.slice(0, slot), loops };
}

function nodeStrengths(level: LevelGraph): Float64Array {
  const strength = new Float64Array(level.n);
  for (let v = 0; v < level.n; v++) {
    let k = 2 * level.loops[v]!;
    for (let e = level.offsets[v]!; e < level.offsets[v + 1]!; e++) k += level.weights[e]!;
    strength[v] = k;
  }
  return strength;
}

/**
 * Full multi-level Louvain; returns a community number per node of `base`. With `initial`, the
 * first level starts from that partition instead of singletons, which lets a finished run be
 * refined by running again from its own result (single nodes may still move between the final
 * communities, and the coarser levels get another chance to merge).
 */
function runLouvain(
  base: LevelGraph,
  resolution: number,
  threshold: number,
  random: Random,
  initial?: Int32Array,
): Int32Array {
  let membership = new Int32Array(base.n);
  for (let i = 0; i < base.n; i++) membership[i] = i;
  let level = base;
  let start = initial ? compactLabels(initial).labels : null;
  let quality = levelModularity(base, start ?? membership, resolution);
  for (;;) {
    const local = moveNodes(level, resolution, random, start);
    if (local === null) break;
    const { labels, count } = compactLabels(local);
    const next = new Int32Array(base.n);
    for (let i = 0; i < base.n; i++) next[i] = labels[membership[i]!]!;
    const nextQuality = levelModularity(base, next, resolution);
    if (start === null && nextQuality - quality <= threshold) break;
    membership = next;
    quality = nextQuality;
    start = null;
    if (count === level.n) break;
    level = aggregate(level, labels, count);
  }
  return membership;
}

/**
 * Phase 1: local moves until a pass moves nothing, from singletons or from `start`. Returns the
 * community per node, or null when it is still all singletons.
 */
function moveNodes(
  level: LevelGraph,
  resolution: number,
  random: Random,
  start: Int32Array | null,
): Int32Array | null {
  const { n, offsets, targets, weights } = level;
  const strength = nodeStrengths(level);
  let twoM = 0;
  for (let v = 0; v < n; v++) twoM += strength[v]!;
  if (twoM === 0) return null;
  const community = new Int32Array(n);
  const total = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    community[v] = start ? start[v]! : v;
    total[community[v]!] += strength[v]!;
  }
  const linkWeight = new Float64Array(n);
  const touched = new Int32Array(n);
  // Nodes still to visit, as a ring buffer: first all nodes in random order, then only nodes
  // next to one that moved (the queue scheme of Leiden's fast local moving), so that late passes
  // do not rescan the many nodes that are already settled.
  const queue = new Int32Array(n);
  const queued = new Uint8Array(n).fill(1);
  for (let v = 0; v < n; v++) queue[v] = v;
  shuffle(queue, random);
  let head = 0;
  let pending = n;
  // A move must beat staying by more than rounding noise, or nodes could swap forever.
  const tolerance = 1e-12 * twoM;
  let movedAny = false;
  while (pending > 0) {
    const v = queue[head]!;
    head = head + 1 === n ? 0 : head + 1;
    pending--;
    queued[v] = 0;
    const own = community[v]!;
    const kv = strength[v]!;
    let touchedCount = 0;
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
      const c = community[targets[e]!]!;
      if (linkWeight[c] === 0) touched[touchedCount++] = c;
      linkWeight[c] += weights[e]!;
    }
    total[own] -= kv;
    const scale = (resolution * kv) / twoM;
    let best = own;
    let bestGain = linkWeight[own]! - total[own]! * scale + tolerance;
    for (let t = 0; t < touchedCount; t++) {
      const c = touched[t]!;
      const gain = linkWeight[c]! - total[c]! * scale;
      if (gain > bestGain) {
        bestGain = gain;
        best = c;
      }
      linkWeight[c] = 0;
    }
    linkWeight[own] = 0;
    total[best] += kv;
    if (best === own) continue;
    community[v] = best;
    movedAny = true;
    for (let e = offsets[v]!; e < offsets[v + 1]!; e++) {
      const w = targets[e]!;
      if (!queued[w] && community[w] !== best) {
        queued[w] = 1;
        queue[(head + pending) % n] = w;
        pending++;
      }
    }
  }
  return movedAny || start ? community : null;
}

/** Renumbers arbitrary labels densely as 0..count-1 in order of first appearance. */
function compactLabels(raw: Int32Array): { labels: Int32Array; count: number } {
  const rename = new Int32Array(raw.length).fill(-1);
  const labels = new Int32Array(raw.length);
  let count = 0;
  for (let i = 0; i < raw.length; i++) {
    const label = raw[i]!;
    if (rename[label] === -1) rename[label] = count++;
    labels[i] = rename[label]!;
  }
  // `labels` maps node → community; callers index it by old node, so return it as is.
  return { labels, count };
}

/** Phase 2: one node per community, weights summed, internal weight kept as a self-loop. */
function aggregate(level: LevelGraph, labels: Int32Array, count: number): LevelGraph {
  const loops = new Float64Array(count);
  const buckets = Array.from({ length: count }, () => new Map<number, number>());
  for (let v = 0; v < level.n; v++) {
    const cv = labels[v]!;
    loops[cv] += level.loops[v]!;
    for (let e = level.offsets[v]!; e < level.offsets[v + 1]!; e++) {
      const w = level.targets[e]!;
      const cw = labels[w]!;
      const weight = level.weights[e]!;
      if (cv === cw) {
        // Each internal edge is met from both ends.
        if (v < w) loops[cv] += weight;
      } else {
        const bucket = buckets[cv]!;
        bucket.set(cw, (bucket.get(cw) ?? 0) + weight);
      }
    }
  }
  const offsets = new Int32Array(count + 1);
  for (let c = 0; c < count; c++) offsets[c + 1] = offsets[c]! + buckets[c]!.size;
  const targets = new Int32Array(offsets[count]!);
  const weights = new Float64Array(offsets[count]!);
  for (let c = 0; c < count; c++) {
    let slot = offsets[c]!;
    for (const [d, weight] of buckets[c]!) {
      targets[slot] = d;
      weights[slot++] = weight;
    }
  }
  return { n: count, offsets, targets, weights, loops };
}

function levelModularity(level: LevelGraph, labels: Int32Array, resolution: number): number {
  const strength = nodeStrengths(level);
  const internal = new Float64Array(level.n);
  const degreeSum = new Float64Array(level.n);
  let twoM = 0;
  for (let v = 0; v < level.n; v++) {
    const c = labels[v]!;
    twoM += strength[v]!;
    degreeSum[c] += strength[v]!;
    internal[c] += level.loops[v]!;
    for (let e = level.offsets[v]!; e < level.offsets[v + 1]!; e++) {
      const w = level.targets[e]!;
      if (v < w && labels[w] === c) internal[c] += level.weights[e]!;
    }
  }
  if (twoM === 0) return 0;
  const m = twoM / 2;
  let q = 0;
  for (let c = 0; c < level.n; c++) {
    if (degreeSum[c] === 0 && internal[c] === 0) continue;
    q += internal[c]! / m - (resolution * degreeSum[c]! * degreeSum[c]!) / (twoM * twoM);
  }
  return q;
}

/** Labels renumbered so that community 0 is the largest; ties keep first-appearance order. */
function canonicalLabels(raw: Int32Array): { labels: Int32Array; count: number } {
  const { labels: dense, count } = compactLabels(raw);
  const sizes = new Array<number>(count).fill(0);
  for (const label of dense) sizes[label]!++;
  const ranking = sizes.map((_, label) => label).sort((a, b) => sizes[b]! - sizes[a]!);
  const rename = new Int32Array(count);
  ranking.forEach((label, rank) => (rename[label] = rank));
  return { labels: dense.map((label) => rename[label]!), count };
}

/**
 * Newman modularity of a partition, as `nx.community.modularity` for undirected graphs: the sum
 * over communities of L_c / m − resolution · (d_c / 2m)², self-loops counted once in L_c and twice
 * in degrees. The partition is a community number per node or lists of node ids.
 */
export function modularity(
  graph: Graph,
  partition: Int32Array | string[][],
  options: { resolution?: number; weighted?: boolean } = {},
): number {
  const view = undirectedView(graph);
  let labels: Int32Array;
  if (partition instanceof Int32Array) {
    labels = partition;
  } else {
    labels = new Int32Array(view.nodeCount).fill(-1);
    partition.forEach((group, index) => {
      for (const id of group) {
        const node = view.indexOf.get(id);
        if (node === undefined) throw new Error(`node '${id}' is not in the graph`);
        if (labels[node] !== -1) throw new Error(`node '${id}' is in two communities`);
        labels[node] = index;
      }
    });
    if (labels.includes(-1)) throw new Error('the communities do not cover every node');
  }
  const level = levelGraphOf(view, options.weighted ?? graph.weighted);
  return levelModularity(level, compactLabels(labels).labels, options.resolution ?? 1);
}
