export type WorkspaceTab = 'entities' | 'chart' | 'notes' | 'attachments' | 'notices';

export interface WorkspaceTabSpec {
  readonly id: WorkspaceTab;
  readonly label: string;
  readonly shortcut?: string;
}

export const WORKSPACE_TABS: readonly WorkspaceTabSpec[] = [
  { id: 'entities', label: 'Entities', shortcut: 'T' },
  { id: 'chart', label: 'Link chart', shortcut: 'G' },
  { id: 'notes', label: 'Notes' },
  { id: 'attachments', label: 'Attachments' },
  { id: 'notices', label: 'Notices' },
];
