import { describe, expect, it } from 'vitest';
import { BarnesHut, accumulateRepulsionExact } from './quadtree.ts';
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

describe('Barnes–Hut repulsion', () => {
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
    const tree = new BarnesHut();
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
    new BarnesHut().accumulate(n, x, y, fx, fy, 2.5, 0);
    for (let i = 0; i < n; i++) {
      expect(fx[i] - 1).toBeCloseTo(exactX[i], 6);
      expect(fy[i] + 1).toBeCloseTo(exactY[i], 6);
    }
  });
});
