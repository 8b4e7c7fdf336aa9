// Betweenness speed against python-igraph on the very same Barabási–Albert graphs (5k and 20k
// nodes, 2 edges per new node): Tessera generates each graph from a fixed seed and writes the edge
// list to a temp file, igraph reads that file, and both time only the betweenness call.
//
// Times are CPU seconds of the measuring process (process.cpuUsage / time.process_time): both
// tools are single-threaded, so on an idle machine this equals wall-clock time, and on a shared
// machine it is not inflated by other jobs. Wall-clock times are printed too. The ratio lines
// are Tessera CPU time / igraph CPU time (goal <= 1.5).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  barabasiAlbert,
  betweennessCentrality,
  buildGraph,
  closenessCentrality,
  pagerank,
} from '../shared/analysis/index.ts';

const PYTHON = '/usr/bin/python3';
const SIZES = [
  { label: '5k', n: 5_000, seed: 5 },
  { label: '20k', n: 20_000, seed: 20 },
];

const IGRAPH_SCRIPT = `
import json, sys, time
import igraph
path, out, extra = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
g = igraph.Graph.Read_Edgelist(path, directed=False)
result = {}
def timed(name, fn):
    w, c = time.perf_counter(), time.process_time()
    value = fn()
    result[name] = {"wall": time.perf_counter() - w, "cpu": time.process_time() - c}
    return value
result["values"] = timed("betweenness", g.betweenness)
if extra:
    timed("pagerank", g.pagerank)
    timed("closeness", g.closeness)
json.dump(result, open(out, "w"))
`;

interface Timing {
  wall: number;
  cpu: number;
}
interface IgraphResult {
  values: number[];
  betweenness: Timing;
  pagerank?: Timing;
  closeness?: Timing;
}

function time<T>(fn: () => T): { value: T; timing: Timing } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const value = fn();
  const used = process.cpuUsage(cpu);
  return {
    value,
    timing: { wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 },
  };
}

const seconds = (value: number) => `${value.toFixed(2)} s`;

function main(): number {
  const check = spawnSync(PYTHON, ['-c', 'import igraph'], { stdio: 'ignore' });
  if (check.status !== 0) {
    console.error(`centrality bench needs python-igraph under ${PYTHON}`);
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tessera-centrality-bench-'));
  try {
    for (const { label, n, seed } of SIZES) {
      const input = barabasiAlbert(n, 2, seed);
      const graph = buildGraph(input);
      const edgeFile = join(dir, `ba${label}.edges`);
      // Node ids are 0..n-1 in graph order, so igraph's vertex numbers are the same nodes.
      writeFileSync(edgeFile, input.edges.map((e) => `${e.source} ${e.target}`).join('\n') + '\n');
      const extra = label === '20k';

      const ours = time(() => betweennessCentrality(graph));
      const resultFile = join(dir, `ba${label}.json`);
      const run = spawnSync(
        PYTHON,
        ['-c', IGRAPH_SCRIPT, edgeFile, resultFile, extra ? '1' : '0'],
        {
          encoding: 'utf8',
        },
      );
      if (run.status !== 0) throw new Error(`igraph failed: ${run.stderr}`);
      const igraph = JSON.parse(readFileSync(resultFile, 'utf8')) as IgraphResult;

      console.log(`betweenness ${label} tessera: ${seconds(ours.timing.cpu)}`);
      console.log(`betweenness ${label} igraph: ${seconds(igraph.betweenness.cpu)}`);
      console.log(`betweenness ${label} tessera wall: ${seconds(ours.timing.wall)}`);
      console.log(`betweenness ${label} igraph wall: ${seconds(igraph.betweenness.wall)}`);
      console.log(
        `betweenness ratio vs igraph ${label}: ${(ours.timing.cpu / igraph.betweenness.cpu).toFixed(2)}`,
      );
      // NetworkX-normalised values times (n-1)(n-2)/2 give igraph's unnormalised pair counts.
      const scale = ((n - 1) * (n - 2)) / 2;
      let maxDiff = 0;
      let maxValue = 0;
      for (let i = 0; i < n; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(ours.value[i]! * scale - igraph.values[i]!));
        maxValue = Math.max(maxValue, igraph.values[i]!);
      }
      console.log(
        `betweenness agreement ${label}: max abs diff ${maxDiff.toExponential(2)} (largest value ${maxValue.toExponential(2)})`,
      );

      if (extra) {
        const rank = time(() => pagerank(graph));
        const close = time(() => closenessCentrality(graph));
        console.log(`pagerank ${label} tessera: ${seconds(rank.timing.cpu)}`);
        console.log(`pagerank ${label} igraph: ${seconds(igraph.pagerank!.cpu)}`);
        console.log(`closeness ${label} tessera: ${seconds(close.timing.cpu)}`);
        console.log(`closeness ${label} igraph: ${seconds(igraph.closeness!.cpu)}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}

process.exitCode = main();
