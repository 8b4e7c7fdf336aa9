// The renderer's betweenness pool: slices run (here in-process, as each worker would run them) and
// merged give the single worker's answer, exact or sampled, for any number of workers.
import { describe, expect, it } from 'vitest';
import {
  type AnalysisRequest,
  barabasiAlbert,
  betweennessOfSlice,
  buildGraph,
  runAnalysis,
} from '../../shared/analysis/index.ts';
import { betweennessInPool, type SliceRunner } from './betweennessPool.ts';

const inProcess: SliceRunner = (_index, { graph: input, slice }) => {
  const graph = buildGraph(input);
  return Promise.resolve({
    raw: betweennessOfSlice(graph, slice),
    ids: slice.index === 0 ? graph.ids : null,
    directed: graph.directed,
  });
};

function values(result: ReturnType<typeof runAnalysis>): Record<string, number> {
  if (result.kind !== 'values') throw new Error('not a values result');
  return result.values;
}

describe('betweennessInPool', () => {
  const graph = barabasiAlbert(300, 2, 11);
  const requests: AnalysisRequest[] = [
    { measure: 'betweenness', graph },
    { measure: 'betweenness', graph, sample: 40, seed: 3 },
    {
      measure: 'betweenness',
      graph: { ...graph, edges: graph.edges.map((e, i) => ({ ...e, weight: 1 + (i % 4) })) },
      weighted: true,
    },
    { measure: 'betweenness', graph: { nodes: ['only'], edges: [] } },
  ];
  it.each([1, 2, 3, 8])('with %i workers equals the single worker', async (threads) => {
    for (const request of requests) {
      const expected = values(runAnalysis(request));
      const { result } = await betweennessInPool(request, undefined, threads, inProcess);
      const actual = values(result);
      expect(Object.keys(actual)).toEqual(Object.keys(expected));
      for (const [id, value] of Object.entries(expected)) {
        expect(Math.abs(actual[id]! - value), id).toBeLessThanOrEqual(1e-12 * Math.abs(value));
      }
    }
  });
});
