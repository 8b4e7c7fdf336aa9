/**
 * Commands are registered objects: one place holds the label, the keyboard shortcut, when the
 * command is enabled and what it does. The menu-less web edition and the key handler both read this
 * table, so a shortcut shown in a tooltip is the shortcut that works.
 */

export interface CommandContext {
  readonly caseOpen: boolean;
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  /** True while focus is in a text field, where single-key shortcuts must not fire. */
  readonly typing: boolean;
}

export interface Command {
  readonly id: string;
  readonly label: string;
  /** e.g. "Mod+Z", "Mod+Shift+Z", "N", "/" — Mod is Ctrl, or Cmd on macOS. */
  readonly shortcut?: string;
  isEnabled(context: CommandContext): boolean;
}

export const COMMANDS = {
  undo: { id: 'undo', label: 'Undo', shortcut: 'Mod+Z', isEnabled: (c) => c.canUndo },
  redo: { id: 'redo', label: 'Redo', shortcut: 'Mod+Shift+Z', isEnabled: (c) => c.canRedo },
  redoAlt: { id: 'redo', label: 'Redo', shortcut: 'Mod+Y', isEnabled: (c) => c.canRedo },
  newEntity: {
    id: 'newEntity',
    label: 'New entity',
    shortcut: 'N',
    isEnabled: (c) => c.caseOpen && !c.typing,
  },
  search: {
    id: 'search',
    label: 'Search the case',
    shortcut: '/',
    isEnabled: (c) => c.caseOpen && !c.typing,
  },
  showChart: {
    id: 'showChart',
    label: 'Show chart',
    shortcut: 'G',
    isEnabled: (c) => c.caseOpen && !c.typing,
  },
  showTable: {
    id: 'showTable',
    label: 'Show entity table',
    shortcut: 'T',
    isEnabled: (c) => c.caseOpen && !c.typing,
  },
  toggleTheme: {
    id: 'toggleTheme',
    label: 'Toggle dark theme',
    shortcut: 'Mod+Shift+L',
    isEnabled: () => true,
  },
  lock: {
    id: 'lock',
    label: 'Lock Tessera',
    shortcut: 'Mod+L',
    isEnabled: () => true,
  },
  closeCase: {
    id: 'closeCase',
    label: 'Back to case list',
    shortcut: 'Mod+Shift+W',
    isEnabled: (c) => c.caseOpen,
  },
} as const satisfies Record<string, Command>;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS]['id'];

export interface KeyStroke {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
}

/** Does this key event match a shortcut such as "Mod+Shift+Z"? */
export function matchesShortcut(shortcut: string, event: KeyStroke, isMac: boolean): boolean {
  const parts = shortcut.split('+');
  const key = parts[parts.length - 1]!;
  const wantsMod = parts.includes('Mod');
  const wantsShift = parts.includes('Shift');
  const mod = isMac ? event.metaKey : event.ctrlKey;
  if (wantsMod !== mod || event.altKey) return false;
  // Shift changes the character of symbol keys ("/" vs "?"), so only letters compare it.
  const isLetter = /^[A-Za-z]$/.test(key);
  if (isLetter && wantsShift !== event.shiftKey) return false;
  return event.key.toLowerCase() === key.toLowerCase();
}

/** The command a key press triggers, if any is enabled for it. */
export function commandForKey(
  event: KeyStroke,
  context: CommandContext,
  isMac: boolean,
): CommandId | undefined {
  for (const command of Object.values(COMMANDS)) {
    if (
      command.shortcut &&
      matchesShortcut(command.shortcut, event, isMac) &&
      command.isEnabled(context)
    ) {
      return command.id;
    }
  }
  return undefined;
}

/** A shortcut as people read it on this platform, e.g. "Ctrl+Shift+Z" or "⌘⇧Z". */
export function displayShortcut(shortcut: string, isMac: boolean): string {
  if (!isMac) return shortcut.replace('Mod', 'Ctrl');
  return shortcut.replace('Mod+', '⌘').replace('Shift+', '⇧');
}
