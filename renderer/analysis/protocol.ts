// Messages between runAnalysisInWorker and analysisWorker (structured-clone plain data).
import type { AnalysisRequest, AnalysisResult } from '../../shared/analysis/index.ts';

export interface AnalysisWorkerRequest {
  readonly request: AnalysisRequest;
}

export interface TimedResult {
  readonly result: AnalysisResult;
  readonly milliseconds: number;
}
