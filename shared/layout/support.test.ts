import { describe, expect, it } from 'vitest';
import { buildCsr, coarsen, connectedComponents } from './graph.ts';
import { generateScaleFreeGraph } from './generate.ts';
import { removeOverlaps } from './overlap.ts';
import { countOverlaps, edgeLengthStats, sampledStress } from './quality.ts';
import { createRandom } from '../base/random.ts';

describe('generateScaleFreeGraph', () => {
  it('makes a seeded simple graph with about 2 edges per node', () => {
    const graph = generateScaleFreeGraph(1000, { seed: 5 });
    expect(graph.nodeCount).toBe(1000);
    expect(graph.edgeSources).toHaveLength(3 + 997 * 2);
    const seen = new Set<string>();
    const degree = new Uint32Array(1000);
    for (let k = 0; k < graph.edgeSources.length; k++) {
      const a = graph.edgeSources[k];
      const b = graph.edgeTargets[k];
      expect(a).not.toBe(b);
      const key = a < b ? `${a}-${b}` : `${b}-${a}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      degree[a]++;
      degree[b]++;
    }
    expect(Math.min(...degree)).toBeGreaterThanOrEqual(2);
    expect(Math.max(...degree)).toBeGreaterThan(30);
    expect(generateScaleFreeGraph(1000, { seed: 5 })).toEqual(graph);
    expect(generateScaleFreeGraph(1000, { seed: 6 })).not.toEqual(graph);
    expect(connectedComponents(buildCsr(1000, graph.edgeSources, graph.edgeTargets)).count).toBe(1);
  });

  it('handles tiny sizes', () => {
    expect(generateScaleFreeGraph(0).edgeSources).toHaveLength(0);
    expect(generateScaleFreeGraph(1).edgeSources).toHaveLength(0);
    expect(generateScaleFreeGraph(2).edgeSources).toHaveLength(1);
    expect(generateScaleFreeGraph(3).edgeSources).toHaveLength(3);
  });
});

describe('coarsen', () => {
  it('shrinks a scale-free graph and conserves mass and edge weight', () => {
    const graph = generateScaleFreeGraph(2000, { seed: 8 });
    const fine = buildCsr(2000, graph.edgeSources, graph.edgeTargets);
    const { graph: coarse, clusterOf } = coarsen(fine, 1);
    expect(coarse.nodeCount).toBeLessThan(1000);
    expect(coarse.masses.reduce((a, b) => a + b, 0)).toBe(2000);
    for (const c of clusterOf) expect(c).toBeLessThan(coarse.nodeCount);
    let crossing = 0;
    for (let u = 0; u < 2000; u++) {
      for (let e = fine.offsets[u]; e < fine.offsets[u + 1]; e++) {
        if (clusterOf[u] !== clusterOf[fine.adjacency[e]]) crossing++;
      }
    }
    expect(coarse.weights.reduce((a, b) => a + b, 0)).toBe(crossing);
  });
});

describe('removeOverlaps and quality measures', () => {
  it('separates coincident and crowded nodes', () => {
    const random = createRandom(2);
    const positions = new Float64Array(2 * 500);
    for (let i = 0; i < 500; i++) {
      positions[2 * i] = i < 50 ? 0 : random() * 100;
      positions[2 * i + 1] = i < 50 ? 0 : random() * 100;
    }
    expect(countOverlaps(positions)).toBeGreaterThan(1000);
    removeOverlaps(positions, { seed: 3 });
    expect(countOverlaps(positions)).toBe(0);
  });

  it('counts overlaps like a brute-force check', () => {
    const random = createRandom(4);
    const n = 400;
    const positions = Float64Array.from({ length: 2 * n }, () => random() * 600);
    // A few huge discs exercise the grid's wide-reach path for nodes bigger than a cell.
    const sizes = Float32Array.from(
      { length: n },
      (_, i) => (i % 50 === 0 ? 150 : 5) + random() * 40,
    );
    let expected = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const d = Math.hypot(
          positions[2 * i] - positions[2 * j],
          positions[2 * i + 1] - positions[2 * j + 1],
        );
        if (d < (sizes[i] + sizes[j]) / 2) expected++;
      }
    }
    expect(expected).toBeGreaterThan(0);
    expect(countOverlaps(positions, sizes)).toBe(expected);
  });

  it('measures edge lengths and stress', () => {
    const path = {
      nodeCount: 3,
      edgeSources: Uint32Array.of(0, 1, 2),
      edgeTargets: Uint32Array.of(1, 2, 2),
    };
    const straight = Float64Array.of(0, 0, 3, 0, 6, 0);
    expect(edgeLengthStats(straight, path)).toEqual({ mean: 3, cv: 0, count: 2 });
    expect(sampledStress(straight, path)).toBeCloseTo(0, 12);
    const bent = Float64Array.of(0, 0, 3, 0, 3, 1);
    expect(edgeLengthStats(bent, path).cv).toBeCloseTo(0.5, 12);
    expect(sampledStress(bent, path)).toBeGreaterThan(0.01);
  });
});
