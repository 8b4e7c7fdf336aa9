export { TimelinePanel } from './TimelinePanel.tsx';
export type { TimelinePanelProps } from './TimelinePanel.tsx';
export { TimeRangeChip } from './TimeRangeChip.tsx';
export { formatRange } from './timeRange.ts';
export type { TimeRange } from './timeRange.ts';
export { useTimeFilter } from './useTimeFilter.ts';
