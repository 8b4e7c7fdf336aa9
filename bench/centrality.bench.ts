// Betweenness speed against python-igraph on the very same Barabási–Albert graphs (5k and 20k
// nodes, 2 edges per new node): Tessera generates each graph from a fixed seed and writes the edge
// list to a temp file, igraph reads that file, and both time only the betweenness call.
//
// Tessera runs twice: on one thread, and on the worker-thread pool (one thread per core, issue 13).
// CPU seconds (process.cpuUsage / time.process_time) sum every thread of the process; wall-clock
// seconds are what the user waits. igraph is single-threaded. The ratio line
// `betweenness ratio vs igraph N` is Tessera pool WALL time / igraph WALL time, both measured
// in this run (goal at 20k: <= 0.35); the single-thread CPU ratio is printed beside it. The pool's
// threads are started once per process and kept (as the app keeps its workers), so the bench
// starts them on a small graph first: the figures are of runs, not of thread start-up.
//
// Approximate betweenness (k sampled sources, as NetworkX's `k`): its time on a Barabási–Albert
// graph of 1M edges, and its error against the exact values on the 20k graph (Spearman rank
// correlation, overlap of the top 100, largest relative error among the exact top 100).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  betweennessOnThreads,
  type ChunkReport,
  closeBetweennessThreads,
} from '../electron/services/analysis/betweennessThreads.ts';
import {
  barabasiAlbert,
  betweennessCentrality,
  buildGraph,
  closenessCentrality,
  pagerank,
} from '../shared/analysis/index.ts';

const PYTHON = '/usr/bin/python3';
// TESSERA_BENCH_SIZES=20k runs only the named sizes; TESSERA_BENCH_MILLION=0 skips the 1M-edge
// approximation (both for quick runs while developing).
const only = process.env['TESSERA_BENCH_SIZES']?.split(',');
const SIZES = [
  { label: '5k', n: 5_000, seed: 5 },
  { label: '20k', n: 20_000, seed: 20 },
].filter(({ label }) => !only || only.includes(label));
const runMillion = process.env['TESSERA_BENCH_MILLION'] !== '0';

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

async function timeAsync<T>(fn: () => Promise<T>): Promise<{ value: T; timing: Timing }> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return {
    value,
    timing: { wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 },
  };
}

/** Ranks 1..n with ties sharing their average rank. */
function ranks(values: Float64Array): Float64Array {
  const order = Array.from(values.keys()).sort((a, b) => values[a]! - values[b]!);
  const rank = new Float64Array(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && values[order[j + 1]!] === values[order[i]!]) j++;
    for (let t = i; t <= j; t++) rank[order[t]!] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return rank;
}

function spearman(a: Float64Array, b: Float64Array): number {
  const ra = ranks(a);
  const rb = ranks(b);
  const mean = (a.length + 1) / 2;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < a.length; i++) {
    num += (ra[i]! - mean) * (rb[i]! - mean);
    da += (ra[i]! - mean) ** 2;
    db += (rb[i]! - mean) ** 2;
  }
  return num / Math.sqrt(da * db);
}

function top(values: Float64Array, count: number): number[] {
  return Array.from(values.keys())
    .sort((a, b) => values[b]! - values[a]! || a - b)
    .slice(0, count);
}

/** The approximation's error against exact betweenness, one line per figure. */
function reportError(label: string, k: number, exact: Float64Array, approx: Float64Array): void {
  const exactTop = top(exact, 100);
  const approxTop = new Set(top(approx, 100));
  const overlap = exactTop.filter((v) => approxTop.has(v)).length;
  let maxRelative = 0;
  for (const v of exactTop) {
    maxRelative = Math.max(maxRelative, Math.abs(approx[v]! - exact[v]!) / exact[v]!);
  }
  const prefix = `betweenness approx ${label} k=${k}`;
  console.log(`${prefix} spearman: ${spearman(exact, approx).toFixed(4)}`);
  console.log(`${prefix} top-100 overlap: ${overlap} %`);
  console.log(`${prefix} max relative error top-100: ${maxRelative.toFixed(3)}`);
}

/**
 * How the pool's chunks fell: sources and busy seconds on the calling thread and on the worker
 * threads (their idle share is wall time × threads − busy time).
 */
function reportBalance(label: string, chunks: readonly ChunkReport[], wall: number): void {
  const sum = (onThread: boolean, pick: (r: ChunkReport) => number) =>
    chunks.filter((r) => r.onThread === onThread).reduce((total, r) => total + pick(r), 0);
  const busy = (onThread: boolean) => sum(onThread, (r) => r.ms) / 1000;
  const idle = wall * os.availableParallelism() - busy(false) - busy(true);
  console.log(
    `betweenness ${label} pool chunks: ${chunks.length}, sources here ${sum(false, (r) => r.sources)}, on worker threads ${sum(true, (r) => r.sources)}`,
  );
  console.log(
    `betweenness ${label} pool busy: here ${seconds(busy(false))}, worker threads ${seconds(busy(true))}, idle ${seconds(idle)}`,
  );
}

const APPROX_K = [100, 500];
/** Barabási–Albert with 2 edges per new node: 500k nodes give 1M edges. */
const MILLION_EDGE_NODES = 500_000;
const MILLION_EDGE_K = 200;

const seconds = (value: number) => `${value.toFixed(2)} s`;

/** Approximate betweenness on a Barabási–Albert graph of 1M edges, on the worker-thread pool. */
async function approximateMillion(): Promise<void> {
  const million = buildGraph(barabasiAlbert(MILLION_EDGE_NODES, 2, 1));
  const approx = await timeAsync(() =>
    betweennessOnThreads(million, { k: MILLION_EDGE_K, seed: 1 }),
  );
  console.log(`betweenness approx graph: ${million.nodeCount} nodes, ${million.edgeCount} edges`);
  console.log(
    `betweenness approx 1M edges k=${MILLION_EDGE_K} s: ${approx.timing.wall.toFixed(2)}`,
  );
  console.log(`betweenness approx 1M edges k=${MILLION_EDGE_K} cpu: ${seconds(approx.timing.cpu)}`);
}

async function main(): Promise<number> {
  const check = spawnSync(PYTHON, ['-c', 'import igraph'], { stdio: 'ignore' });
  if (check.status !== 0) {
    console.error(`centrality bench needs python-igraph under ${PYTHON}`);
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'tessera-centrality-bench-'));
  try {
    // Only the worker threads work on this small run, so it waits until each has started (a run
    // does not wait for a thread still starting: the chunks go to the threads that are ready).
    await betweennessOnThreads(
      buildGraph(barabasiAlbert(200, 2, 1)),
      {},
      {
        threads: Math.max(1, os.availableParallelism() - 1),
        callerWorks: false,
      },
    );
    for (const { label, n, seed } of SIZES) {
      const input = barabasiAlbert(n, 2, seed);
      const graph = buildGraph(input);
      const edgeFile = join(dir, `ba${label}.edges`);
      // Node ids are 0..n-1 in graph order, so igraph's vertex numbers are the same nodes.
      writeFileSync(edgeFile, input.edges.map((e) => `${e.source} ${e.target}`).join('\n') + '\n');
      const extra = label === '20k';

      const ours = time(() => betweennessCentrality(graph));
      const chunks: ChunkReport[] = [];
      const pool = await timeAsync(() =>
        betweennessOnThreads(graph, {}, { onChunk: (report) => chunks.push(report) }),
      );
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
      console.log(`betweenness ${label} tessera pool threads: ${os.availableParallelism()}`);
      console.log(`betweenness ${label} tessera pool wall: ${seconds(pool.timing.wall)}`);
      console.log(
        `betweenness ${label} tessera pool cpu (all threads): ${seconds(pool.timing.cpu)}`,
      );
      console.log(
        `betweenness ${label} pool speed-up over one thread: ${(ours.timing.wall / pool.timing.wall).toFixed(2)}`,
      );
      reportBalance(label, chunks, pool.timing.wall);
      console.log(
        `betweenness ratio vs igraph ${label} single-thread cpu: ${(ours.timing.cpu / igraph.betweenness.cpu).toFixed(2)}`,
      );
      console.log(
        `betweenness ratio vs igraph ${label}: ${(pool.timing.wall / igraph.betweenness.wall).toFixed(2)}`,
      );
      let poolDiff = 0;
      for (let i = 0; i < n; i++) {
        poolDiff = Math.max(poolDiff, Math.abs(pool.value[i]! - ours.value[i]!));
      }
      console.log(
        `betweenness pool vs one thread ${label}: max abs diff ${poolDiff.toExponential(2)}`,
      );
      if (extra) {
        for (const k of APPROX_K) {
          const approx = await timeAsync(() => betweennessOnThreads(graph, { k, seed: 1 }));
          console.log(`betweenness approx ${label} k=${k} wall: ${seconds(approx.timing.wall)}`);
          reportError(label, k, pool.value, approx.value);
        }
      }
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
    if (runMillion) await approximateMillion();
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await closeBetweennessThreads();
  }
  return 0;
}

process.exitCode = await main();
