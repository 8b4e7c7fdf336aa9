// The Node betweenness pool really runs chunks on worker threads, every chunk exactly once, and
// gives the one-thread numbers, exact and sampled, the same bits on every run.
import { afterAll, describe, expect, it } from 'vitest';
import { planChunks, runSources } from '../../../shared/analysis/betweennessParts.ts';
import {
  barabasiAlbert,
  betweennessCentrality,
  buildGraph,
} from '../../../shared/analysis/index.ts';
import {
  betweennessOnThreads,
  betweennessThreadCounts,
  type ChunkReport,
  closeBetweennessThreads,
} from './betweennessThreads.ts';

function expectClose(pooled: Float64Array, single: Float64Array): void {
  for (let i = 0; i < single.length; i++) {
    expect(Math.abs(pooled[i]! - single[i]!)).toBeLessThanOrEqual(1e-12 * single[i]!);
  }
}

/** The chunks reported, in order. */
function chunksOf(reports: readonly ChunkReport[]): number[] {
  return reports.map((r) => r.chunk).sort((a, b) => a - b);
}

describe('betweennessOnThreads', () => {
  const graph = buildGraph(barabasiAlbert(400, 2, 5));
  afterAll(closeBetweennessThreads);

  it.each([{}, { k: 60, seed: 2 }, { normalized: false }])(
    'runs every chunk once, here or on a thread, and equals one thread (%o)',
    async (options) => {
      const reports: ChunkReport[] = [];
      const pooled = await betweennessOnThreads(graph, options, {
        threads: 2,
        onChunk: (report) => reports.push(report),
      });
      const sources = runSources(graph.nodeCount, options).length;
      const chunkCount = planChunks(sources, 2).length - 1;
      expect(chunksOf(reports)).toEqual(Array.from({ length: chunkCount }, (_, c) => c));
      expect(reports.reduce((sum, r) => sum + r.sources, 0)).toBe(sources);
      expectClose(pooled, betweennessCentrality(graph, options));
    },
  );

  it('runs the chunks on worker threads when the caller does not work', async () => {
    const reports: ChunkReport[] = [];
    const pooled = await betweennessOnThreads(
      graph,
      {},
      { threads: 2, callerWorks: false, onChunk: (report) => reports.push(report) },
    );
    expect(reports.length).toBe(planChunks(graph.nodeCount, 2).length - 1);
    expect(reports.every((r) => r.onThread)).toBe(true);
    expectClose(pooled, betweennessCentrality(graph));
  });

  it('gives the same bits on every run, whichever thread ran which chunk', async () => {
    const first = await betweennessOnThreads(graph, {}, { threads: 2 });
    const second = await betweennessOnThreads(graph, {}, { threads: 2, callerWorks: false });
    const third = await betweennessOnThreads(graph, {}, { threads: 3 });
    expect(second).toEqual(first);
    // Three threads cut the sources into other chunks: equal up to rounding only.
    expectClose(third, first);
  });

  it('runs the chunks of a thread that ended mid-run here', async () => {
    const reports: ChunkReport[] = [];
    const running = betweennessOnThreads(
      graph,
      {},
      { threads: 2, callerWorks: false, onChunk: (r) => reports.push(r) },
    );
    await closeBetweennessThreads();
    const pooled = await running;
    expect(chunksOf(reports)).toEqual(
      Array.from({ length: planChunks(graph.nodeCount, 2).length - 1 }, (_, c) => c),
    );
    expect(reports.some((r) => !r.onThread)).toBe(true);
    expectClose(pooled, betweennessCentrality(graph));
  });

  it('is not held up by a thread still starting: the caller runs the chunks meanwhile', async () => {
    await closeBetweennessThreads();
    const small = buildGraph(barabasiAlbert(150, 2, 8));
    const reports: ChunkReport[] = [];
    // The fresh thread needs far longer to load its modules than these 150 searches take here.
    const pooled = await betweennessOnThreads(
      small,
      {},
      { threads: 2, onChunk: (r) => reports.push(r) },
    );
    expect(reports.length).toBe(planChunks(small.nodeCount, 2).length - 1);
    expect(reports.every((r) => !r.onThread)).toBe(true);
    expectClose(pooled, betweennessCentrality(small));
  });

  it('refuses negative weights before any thread is handed the run', async () => {
    const negative = buildGraph({
      nodes: ['a', 'b', 'c'],
      edges: [
        { source: 'a', target: 'b', weight: 1 },
        { source: 'b', target: 'c', weight: -2 },
      ],
    });
    const { started } = betweennessThreadCounts();
    await expect(betweennessOnThreads(negative, {}, { threads: 2 })).rejects.toThrow();
    expect(betweennessThreadCounts().started).toBe(started);
  });

  it('with one thread runs in the calling thread', async () => {
    const reports: ChunkReport[] = [];
    await betweennessOnThreads(graph, {}, { threads: 1, onChunk: (r) => reports.push(r) });
    expect(reports.map((r) => r.onThread)).toEqual([false]);
  });

  it('keeps its thread for the next run instead of starting another', async () => {
    // No thread of an earlier test still starting; then one started and waited for.
    await closeBetweennessThreads();
    await betweennessOnThreads(graph, {}, { threads: 1, callerWorks: false });
    const before = betweennessThreadCounts();
    expect(before.idle).toBe(1);
    const again = await betweennessOnThreads(graph, { k: 30, seed: 4 }, { threads: 2 });
    expect(betweennessThreadCounts()).toEqual(before);
    expectClose(again, betweennessCentrality(graph, { k: 30, seed: 4 }));
  });

  it('starts a new thread when the kept one has ended', async () => {
    await betweennessOnThreads(graph, {}, { threads: 1, callerWorks: false });
    await closeBetweennessThreads();
    const { started } = betweennessThreadCounts();
    const reports: ChunkReport[] = [];
    await betweennessOnThreads(
      graph,
      {},
      { threads: 1, callerWorks: false, onChunk: (r) => reports.push(r) },
    );
    expect(reports.every((r) => r.onThread)).toBe(true);
    expect(betweennessThreadCounts().started).toBe(started + 1);
  });
});
