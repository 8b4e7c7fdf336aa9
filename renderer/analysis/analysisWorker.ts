// Web Worker running the analysis engine off the UI thread: one request in, one plain result out.
import { runAnalysis } from '../../shared/analysis/index.ts';
import { serveRequests } from '../platform/workerHost.ts';
import type { AnalysisWorkerRequest, TimedResult } from './protocol.ts';

serveRequests<AnalysisWorkerRequest, TimedResult>(({ request }) => {
  const started = performance.now();
  const result = runAnalysis(request);
  return { result, milliseconds: performance.now() - started };
});
