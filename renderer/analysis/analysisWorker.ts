// Web Worker running the analysis engine off the UI thread: one request in, one plain result out.
// A worker is started per request and terminated afterwards, which is also how a run is cancelled.
import { runAnalysis } from '../../shared/analysis/index.ts';
import type { AnalysisWorkerRequest, AnalysisWorkerResponse } from './protocol.ts';
import { errorMessage } from '../../shared/base/errors.ts';

self.onmessage = (event: MessageEvent<AnalysisWorkerRequest>) => {
  const started = performance.now();
  let response: AnalysisWorkerResponse;
  try {
    const result = runAnalysis(event.data.request);
    response = { ok: true, result, milliseconds: performance.now() - started };
  } catch (error) {
    response = { ok: false, error: errorMessage(error) };
  }
  self.postMessage(response);
};
