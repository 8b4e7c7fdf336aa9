export { ExchangePanel } from './ExchangePanel.tsx';
export type { ExchangePanelProps } from './ExchangePanel.tsx';
export { ReviewScreen } from './ReviewScreen.tsx';
export type { ReviewScreenProps } from './ReviewScreen.tsx';
export { MarkingsPanel } from './MarkingsPanel.tsx';
export { TopBarInbox } from './TopBarInbox.tsx';
