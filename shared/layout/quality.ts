// Layout quality measures used by tests and by the sfdp comparison bench.
// - countOverlaps: pairs of node discs whose centres are closer than the sum of their radii (less a
//   relative tolerance of 1e-6 so touching discs do not count), found with a grid in O(n) for
//   drawings without heavy overlap.
// - edgeLengthStats: mean and coefficient of variation (standard deviation / mean) of edge lengths;
//   a lower CV means more uniform edges, and CV does not depend on the drawing's scale.
// - sampledStress: normalised stress Σ w·(s·‖xi − xj‖ − dij)² / Σ w·dij² with w = dij⁻², dij the
//   graph distance and s the scale that minimises it, over pairs drawn by BFS from random sources;
//   0 means drawn distances are exactly proportional to graph distances.

import { buildCsr } from './graph.ts';
import { forEachCandidatePair } from './grid.ts';
import { createRandom } from '../base/random.ts';
import { nodeRadii } from './types.ts';
import type { LayoutGraph } from './types.ts';

/** Number of overlapping node pairs in interleaved `positions` for diameters `nodeSizes`. */
export function countOverlaps(positions: ArrayLike<number>, nodeSizes?: ArrayLike<number>): number {
  const n = positions.length >> 1;
  const xy = Float64Array.from(positions);
  const radius = nodeRadii(nodeSizes, n);
  let overlaps = 0;
  forEachCandidatePair(xy, radius, (i, j) => {
    const limit = (radius[i] + radius[j]) * (1 - 1e-6);
    const dx = xy[2 * j] - xy[2 * i];
    const dy = xy[2 * j + 1] - xy[2 * i + 1];
    if (dx * dx + dy * dy < limit * limit) overlaps++;
  });
  return overlaps;
}

export interface EdgeLengthStats {
  mean: number;
  /** Coefficient of variation: standard deviation divided by mean. */
  cv: number;
  count: number;
}

/** Mean and CV of the lengths of the graph's edges (self-loops skipped). */
export function edgeLengthStats(positions: ArrayLike<number>, graph: LayoutGraph): EdgeLengthStats {
  let sum = 0;
  let sumSquares = 0;
  let count = 0;
  const edgeCount = Math.min(graph.edgeSources.length, graph.edgeTargets.length);
  for (let k = 0; k < edgeCount; k++) {
    const a = graph.edgeSources[k];
    const b = graph.edgeTargets[k];
    if (a === b) continue;
    const length = Math.hypot(
      positions[2 * a] - positions[2 * b],
      positions[2 * a + 1] - positions[2 * b + 1],
    );
    sum += length;
    sumSquares += length * length;
    count++;
  }
  if (count === 0) return { mean: 0, cv: 0, count: 0 };
  const mean = sum / count;
  const variance = Math.max(0, sumSquares / count - mean * mean);
  return { mean, cv: mean > 0 ? Math.sqrt(variance) / mean : 0, count };
}

export interface StressOptions {
  /** BFS sources to sample. Default 20. */
  sources?: number;
  /** Targets drawn per source. Default 200. */
  targetsPerSource?: number;
  seed?: number;
}

/** Normalised stress over sampled connected pairs (see the file overview); 0 when no pairs. */
export function sampledStress(
  positions: ArrayLike<number>,
  graph: LayoutGraph,
  options: StressOptions = {},
): number {
  const n = graph.nodeCount;
  if (n < 2) return 0;
  const csr = buildCsr(n, graph.edgeSources, graph.edgeTargets);
  const random = createRandom(options.seed ?? 1);
  const sources = Math.max(0, Math.floor(options.sources ?? 20));
  const targetsPerSource = Math.max(0, Math.floor(options.targetsPerSource ?? 200));
  const distance = new Int32Array(n);
  const queue = new Uint32Array(n);
  // One slot per sampled pair: memory stays O(samples) whatever the graph's size.
  const drawn = new Float64Array(sources * targetsPerSource);
  const graphDistance = new Uint32Array(sources * targetsPerSource);
  let pairs = 0;
  for (let s = 0; s < sources; s++) {
    const source = Math.floor(random() * n);
    distance.fill(-1);
    distance[source] = 0;
    let head = 0;
    let tail = 0;
    queue[tail++] = source;
    while (head < tail) {
      const u = queue[head++];
      for (let e = csr.offsets[u]; e < csr.offsets[u + 1]; e++) {
        const v = csr.adjacency[e];
        if (distance[v] === -1) {
          distance[v] = distance[u] + 1;
          queue[tail++] = v;
        }
      }
    }
    if (tail < 2) continue;
    for (let t = 0; t < targetsPerSource; t++) {
      const target = queue[1 + Math.floor(random() * (tail - 1))];
      drawn[pairs] = Math.hypot(
        positions[2 * source] - positions[2 * target],
        positions[2 * source + 1] - positions[2 * target + 1],
      );
      graphDistance[pairs++] = distance[target];
    }
  }
  // With w = 1/d², the best scale is s = Σ(D/d) / Σ(D²/d²).
  let numerator = 0;
  let denominator = 0;
  for (let k = 0; k < pairs; k++) {
    const ratio = drawn[k] / graphDistance[k];
    numerator += ratio;
    denominator += ratio * ratio;
  }
  if (denominator === 0) return pairs === 0 ? 0 : 1;
  const scale = numerator / denominator;
  let stress = 0;
  for (let k = 0; k < pairs; k++) {
    const residual = (scale * drawn[k]) / graphDistance[k] - 1;
    stress += residual * residual;
  }
  return stress / pairs;
}
