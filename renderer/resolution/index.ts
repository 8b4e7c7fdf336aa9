export { DuplicatesPanel } from './DuplicatesPanel.tsx';
export type { DuplicatesPanelProps } from './DuplicatesPanel.tsx';
export { useMergeBackend } from './mergeBackend.ts';
