// Multilevel force-directed layout in the style of sfdp (Yifan Hu, "Efficient, high-quality
// force-directed graph drawing", Mathematica Journal 10(1), 2005).
//
// Model: the spring-electrical model. Every pair of nodes repels with force C·K²/d and every edge
// attracts with force d²/K, where K is the natural spring length; the repulsion is approximated with
// a quadtree walked in pairs of cells, with local expansions (quadtree.ts). Coarse edges attract like
// single edges whatever the number of original edges they stand for: weighting them pulls a hub's
// merged leaves onto one side of it, and the leaves never wrap round the hub again at the finer
// levels.
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
// below tol·K_l or after maxIterations (at most REFINE_ITERATIONS on a refined level).
//
// Each connected component is drawn on its own (pure repulsion would push components apart without
// bound) and scaled so that its mean edge length equals idealEdgeLength; overlap.ts then separates
// node discs that still overlap, and the components are packed in rows.

import { buildCsr, coarsen, connectedComponents, inducedSubgraph } from './graph.ts';
import type { CsrGraph } from './graph.ts';
import { centroid, removeOverlaps } from './overlap.ts';
import { FarField, accumulateRepulsionExact } from './quadtree.ts';
import { createRandom } from '../base/random.ts';
import { DEFAULT_NODE_SIZE, nodeRadii } from './types.ts';
import type { LayoutGraph } from './types.ts';

export interface ForceLayoutOptions {
  /** Seed for coarsening order, initial positions and jitter; same seed, same layout. Default 1. */
  seed?: number;
  /** Iteration cap per level. Default 300. */
  maxIterations?: number;
  /**
   * Mean edge length of the force layout, in the units of nodeSizes; overlap removal then enlarges
   * the drawing where nodes are crowded (a dense hairball far more than a sparse tree). Default
   * 2.5 × mean node size.
   */
  idealEdgeLength?: number;
  /**
   * Opening criterion of the repulsion's tree walk (quadtree.ts): two groups of nodes act on each
   * other as wholes when the sum of their radii is below θ times their distance. Smaller is more
   * exact and slower. Default 0.8 (a mean force error about 0.2%).
   */
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
/** Initial step of a refined level, relative to its K: its start is already roughly right. */
const REFINE_STEP = 0.2;
/**
 * Iteration cap of a refined level. It starts from its converged coarser level, so it needs only
 * local moves: on BA graphs of 5k–20k nodes stress stops improving after about 80 iterations while
 * the step is still cooling towards the tolerance (130–180 iterations at the finest levels), and
 * capping there saves about a third of the time at equal stress (bench/profiles/layout.md).
 */
const REFINE_ITERATIONS = 80;

interface Workspace {
  farField: FarField;
  fx: Float64Array;
  fy: Float64Array;
}

/**
 * Lays out `graph` and returns interleaved positions [x0, y0, x1, y1, …] centred on the origin, in
 * the units of nodeSizes. Self-loops, duplicate edges and out-of-range endpoints are ignored. Pure
 * and deterministic for a given seed.
 */
export function forceLayout(graph: LayoutGraph, options: ForceLayoutOptions = {}): Float64Array {
  const n = Math.max(0, Math.floor(graph.nodeCount));
  const radius = nodeRadii(graph.nodeSizes, n);
  const sizes = Float32Array.from(radius, (r) => 2 * r);
  let meanSize = DEFAULT_NODE_SIZE;
  if (n > 0) meanSize = (2 * radius.reduce((a, b) => a + b, 0)) / n;
  const settings: Settings = {
    seed: options.seed ?? 1,
    maxIterations: options.maxIterations ?? 300,
    theta: options.theta ?? 0.8,
    tolerance: options.tolerance ?? 0.02,
    idealEdgeLength: positiveOr(
      options.idealEdgeLength,
      positiveOr(2.5 * meanSize, 2.5 * DEFAULT_NODE_SIZE),
    ),
    removeOverlaps: options.removeOverlaps ?? true,
  };
  const positions = new Float64Array(2 * n);
  if (n === 0) return positions;
  const fine = buildCsr(n, graph.edgeSources, graph.edgeTargets);
  const components = connectedComponents(fine);
  if (components.count === 1) {
    const local = layoutComponent(fine, sizes, settings);
    positions.set(local);
    centre(positions);
    return positions;
  }
  // Separate components would drift apart under pure repulsion, so each is drawn on its own and
  // the drawings are packed in shelves (rows), tallest first, like bricks.
  const boxes: { id: number; minX: number; minY: number; width: number; height: number }[] = [];
  const drawings: Float64Array[] = [];
  const gap = meanSize;
  const localIndex = new Uint32Array(n);
  for (let c = 0; c < components.count; c++) {
    const members = components.members.subarray(components.offsets[c], components.offsets[c + 1]);
    for (let k = 0; k < members.length; k++) localIndex[members[k]] = k;
    const sub = inducedSubgraph(fine, members, localIndex);
    const subSizes = Float32Array.from(members, (i) => sizes[i]);
    const local = layoutComponent(sub, subSizes, { ...settings, seed: settings.seed + c });
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let k = 0; k < members.length; k++) {
      const r = subSizes[k] / 2;
      minX = Math.min(minX, local[2 * k] - r);
      maxX = Math.max(maxX, local[2 * k] + r);
      minY = Math.min(minY, local[2 * k + 1] - r);
      maxY = Math.max(maxY, local[2 * k + 1] + r);
    }
    boxes.push({ id: c, minX, minY, width: maxX - minX, height: maxY - minY });
    drawings.push(local);
  }
  let area = 0;
  let widest = 0;
  for (const box of boxes) {
    area += (box.width + gap) * (box.height + gap);
    widest = Math.max(widest, box.width + gap);
  }
  const rowWidth = Math.max(widest, Math.sqrt(area) * 1.2);
  const byHeight = boxes.slice().sort((a, b) => b.height - a.height || a.id - b.id);
  let cursorX = 0;
  let cursorY = 0;
  let rowHeight = 0;
  for (const box of byHeight) {
    if (cursorX > 0 && cursorX + box.width > rowWidth) {
      cursorX = 0;
      cursorY += rowHeight + gap;
      rowHeight = 0;
    }
    const local = drawings[box.id];
    const members = components.members.subarray(
      components.offsets[box.id],
      components.offsets[box.id + 1],
    );
    for (let k = 0; k < members.length; k++) {
      const i = members[k];
      positions[2 * i] = local[2 * k] - box.minX + cursorX;
      positions[2 * i + 1] = local[2 * k + 1] - box.minY + cursorY;
    }
    cursorX += box.width + gap;
    rowHeight = Math.max(rowHeight, box.height);
  }
  centre(positions);
  return positions;
}

interface Settings {
  seed: number;
  maxIterations: number;
  theta: number;
  tolerance: number;
  idealEdgeLength: number;
  removeOverlaps: boolean;
}

/** Multilevel layout of one connected graph, scaled to the ideal edge length, overlaps removed. */
function layoutComponent(fine: CsrGraph, sizes: Float32Array, settings: Settings): Float64Array {
  const n = fine.nodeCount;
  const positions = new Float64Array(2 * n);
  if (n === 1) return positions;
  const { seed, maxIterations, tolerance, theta, idealEdgeLength } = settings;
  const levels: CsrGraph[] = [fine];
  const maps: Uint32Array[] = [];
  for (let current = fine; current.nodeCount > COARSEST_SIZE;) {
    const next = coarsen(current, seed + 7919 * levels.length);
    if (next.graph.nodeCount > 0.95 * current.nodeCount) break;
    levels.push(next.graph);
    maps.push(next.clusterOf);
    current = next.graph;
  }

  const random = createRandom(seed ^ 0x5bd1e995);
  const K = idealEdgeLength;
  const workspace: Workspace = {
    farField: new FarField(),
    fx: new Float64Array(n),
    fy: new Float64Array(n),
  };
  let level = levels.length - 1;
  const coarsest = levels[level];
  let x = new Float64Array(coarsest.nodeCount);
  let y = new Float64Array(coarsest.nodeCount);
  let kLevel = K * Math.sqrt(n / coarsest.nodeCount);
  const side = kLevel * Math.sqrt(coarsest.nodeCount);
  for (let i = 0; i < coarsest.nodeCount; i++) {
    x[i] = random() * side;
    y[i] = random() * side;
  }
  relax(coarsest, x, y, kLevel, kLevel, maxIterations, tolerance, theta, workspace);
  while (level > 0) {
    const map = maps[level - 1];
    level--;
    const finer = levels[level];
    kLevel = K * Math.sqrt(n / finer.nodeCount);
    const fx = new Float64Array(finer.nodeCount);
    const fy = new Float64Array(finer.nodeCount);
    const jitter = 0.1 * kLevel;
    for (let i = 0; i < finer.nodeCount; i++) {
      const c = map[i];
      fx[i] = x[c] + (random() - 0.5) * jitter;
      fy[i] = y[c] + (random() - 0.5) * jitter;
    }
    x = fx;
    y = fy;
    const iterations = Math.min(maxIterations, REFINE_ITERATIONS);
    relax(finer, x, y, kLevel, REFINE_STEP * kLevel, iterations, tolerance, theta, workspace);
  }

  // Scale so the mean edge length is the ideal one (a connected graph of 2+ nodes has edges).
  let total = 0;
  let count = 0;
  for (let u = 0; u < n; u++) {
    for (let e = fine.offsets[u]; e < fine.offsets[u + 1]; e++) {
      const v = fine.adjacency[e];
      if (v <= u) continue;
      total += Math.hypot(x[u] - x[v], y[u] - y[v]);
      count++;
    }
  }
  const scale = count > 0 && total > 0 ? (idealEdgeLength * count) / total : 1;
  for (let i = 0; i < n; i++) {
    positions[2 * i] = x[i] * scale;
    positions[2 * i + 1] = y[i] * scale;
  }
  if (settings.removeOverlaps) removeOverlaps(positions, { nodeSizes: sizes, seed });
  return positions;
}

function positiveOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
}

/** Moves the centroid of interleaved positions to the origin. */
function centre(positions: Float64Array): void {
  const n = positions.length >> 1;
  const [cx, cy] = centroid(positions, n);
  for (let i = 0; i < n; i++) {
    positions[2 * i] -= cx;
    positions[2 * i + 1] -= cy;
  }
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
  const { offsets, adjacency } = graph;
  const fx = workspace.fx;
  const fy = workspace.fy;
  const strength = REPULSION * K * K;
  let step = initialStep;
  let previousEnergy = Infinity;
  let progress = 0;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    fx.fill(0, 0, n);
    fy.fill(0, 0, n);
    if (n <= EXACT_REPULSION_LIMIT) accumulateRepulsionExact(n, x, y, fx, fy, strength);
    else workspace.farField.accumulate(n, x, y, fx, fy, strength, theta);
    for (let u = 0; u < n; u++) {
      const ux = x[u];
      const uy = y[u];
      let ax = 0;
      let ay = 0;
      for (let e = offsets[u]; e < offsets[u + 1]; e++) {
        const v = adjacency[e];
        const dx = x[v] - ux;
        const dy = y[v] - uy;
        const f = Math.sqrt(dx * dx + dy * dy) / K;
        ax += dx * f;
        ay += dy * f;
      }
      fx[u] += ax;
      fy[u] += ay;
    }
    let energy = 0;
    for (let u = 0; u < n; u++) {
      const gx = fx[u];
      const gy = fy[u];
      const f2 = gx * gx + gy * gy;
      energy += f2;
      if (f2 > 0) {
        const s = step / Math.sqrt(f2);
        x[u] += gx * s;
        y[u] += gy * s;
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
    if (step < tolerance * K) break;
  }
}
