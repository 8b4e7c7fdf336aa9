import type { MenuItemConstructorOptions } from 'electron';

/** The app menu's Lock item and the renderer's command share this shortcut (issue 10). */
export const LOCK_ACCELERATOR = 'CmdOrCtrl+L';

/**
 * The application menu uses roles only: no item opens a web page, because the workbench is meant
 * to run on machines with no network, and a help link would be a way out of the sandbox. The one
 * item with an action of its own is Lock (when `onLock` is given): it asks the page to lock.
 */
export function buildMenuTemplate(
  platform: string,
  appName = 'Tessera',
  onLock?: () => void,
): MenuItemConstructorOptions[] {
  const isMac = platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  const lockItems: MenuItemConstructorOptions[] = onLock
    ? [
        { label: 'Lock Tessera', accelerator: LOCK_ACCELERATOR, click: () => onLock() },
        { type: 'separator' },
      ]
    : [];
  if (isMac) {
    template.push({
      label: appName,
      submenu: [
        { role: 'about' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push(
    { label: 'File', submenu: [...lockItems, isMac ? { role: 'close' } : { role: 'quit' }] },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'toggleDevTools' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      label: 'Window',
      submenu: isMac
        ? [{ role: 'minimize' }, { role: 'zoom' }, { type: 'separator' }, { role: 'front' }]
        : [{ role: 'minimize' }, { role: 'close' }],
    },
    { label: 'Help', submenu: [{ role: 'about', label: `About ${appName}` }] },
  );
  return template;
}
