export { DuplicatesPanel } from './DuplicatesPanel.tsx';
export type { DuplicatesPanelProps } from './DuplicatesPanel.tsx';
export { registerMergeBackend } from './mergeBackend.ts';
