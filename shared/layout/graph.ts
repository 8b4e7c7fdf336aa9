// Compressed sparse row (CSR) graphs and the coarsening step of the multilevel layout.
//
// Coarsening merges nodes into clusters in two passes. First a heavy-edge matching: nodes are visited
// in a seeded random order and each unmatched node pairs with the unmatched neighbour that has the
// heaviest edge relative to both masses. On scale-free graphs a plain matching stalls, because many
// low-degree nodes hang off a few hubs that can each take only one partner, so a second pass pairs
// the nodes still alone that hang off the same neighbour (two-hop matching). Each cluster becomes one
// node of the coarser graph whose mass is the number of original nodes it holds and whose edge
// weights count the original edges between clusters.

import { createRandom } from '../base/random.ts';

export interface CsrGraph {
  nodeCount: number;
  /** Neighbours of node i are adjacency[offsets[i] .. offsets[i+1]). */
  offsets: Uint32Array;
  adjacency: Uint32Array;
  /** Weight of each adjacency entry (number of original edges it stands for). */
  weights: Float64Array;
  /** Number of original nodes each node stands for. */
  masses: Float64Array;
}

/**
 * Builds a symmetric CSR graph from an edge list, dropping self-loops, out-of-range endpoints and
 * duplicate edges (duplicates collapse to weight 1: a repeated link is not a stronger link here).
 */
export function buildCsr(
  nodeCount: number,
  edgeSources: Uint32Array,
  edgeTargets: Uint32Array,
): CsrGraph {
  const edgeCount = Math.min(edgeSources.length, edgeTargets.length);
  const degree = new Uint32Array(nodeCount + 1);
  for (let k = 0; k < edgeCount; k++) {
    const a = edgeSources[k];
    const b = edgeTargets[k];
    if (a === b || a >= nodeCount || b >= nodeCount) continue;
    degree[a]++;
    degree[b]++;
  }
  const offsets = new Uint32Array(nodeCount + 1);
  for (let i = 0; i < nodeCount; i++) offsets[i + 1] = offsets[i] + degree[i];
  const fill = offsets.slice(0, nodeCount);
  const raw = new Uint32Array(offsets[nodeCount]);
  for (let k = 0; k < edgeCount; k++) {
    const a = edgeSources[k];
    const b = edgeTargets[k];
    if (a === b || a >= nodeCount || b >= nodeCount) continue;
    raw[fill[a]++] = b;
    raw[fill[b]++] = a;
  }
  // Sort each neighbour list and squeeze out repeats in place.
  const compactOffsets = new Uint32Array(nodeCount + 1);
  let write = 0;
  for (let i = 0; i < nodeCount; i++) {
    const start = offsets[i];
    const end = offsets[i + 1];
    const list = raw.subarray(start, end);
    list.sort();
    compactOffsets[i] = write;
    let previous = -1;
    for (let k = 0; k < list.length; k++) {
      const v = list[k];
      if (v !== previous) raw[write++] = v;
      previous = v;
    }
  }
  compactOffsets[nodeCount] = write;
  const adjacency = raw.slice(0, write);
  const weights = new Float64Array(write).fill(1);
  return {
    nodeCount,
    offsets: compactOffsets,
    adjacency,
    weights,
    masses: new Float64Array(nodeCount).fill(1),
  };
}

export interface CoarseLevel {
  graph: CsrGraph;
  /** clusterOf[fineNode] = coarse node that contains it. */
  clusterOf: Uint32Array;
}

/** Merges nodes of `fine` into clusters (see the file overview); deterministic for a seed. */
export function coarsen(fine: CsrGraph, seed: number): CoarseLevel {
  const n = fine.nodeCount;
  const { offsets, adjacency, weights, masses } = fine;
  const random = createRandom(seed);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = order[i];
    order[i] = order[j]!;
    order[j] = t;
  }
  const cluster = new Int32Array(n).fill(-1);
  const clusterMass: number[] = [];
  let clusterCount = 0;
  for (let k = 0; k < n; k++) {
    const u = order[k];
    if (cluster[u] !== -1) continue;
    let best = -1;
    let bestScore = -1;
    const mu = masses[u];
    for (let e = offsets[u]; e < offsets[u + 1]; e++) {
      const v = adjacency[e];
      if (cluster[v] !== -1) continue;
      const score = weights[e] / (mu * masses[v]);
      if (score > bestScore) {
        bestScore = score;
        best = v;
      }
    }
    if (best >= 0) {
      cluster[u] = clusterCount;
      cluster[best] = clusterCount;
      clusterMass.push(mu + masses[best]);
      clusterCount++;
    }
  }
  // Second pass: a node left alone has only matched neighbours. Nodes left alone around the same
  // anchor (their neighbour in the lightest cluster) pair up with each other — the two-hop matching
  // that lets the leaves of a star shrink by half per level instead of piling into the hub's
  // cluster. An odd one out joins its anchor's cluster.
  const anchorOf = new Int32Array(n).fill(-1);
  const waiting = new Int32Array(n).fill(-1);
  for (let k = 0; k < n; k++) {
    const u = order[k];
    if (cluster[u] !== -1) continue;
    let anchor = -1;
    let anchorMass = Infinity;
    for (let e = offsets[u]; e < offsets[u + 1]; e++) {
      const v = adjacency[e];
      const m = clusterMass[cluster[v]];
      if (cluster[v] >= 0 && m < anchorMass) {
        anchorMass = m;
        anchor = v;
      }
    }
    if (anchor < 0) {
      cluster[u] = clusterCount++;
      clusterMass.push(masses[u]);
      continue;
    }
    anchorOf[u] = anchor;
    const partner = waiting[anchor];
    if (partner === -1) {
      waiting[anchor] = u;
    } else {
      waiting[anchor] = -1;
      cluster[u] = clusterCount;
      cluster[partner] = clusterCount;
      clusterMass.push(masses[u] + masses[partner]);
      clusterCount++;
    }
  }
  for (let k = 0; k < n; k++) {
    const u = order[k];
    if (cluster[u] !== -1) continue;
    const c = cluster[anchorOf[u]];
    cluster[u] = c;
    clusterMass[c] += masses[u];
  }
  const clusterOf = new Uint32Array(cluster.buffer);

  // Group fine nodes by cluster (counting sort) so each coarse adjacency list is built in one sweep.
  const memberOffsets = new Uint32Array(clusterCount + 1);
  for (let u = 0; u < n; u++) memberOffsets[clusterOf[u] + 1]++;
  for (let c = 0; c < clusterCount; c++) memberOffsets[c + 1] += memberOffsets[c];
  const members = new Uint32Array(n);
  const memberFill = memberOffsets.slice(0, clusterCount);
  for (let u = 0; u < n; u++) members[memberFill[clusterOf[u]]++] = u;

  const coarseOffsets = new Uint32Array(clusterCount + 1);
  const coarseAdjacency = new Uint32Array(adjacency.length);
  const coarseWeights = new Float64Array(adjacency.length);
  const slot = new Int32Array(clusterCount).fill(-1);
  const coarseMasses = new Float64Array(clusterCount);
  let write = 0;
  for (let c = 0; c < clusterCount; c++) {
    coarseOffsets[c] = write;
    const rowStart = write;
    for (let m = memberOffsets[c]; m < memberOffsets[c + 1]; m++) {
      const u = members[m];
      coarseMasses[c] += masses[u];
      for (let e = offsets[u]; e < offsets[u + 1]; e++) {
        const d = clusterOf[adjacency[e]];
        if (d === c) continue;
        const s = slot[d];
        if (s >= rowStart) {
          coarseWeights[s] += weights[e];
        } else {
          slot[d] = write;
          coarseAdjacency[write] = d;
          coarseWeights[write] = weights[e]!;
          write++;
        }
      }
    }
  }
  coarseOffsets[clusterCount] = write;
  return {
    graph: {
      nodeCount: clusterCount,
      offsets: coarseOffsets,
      adjacency: coarseAdjacency.slice(0, write),
      weights: coarseWeights.slice(0, write),
      masses: coarseMasses,
    },
    clusterOf,
  };
}

export interface Components {
  count: number;
  /** Nodes of component c are members[offsets[c] .. offsets[c+1]), in ascending order. */
  offsets: Uint32Array;
  members: Uint32Array;
}

/** Connected components, numbered by their smallest node. */
export function connectedComponents(graph: CsrGraph): Components {
  const n = graph.nodeCount;
  const component = new Int32Array(n).fill(-1);
  const queue = new Uint32Array(n);
  let count = 0;
  for (let s = 0; s < n; s++) {
    if (component[s] !== -1) continue;
    component[s] = count;
    let head = 0;
    let tail = 0;
    queue[tail++] = s;
    while (head < tail) {
      const u = queue[head++];
      for (let e = graph.offsets[u]; e < graph.offsets[u + 1]; e++) {
        const v = graph.adjacency[e];
        if (component[v] === -1) {
          component[v] = count;
          queue[tail++] = v;
        }
      }
    }
    count++;
  }
  const offsets = new Uint32Array(count + 1);
  for (let i = 0; i < n; i++) offsets[component[i] + 1]++;
  for (let c = 0; c < count; c++) offsets[c + 1] += offsets[c];
  const fill = offsets.slice(0, count);
  const members = new Uint32Array(n);
  for (let i = 0; i < n; i++) members[fill[component[i]]++] = i;
  return { count, offsets, members };
}

/**
 * The subgraph on `members` (which must be a union of components, so no edge leaves it), with node
 * members[k] renumbered k; localIndex must already map each member to its k.
 */
export function inducedSubgraph(
  graph: CsrGraph,
  members: Uint32Array,
  localIndex: Uint32Array,
): CsrGraph {
  const m = members.length;
  const offsets = new Uint32Array(m + 1);
  for (let k = 0; k < m; k++) {
    const u = members[k];
    offsets[k + 1] = offsets[k] + graph.offsets[u + 1] - graph.offsets[u];
  }
  const adjacency = new Uint32Array(offsets[m]);
  const weights = new Float64Array(offsets[m]);
  for (let k = 0; k < m; k++) {
    const u = members[k];
    let write = offsets[k];
    for (let e = graph.offsets[u]; e < graph.offsets[u + 1]; e++) {
      adjacency[write] = localIndex[graph.adjacency[e]]!;
      weights[write] = graph.weights[e]!;
      write++;
    }
  }
  const masses = Float64Array.from(members, (u) => graph.masses[u]);
  return { nodeCount: m, offsets, adjacency, weights, masses };
}
