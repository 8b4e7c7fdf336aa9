export { HistoryPanel } from './HistoryPanel.tsx';
export type { HistoryPanelProps } from './HistoryPanel.tsx';
export { diffRecords } from './auditDiff.ts';
export type { FieldChange } from './auditDiff.ts';
