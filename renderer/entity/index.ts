export { EntityDetails } from './EntityDetails.tsx';
export type { EntityDetailsProps } from './EntityDetails.tsx';
export { EntityEditor } from './EntityEditor.tsx';
export type { EntityEditorProps } from './EntityEditor.tsx';
export { EntityTable } from './EntityTable.tsx';
export type { EntityTableProps } from './EntityTable.tsx';
export { RelationshipEditor } from './RelationshipEditor.tsx';
export type { RelationshipEditorProps } from './RelationshipEditor.tsx';
