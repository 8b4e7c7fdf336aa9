export { AnalysisPanel } from './AnalysisPanel.tsx';
export type { AnalysisPanelProps } from './AnalysisPanel.tsx';
export { runAnalysisInWorker } from './analysisClient.ts';
export type { TimedResult } from './analysisClient.ts';
export type { AnalysisScope } from './analysisModel.ts';
