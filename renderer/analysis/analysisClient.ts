// Runs one analysis request in a dedicated module worker. Aborting the signal terminates the
// worker at once and rejects with an AbortError.
import type { AnalysisRequest, AnalysisResult } from '../../shared/analysis/index.ts';
import type { AnalysisWorkerRequest, AnalysisWorkerResponse } from './protocol.ts';

export interface TimedResult {
  readonly result: AnalysisResult;
  readonly milliseconds: number;
}

export function runAnalysisInWorker(
  request: AnalysisRequest,
  signal?: AbortSignal,
): Promise<TimedResult> {
  return new Promise<TimedResult>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('analysis cancelled', 'AbortError'));
      return;
    }
    const worker = new Worker(new URL('./analysisWorker.ts', import.meta.url), { type: 'module' });
    const finish = (): void => {
      worker.terminate();
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      finish();
      reject(new DOMException('analysis cancelled', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.onmessage = (event: MessageEvent<AnalysisWorkerResponse>) => {
      finish();
      const response = event.data;
      if (response.ok) resolve({ result: response.result, milliseconds: response.milliseconds });
      else reject(new Error(response.error));
    };
    worker.onerror = (event: ErrorEvent) => {
      finish();
      reject(new Error(`analysis worker failed: ${event.message}`));
    };
    const message: AnalysisWorkerRequest = { request };
    worker.postMessage(message);
  });
}
