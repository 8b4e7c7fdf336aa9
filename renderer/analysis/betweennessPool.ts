/**
 * Betweenness on every core (issue 13): one Web Worker per core, each running one slice of the
 * sources (shared/analysis/betweennessParts.ts), the raw sums added and scaled here, which is
 * O(nodes). Each worker builds the graph from the request itself, so nothing graph-sized is built
 * on the UI thread. The workers end once they have answered (the lock screen's terminateAll
 * reaches them like any runner's); an abort cancels every slice.
 */
import {
  type AnalysisRequest,
  mergeSlices,
  planSlices,
  sampleOf,
} from '../../shared/analysis/index.ts';
import { WorkerRunner } from '../platform/workerRunner.ts';
import type { BetweennessSliceRequest, BetweennessSliceResult, TimedResult } from './protocol.ts';

/** Workers in the pool: one per logical core, at most eight. */
export const POOL_SIZE = Math.max(
  1,
  Math.min(8, typeof navigator === 'undefined' ? 1 : navigator.hardwareConcurrency || 1),
);

let runners: WorkerRunner<BetweennessSliceRequest, BetweennessSliceResult>[] = [];

function runner(index: number): WorkerRunner<BetweennessSliceRequest, BetweennessSliceResult> {
  while (runners.length <= index) {
    runners = [
      ...runners,
      new WorkerRunner<BetweennessSliceRequest, BetweennessSliceResult>(
        () => new Worker(new URL('./betweennessWorker.ts', import.meta.url), { type: 'module' }),
        { name: 'betweenness' },
      ),
    ];
  }
  return runners[index]!;
}

/** Runs slice request `index` of a run somewhere: by default on the pool's worker `index`. */
export type SliceRunner = (
  index: number,
  request: BetweennessSliceRequest,
  signal?: AbortSignal,
) => Promise<BetweennessSliceResult>;

const onWorker: SliceRunner = (index, request, signal) =>
  runner(index).run(request, signal ? { signal } : {});

/** A 'betweenness' request answered by the pool: the same result as the single worker's. */
export async function betweennessInPool(
  request: AnalysisRequest,
  signal?: AbortSignal,
  threads = POOL_SIZE,
  runSlice: SliceRunner = onWorker,
): Promise<TimedResult> {
  const started = performance.now();
  const options = {
    ...(request.weighted === undefined ? {} : { weighted: request.weighted }),
    ...sampleOf(request),
  };
  const slices = planSlices(null, options, threads);
  const results = await Promise.all(
    slices.map((slice, i) => runSlice(i, { graph: request.graph, slice }, signal)),
  );
  const ids = results[0]!.ids!;
  const merged = mergeSlices(
    { nodeCount: ids.length, directed: results[0]!.directed },
    options,
    results.map((result) => result.raw),
  );
  // A prototype-less object, as toRecord makes: a node called `__proto__` is an ordinary key.
  const values = Object.create(null) as Record<string, number>;
  for (let i = 0; i < ids.length; i++) values[ids[i]!] = merged[i]!;
  return {
    result: { kind: 'values', measure: 'betweenness', values },
    milliseconds: performance.now() - started,
  };
}
