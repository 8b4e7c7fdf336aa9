export { NoticesPanel } from './NoticesPanel.tsx';
export type { NoticesPanelProps } from './NoticesPanel.tsx';
export { NOTICE_TRANSITIONS, NOTICE_TYPES, canTransition } from './noticeLifecycle.ts';
