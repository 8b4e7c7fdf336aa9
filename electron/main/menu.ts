import type { MenuItemConstructorOptions } from 'electron';
import { COMMAND_SPECS } from '../../shared/contract/commands.ts';
import type { CommandId, MenuName, Shortcut } from '../../shared/contract/commands.ts';

/**
 * The application menu: the standard roles plus the workbench's commands from the shared list
 * (shared/contract/commands.ts). A command item only sends its id to the window, whose command
 * table decides whether it is enabled and performs it, so the menu, the shortcuts and the palette
 * run the same code. Its shortcut is shown but not registered (`registerAccelerator: false`): the
 * page's one key handler takes the keys, and knows when focus is in a text field where "N" is a
 * letter and Ctrl+Z belongs to the field. No item opens a web page, because the workbench is meant
 * to run on machines with no network, and a help link would be a way out of the sandbox.
 */
export function buildMenuTemplate(
  platform: string,
  appName = 'Tessera',
  sendCommand: (id: CommandId) => void = () => undefined,
): MenuItemConstructorOptions[] {
  const isMac = platform === 'darwin';
  const commands = (menu: MenuName): MenuItemConstructorOptions[] =>
    COMMAND_SPECS.filter((spec) => spec.menu === menu).map((spec) => ({
      label: spec.label,
      ...('shortcut' in spec ? { accelerator: toAccelerator(spec.shortcut) } : {}),
      registerAccelerator: false,
      click: () => sendCommand(spec.id),
    }));
  const template: MenuItemConstructorOptions[] = [];
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
    {
      label: 'File',
      submenu: [
        ...commands('File'),
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [
        ...commands('Edit'),
        // Text undo inside a field: the page's key handler leaves Ctrl+Z there unhandled, and on
        // macOS only a menu role turns it into the field's own undo. Hidden, because the visible
        // Undo above is the case's.
        { role: 'undo', visible: false },
        { role: 'redo', visible: false },
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
        ...commands('View'),
        { type: 'separator' },
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

/** "Mod+Shift+Z" → Electron's "CmdOrCtrl+Shift+Z"; "/" stays "/". */
function toAccelerator(shortcut: Shortcut): string {
  return shortcut.replace(/^Mod\+/, 'CmdOrCtrl+');
}
