// Messages between runAnalysisInWorker and analysisWorker (structured-clone plain data).
import type { AnalysisRequest, AnalysisResult } from '../../shared/analysis/index.ts';

export interface AnalysisWorkerRequest {
  readonly request: AnalysisRequest;
}

export type AnalysisWorkerResponse =
  { ok: true; result: AnalysisResult; milliseconds: number } | { ok: false; error: string };
