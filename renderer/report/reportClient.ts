/** The page's handle on the report worker (one worker, started on first use, stopped when idle). */
import { WorkerRunner } from '../platform/workerRunner.ts';
import type { ReportRequest, ReportResult } from './reportProtocol.ts';

let runner: WorkerRunner<ReportRequest, ReportResult> | undefined;

export function makeReport(request: ReportRequest, signal?: AbortSignal): Promise<ReportResult> {
  runner ??= new WorkerRunner<ReportRequest, ReportResult>(
    () => new Worker(new URL('./reportWorker.ts', import.meta.url), { type: 'module' }),
    { name: 'report' },
  );
  return runner.run(request, signal ? { signal } : {});
}
