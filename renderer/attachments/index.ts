export { AttachmentsPanel } from './AttachmentsPanel.tsx';
export type { AttachmentsPanelProps } from './AttachmentsPanel.tsx';
