// Messages between runAnalysisInWorker and analysisWorker (structured-clone plain data).
import type {
  AnalysisRequest,
  AnalysisResult,
  BetweennessSlice,
  GraphInput,
} from '../../shared/analysis/index.ts';

export interface AnalysisWorkerRequest {
  readonly request: AnalysisRequest;
}

export interface TimedResult {
  readonly result: AnalysisResult;
  readonly milliseconds: number;
}

/** One slice of a betweenness run, for a worker of the pool (betweennessPool.ts). */
export interface BetweennessSliceRequest {
  readonly graph: GraphInput;
  readonly slice: BetweennessSlice;
}

/** The slice's raw sums by node number; the first slice also names the nodes. */
export interface BetweennessSliceResult {
  readonly raw: Float64Array;
  readonly ids: readonly string[] | null;
  readonly directed: boolean;
}
