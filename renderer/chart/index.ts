export { ChartPanel } from './ChartPanel.tsx';
export type { ChartPanelProps } from './ChartPanel.tsx';
export { ChartView } from './ChartView.tsx';
export type { ChartViewHandle, ChartViewProps } from './ChartView.tsx';
export { addEntityToChart } from './chartActions.ts';
export type { Point } from './chartGeometry.ts';
export { buildChartElements, CHART_LAYOUTS } from './chartModel.ts';
export type { ChartLayoutName, ChartViewModel } from './chartModel.ts';
export type { ChartTestHook } from './testHooks.ts';
