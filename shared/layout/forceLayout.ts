// Multilevel force-directed layout in the style of sfdp (Yifan Hu, "Efficient, high-quality
// force-directed graph drawing", Mathematica Journal 10(1), 2005).
//
// Model: the spring-electrical model. Every pair of nodes repels with force C·K²/d and every edge
// attracts with force w·d²/K, where K is the natural spring length and w the edge weight; the
// repulsion is approximated with a Barnes–Hut quadtree (quadtree.ts).
//
// Multilevel scheme: the graph is coarsened repeatedly (graph.ts) until it is small or stops
// shrinking. The coarsest graph starts from seeded random positions; each finer graph starts from
// its clusters' positions plus a small seeded jitter and is then refined. A level with n_l nodes
// uses K_l = K·sqrt(n/n_l), so every level fills about the same area and no rescaling is needed
// between levels.
//
// Step control (Hu's adaptive cooling): each iteration moves every node by `step` along its net
// force. If the total energy Σ|F|² fell, a progress counter grows and after five consecutive falls
// the step grows by 1/0.9; if it rose, the step shrinks by 0.9. A level ends when the step drops
// below tol·K_l or after maxIterations.
//
// A weak pull towards the centroid keeps disconnected components from drifting apart. Afterwards
// the drawing is scaled so that the mean edge length equals idealEdgeLength, and overlap.ts pushes
// apart any node discs that still overlap.

import { buildCsr, coarsen } from './graph.ts';
import type { CsrGraph } from './graph.ts';
import { removeOverlaps } from './overlap.ts';
import { BarnesHut, accumulateRepulsionExact } from './quadtree.ts';
import { createRandom } from './random.ts';
import { DEFAULT_NODE_SIZE } from './types.ts';
import type { LayoutGraph } from './types.ts';

export interface ForceLayoutOptions {
  /** Seed for coarsening order, initial positions and jitter; same seed, same layout. Default 1. */
  seed?: number;
  /** Iteration cap per level. Default 300. */
  maxIterations?: number;
  /** Target mean edge length of the result, in the units of nodeSizes. Default 2.5 × mean node size. */
  idealEdgeLength?: number;
  /** Barnes–Hut opening criterion; smaller is more exact and slower. Default 1. */
  theta?: number;
  /** Convergence tolerance relative to K. Default 0.02. */
  tolerance?: number;
  /** Run the overlap-removal pass. Default true. */
  removeOverlaps?: boolean;
}

/** Repulsion constant C of the spring-electrical model (Hu's choice). */
const REPULSION = 0.2;
/** Graphs at or below this size are laid out directly rather than coarsened further. */
const COARSEST_SIZE = 50;
/** Below this many nodes the exact O(n²) repulsion is cheaper than building a quadtree. */
const EXACT_REPULSION_LIMIT = 80;
const COOLING = 0.9;

interface Workspace {
  barnesHut: BarnesHut;
  fx: Float64Array;
  fy: Float64Array;
}

/**
 * Lays out `graph` and returns interleaved positions [x0, y0, x1, y1, …]. Self-loops, duplicate
 * edges and out-of-range endpoints are ignored. Pure and deterministic for a given seed.
 */
export function forceLayout(graph: LayoutGraph, options: ForceLayoutOptions = {}): Float64Array {
  const n = Math.max(0, Math.floor(graph.nodeCount));
  const seed = options.seed ?? 1;
  const maxIterations = options.maxIterations ?? 300;
  const theta = options.theta ?? 1;
  const tolerance = options.tolerance ?? 0.02;
  const sizes = graph.nodeSizes;
  let meanSize = DEFAULT_NODE_SIZE;
  if (sizes && n > 0) {
    meanSize = 0;
    for (let i = 0; i < n; i++) meanSize += sizes[i] ?? DEFAULT_NODE_SIZE;
    meanSize /= n;
  }
  const idealEdgeLength = options.idealEdgeLength ?? 2.5 * meanSize;
  const positions = new Float64Array(2 * n);
  if (n === 0) return positions;

  const fine = buildCsr(n, graph.edgeSources, graph.edgeTargets);
  const levels: CsrGraph[] = [fine];
  const maps: Uint32Array[] = [];
  for (let current = fine; current.nodeCount > COARSEST_SIZE; ) {
    const next = coarsen(current, seed + 7919 * levels.length);
    if (next.graph.nodeCount > 0.95 * current.nodeCount) break;
    levels.push(next.graph);
    maps.push(next.clusterOf);
    current = next.graph;
  }

  const random = createRandom(seed ^ 0x5bd1e995);
  const K = idealEdgeLength;
  const workspace: Workspace = {
    barnesHut: new BarnesHut(),
    fx: new Float64Array(n),
    fy: new Float64Array(n),
  };
  let level = levels.length - 1;
  let coarse = levels[level]!;
  let x = new Float64Array(coarse.nodeCount);
  let y = new Float64Array(coarse.nodeCount);
  let kLevel = K * Math.sqrt(n / coarse.nodeCount);
  const side = kLevel * Math.sqrt(coarse.nodeCount);
  for (let i = 0; i < coarse.nodeCount; i++) {
    x[i] = random() * side;
    y[i] = random() * side;
  }
  relax(coarse, x, y, kLevel, kLevel, maxIterations, tolerance, theta, workspace);
  while (level > 0) {
    const map = maps[level - 1]!;
    level--;
    const finer = levels[level]!;
    kLevel = K * Math.sqrt(n / finer.nodeCount);
    const fx = new Float64Array(finer.nodeCount);
    const fy = new Float64Array(finer.nodeCount);
    const jitter = 0.1 * kLevel;
    for (let i = 0; i < finer.nodeCount; i++) {
      const c = map[i]!;
      fx[i] = x[c]! + (random() - 0.5) * jitter;
      fy[i] = y[c]! + (random() - 0.5) * jitter;
    }
    x = fx;
    y = fy;
    relax(finer, x, y, kLevel, ((globalThis as any).RS ?? 0.2) * kLevel, maxIterations, tolerance, theta, workspace);
  }

  // Scale so the mean edge length is the ideal one; with no edges the drawing already uses K.
  let total = 0;
  let count = 0;
  for (let u = 0; u < n; u++) {
    for (let e = fine.offsets[u]!; e < fine.offsets[u + 1]!; e++) {
      const v = fine.adjacency[e]!;
      if (v <= u) continue;
      total += Math.hypot(x[u]! - x[v]!, y[u]! - y[v]!);
      count++;
    }
  }
  const scale = count > 0 && total > 0 ? (idealEdgeLength * count) / total : 1;
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < n; i++) {
    cx += x[i]!;
    cy += y[i]!;
  }
  cx /= n;
  cy /= n;
  for (let i = 0; i < n; i++) {
    positions[2 * i] = (x[i]! - cx) * scale;
    positions[2 * i + 1] = (y[i]! - cy) * scale;
  }
  if (options.removeOverlaps ?? true) removeOverlaps(positions, { nodeSizes: sizes, seed });
  return positions;
}

/** Refines positions (x, y) of `graph` in place with natural length K; see the file overview. */
function relax(
  graph: CsrGraph,
  x: Float64Array,
  y: Float64Array,
  K: number,
  initialStep: number,
  maxIterations: number,
  tolerance: number,
  theta: number,
  workspace: Workspace,
): void {
  const n = graph.nodeCount;
  if (n < 2) return;
  const { offsets, adjacency, weights } = graph;
  const fx = workspace.fx;
  const fy = workspace.fy;
  const strength = REPULSION * K * K;
  // Gravity towards the centroid: weak enough to leave a connected drawing almost untouched, but
  // it stops separate components and isolated nodes from being pushed off indefinitely.
  const gravity = (0.02 * REPULSION * K) / Math.sqrt(n);
  let step = initialStep;
  let previousEnergy = Infinity;
  let progress = 0;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    fx.fill(0, 0, n);
    fy.fill(0, 0, n);
    if (n <= EXACT_REPULSION_LIMIT) accumulateRepulsionExact(n, x, y, fx, fy, strength);
    else workspace.barnesHut.accumulate(n, x, y, fx, fy, strength, theta);
    let cx = 0;
    let cy = 0;
    for (let u = 0; u < n; u++) {
      const ux = x[u]!;
      const uy = y[u]!;
      cx += ux;
      cy += uy;
      let ax = 0;
      let ay = 0;
      for (let e = offsets[u]!; e < offsets[u + 1]!; e++) {
        const v = adjacency[e]!;
        const dx = x[v]! - ux;
        const dy = y[v]! - uy;
        const f = (weights[e]! * Math.sqrt(dx * dx + dy * dy)) / K;
        ax += dx * f;
        ay += dy * f;
      }
      fx[u]! += ax;
      fy[u]! += ay;
    }
    cx /= n;
    cy /= n;
    let energy = 0;
    for (let u = 0; u < n; u++) {
      const gx = fx[u]! - gravity * (x[u]! - cx);
      const gy = fy[u]! - gravity * (y[u]! - cy);
      const f2 = gx * gx + gy * gy;
      energy += f2;
      if (f2 > 0) {
        const s = step / Math.sqrt(f2);
        x[u]! += gx * s;
        y[u]! += gy * s;
      }
    }
    if (energy < previousEnergy) {
      progress++;
      if (progress >= 5) {
        progress = 0;
        step /= COOLING;
      }
    } else {
      progress = 0;
      step *= COOLING;
    }
    previousEnergy = energy;
    if (step < tolerance * K) { if ((globalThis as any).DBG) console.log("level n", n, "iters", iteration + 1); break; }
  }
}
