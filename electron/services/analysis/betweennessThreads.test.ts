// The Node betweenness pool really runs its slices on worker threads, and gives the one-thread
// numbers, exact and sampled.
import { describe, expect, it } from 'vitest';
import {
  barabasiAlbert,
  betweennessCentrality,
  buildGraph,
} from '../../../shared/analysis/index.ts';
import { betweennessOnThreads } from './betweennessThreads.ts';

describe('betweennessOnThreads', () => {
  const graph = buildGraph(barabasiAlbert(400, 2, 5));

  it.each([{}, { k: 60, seed: 2 }, { normalized: false }])(
    'runs the first slice here, the other on a thread, and equals one thread (%o)',
    async (options) => {
      const reports: boolean[] = [];
      const pooled = await betweennessOnThreads(graph, options, {
        threads: 2,
        onSlice: ({ onThread }) => reports.push(onThread),
      });
      expect(reports.sort()).toEqual([false, true]);
      const single = betweennessCentrality(graph, options);
      for (let i = 0; i < graph.nodeCount; i++) {
        expect(Math.abs(pooled[i]! - single[i]!)).toBeLessThanOrEqual(1e-12 * single[i]!);
      }
    },
  );

  it('with one thread runs in the calling thread', async () => {
    const reports: boolean[] = [];
    await betweennessOnThreads(graph, {}, { threads: 1, onSlice: (r) => reports.push(r.onThread) });
    expect(reports).toEqual([false]);
  });
});
