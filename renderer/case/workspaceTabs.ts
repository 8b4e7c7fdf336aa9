export type WorkspaceTab =
  | 'entities'
  | 'chart'
  | 'timeline'
  | 'map'
  | 'notes'
  | 'attachments'
  | 'notices'
  | 'search'
  | 'duplicates'
  | 'exchange';

export interface WorkspaceTabSpec {
  readonly id: WorkspaceTab;
  readonly label: string;
  readonly shortcut?: string;
}

export const WORKSPACE_TABS: readonly WorkspaceTabSpec[] = [
  { id: 'entities', label: 'Entities', shortcut: 'T' },
  { id: 'chart', label: 'Link chart', shortcut: 'G' },
  { id: 'timeline', label: 'Timeline' },
  { id: 'map', label: 'Map' },
  { id: 'notes', label: 'Notes' },
  { id: 'attachments', label: 'Attachments' },
  { id: 'notices', label: 'Notices' },
  { id: 'search', label: 'Search', shortcut: '/' },
  { id: 'duplicates', label: 'Duplicates' },
  { id: 'exchange', label: 'Exchange' },
];
