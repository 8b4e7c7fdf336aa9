/**
 * Betweenness on every core in Node (the CLI's `tessera analyze`, the benchmark). The run's
 * sources are cut into chunks (shared/analysis/betweennessParts.ts, `planChunks`) that this thread
 * and `threads - 1` worker_threads claim one at a time from a counter in shared memory, so a thread
 * that runs faster takes more and all of them end together; the chunks' sums are added in chunk
 * order, so the result is the same whichever thread ran what. The graph's rows, the source list,
 * the chunk bounds and the counter are copied once per call into shared memory (SharedArrayBuffer):
 * every thread reads the same bytes and posting them copies nothing.
 *
 * The worker threads are kept between calls: their start (tsx loading the analysis modules, then
 * the kernel warming up in the JIT, a few hundred ms of CPU) is paid once per process, not per
 * call. A thread that is still starting costs nothing: the chunks go to the threads that are ready.
 * An idle thread is unref'd so it never keeps the process alive; a busy one is ref'd.
 *
 * This thread works too (the run would otherwise have it only wait): between two chunks it yields
 * to the event loop, which is where the workers' chunks arrive and are added. Where a thread
 * cannot start (no tsx, a bundled build) or fails, the chunks it claimed but did not hand back are
 * run here at the end: the result is the same, only slower.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  ChunkSums,
  claimChunk,
  planChunks,
  runSources,
} from '../../../shared/analysis/betweennessParts.ts';
import {
  type BetweennessOptions,
  betweennessCentrality,
  type BrandesGraph,
  prepareBrandes,
  rescaleBetweenness,
} from '../../../shared/analysis/centrality.ts';
import type { Graph } from '../../../shared/analysis/graph.ts';
import { assertNonNegative } from '../../../shared/analysis/paths.ts';

/** A message to a worker: claim and run chunks of this run until none is left. */
export interface ChunkJob {
  readonly id: number;
  /** The rows (in shared memory). */
  readonly graph: BrandesGraph;
  readonly weighted: boolean;
  /** The run's sources, its chunk bounds and its one-slot claim counter, all in shared memory. */
  readonly sources: Int32Array;
  readonly bounds: Int32Array;
  readonly counter: Int32Array;
}

/** A worker's answers to one job: one per chunk it ran, then `done` (or one `error`). */
export type ChunkReply =
  | { readonly id: number; readonly chunk: number; readonly raw: Float64Array; readonly ms: number }
  | { readonly id: number; readonly done: true }
  | { readonly id: number; readonly error: string };

/** One chunk run somewhere, for the benchmark's report and the tests. */
export interface ChunkReport {
  /** On a worker thread (false: on the calling thread). */
  readonly onThread: boolean;
  readonly chunk: number;
  readonly sources: number;
  readonly ms: number;
}

export interface ThreadOptions {
  /** Threads to use, this one included; the machine's available parallelism by default. */
  readonly threads?: number;
  /**
   * Whether this thread runs chunks too (default true). False keeps it free for its own events
   * (then `threads` worker threads run the chunks); it still runs those of a thread that failed.
   */
  readonly callerWorks?: boolean;
  /** Called for every chunk once it is added. */
  readonly onChunk?: (report: ChunkReport) => void;
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

/** What a run wants to hear from a thread working on its job. */
interface Listener {
  readonly id: number;
  chunk(chunk: number, raw: Float64Array, ms: number): void;
  /** The thread is done with the job, or failed or ended (`error`): it hands back no more. */
  settle(error?: Error): void;
}

/** A started thread and the job it works on, if any. */
interface Thread {
  readonly worker: Worker;
  job: Listener | null;
}

/** Started threads waiting for a job (unref'd). */
const idle: Thread[] = [];
/** Every thread started and not ended, idle or not (a fresh one may still be starting). */
const live = new Set<Thread>();
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
    job: null,
  };
  started++;
  live.add(thread);
  const end = (error: Error) => {
    // A thread that failed or ended is never reused.
    live.delete(thread);
    const at = idle.indexOf(thread);
    if (at >= 0) idle.splice(at, 1);
    const job = thread.job;
    thread.job = null;
    job?.settle(error);
  };
  thread.worker.on('message', (reply: ChunkReply) => {
    const job = thread.job;
    if (!job || reply.id !== job.id) return;
    if ('raw' in reply) {
      job.chunk(reply.chunk, reply.raw, reply.ms);
    } else if ('done' in reply) {
      thread.job = null;
      thread.worker.unref();
      idle.push(thread);
      job.settle();
    } else {
      end(new Error(reply.error));
      void thread.worker.terminate();
    }
  });
  thread.worker.on('error', end);
  thread.worker.on('exit', (code) => end(new Error(`thread exited (${code})`)));
  return thread;
}

/**
 * Ends every thread, kept or still starting (tests; a long-lived process that is done with
 * analysis). A run still under way loses its threads and runs their chunks itself.
 */
export async function closeBetweennessThreads(): Promise<void> {
  const ending = [...live];
  live.clear();
  idle.splice(0);
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

const sharedInts = (array: Int32Array) => shared(array, (b) => new Int32Array(b));

/** The rows Brandes reads, in shared memory (no weights for an unweighted search: none is read). */
function sharedRows(graph: BrandesGraph, weighted: boolean): BrandesGraph {
  const { nodeCount, offsets, targets, weights } = graph;
  return {
    nodeCount,
    weighted,
    offsets: sharedInts(offsets),
    targets: sharedInts(targets),
    weights: weighted ? shared(weights, (b) => new Float64Array(b)) : new Float64Array(0),
  };
}

/**
 * Hands `job` to a kept or fresh thread: null when no thread can start, else whether the thread
 * was kept (a fresh one may still be starting when the run's chunks are all done).
 */
function postJob(
  job: Omit<ChunkJob, 'id'>,
  listener: Omit<Listener, 'id'>,
): 'kept' | 'fresh' | null {
  let thread = idle.pop();
  const kept = thread !== undefined;
  try {
    thread ??= startThread();
  } catch {
    return null;
  }
  const id = nextId++;
  thread.job = { id, ...listener };
  // Busy: the process waits for the answer.
  thread.worker.ref();
  thread.worker.postMessage({ id, ...job } satisfies ChunkJob);
  return kept ? 'kept' : 'fresh';
}

/** Lets the event loop deliver the workers' messages (a macrotask: microtasks would not). */
const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * `betweennessCentrality(graph, options)`, the searches spread over `threads` threads: this one
 * and `threads - 1` worker threads.
 */
export async function betweennessOnThreads(
  graph: Graph,
  options: BetweennessOptions = {},
  threadOptions: ThreadOptions = {},
): Promise<Float64Array> {
  const threads = Math.max(1, Math.floor(threadOptions.threads ?? os.availableParallelism()));
  const report = threadOptions.onChunk;
  const n = graph.nodeCount;
  const sources = runSources(n, options);
  const callerWorks = threadOptions.callerWorks ?? true;
  const workerCount = callerWorks ? threads - 1 : threads;
  if (workerCount === 0 || sources.length < 2 || typeof SharedArrayBuffer === 'undefined') {
    const started = performance.now();
    const result = betweennessCentrality(graph, options);
    report?.({
      onThread: false,
      chunk: 0,
      sources: sources.length,
      ms: performance.now() - started,
    });
    return result;
  }
  const weighted = options.weighted ?? graph.weighted;
  const bounds = sharedInts(planChunks(sources.length, threads));
  const job = {
    graph: sharedRows(graph, weighted),
    weighted,
    sources: sharedInts(sources),
    bounds,
    counter: new Int32Array(new SharedArrayBuffer(4)),
  };
  const sums = new ChunkSums(n, bounds.length - 1);
  const sizeOf = (chunk: number) => bounds[chunk + 1]! - bounds[chunk]!;
  const add = (onThread: boolean, chunk: number, raw: Float64Array, ms: number) => {
    sums.add(chunk, raw);
    report?.({ onThread, chunk, sources: sizeOf(chunk), ms });
  };
  // Each posted worker: `active` once it is known to run (kept, or it handed back a chunk): the
  // run waits for an active worker's `done`, so the thread is free again when the run resolves;
  // a fresh one that has not started yet holds no chunk and is not waited for.
  const workers: { active: boolean; settled: boolean }[] = [];
  // Wakes this thread's wait for the workers (a chunk came, or a worker settled).
  let wake = () => {};
  // Refused here, before any thread is handed the run (the threads would refuse it too).
  if (weighted) assertNonNegative(graph.weights);
  for (let t = 0; t < workerCount; t++) {
    const worker = { active: false, settled: false };
    const posted = postJob(job, {
      chunk: (chunk, raw, ms) => {
        worker.active = true;
        add(true, chunk, raw, ms);
        wake();
      },
      settle: () => {
        worker.settled = true;
        wake();
      },
    });
    if (posted === null) continue;
    worker.active = posted === 'kept';
    workers.push(worker);
  }
  // Prepared once the workers have the run: they relabel the rows at the same time.
  const run = prepareBrandes(graph, { weighted });
  const runHere = (chunk: number) => {
    const started = performance.now();
    const raw = run(job.sources.subarray(bounds[chunk]!, bounds[chunk + 1]!));
    add(false, chunk, raw, performance.now() - started);
  };
  // Without a worker, this thread runs every chunk whatever `callerWorks` says.
  const here = callerWorks || workers.length === 0;
  for (let chunk = here ? claimChunk(job.counter, bounds) : null; chunk !== null;) {
    runHere(chunk);
    await yieldToEvents();
    chunk = claimChunk(job.counter, bounds);
  }
  // Every chunk is claimed: wait for those the workers hold, or run here what a failed one held.
  for (;;) {
    if (sums.complete && workers.every((w) => w.settled || !w.active)) break;
    if (!sums.complete && workers.every((w) => w.settled)) {
      for (const chunk of sums.missing()) runHere(chunk);
      break;
    }
    await new Promise<void>((resolve) => (wake = resolve));
  }
  const k = options.k !== undefined && options.k < n ? options.k : null;
  return rescaleBetweenness(graph, sums.total(), options.normalized ?? true, k);
}
