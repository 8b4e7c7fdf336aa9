// Betweenness split over threads (issue 13): the plan and the merge give the single-threaded
// numbers; the k-sample estimate is NetworkX's own for the same sources.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addRawSums,
  type BetweennessSlice,
  betweennessInSlices,
  betweennessOfSlice,
  ChunkSums,
  claimChunk,
  planChunks,
  planSlices,
  runSources,
  sliceSources,
  splitSources,
} from './betweennessParts.ts';
import {
  betweennessCentrality,
  betweennessRaw,
  prepareBrandes,
  rescaleBetweenness,
  sampleSources,
} from './centrality.ts';
import { barabasiAlbert } from './generate.ts';
import { buildGraph, type Graph, type GraphInput } from './graph.ts';
import { networkxAvailable, PYTHON } from './fixtures/networkx.ts';

const hasNetworkx = networkxAvailable('the k-sample betweenness comparisons');

/** Runs the slices in this thread, as a pool's worker would. */
function inThread(graph: Graph) {
  return (slice: BetweennessSlice) => Promise.resolve(betweennessOfSlice(graph, slice));
}

function maxRelativeDiff(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(1e-300, Math.abs(a[i]!), Math.abs(b[i]!));
    if (a[i] !== b[i]) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / scale);
  }
  return worst;
}

const graphInput = fc
  .record({
    n: fc.integer({ min: 1, max: 30 }),
    edges: fc.array(fc.tuple(fc.nat(29), fc.nat(29), fc.integer({ min: 1, max: 4 })), {
      maxLength: 80,
    }),
    directed: fc.boolean(),
    weighted: fc.boolean(),
  })
  .map(({ n, edges, directed, weighted }): GraphInput => ({
    nodes: Array.from({ length: n }, (_, i) => `n${i}`),
    edges: edges
      .filter(([u, v]) => u < n && v < n)
      .map(([u, v, w]) => ({
        source: `n${u}`,
        target: `n${v}`,
        ...(weighted ? { weight: w } : {}),
      })),
    directed,
  }));

describe('splitSources', () => {
  it('deals every source to exactly one of min(parts, sources) even slices', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(1000), { maxLength: 200 }),
        fc.integer({ min: 1, max: 9 }),
        (list, parts) => {
          const sources = Int32Array.from(list);
          const slices = splitSources(sources, parts);
          expect(slices.length).toBe(Math.max(1, Math.min(parts, sources.length)));
          const sizes = slices.map((s) => s.length);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
          const dealt = slices.flatMap((s) => [...s]).sort((a, b) => a - b);
          expect(dealt).toEqual([...sources].sort((a, b) => a - b));
        },
      ),
    );
  });

  it('the slices of a plan cover the sources once, each worked out from the plan alone', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 8 }),
        fc.option(fc.integer({ min: 1, max: 250 }), { nil: undefined }),
        fc.nat(),
        (n, threads, k, seed) => {
          const slices = planSlices(n, { k, seed }, threads);
          const dealt = slices.flatMap((slice) => [...sliceSources(n, slice)]);
          const expected = sampleSources(n, k, seed) ?? Array.from({ length: n }, (_, i) => i);
          expect(dealt.sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
        },
      ),
    );
  });

  it('refuses partial sums of the wrong length', () => {
    expect(() => addRawSums(3, [new Float64Array(2)])).toThrow(RangeError);
  });
});

describe('betweennessInSlices', () => {
  it('equals the single-threaded result for any graph and any number of slices', async () => {
    await fc.assert(
      fc.asyncProperty(
        graphInput,
        fc.integer({ min: 1, max: 6 }),
        fc.boolean(),
        async (input, threads, normalized) => {
          const graph = buildGraph(input);
          const single = betweennessCentrality(graph, { normalized });
          const split = await betweennessInSlices(graph, { normalized }, threads, inThread(graph));
          expect(maxRelativeDiff(single, split)).toBeLessThan(1e-12);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('splits the k-sample estimate the same way', async () => {
    const graph = buildGraph(barabasiAlbert(400, 2, 3));
    const single = betweennessCentrality(graph, { k: 50, seed: 9 });
    const split = await betweennessInSlices(graph, { k: 50, seed: 9 }, 3, inThread(graph));
    expect(maxRelativeDiff(single, split)).toBeLessThan(1e-12);
  });
});

describe('planChunks', () => {
  it('cuts the sources into consecutive chunks, never larger than the one before', () => {
    fc.assert(
      fc.property(fc.nat(50_000), fc.integer({ min: 1, max: 16 }), (count, threads) => {
        const bounds = planChunks(count, threads);
        expect(bounds[0]).toBe(0);
        expect(bounds[bounds.length - 1]).toBe(count);
        const sizes = Array.from(bounds.subarray(1), (end, c) => end - bounds[c]!);
        expect(sizes.every((size) => size >= 1)).toBe(true);
        for (let c = 1; c < sizes.length; c++) expect(sizes[c]).toBeLessThanOrEqual(sizes[c - 1]!);
        // Small last chunks (the threads end within one of each other), few chunks in all.
        const smallest = Math.max(1, Math.ceil(count / (64 * threads)));
        if (sizes.length > 0) expect(sizes[sizes.length - 1]).toBeLessThanOrEqual(smallest);
        expect(sizes.length).toBeLessThanOrEqual(Math.min(count, 64 * threads + 1));
      }),
    );
  });

  it('gives each chunk to exactly one claim, then none', () => {
    const bounds = planChunks(1000, 2);
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const claims: (number | null)[] = [];
    for (let i = 0; i < bounds.length + 1; i++) claims.push(claimChunk(counter, bounds));
    expect(claims).toEqual([...Array.from({ length: bounds.length - 1 }, (_, c) => c), null, null]);
  });
});

describe('ChunkSums', () => {
  it('adds chunks in chunk order whatever order they come in: the same bits every time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((chunks) =>
          fc.tuple(
            fc.array(
              fc.array(fc.double({ min: 0, max: 1e12, noNaN: true }), {
                minLength: 5,
                maxLength: 5,
              }),
              { minLength: chunks, maxLength: chunks },
            ),
            fc.shuffledSubarray(
              Array.from({ length: chunks }, (_, c) => c),
              {
                minLength: chunks,
              },
            ),
          ),
        ),
        ([values, arrival]) => {
          const inOrder = addRawSums(
            5,
            values.map((v) => Float64Array.from(v)),
          );
          const sums = new ChunkSums(5, values.length);
          for (const chunk of arrival) {
            expect(sums.complete).toBe(false);
            sums.add(chunk, Float64Array.from(values[chunk]!));
          }
          expect(sums.complete).toBe(true);
          expect(sums.total()).toEqual(inOrder);
        },
      ),
    );
  });

  it('names the chunks still missing and refuses a chunk twice or of the wrong length', () => {
    const sums = new ChunkSums(2, 4);
    sums.add(2, new Float64Array(2));
    sums.add(0, new Float64Array(2));
    expect(sums.missing()).toEqual([1, 3]);
    expect(() => sums.total()).toThrow(RangeError);
    expect(() => sums.add(0, new Float64Array(2))).toThrow(RangeError);
    expect(() => sums.add(2, new Float64Array(2))).toThrow(RangeError);
    expect(() => sums.add(1, new Float64Array(3))).toThrow(RangeError);
    expect(() => sums.add(4, new Float64Array(2))).toThrow(RangeError);
  });

  it('chunks run through one prepared Brandes equal one thread, for any graph', () => {
    fc.assert(
      fc.property(
        graphInput,
        fc.integer({ min: 1, max: 5 }),
        fc.boolean(),
        (input, threads, normalized) => {
          const graph = buildGraph(input);
          const sources = runSources(graph.nodeCount, {});
          const bounds = planChunks(sources.length, threads);
          const run = prepareBrandes(graph);
          const sums = new ChunkSums(graph.nodeCount, bounds.length - 1);
          // Backwards: the arrays the prepared run reuses must be clean after every chunk.
          for (let c = bounds.length - 2; c >= 0; c--) {
            sums.add(c, run(sources.subarray(bounds[c]!, bounds[c + 1]!)));
          }
          const chunked = rescaleBetweenness(graph, sums.total(), normalized);
          expect(
            maxRelativeDiff(betweennessCentrality(graph, { normalized }), chunked),
          ).toBeLessThan(1e-12);
          expect(run(sources)).toEqual(betweennessRaw(graph));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('sampleSources', () => {
  it('draws k distinct nodes, the same for the same seed, none at all for k ≥ n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(400), fc.nat(), (n, k0, seed) => {
        const k = Math.max(1, k0);
        const sample = sampleSources(n, k, seed);
        if (k >= n) {
          expect(sample).toBeNull();
          return;
        }
        expect(sample!.length).toBe(k);
        expect(new Set(sample).size).toBe(k);
        expect([...sample!].every((v) => v >= 0 && v < n)).toBe(true);
        expect(sampleSources(n, k, seed)).toEqual(sample);
      }),
    );
    expect(() => sampleSources(10, 0)).toThrow(RangeError);
    expect(() => sampleSources(10, 2.5)).toThrow(RangeError);
  });

  it('k = n is exact betweenness', () => {
    const graph = buildGraph(barabasiAlbert(200, 2, 1));
    expect(betweennessCentrality(graph, { k: 200 })).toEqual(betweennessCentrality(graph));
  });
});

// NetworkX draws its k sources with `seed.sample(nodes, k)`: a Random whose sample() returns our
// sources makes `nx.betweenness_centrality(G, k=…, seed=…)` use exactly the same ones.
const NX_SAMPLED = `
import json, random, sys
import networkx as nx
spec = json.load(sys.stdin)
G = nx.DiGraph() if spec["directed"] else nx.Graph()
G.add_nodes_from(spec["nodes"])
for u, v, w in spec["edges"]:
    G.add_edge(u, v, weight=w)
class Pinned(random.Random):
    def sample(self, population, k, **kwargs):
        return list(spec["sources"])
weight = "weight" if spec["weighted"] else None
out = {}
for normalized in (True, False):
    out[str(normalized)] = nx.betweenness_centrality(
        G, k=len(spec["sources"]), normalized=normalized, weight=weight, seed=Pinned())
print(json.dumps(out))
`;

describe.skipIf(!hasNetworkx)('the k-sample estimate matches NetworkX for the same sources', () => {
  const cases: { name: string; input: GraphInput; k: number; weighted: boolean }[] = [
    { name: 'scale-free, unweighted', input: barabasiAlbert(300, 2, 7), k: 40, weighted: false },
    {
      name: 'directed, weighted',
      input: {
        directed: true,
        nodes: Array.from({ length: 120 }, (_, i) => String(i)),
        edges: Array.from({ length: 400 }, (_, i) => ({
          source: String((i * 7) % 120),
          target: String((i * 13 + 5) % 120),
          weight: 1 + (i % 3),
        })),
      },
      k: 25,
      weighted: true,
    },
  ];
  it.each(cases)('$name', ({ input, k, weighted }) => {
    const graph = buildGraph(input);
    const sources = sampleSources(graph.nodeCount, k, 4)!;
    const edges: [string, string, number][] = [];
    for (let u = 0; u < graph.nodeCount; u++) {
      for (let e = graph.offsets[u]!; e < graph.offsets[u + 1]!; e++) {
        const v = graph.targets[e]!;
        if (graph.directed || u <= v) edges.push([graph.ids[u]!, graph.ids[v]!, graph.weights[e]!]);
      }
    }
    const spec = {
      directed: graph.directed,
      weighted,
      nodes: graph.ids,
      edges,
      sources: [...sources].map((i) => graph.ids[i]!),
    };
    const run = spawnSync(PYTHON, ['-c', NX_SAMPLED], {
      input: JSON.stringify(spec),
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const expected = JSON.parse(run.stdout) as Record<'True' | 'False', Record<string, number>>;
    for (const normalized of [true, false]) {
      const ours = betweennessCentrality(graph, { k, seed: 4, normalized, weighted });
      const theirs = expected[normalized ? 'True' : 'False'];
      for (let i = 0; i < graph.nodeCount; i++) {
        expect(Math.abs(ours[i]! - theirs[graph.ids[i]!]!), graph.ids[i]).toBeLessThan(1e-9);
      }
    }
  });
});
