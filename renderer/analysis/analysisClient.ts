// Runs one analysis request in a module worker (see renderer/platform/workerRunner.ts): the worker
// is terminated once it has answered, or at once when the signal aborts (a `cancelled` error).
// Betweenness, one search per source, is spread over a pool of workers, one per core.
import type { AnalysisRequest } from '../../shared/analysis/index.ts';
import { WorkerRunner } from '../platform/workerRunner.ts';
import { betweennessInPool, POOL_SIZE } from './betweennessPool.ts';
import type { AnalysisWorkerRequest, TimedResult } from './protocol.ts';

export type { TimedResult } from './protocol.ts';

const analysisRunner = new WorkerRunner<AnalysisWorkerRequest, TimedResult>(
  () => new Worker(new URL('./analysisWorker.ts', import.meta.url), { type: 'module' }),
  { name: 'analysis' },
);

export function runAnalysisInWorker(
  request: AnalysisRequest,
  signal?: AbortSignal,
): Promise<TimedResult> {
  if (request.measure === 'betweenness' && POOL_SIZE > 1) return betweennessInPool(request, signal);
  return analysisRunner.run({ request }, signal ? { signal } : {});
}
