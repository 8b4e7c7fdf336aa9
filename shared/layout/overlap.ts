// Overlap removal: a final pass that separates node discs (diameter nodeSizes[i]) that overlap.
//
// 1. Uniform enlargement, which keeps every ratio of distances and so costs no layout quality:
//    first up to half the area the discs need (cheap, from the bounding box), then until a share
//    (crowdingQuantile) of the nodes is clear of its nearest neighbour.
// 2. Sweeps: each sweep finds candidate pairs with a grid (grid.ts) and pushes each overlapping pair
//    apart along the line between their centres until they just clear (plus a small margin), the
//    smaller disc moving more. Moves apply at once (Gauss–Seidel), so a sweep also works through
//    chains of overlaps. Coincident centres are split in a seeded random direction.
// 3. When a sweep removes less than a fifth of the previous sweep's overlaps, pushing has jammed
//    (typically in the dense core of a hairball) and the whole drawing is enlarged by 5% about its
//    centroid. Enlargement strictly increases every distance, so the loop always ends with no
//    overlap, and the drawing grows only as far as local pushing could not cope.

import { forEachCandidatePair } from './grid.ts';
import { createRandom } from '../base/random.ts';
import { nodeRadii } from './types.ts';

export interface OverlapOptions {
  /** Node diameters; DEFAULT_NODE_SIZE where absent or invalid. */
  nodeSizes?: ArrayLike<number> | undefined;
  /** Extra clearance relative to the sum of radii. Default 0.01. */
  margin?: number;
  /**
   * Before pushing, enlarge the drawing uniformly until this fraction of nodes is clear of its
   * nearest neighbour (0 disables). Default 0.1.
   */
  crowdingQuantile?: number;
  seed?: number;
}

/** A sweep that removes less than this share of the previous sweep's overlaps counts as stalled. */
const STALL_RATIO = 0.8;
const ENLARGEMENT = 1.05;

/**
 * Moves the nodes of the interleaved `positions` [x0, y0, …] in place until no two discs overlap.
 * Returns the number of sweeps made.
 */
export function removeOverlaps(positions: Float64Array, options: OverlapOptions = {}): number {
  const n = positions.length >> 1;
  const margin = options.margin ?? 0.01;
  const random = createRandom((options.seed ?? 1) ^ 0x2545f491);
  const radius = nodeRadii(options.nodeSizes, n);
  // Candidate search uses the radii grown by the margin, since that is the clearance enforced.
  const reach = radius.map((r) => r * (1 + margin));
  if (n < 2 || reach.every((r) => r === 0)) return 0;

  // A drawing far denser than its discs allow is first enlarged to half the area they need, which
  // no overlap-free result can undercut; this keeps the grid cells below sparse enough to be cheap.
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  let needed = 0;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, positions[2 * i]);
    maxX = Math.max(maxX, positions[2 * i]);
    minY = Math.min(minY, positions[2 * i + 1]);
    maxY = Math.max(maxY, positions[2 * i + 1]);
    needed += 4 * reach[i] * reach[i];
  }
  // Pad the box by a mean diameter so that a thin drawing (a path, a pair) is not mistaken for a
  // crowded one.
  const pad = Math.sqrt(needed / n);
  const area = (maxX - minX + pad) * (maxY - minY + pad);
  if (area > 0 && area < 0.5 * needed) scaleAbout(positions, n, Math.sqrt((0.5 * needed) / area));

  const quantile = options.crowdingQuantile ?? 0.1;
  if (quantile > 0) {
    // Uniform enlargement keeps every ratio of distances, so it costs no quality; start with enough
    // of it that a share of the nodes is clear of its nearest neighbour and pushing is only local.
    const crowding = new Float64Array(n);
    forEachCandidatePair(positions, reach, (i, j) => {
      const d = Math.hypot(
        positions[2 * j] - positions[2 * i],
        positions[2 * j + 1] - positions[2 * i + 1],
      );
      // Coincident nodes say nothing about scale; the sweeps below split them.
      if (d === 0) return;
      const t = (reach[i] + reach[j]) / d;
      if (t > crowding[i]) crowding[i] = t;
      if (t > crowding[j]) crowding[j] = t;
    });
    crowding.sort();
    const factor = crowding[Math.floor(quantile * (n - 1))];
    if (factor > 1) scaleAbout(positions, n, factor);
  }

  let sweeps = 0;
  let previous = Infinity;
  for (;;) {
    sweeps++;
    let overlaps = 0;
    forEachCandidatePair(positions, reach, (i, j) => {
      const clearance = reach[i] + reach[j];
      let dx = positions[2 * j] - positions[2 * i];
      let dy = positions[2 * j + 1] - positions[2 * i + 1];
      let d2 = dx * dx + dy * dy;
      if (d2 >= clearance * clearance) return;
      overlaps++;
      if (d2 < 1e-18 * clearance * clearance) {
        const angle = random() * 2 * Math.PI;
        dx = Math.cos(angle) * 1e-6 * clearance;
        dy = Math.sin(angle) * 1e-6 * clearance;
        d2 = dx * dx + dy * dy;
      }
      const d = Math.sqrt(d2);
      // Push a little past contact so that the pair does not sit exactly on the boundary.
      const push = ((clearance - d) * 1.05) / d;
      const ri2 = radius[i] * radius[i];
      const rj2 = radius[j] * radius[j];
      const shareI = ri2 + rj2 > 0 ? rj2 / (ri2 + rj2) : 0.5;
      positions[2 * i] -= dx * push * shareI;
      positions[2 * i + 1] -= dy * push * shareI;
      positions[2 * j] += dx * push * (1 - shareI);
      positions[2 * j + 1] += dy * push * (1 - shareI);
    });
    if (overlaps === 0) return sweeps;
    if (overlaps > STALL_RATIO * previous) {
      // Local pushing has jammed: give every pair a little more room.
      scaleAbout(positions, n, ENLARGEMENT);
      previous = Infinity;
    } else {
      previous = overlaps;
    }
  }
}

/** The mean of the first `n` interleaved (x, y) positions. */
export function centroid(positions: Float64Array, n: number): [number, number] {
  let cx = 0;
  let cy = 0;
  for (let i = 0; i < n; i++) {
    cx += positions[2 * i];
    cy += positions[2 * i + 1];
  }
  return [cx / n, cy / n];
}

function scaleAbout(positions: Float64Array, n: number, factor: number): void {
  const [cx, cy] = centroid(positions, n);
  for (let i = 0; i < n; i++) {
    positions[2 * i] = cx + (positions[2 * i] - cx) * factor;
    positions[2 * i + 1] = cy + (positions[2 * i + 1] - cy) * factor;
  }
}
