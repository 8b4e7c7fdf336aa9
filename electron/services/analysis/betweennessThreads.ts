/**
 * Betweenness on every core in Node (the CLI's `tessera analyze`, the benchmark): the sources are
 * split by shared/analysis/betweennessParts.ts; the first slice runs on the calling thread, each
 * other one on a worker_thread. The graph's rows are copied once per call into shared memory
 * (SharedArrayBuffer), so every thread reads the same bytes and posting them copies nothing.
 *
 * The worker threads are kept between calls: their start (tsx loading the analysis modules, then
 * the kernel warming up in the JIT, a few hundred ms of CPU) is paid once per process, not per
 * call, where it would leave the calling thread idle at the end of every run. An idle thread is
 * unref'd so it never keeps the process alive; a busy one is ref'd so the process waits for it.
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

/** A message to a worker: one slice of a run, with the run's rows (in shared memory). */
export interface ThreadMessage {
  readonly id: number;
  readonly graph: BrandesGraph;
  readonly slice: BetweennessSlice;
}

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

/** A started thread and the slice it works on, if any. */
interface Thread {
  readonly worker: Worker;
  task: {
    readonly id: number;
    resolve(raw: Float64Array): void;
    reject(error: Error): void;
  } | null;
}

/** Started threads waiting for a slice (unref'd). */
const idle: Thread[] = [];
let started = 0;
let nextId = 0;

/** Threads started by this process so far, and how many wait now (the tests read it). */
export function betweennessThreadCounts(): { readonly started: number; readonly idle: number } {
  return { started, idle: idle.length };
}

/**
 * A new thread with its listeners for life (removing a Worker's listeners wholesale would also
 * remove Node's own, which keep its message port running).
 */
function startThread(): Thread {
  // No inherited loader flags: the bootstrap registers tsx itself.
  const thread: Thread = {
    worker: new Worker(workerSource(), { eval: true, execArgv: [] }),
    task: null,
  };
  started++;
  const end = (error: Error) => {
    // A thread that failed or ended is never reused.
    const at = idle.indexOf(thread);
    if (at >= 0) idle.splice(at, 1);
    const task = thread.task;
    thread.task = null;
    task?.reject(error);
  };
  thread.worker.on('message', (reply: SliceReply) => {
    const task = thread.task;
    if (!task || reply.id !== task.id) return;
    if (!('raw' in reply)) {
      end(new Error(reply.error));
      void thread.worker.terminate();
      return;
    }
    thread.task = null;
    thread.worker.unref();
    idle.push(thread);
    task.resolve(reply.raw);
  });
  thread.worker.on('error', end);
  thread.worker.on('exit', (code) => end(new Error(`thread exited (${code})`)));
  return thread;
}

/** Ends the kept threads (tests; a long-lived process that is done with analysis). */
export async function closeBetweennessThreads(): Promise<void> {
  const ending = idle.splice(0);
  await Promise.all(ending.map((thread) => thread.worker.terminate()));
}

/** Copies an array into shared memory, which worker threads read without a copy of their own. */
function shared<T extends Int32Array | Float64Array>(
  array: T,
  make: (buffer: SharedArrayBuffer) => T,
): T {
  const copy = make(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}

/** The rows Brandes reads, in shared memory (plain copies where SharedArrayBuffer is missing). */
function sharedRows(graph: BrandesGraph): BrandesGraph {
  const { nodeCount, offsets, targets, weights, weighted } = graph;
  if (typeof SharedArrayBuffer === 'undefined') {
    return { nodeCount, offsets, targets, weights, weighted };
  }
  return {
    nodeCount,
    weighted,
    offsets: shared(offsets, (b) => new Int32Array(b)),
    targets: shared(targets, (b) => new Int32Array(b)),
    weights: shared(weights, (b) => new Float64Array(b)),
  };
}

/** Runs one slice on a kept or fresh thread; rejects when the thread cannot start or fails. */
function runOnThread(rows: BrandesGraph, slice: BetweennessSlice): Promise<Float64Array> {
  return new Promise((resolve, reject) => {
    let thread: Thread;
    try {
      thread = idle.pop() ?? startThread();
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const id = nextId++;
    thread.task = { id, resolve, reject };
    // Busy: the process waits for the answer.
    thread.worker.ref();
    thread.worker.postMessage({ id, graph: rows, slice } satisfies ThreadMessage);
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
  const rows = threads > 1 ? sharedRows(graph) : graph;
  return betweennessInSlices(graph, options, threads, async (slice) => {
    if (slice.index === 0) {
      // The first slice runs on this thread, which would otherwise only wait: one thread fewer
      // to start. It starts once the other slices are posted (they are, before this resumes).
      await Promise.resolve();
    }
    const started = performance.now();
    if (slice.index > 0) {
      try {
        const raw = await runOnThread(rows, slice);
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
