// End-to-end: `tessera analyze` on GraphML written by NetworkX must print NetworkX's own values.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { networkxAvailable, PYTHON } from '../../../shared/analysis/fixtures/networkx.ts';
import { buildGraph, modularity, parseGraphML } from '../../../shared/analysis/index.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const hasNetworkx = networkxAvailable('the tessera analyze tests');

interface Reference {
  betweenness: Record<string, number>;
  closeness: Record<string, number>;
  pagerank: Record<string, number>;
  eigenvector: Record<string, number> | null;
  components: string[][];
  paths: { from: string; to: string; length: number | null }[];
  louvain_mean_modularity?: number;
  greedy_modularity?: number;
}

let dir = '';
let reference: Record<string, Reference> = {};

function tessera(...args: string[]) {
  const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'tessera.mjs'), 'analyze', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function expectValues(actual: Record<string, number>, expected: Record<string, number>) {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [id, value] of Object.entries(expected)) {
    expect(Math.abs(actual[id]! - value), id).toBeLessThan(1e-9);
  }
}

beforeAll(() => {
  if (!hasNetworkx) return;
  dir = mkdtempSync(join(tmpdir(), 'tessera-analyze-'));
  const script = join(ROOT, 'shared', 'analysis', 'fixtures', 'networkx_reference.py');
  const run = spawnSync(PYTHON, [script, dir], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`networkx_reference.py failed: ${run.stderr}`);
  reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as typeof reference;
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasNetworkx)('tessera analyze', () => {
  it('prints weighted betweenness of Les Misérables as NetworkX computes them', () => {
    const input = join(dir, 'lesmis.graphml');
    const betweenness = tessera('--input', input, '--measure', 'betweenness', '--json');
    expect(betweenness.code, betweenness.stderr).toBe(0);
    expectValues(
      JSON.parse(betweenness.stdout) as Record<string, number>,
      reference.lesmis!.betweenness,
    );
  });

  it('--sample K estimates betweenness from K sources (all of them: exact), for betweenness only', () => {
    const input = join(dir, 'lesmis.graphml');
    const all = tessera('--input', input, '--measure', 'betweenness', '--sample', '77', '--json');
    expect(all.code, all.stderr).toBe(0);
    expectValues(JSON.parse(all.stdout) as Record<string, number>, reference.lesmis!.betweenness);
    const some = tessera('--input', input, '--measure', 'betweenness', '--sample', '20', '--json');
    expect(some.code, some.stderr).toBe(0);
    const estimate = JSON.parse(some.stdout) as Record<string, number>;
    expect(Object.keys(estimate).sort()).toEqual(Object.keys(reference.lesmis!.betweenness).sort());
    expect(estimate).not.toEqual(reference.lesmis!.betweenness);
    expect(tessera('--input', input, '--measure', 'pagerank', '--sample', '20').code).toBe(2);
  });

  it('reads the same graph from a CSV edge list with a header', () => {
    const graph = parseGraphML(readFileSync(join(dir, 'karate.graphml'), 'utf8'));
    const csv = [
      'source,target,weight',
      ...graph.edges.map((e) => `${e.source},${e.target},${e.weight}`),
    ];
    const input = join(dir, 'karate.csv');
    writeFileSync(input, csv.join('\n') + '\n');
    const closeness = tessera('--input', input, '--measure', 'closeness', '--json');
    expect(closeness.code, closeness.stderr).toBe(0);
    expectValues(
      JSON.parse(closeness.stdout) as Record<string, number>,
      reference.karate!.closeness,
    );
    const table = tessera('--input', input, '--measure', 'eigenvector', '--top', '3');
    const lines = table.stdout.trim().split('\n');
    const eigenvector = reference.karate!.eigenvector!;
    const best = Object.keys(eigenvector).sort((a, b) => eigenvector[b]! - eigenvector[a]!)[0]!;
    expect(lines[0]).toMatch(/node\s+eigenvector/);
    expect(lines[1]).toMatch(new RegExp(`^1\\s+${best}\\s`));
    expect(lines).toHaveLength(5);
  });

  it('prints components, communities and paths', () => {
    const components = tessera(
      '--input',
      join(dir, 'disconnected.graphml'),
      '--measure',
      'components',
      '--json',
    );
    const groups = JSON.parse(components.stdout) as string[][];
    const sortGroups = (list: string[][]) =>
      list.map((g) => [...g].sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
    expect(sortGroups(groups)).toEqual(sortGroups(reference.disconnected!.components));
    expect(groups.map((g) => g.length)).toEqual(
      [...groups.map((g) => g.length)].sort((a, b) => b - a),
    );

    const karatePath = join(dir, 'karate.graphml');
    const communities = tessera(
      '--input',
      karatePath,
      '--measure',
      'communities',
      '--json',
      '--seed',
      '2',
    );
    const partition = JSON.parse(communities.stdout) as string[][];
    const karate = buildGraph(parseGraphML(readFileSync(karatePath, 'utf8')));
    const bar = Math.max(
      reference.karate!.louvain_mean_modularity!,
      reference.karate!.greedy_modularity!,
    );
    expect(modularity(karate, partition)).toBeGreaterThanOrEqual(bar * 0.99);

    const pair = reference.lesmis!.paths.find((p) => p.length !== null && p.from !== p.to)!;
    const path = tessera(
      '--input',
      join(dir, 'lesmis.graphml'),
      '--measure',
      'path',
      '--from',
      pair.from,
      '--to',
      pair.to,
      '--json',
    );
    const nodes = JSON.parse(path.stdout) as string[];
    expect([nodes[0], nodes.at(-1)]).toEqual([pair.from, pair.to]);
  });

  it('counts parallel CSV rows as a weight, as NetworkX does for a collapsed MultiGraph', () => {
    // 22 calls a-b, 1 call b-c, 3 calls c-a plus one weighted row pair; the last row alone
    // would say a-b weighs 1.
    const rows = [
      ...Array.from({ length: 22 }, () => 'a,b'),
      'b,c',
      ...Array.from({ length: 3 }, () => 'c,a'),
      'c,d,2',
      'd,c,5',
      'd,e',
    ];
    const input = join(dir, 'calls.csv');
    writeFileSync(input, `source,target\n${rows.join('\n')}\n`);
    const python = `
import json, sys, networkx as nx
multi = nx.MultiGraph()
for line in sys.stdin.read().split()[1:]:
    parts = line.split(',')
    multi.add_edge(parts[0], parts[1], weight=float(parts[2]) if len(parts) > 2 else 1.0)
graph = nx.Graph()
for u, v, data in multi.edges(data=True):
    previous = graph.get_edge_data(u, v, {'weight': 0.0})['weight']
    graph.add_edge(u, v, weight=previous + data['weight'])
print(json.dumps({'pagerank': nx.pagerank(graph, weight='weight'),
                  'betweenness': nx.betweenness_centrality(graph, weight='weight')}))
`;
    const nx = spawnSync(PYTHON, ['-c', python], {
      input: readFileSync(input, 'utf8'),
      encoding: 'utf8',
    });
    expect(nx.status, nx.stderr).toBe(0);
    const expected = JSON.parse(nx.stdout) as Record<
      'pagerank' | 'betweenness',
      Record<string, number>
    >;
    for (const measure of ['pagerank', 'betweenness'] as const) {
      const run = tessera('--input', input, '--measure', measure, '--json');
      expect(run.code, run.stderr).toBe(0);
      const actual = JSON.parse(run.stdout) as Record<string, number>;
      for (const [id, value] of Object.entries(expected[measure])) {
        expect(Math.abs(actual[id]! - value), `${measure} ${id}`).toBeLessThan(1e-6);
      }
    }
  });

  it('fails cleanly on bad input', () => {
    const usage = tessera('--input', join(dir, 'karate.graphml'), '--measure', 'fame');
    expect(usage.code).toBe(2);
    expect(usage.stdout).toBe('');
    const noPath = tessera(
      '--input',
      join(dir, 'disconnected.graphml'),
      '--measure',
      'path',
      '--from',
      'lonely-1',
      '--to',
      'lonely-2',
    );
    expect(noPath.code).toBe(1);
    expect(noPath.stderr).toMatch(/no path/);
  });
});
