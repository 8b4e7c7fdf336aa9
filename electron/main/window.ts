import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';

/** Non-negotiable: the renderer gets no Node, runs sandboxed, and sees only the preload's bridge. */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
  experimentalFeatures: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
} as const;

export interface WindowOptionsInput {
  readonly preloadPath: string;
  readonly bounds?: Partial<Rectangle>;
  readonly title?: string;
  readonly icon?: string;
}

export function buildWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  const { bounds = {} } = input;
  return {
    title: input.title ?? 'Tessera',
    width: bounds.width ?? 1366,
    height: bounds.height ?? 860,
    ...(bounds.x !== undefined && bounds.y !== undefined ? { x: bounds.x, y: bounds.y } : {}),
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#1e2129',
    ...(input.icon ? { icon: input.icon } : {}),
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: input.preloadPath },
  };
}
