// Repulsion for the spring-electrical model: f(i←j) = strength · (xi − xj) / |xi − xj|² summed over
// all pairs, in about O(n) per call instead of O(n²), by a dual-tree walk with local expansions
// (a low-order 2-D fast multipole method; Greengard & Rokhlin, "A fast algorithm for particle
// simulations", J. Comput. Phys. 73, 1987). It replaced a per-point Barnes–Hut walk, O(n log n),
// which at 200k nodes took four times the CPU for three times the error (bench/profiles/layout.md).
//
// The law in complex numbers: with z = x + iy, the force on z from a unit mass at s is
// 1/conj(z − s), so conj(F(z)) = Σ m/(z − s) is analytic in z and expands in powers of (z − c)
// about any centre c far from the sources: m/(z − s) = Σ_k (−1)^k m (z − c)^k / (c − s)^(k+1).
//
// 1. Tree. Points are quantised to a 16-bit grid over their bounding square, keyed by Morton (Z-order)
//    code and radix-sorted, so every cell is a contiguous range of the sorted points. Cells are
//    emitted depth-first (pre-order) with path compression (a cell whose points all fall into one
//    quadrant is replaced by that quadrant), so there are fewer than 2n cells; each stores its centre
//    of mass, mass, the radius of the disc about that centre holding all its points, its parent and
//    a skip index to the cell after its subtree. All arrays are reused from call to call.
// 2. Dual walk. Starting from the root paired with itself, two cells a and b whose discs are well
//    separated, (ra + rb) < θ · |ca − cb|, exchange their masses (a monopole at the centre of mass,
//    whose dipole term vanishes) into each other's local expansion (terms k = 0, 1, 2); otherwise the
//    larger cell is split, and two leaves that are too close are summed exactly, each pair once.
// 3. Downward pass. In pre-order each cell's expansion is shifted to its children's centres and
//    added to theirs; at the leaves it is evaluated at every point.
// The error is that of the monopole (order (r/d)²) and of the truncated expansion (order (r/d)³);
// θ = 0 sums everything exactly.

const LEAF_SIZE = 16;
const MAX_DEPTH = 16;
/** Radix sort digit width: three passes of 11 bits cover the 32-bit Morton codes. */
const DIGIT_BITS = 11;

function spreadBits(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v;
}

/** Reusable repulsion workspace; one per layout, sized by the largest level. */
export class FarField {
  private capacity = 0;
  private codes = new Uint32Array(0);
  private order = new Uint32Array(0);
  private scratchCodes = new Uint32Array(0);
  private scratchOrder = new Uint32Array(0);
  private counts = new Uint32Array(1 << DIGIT_BITS);
  private sx = new Float64Array(0);
  private sy = new Float64Array(0);
  private ax = new Float64Array(0);
  private ay = new Float64Array(0);
  private comX = new Float64Array(0);
  private comY = new Float64Array(0);
  private mass = new Float64Array(0);
  private radius = new Float64Array(0);
  /** Local expansion coefficients L0, L1, L2 (re, im) per cell. */
  private local = new Float64Array(0);
  private skip = new Int32Array(0);
  private first = new Int32Array(0);
  private last = new Int32Array(0);
  private parent = new Int32Array(0);
  private cellCount = 0;
  private theta2 = 1;

  private ensure(n: number): void {
    if (n <= this.capacity) return;
    this.capacity = n;
    this.codes = new Uint32Array(n);
    this.order = new Uint32Array(n);
    this.scratchCodes = new Uint32Array(n);
    this.scratchOrder = new Uint32Array(n);
    this.sx = new Float64Array(n);
    this.sy = new Float64Array(n);
    this.ax = new Float64Array(n);
    this.ay = new Float64Array(n);
    const cells = 2 * n + 8;
    this.comX = new Float64Array(cells);
    this.comY = new Float64Array(cells);
    this.mass = new Float64Array(cells);
    this.radius = new Float64Array(cells);
    this.local = new Float64Array(6 * cells);
    this.skip = new Int32Array(cells);
    this.first = new Int32Array(cells);
    this.last = new Int32Array(cells);
    this.parent = new Int32Array(cells);
  }

  /**
   * Adds to (fx, fy) the repulsion on each of the first n points from all others, with opening
   * criterion θ (0 gives the exact sum; 0.8 a mean error of about 0.2%).
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
    this.sortPoints(n, x, y);
    this.cellCount = 0;
    this.theta2 = theta * theta;
    this.buildCell(0, n, 0, -1);
    this.ax.fill(0, 0, n);
    this.ay.fill(0, 0, n);
    this.local.fill(0, 0, 6 * this.cellCount);
    this.interactSelf(0);
    this.downward();
    const order = this.order;
    const ax = this.ax;
    const ay = this.ay;
    for (let k = 0; k < n; k++) {
      const i = order[k];
      fx[i] += strength * ax[k];
      fy[i] += strength * ay[k];
    }
  }

  /** Sorts the points by Morton code into sx, sy (order maps back to the caller's indices). */
  private sortPoints(n: number, x: Float64Array, y: Float64Array): void {
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
    // LSD radix sort of (code, point) pairs; an odd number of passes leaves the result in the
    // scratch arrays, which then swap roles with the primary ones.
    const counts = this.counts;
    const mask = (1 << DIGIT_BITS) - 1;
    for (let shift = 0; shift < 32; shift += DIGIT_BITS) {
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[(codes[i] >>> shift) & mask]++;
      let sum = 0;
      for (let b = 0; b <= mask; b++) {
        const c = counts[b];
        counts[b] = sum;
        sum += c;
      }
      for (let i = 0; i < n; i++) {
        const code = codes[i];
        const at = counts[(code >>> shift) & mask]++;
        otherCodes[at] = code;
        otherOrder[at] = order[i];
      }
      const tc = codes;
      codes = otherCodes;
      otherCodes = tc;
      const to = order;
      order = otherOrder;
      otherOrder = to;
    }
    this.codes = codes;
    this.order = order;
    this.scratchCodes = otherCodes;
    this.scratchOrder = otherOrder;
    const sx = this.sx;
    const sy = this.sy;
    for (let k = 0; k < n; k++) {
      const i = order[k];
      sx[k] = x[i];
      sy[k] = y[i];
    }
  }

  /** Emits the cell for sorted points [start, end) at `level`, then its subtree, in pre-order. */
  private buildCell(start: number, end: number, level: number, parent: number): void {
    const codes = this.codes;
    const cell = this.cellCount++;
    this.parent[cell] = parent;
    this.first[cell] = start;
    this.last[cell] = end;
    if (end - start > LEAF_SIZE) {
      while (level < MAX_DEPTH) {
        const shift = 30 - 2 * level;
        if (((codes[start] >>> shift) & 3) !== ((codes[end - 1] >>> shift) & 3)) break;
        level++;
      }
    }
    const mass = end - start;
    if (end - start <= LEAF_SIZE || level >= MAX_DEPTH) {
      const sx = this.sx;
      const sy = this.sy;
      let cx = 0;
      let cy = 0;
      for (let k = start; k < end; k++) {
        cx += sx[k];
        cy += sy[k];
      }
      cx /= mass;
      cy /= mass;
      let r2 = 0;
      for (let k = start; k < end; k++) {
        const dx = sx[k] - cx;
        const dy = sy[k] - cy;
        const d2 = dx * dx + dy * dy;
        if (d2 > r2) r2 = d2;
      }
      this.comX[cell] = cx;
      this.comY[cell] = cy;
      this.mass[cell] = mass;
      this.radius[cell] = Math.sqrt(r2);
      this.skip[cell] = cell + 1;
      return;
    }
    const shift = 30 - 2 * level;
    let cx = 0;
    let cy = 0;
    let childStart = start;
    while (childStart < end) {
      const digit = (codes[childStart] >>> shift) & 3;
      let lo = childStart + 1;
      let hi = end;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (((codes[mid] >>> shift) & 3) === digit) lo = mid + 1;
        else hi = mid;
      }
      const child = this.cellCount;
      this.buildCell(childStart, lo, level + 1, cell);
      const m = this.mass[child];
      cx += this.comX[child] * m;
      cy += this.comY[child] * m;
      childStart = lo;
    }
    cx /= mass;
    cy /= mass;
    let r = 0;
    for (let child = cell + 1; child < this.cellCount; child = this.skip[child]) {
      const rc = Math.hypot(this.comX[child] - cx, this.comY[child] - cy) + this.radius[child];
      if (rc > r) r = rc;
    }
    this.comX[cell] = cx;
    this.comY[cell] = cy;
    this.mass[cell] = mass;
    this.radius[cell] = r;
    this.skip[cell] = this.cellCount;
  }

  /** All interactions among the points of cell a: each pair of its children, then each child. */
  private interactSelf(a: number): void {
    const end = this.skip[a];
    if (end === a + 1) {
      this.directSelf(a);
      return;
    }
    const skip = this.skip;
    for (let c = a + 1; c < end; c = skip[c]) {
      this.interactSelf(c);
      for (let d = skip[c]; d < end; d = skip[d]) this.interact(c, d);
    }
  }

  /** All interactions between the points of two disjoint cells (step 2 of the overview). */
  private interact(a: number, b: number): void {
    const dx = this.comX[a] - this.comX[b];
    const dy = this.comY[a] - this.comY[b];
    const d2 = dx * dx + dy * dy;
    const ra = this.radius[a];
    const rb = this.radius[b];
    const rs = ra + rb;
    if (rs * rs < this.theta2 * d2) {
      this.farPair(a, b, dx, dy, d2);
      return;
    }
    const skip = this.skip;
    const aLeaf = skip[a] === a + 1;
    const bLeaf = skip[b] === b + 1;
    if (aLeaf && bLeaf) {
      this.directPair(a, b);
      return;
    }
    if (bLeaf || (!aLeaf && ra >= rb)) {
      const end = skip[a];
      for (let c = a + 1; c < end; c = skip[c]) this.interact(c, b);
    } else {
      const end = skip[b];
      for (let c = b + 1; c < end; c = skip[c]) this.interact(a, c);
    }
  }

  /** D = com_a − com_b; adds each cell's monopole to the other's local expansion. */
  private farPair(a: number, b: number, dx: number, dy: number, d2: number): void {
    // inv = 1/D
    const ir = dx / d2;
    const ii = -dy / d2;
    const i2r = ir * ir - ii * ii;
    const i2i = 2 * ir * ii;
    const i3r = i2r * ir - i2i * ii;
    const i3i = i2r * ii + i2i * ir;
    const ma = this.mass[a];
    const mb = this.mass[b];
    const L = this.local;
    // a receives from b: L_k += m_b (−1)^k inv^(k+1)
    let o = 6 * a;
    L[o] += mb * ir;
    L[o + 1] += mb * ii;
    L[o + 2] -= mb * i2r;
    L[o + 3] -= mb * i2i;
    L[o + 4] += mb * i3r;
    L[o + 5] += mb * i3i;
    // b receives from a: L_k −= m_a inv^(k+1)
    o = 6 * b;
    L[o] -= ma * ir;
    L[o + 1] -= ma * ii;
    L[o + 2] -= ma * i2r;
    L[o + 3] -= ma * i2i;
    L[o + 4] -= ma * i3r;
    L[o + 5] -= ma * i3i;
  }

  /** Exact sum over the pairs within leaf a, each pair once. */
  private directSelf(a: number): void {
    const sx = this.sx;
    const sy = this.sy;
    const ax = this.ax;
    const ay = this.ay;
    const start = this.first[a];
    const end = this.last[a];
    for (let i = start; i < end; i++) {
      const px = sx[i];
      const py = sy[i];
      let fx = 0;
      let fy = 0;
      for (let j = i + 1; j < end; j++) {
        const dx = px - sx[j];
        const dy = py - sy[j];
        const d2 = dx * dx + dy * dy;
        if (d2 > 0) {
          const gx = dx / d2;
          const gy = dy / d2;
          fx += gx;
          fy += gy;
          ax[j] -= gx;
          ay[j] -= gy;
        }
      }
      ax[i] += fx;
      ay[i] += fy;
    }
  }

  /** Exact sum over the pairs with one point in leaf a and one in leaf b. */
  private directPair(a: number, b: number): void {
    const sx = this.sx;
    const sy = this.sy;
    const ax = this.ax;
    const ay = this.ay;
    const aEnd = this.last[a];
    const bStart = this.first[b];
    const bEnd = this.last[b];
    for (let i = this.first[a]; i < aEnd; i++) {
      const px = sx[i];
      const py = sy[i];
      let fx = 0;
      let fy = 0;
      for (let j = bStart; j < bEnd; j++) {
        const dx = px - sx[j];
        const dy = py - sy[j];
        const d2 = dx * dx + dy * dy;
        if (d2 > 0) {
          const gx = dx / d2;
          const gy = dy / d2;
          fx += gx;
          fy += gy;
          ax[j] -= gx;
          ay[j] -= gy;
        }
      }
      ax[i] += fx;
      ay[i] += fy;
    }
  }

  /** Shifts local expansions from parents to children (pre-order) and evaluates them at leaves. */
  private downward(): void {
    const L = this.local;
    const parent = this.parent;
    const comX = this.comX;
    const comY = this.comY;
    const skip = this.skip;
    for (let c = 1; c < this.cellCount; c++) {
      const p = parent[c];
      const po = 6 * p;
      const dr = comX[c] - comX[p];
      const di = comY[c] - comY[p];
      const l1r = L[po + 2];
      const l1i = L[po + 3];
      const l2r = L[po + 4];
      const l2i = L[po + 5];
      // L'0 = L0 + L1 δ + L2 δ²; L'1 = L1 + 2 L2 δ; L'2 = L2
      const d2r = dr * dr - di * di;
      const d2i = 2 * dr * di;
      const o = 6 * c;
      L[o] += L[po] + (l1r * dr - l1i * di) + (l2r * d2r - l2i * d2i);
      L[o + 1] += L[po + 1] + (l1r * di + l1i * dr) + (l2r * d2i + l2i * d2r);
      L[o + 2] += l1r + 2 * (l2r * dr - l2i * di);
      L[o + 3] += l1i + 2 * (l2r * di + l2i * dr);
      L[o + 4] += l2r;
      L[o + 5] += l2i;
    }
    const sx = this.sx;
    const sy = this.sy;
    const ax = this.ax;
    const ay = this.ay;
    for (let c = 0; c < this.cellCount; c++) {
      if (skip[c] !== c + 1) continue;
      const o = 6 * c;
      const l0r = L[o];
      const l0i = L[o + 1];
      const l1r = L[o + 2];
      const l1i = L[o + 3];
      const l2r = L[o + 4];
      const l2i = L[o + 5];
      const cx = comX[c];
      const cy = comY[c];
      for (let k = this.first[c]; k < this.last[c]; k++) {
        const wr = sx[k] - cx;
        const wi = sy[k] - cy;
        const w2r = wr * wr - wi * wi;
        const w2i = 2 * wr * wi;
        const gr = l0r + (l1r * wr - l1i * wi) + (l2r * w2r - l2i * w2i);
        const gi = l0i + (l1r * wi + l1i * wr) + (l2r * w2i + l2i * w2r);
        ax[k] += gr;
        ay[k] -= gi;
      }
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
