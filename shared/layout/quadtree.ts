// Barnes–Hut approximation of the all-pairs repulsion f(i←j) = strength · (xi − xj) / |xi − xj|²
// (the spring-electrical model's C·K²/d law), in O(n log n) per call instead of O(n²).
//
// The quadtree is rebuilt on every call without pointer chasing: points are quantised to a 16-bit
// grid over their bounding square, keyed by Morton (Z-order) code and radix-sorted, so every tree cell
// is a contiguous range of the sorted points. Cells are emitted depth-first with path compression
// (a cell whose points all fall into one quadrant is replaced by that quadrant), so there are fewer
// than 2n cells, and each cell stores a skip index to the cell after its subtree. A point then walks
// the tree with a single loop and no stack: a cell far enough away (width < θ · distance to its
// centre of mass) acts as one mass at its centre and is skipped; otherwise the walk enters it, and
// a small leaf that is too close is summed exactly. Points are processed in Morton order, so
// consecutive walks touch the same cells and stay in cache.

const LEAF_SIZE = 8;
const MAX_DEPTH = 16;

function spreadBits(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v;
}

/** Reusable Barnes–Hut workspace; keep one per layout level size to avoid reallocating. */
export class BarnesHut {
  private capacity = 0;
  private codes = new Uint32Array(0);
  private order = new Uint32Array(0);
  private scratchCodes = new Uint32Array(0);
  private scratchOrder = new Uint32Array(0);
  private sortedX = new Float64Array(0);
  private sortedY = new Float64Array(0);
  /** Per cell: centre-of-mass x, y, mass, squared opening distance. */
  private cellReal = new Float64Array(0);
  /** Per cell: skip index, first point, end point (sorted positions), unused. */
  private cellInt = new Int32Array(0);
  private cellCount = 0;
  private openFactor = 1;

  private ensure(n: number): void {
    if (n <= this.capacity) return;
    this.capacity = n;
    this.codes = new Uint32Array(n);
    this.order = new Uint32Array(n);
    this.scratchCodes = new Uint32Array(n);
    this.scratchOrder = new Uint32Array(n);
    this.sortedX = new Float64Array(n);
    this.sortedY = new Float64Array(n);
    this.cellReal = new Float64Array(8 * n + 8);
    this.cellInt = new Int32Array(8 * n + 8);
  }

  /**
   * Adds to (fx, fy) the repulsion on each of the first n points from all others, with opening
   * criterion θ (0 gives the exact sum; about 1 is the usual trade-off).
   */
  accumulate(
    n: number,
    x: Float64Array,
    y: Float64Array,
    fx: Float64Array,
    fy: Float64Array,
    strength: number,
    theta: number,
  ): void {
    if (n < 2) return;
    this.ensure(n);
    const size = this.sortPoints(n, x, y);
    this.cellCount = 0;
    this.openFactor = theta > 0 ? 1 / (theta * theta) : Infinity;
    this.buildCell(0, n, 0, size);
    this.walk(n, fx, fy, strength);
  }

  /** Sorts the points by Morton code; returns the side of their bounding square. */
  private sortPoints(n: number, x: Float64Array, y: Float64Array): number {
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      const px = x[i];
      const py = y[i];
      if (px < minX) minX = px;
      if (px > maxX) maxX = px;
      if (py < minY) minY = py;
      if (py > maxY) maxY = py;
    }
    const size = Math.max(maxX - minX, maxY - minY, 1e-12);
    const scale = 65535.99 / size;
    let codes = this.codes;
    let order = this.order;
    let otherCodes = this.scratchCodes;
    let otherOrder = this.scratchOrder;
    for (let i = 0; i < n; i++) {
      const qx = Math.floor((x[i] - minX) * scale);
      const qy = Math.floor((y[i] - minY) * scale);
      codes[i] = (spreadBits(qx) | (spreadBits(qy) << 1)) >>> 0;
      order[i] = i;
    }
    // LSD radix sort, one byte per pass; four passes leave the result back in the primary arrays.
    const counts = new Uint32Array(256);
    for (let shift = 0; shift < 32; shift += 8) {
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[(codes[i] >>> shift) & 255]++;
      let sum = 0;
      for (let b = 0; b < 256; b++) {
        const c = counts[b];
        counts[b] = sum;
        sum += c;
      }
      for (let i = 0; i < n; i++) {
        const code = codes[i];
        const at = counts[(code >>> shift) & 255]++;
        otherCodes[at] = code;
        otherOrder[at] = order[i]!;
      }
      const tc = codes;
      codes = otherCodes;
      otherCodes = tc;
      const to = order;
      order = otherOrder;
      otherOrder = to;
    }
    const sx = this.sortedX;
    const sy = this.sortedY;
    for (let k = 0; k < n; k++) {
      const i = order[k];
      sx[k] = x[i]!;
      sy[k] = y[i]!;
    }
    return size;
  }

  /** Emits the cell for sorted points [start, end) at `level`, then its children; returns nothing. */
  private buildCell(start: number, end: number, level: number, width: number): void {
    const codes = this.codes;
    const cell = this.cellCount++;
    const real = this.cellReal;
    const ints = this.cellInt;
    if (end - start > LEAF_SIZE) {
      // Path compression: descend while every point shares the next quadrant digit.
      while (level < MAX_DEPTH) {
        const shift = 30 - 2 * level;
        if (((codes[start] >>> shift) & 3) !== ((codes[end - 1] >>> shift) & 3)) break;
        level++;
        width *= 0.5;
      }
    }
    ints[4 * cell + 1] = start;
    ints[4 * cell + 2] = end;
    if (end - start <= LEAF_SIZE || level >= MAX_DEPTH) {
      const sx = this.sortedX;
      const sy = this.sortedY;
      let cx = 0;
      let cy = 0;
      for (let k = start; k < end; k++) {
        cx += sx[k];
        cy += sy[k];
      }
      const mass = end - start;
      real[4 * cell] = cx / mass;
      real[4 * cell + 1] = cy / mass;
      real[4 * cell + 2] = mass;
      real[4 * cell + 3] = width * width * this.openFactor;
      ints[4 * cell] = cell + 1;
      return;
    }
    const shift = 30 - 2 * level;
    let cx = 0;
    let cy = 0;
    let childStart = start;
    while (childStart < end) {
      const digit = (codes[childStart] >>> shift) & 3;
      // Binary search for the end of this quadrant's run.
      let lo = childStart + 1;
      let hi = end;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (((codes[mid] >>> shift) & 3) === digit) lo = mid + 1;
        else hi = mid;
      }
      const child = this.cellCount;
      this.buildCell(childStart, lo, level + 1, width * 0.5);
      const m = real[4 * child + 2];
      cx += real[4 * child] * m;
      cy += real[4 * child + 1] * m;
      childStart = lo;
    }
    const mass = end - start;
    real[4 * cell] = cx / mass;
    real[4 * cell + 1] = cy / mass;
    real[4 * cell + 2] = mass;
    real[4 * cell + 3] = width * width * this.openFactor;
    ints[4 * cell] = this.cellCount;
  }

  private walk(n: number, fx: Float64Array, fy: Float64Array, strength: number): void {
    const real = this.cellReal;
    const ints = this.cellInt;
    const sx = this.sortedX;
    const sy = this.sortedY;
    const order = this.order;
    const cellCount = this.cellCount;
    for (let k = 0; k < n; k++) {
      const px = sx[k];
      const py = sy[k];
      let ax = 0;
      let ay = 0;
      let cell = 0;
      while (cell < cellCount) {
        const r = 4 * cell;
        const dx = px - real[r];
        const dy = py - real[r + 1];
        const d2 = dx * dx + dy * dy;
        const start = ints[r + 1];
        const end = ints[r + 2];
        const skip = ints[r];
        if (d2 > real[r + 3] && (k < start || k >= end)) {
          const f = real[r + 2] / d2;
          ax += dx * f;
          ay += dy * f;
          cell = skip;
        } else if (skip === cell + 1) {
          for (let j = start; j < end; j++) {
            const ex = px - sx[j];
            const ey = py - sy[j];
            const e2 = ex * ex + ey * ey;
            if (e2 > 0) {
              ax += ex / e2;
              ay += ey / e2;
            }
          }
          cell = skip;
        } else {
          cell++;
        }
      }
      const i = order[k];
      fx[i] += strength * ax;
      fy[i] += strength * ay;
    }
  }
}

/** Exact O(n²) repulsion with the same law; the reference for tests and for tiny graphs. */
export function accumulateRepulsionExact(
  n: number,
  x: Float64Array,
  y: Float64Array,
  fx: Float64Array,
  fy: Float64Array,
  strength: number,
): void {
  for (let i = 0; i < n; i++) {
    const px = x[i];
    const py = y[i];
    let ax = 0;
    let ay = 0;
    for (let j = 0; j < n; j++) {
      const dx = px - x[j];
      const dy = py - y[j];
      const d2 = dx * dx + dy * dy;
      if (d2 > 0) {
        ax += dx / d2;
        ay += dy / d2;
      }
    }
    fx[i] += strength * ax;
    fy[i] += strength * ay;
  }
}
