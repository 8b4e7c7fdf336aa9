// Checks the engine against NetworkX 2.8 itself: fixtures/networkx_reference.py writes each test
// graph as GraphML plus NetworkX's results; we read the GraphML back and compare node by node.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkxAvailable, PYTHON } from './fixtures/networkx.ts';
import {
  betweennessCentrality,
  closenessCentrality,
  ConvergenceError,
  degreeCentrality,
  eigenvectorCentrality,
  pagerank,
  rescaleBetweenness,
  betweennessRaw,
} from './centrality.ts';
import { louvainCommunities, modularity } from './communities.ts';
import { buildGraph } from './graph.ts';
import type { Graph } from './graph.ts';
import { parseGraphML } from './io.ts';
import { allSimplePaths, connectedComponents, neighbourhood, shortestPath } from './paths.ts';
import { shortestPathLength } from './paths.ts';

interface Reference {
  directed: boolean;
  weighted: boolean;
  degree: Record<string, number>;
  betweenness: Record<string, number>;
  betweenness_raw: Record<string, number>;
  closeness: Record<string, number>;
  eigenvector: Record<string, number> | null;
  pagerank: Record<string, number>;
  components: string[][];
  paths: { from: string; to: string; length: number | null; simple: string[][] }[];
  neighbours: { from: string; hops: Record<string, number> };
  louvain_modularity?: number;
  louvain_mean_modularity?: number;
  greedy_modularity?: number;
  louvain_partition?: string[][];
}

const hasNetworkx = networkxAvailable('the NetworkX comparisons');

const GRAPHS = [
  'florentine',
  'lesmis',
  'karate',
  'ba300',
  'disconnected',
  'weighted',
  'directed',
  'loops',
];

let dir = '';
let reference: Record<string, Reference> = {};
const graphs = new Map<string, Graph>();

beforeAll(() => {
  if (!hasNetworkx) return;
  dir = mkdtempSync(join(tmpdir(), 'tessera-nx-'));
  const script = join(import.meta.dirname, 'fixtures', 'networkx_reference.py');
  const run = spawnSync(PYTHON, [script, dir], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`networkx_reference.py failed: ${run.stderr}`);
  reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as typeof reference;
  for (const name of GRAPHS) {
    graphs.set(name, buildGraph(parseGraphML(readFileSync(join(dir, `${name}.graphml`), 'utf8'))));
  }
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function expectClose(graph: Graph, actual: Float64Array, expected: Record<string, number>): void {
  expect(Object.keys(expected).sort()).toEqual([...graph.ids].sort());
  let worst = 0;
  let worstId = '';
  for (let i = 0; i < graph.nodeCount; i++) {
    const diff = Math.abs(actual[i]! - expected[graph.ids[i]!]!);
    if (diff > worst) {
      worst = diff;
      worstId = graph.ids[i]!;
    }
  }
  expect(worst, `largest difference at node ${worstId}`).toBeLessThan(1e-9);
}

const sortGroups = (groups: string[][]) =>
  groups.map((group) => [...group].sort()).sort((a, b) => (a.join('\0') < b.join('\0') ? -1 : 1));

describe.skipIf(!hasNetworkx).each(GRAPHS)('%s matches NetworkX', (name) => {
  const graph = () => graphs.get(name)!;
  const ref = () => reference[name]!;

  it('reads the GraphML as NetworkX wrote it', () => {
    expect(graph().directed).toBe(ref().directed);
    expect(graph().weighted).toBe(ref().weighted);
  });

  it('degree centrality', () => {
    expectClose(graph(), degreeCentrality(graph()), ref().degree);
  });

  it('betweenness centrality, normalised and raw', () => {
    expectClose(graph(), betweennessCentrality(graph()), ref().betweenness);
    expectClose(
      graph(),
      betweennessCentrality(graph(), { normalized: false }),
      ref().betweenness_raw,
    );
  });

  it('betweenness partial sums over split sources add up', () => {
    const g = graph();
    const half = Math.floor(g.nodeCount / 2);
    const first = Int32Array.from({ length: half }, (_, i) => i);
    const second = Int32Array.from({ length: g.nodeCount - half }, (_, i) => half + i);
    const sum = betweennessRaw(g, { sources: first });
    const rest = betweennessRaw(g, { sources: second });
    for (let i = 0; i < sum.length; i++) sum[i]! += rest[i]!;
    expectClose(g, rescaleBetweenness(g, sum), ref().betweenness);
  });

  it('closeness centrality', () => {
    expectClose(graph(), closenessCentrality(graph()), ref().closeness);
  });

  it('eigenvector centrality (or the same failure to converge)', () => {
    const expected = ref().eigenvector;
    if (expected === null) {
      expect(() => eigenvectorCentrality(graph())).toThrow(ConvergenceError);
    } else {
      expectClose(graph(), eigenvectorCentrality(graph()), expected);
    }
  });

  it('pagerank', () => {
    expectClose(graph(), pagerank(graph()), ref().pagerank);
  });

  it('connected components', () => {
    expect(sortGroups(connectedComponents(graph()))).toEqual(sortGroups(ref().components));
  });

  it('shortest paths, simple paths up to 3 hops and neighbourhoods', () => {
    const g = graph();
    for (const pair of ref().paths) {
      const length = shortestPathLength(g, pair.from, pair.to);
      if (pair.length === null) {
        expect(length).toBe(Infinity);
        expect(shortestPath(g, pair.from, pair.to)).toBeNull();
      } else {
        expect(length).toBeCloseTo(pair.length, 9);
        const path = shortestPath(g, pair.from, pair.to)!;
        expect(path[0]).toBe(pair.from);
        expect(path.at(-1)).toBe(pair.to);
        let total = 0;
        for (let i = 1; i < path.length; i++) {
          const u = g.indexOf.get(path[i - 1]!)!;
          const v = g.indexOf.get(path[i]!)!;
          let step = Infinity;
          for (let e = g.offsets[u]!; e < g.offsets[u + 1]!; e++) {
            if (g.targets[e] === v) step = g.weighted ? g.weights[e]! : 1;
          }
          total += step;
        }
        expect(total).toBeCloseTo(pair.length, 9);
      }
      const simple = allSimplePaths(g, pair.from, pair.to, 3);
      expect(sortGroups(simple.map((p) => p.map(String)))).toEqual(
        sortGroups(pair.simple).map((p) => p),
      );
    }
    const { from, hops } = ref().neighbours;
    expect({ ...neighbourhood(g, from, 2) }).toEqual(hops);
  });

  it('communities reach NetworkX modularity within 1%', () => {
    const louvain = ref().louvain_modularity;
    if (louvain === undefined) return;
    const g = graph();
    // NetworkX's Louvain scatters by seed; its mean over ten seeds, or greedy CNM where that is
    // better, is the bar.
    const target = Math.max(ref().louvain_mean_modularity!, ref().greedy_modularity!);
    const result = louvainCommunities(g, { seed: 1 });
    expect(result.modularity).toBeGreaterThanOrEqual(target * 0.99);
    // Our modularity() agrees with NetworkX's on NetworkX's own partition.
    expect(modularity(g, ref().louvain_partition!)).toBeCloseTo(louvain, 9);
    expect(modularity(g, result.labels)).toBeCloseTo(result.modularity, 12);
  });
});
