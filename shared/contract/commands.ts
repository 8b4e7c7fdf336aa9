/**
 * The workbench's commands as both sides know them: id, label, keyboard shortcut and the menu that
 * lists them. The renderer's table (renderer/core/commands.ts) adds when each is enabled and what
 * it does (`perform`); Electron's application menu (electron/main/menu.ts) shows these labels and
 * shortcuts and sends the id over `COMMAND_CHANNEL`, and the preload passes only known ids on. So
 * the menu, the keys and the command palette read one list and reach one perform.
 */

/** e.g. "Mod+Z", "Mod+Shift+Z", "N", "/" — Mod is Ctrl, or Cmd on macOS. */
export type Shortcut = string;

export type MenuName = 'File' | 'Edit' | 'View';

export interface CommandSpec {
  readonly id: string;
  readonly label: string;
  /** The shortcut shown in the menu, the palette and tooltips. */
  readonly shortcut?: Shortcut;
  /** Further keys that run the command too (Ctrl+Y for redo), shown nowhere. */
  readonly alternateShortcuts?: readonly Shortcut[];
  /** Where Electron's menu lists it; the web edition reaches every command from the palette. */
  readonly menu?: MenuName;
}

export const COMMAND_SPECS = [
  { id: 'importCase', label: 'Import case file…', shortcut: 'Mod+O', menu: 'File' },
  { id: 'importData', label: 'Import data…', menu: 'File' },
  { id: 'exportCase', label: 'Export this case…', menu: 'File' },
  { id: 'closeCase', label: 'Back to case list', shortcut: 'Mod+Shift+W', menu: 'File' },
  { id: 'lock', label: 'Lock Tessera', shortcut: 'Mod+L', menu: 'File' },
  { id: 'undo', label: 'Undo', shortcut: 'Mod+Z', menu: 'Edit' },
  {
    id: 'redo',
    label: 'Redo',
    shortcut: 'Mod+Shift+Z',
    alternateShortcuts: ['Mod+Y'],
    menu: 'Edit',
  },
  { id: 'newEntity', label: 'New entity', shortcut: 'N', menu: 'Edit' },
  { id: 'linkEntities', label: 'Link the selected entity to…', shortcut: 'L', menu: 'Edit' },
  { id: 'deleteEntity', label: 'Delete the selected entity…', menu: 'Edit' },
  { id: 'mergeDuplicates', label: 'Find and merge duplicates', menu: 'Edit' },
  { id: 'search', label: 'Search the case', shortcut: '/', menu: 'View' },
  { id: 'showChart', label: 'Show chart', shortcut: 'G', menu: 'View' },
  { id: 'showTable', label: 'Show entity table', shortcut: 'T', menu: 'View' },
  { id: 'toggleTheme', label: 'Toggle dark theme', shortcut: 'Mod+Shift+L', menu: 'View' },
  { id: 'commandPalette', label: 'Command palette…', shortcut: 'Mod+Shift+P', menu: 'View' },
] as const satisfies readonly CommandSpec[];

export type CommandId = (typeof COMMAND_SPECS)[number]['id'];

/** The IPC channel on which the main process sends a menu command's id to the window. */
export const COMMAND_CHANNEL = 'tessera:command';

const IDS: ReadonlySet<string> = new Set(COMMAND_SPECS.map((spec) => spec.id));

/** Is this (from a menu message, outside input to the preload) one of the known commands? */
export function isCommandId(value: unknown): value is CommandId {
  return typeof value === 'string' && IDS.has(value);
}
