import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FarField, accumulateRepulsionExact } from './quadtree.ts';
import { createRandom } from '../base/random.ts';

function relativeError(
  n: number,
  ax: Float64Array,
  ay: Float64Array,
  bx: Float64Array,
  by: Float64Array,
): number {
  let error = 0;
  let norm = 0;
  for (let i = 0; i < n; i++) {
    error += Math.hypot(ax[i] - bx[i], ay[i] - by[i]);
    norm += Math.hypot(bx[i], by[i]);
  }
  return error / norm;
}

describe('tree-code repulsion', () => {
  const n = 700;
  const random = createRandom(21);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Clustered points exercise deep, path-compressed cells as well as sparse ones.
    const cluster = i % 5;
    x[i] = cluster * 40 + random() * (cluster === 0 ? 0.01 : 30);
    y[i] = random() * 100;
  }
  x[1] = x[0]!;
  y[1] = y[0]!;
  const exactX = new Float64Array(n);
  const exactY = new Float64Array(n);
  accumulateRepulsionExact(n, x, y, exactX, exactY, 2.5);

  it('matches the exact sum within tolerance', () => {
    const tree = new FarField();
    for (const [theta, tolerance] of [
      [0.5, 0.01],
      [1, 0.03],
    ] as const) {
      const fx = new Float64Array(n);
      const fy = new Float64Array(n);
      tree.accumulate(n, x, y, fx, fy, 2.5, theta);
      expect(relativeError(n, fx, fy, exactX, exactY)).toBeLessThan(tolerance);
    }
  });

  it('is exact with theta 0 and adds to existing forces', () => {
    const fx = new Float64Array(n).fill(1);
    const fy = new Float64Array(n).fill(-1);
    new FarField().accumulate(n, x, y, fx, fy, 2.5, 0);
    for (let i = 0; i < n; i++) {
      expect(fx[i] - 1).toBeCloseTo(exactX[i], 6);
      expect(fy[i] + 1).toBeCloseTo(exactY[i], 6);
    }
  });

  it('gives the same forces when its workspace is reused for other point sets', () => {
    const reused = new FarField();
    reused.accumulate(n, x, y, new Float64Array(n), new Float64Array(n), 1, 0.8);
    const m = 300;
    const first = [new Float64Array(m), new Float64Array(m)] as const;
    const second = [new Float64Array(m), new Float64Array(m)] as const;
    reused.accumulate(m, x, y, first[0], first[1], 2.5, 0.8);
    new FarField().accumulate(m, x, y, second[0], second[1], 2.5, 0.8);
    expect(Array.from(first[0])).toEqual(Array.from(second[0]));
    expect(Array.from(first[1])).toEqual(Array.from(second[1]));
  });

  it('stays within tolerance of the exact sum on generated point sets', () => {
    // Points on a coarse lattice, so coincident points, collinear rows and tight clusters (a scale
    // factor from 1e-6 to 1e3) all come up.
    const pointSet = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 })), {
        minLength: 2,
        maxLength: 400,
      })
      .chain((points) =>
        fc.record({ points: fc.constant(points), scale: fc.constantFrom(1e-6, 1, 1e3) }),
      );
    fc.assert(
      fc.property(pointSet, ({ points, scale }) => {
        const m = points.length;
        const px = Float64Array.from(points, (p) => p[0] * scale);
        const py = Float64Array.from(points, (p) => p[1] * scale);
        const ex = new Float64Array(m);
        const ey = new Float64Array(m);
        accumulateRepulsionExact(m, px, py, ex, ey, 1);
        const fx = new Float64Array(m);
        const fy = new Float64Array(m);
        new FarField().accumulate(m, px, py, fx, fy, 1, 0.8);
        let norm = 0;
        for (let i = 0; i < m; i++) norm += Math.hypot(ex[i], ey[i]);
        // All points coincident: no force at all, exactly.
        if (norm === 0) return fx.every((v) => v === 0) && fy.every((v) => v === 0);
        return relativeError(m, fx, fy, ex, ey) < 0.02;
      }),
      { numRuns: 150, seed: 13 },
    );
  });
});
