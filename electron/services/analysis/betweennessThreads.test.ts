// The Node betweenness pool really runs its slices on worker threads, and gives the one-thread
// numbers, exact and sampled.
import { afterAll, describe, expect, it } from 'vitest';
import {
  barabasiAlbert,
  betweennessCentrality,
  buildGraph,
} from '../../../shared/analysis/index.ts';
import {
  betweennessOnThreads,
  betweennessThreadCounts,
  closeBetweennessThreads,
} from './betweennessThreads.ts';

describe('betweennessOnThreads', () => {
  const graph = buildGraph(barabasiAlbert(400, 2, 5));
  afterAll(closeBetweennessThreads);

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

  it('keeps its thread for the next run instead of starting another', async () => {
    await betweennessOnThreads(graph, {}, { threads: 2 });
    const before = betweennessThreadCounts();
    expect(before.idle).toBe(1);
    const again = await betweennessOnThreads(graph, { k: 30, seed: 4 }, { threads: 2 });
    expect(betweennessThreadCounts()).toEqual(before);
    const single = betweennessCentrality(graph, { k: 30, seed: 4 });
    for (let i = 0; i < graph.nodeCount; i++) {
      expect(Math.abs(again[i]! - single[i]!)).toBeLessThanOrEqual(1e-12 * single[i]!);
    }
  });

  it('starts a new thread when the kept one has ended', async () => {
    await betweennessOnThreads(graph, {}, { threads: 2 });
    await closeBetweennessThreads();
    const { started } = betweennessThreadCounts();
    const reports: boolean[] = [];
    await betweennessOnThreads(graph, {}, { threads: 2, onSlice: (r) => reports.push(r.onThread) });
    expect(reports.sort()).toEqual([false, true]);
    expect(betweennessThreadCounts().started).toBe(started + 1);
  });
});
