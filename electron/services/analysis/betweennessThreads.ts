/**
 * Betweenness on every core in Node (the CLI's `tessera analyze`, the benchmark): the sources are
 * split by shared/analysis/betweennessParts.ts; the first slice runs on the calling thread, each
 * other one on a worker_thread holding its own copy of the graph's rows. The threads start per
 * call and end with it: their start (tsx loading the analysis modules, a few hundred ms of CPU) is
 * small beside any graph worth splitting.
 *
 * Where a thread cannot start (no tsx, a bundled build) or fails, its slice runs on the calling
 * thread instead: the result is the same, only slower.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  betweennessInSlices,
  betweennessOfSlice,
  type BetweennessSlice,
} from '../../../shared/analysis/betweennessParts.ts';
import type { BetweennessOptions, BrandesGraph } from '../../../shared/analysis/centrality.ts';
import type { Graph } from '../../../shared/analysis/graph.ts';

/** Messages to a worker: the graph once, then slices. */
export type ThreadMessage =
  | { readonly type: 'graph'; readonly graph: BrandesGraph }
  | { readonly type: 'slice'; readonly id: number; readonly slice: BetweennessSlice };

export type SliceReply =
  | { readonly id: number; readonly raw: Float64Array }
  | { readonly id: number; readonly error: string };

export interface ThreadOptions {
  /** Threads to use, this one included; the machine's available parallelism by default. */
  readonly threads?: number;
  /** Time spent per slice, for the benchmark's report. */
  readonly onSlice?: (report: { readonly onThread: boolean; readonly ms: number }) => void;
}

/**
 * The worker's bootstrap (plain CommonJS, evaluated): it registers tsx, then loads the TypeScript
 * worker, as the `tessera` command itself starts (bin/tessera.mjs).
 */
function workerSource(): string {
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = new URL('./betweennessWorker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(worker)}); });`;
}

/** Runs one slice on a fresh thread; rejects when the thread cannot start or fails. */
function runOnThread(graph: BrandesGraph, slice: BetweennessSlice): Promise<Float64Array> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      // No inherited loader flags: the bootstrap registers tsx itself.
      worker = new Worker(workerSource(), { eval: true, execArgv: [] });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const finish = (settle: () => void) => {
      worker.removeAllListeners();
      void worker.terminate();
      settle();
    };
    worker.on('message', (reply: SliceReply) =>
      finish(() => ('raw' in reply ? resolve(reply.raw) : reject(new Error(reply.error)))),
    );
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (code) => finish(() => reject(new Error(`thread exited (${code})`))));
    const { nodeCount, offsets, targets, weights, weighted } = graph;
    const rows: BrandesGraph = { nodeCount, offsets, targets, weights, weighted };
    worker.postMessage({ type: 'graph', graph: rows } satisfies ThreadMessage);
    worker.postMessage({ type: 'slice', id: 0, slice } satisfies ThreadMessage);
  });
}

/**
 * `betweennessCentrality(graph, options)`, the searches spread over `threads` threads: this one
 * and `threads - 1` worker threads.
 */
export async function betweennessOnThreads(
  graph: Graph,
  options: BetweennessOptions = {},
  threadOptions: ThreadOptions = {},
): Promise<Float64Array> {
  const threads = Math.max(1, threadOptions.threads ?? os.availableParallelism());
  const report = threadOptions.onSlice;
  return betweennessInSlices(graph, options, threads, async (slice) => {
    if (slice.index === 0) {
      // The first slice runs on this thread, which would otherwise only wait: one thread fewer
      // to start. It starts once the other slices are posted (they are, before this resumes).
      await Promise.resolve();
    }
    const started = performance.now();
    if (slice.index > 0) {
      try {
        const raw = await runOnThread(graph, slice);
        report?.({ onThread: true, ms: performance.now() - started });
        return raw;
      } catch {
        // Falls through: the slice runs here.
      }
    }
    const raw = betweennessOfSlice(graph, slice);
    report?.({ onThread: false, ms: performance.now() - started });
    return raw;
  });
}
