export { SearchPanel } from './SearchPanel.tsx';
export type { SearchPanelProps } from './SearchPanel.tsx';
export { useCaseSearchIndex } from './useCaseSearchIndex.ts';
export type { CaseSearchIndex } from './useCaseSearchIndex.ts';
