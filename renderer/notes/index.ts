export { NotesPanel } from './NotesPanel.tsx';
export type { NotesPanelProps } from './NotesPanel.tsx';
