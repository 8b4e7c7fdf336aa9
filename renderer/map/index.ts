export { MapPanel } from './MapPanel.tsx';
export type { MapPanelProps } from './MapPanel.tsx';
export { MapSettings, useTileServerUrl } from './MapSettings.tsx';
