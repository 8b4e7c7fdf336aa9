/**
 * Commands are registered objects (convention 6): the shared list (shared/contract/commands.ts)
 * gives each its label, shortcut and menu; this table adds when it is enabled and what it does.
 * Every way in — a key press, a menu item (Electron), the command palette, a top-bar button —
 * goes through `CommandRunner.run`, which checks `isEnabled` and calls the one `perform`, so a
 * shortcut shown in a tooltip is the shortcut that works and the menu does what the key does.
 *
 * `perform` acts through a `CommandApi`: the shell provides the app-wide actions, and the open
 * case's workspace registers its own while it is mounted (`workspace`), since the selection and
 * the open editors live there.
 */
import { COMMAND_SPECS } from '../../shared/contract/commands.ts';
import type { CommandId, CommandSpec, Shortcut } from '../../shared/contract/commands.ts';

export type { CommandId, Shortcut };

/** What decides whether a command can run now. */
export interface CommandContext {
  readonly caseOpen: boolean;
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  /** True while focus is in a text field, where single-key shortcuts must not fire. */
  readonly typing: boolean;
  /** True while an entity is selected in the open case. */
  readonly hasSelection: boolean;
}

/** The tabs a command can bring forward. */
export type CommandTab = 'entities' | 'chart' | 'search' | 'duplicates';

/** The open case's own actions, registered by its workspace. */
export interface WorkspaceActions {
  /** The selected entity, if any (link and delete act on it). */
  readonly selectedEntityId: string | undefined;
  readonly newEntity: () => void;
  readonly showTab: (tab: CommandTab) => void;
  readonly focusSearch: () => void;
  /** Asks for the other end of a relationship from the selected entity, then opens its editor. */
  readonly linkSelected: () => void;
  /** Asks for confirmation, then deletes (tombstones) the selected entity. */
  readonly deleteSelected: () => void;
  readonly exportCase: () => void;
  /** Opens the import wizard (spreadsheets, call records, the clipboard) for this case. */
  readonly importData: () => void;
}

/** What commands act on. */
export interface CommandApi {
  readonly undo: () => void;
  readonly redo: () => void;
  readonly toggleTheme: () => void;
  readonly lock: () => void;
  readonly closeCase: () => void;
  readonly openPalette: () => void;
  readonly importCase: () => void;
  /** Present while a case is open. */
  readonly workspace?: WorkspaceActions | undefined;
}

export interface Command extends CommandSpec {
  readonly id: CommandId;
  isEnabled(context: CommandContext): boolean;
  perform(api: CommandApi): void;
}

type Behaviour = Pick<Command, 'isEnabled' | 'perform'>;

const inCase = (c: CommandContext) => c.caseOpen && !c.typing;

const BEHAVIOUR: { readonly [Id in CommandId]: Behaviour } = {
  importCase: { isEnabled: () => true, perform: (api) => api.importCase() },
  importData: { isEnabled: (c) => c.caseOpen, perform: (api) => api.workspace?.importData() },
  exportCase: { isEnabled: (c) => c.caseOpen, perform: (api) => api.workspace?.exportCase() },
  closeCase: { isEnabled: (c) => c.caseOpen, perform: (api) => api.closeCase() },
  undo: { isEnabled: (c) => c.canUndo, perform: (api) => api.undo() },
  redo: { isEnabled: (c) => c.canRedo, perform: (api) => api.redo() },
  newEntity: { isEnabled: inCase, perform: (api) => api.workspace?.newEntity() },
  linkEntities: {
    isEnabled: (c) => inCase(c) && c.hasSelection,
    perform: (api) => api.workspace?.linkSelected(),
  },
  deleteEntity: {
    isEnabled: (c) => inCase(c) && c.hasSelection,
    perform: (api) => api.workspace?.deleteSelected(),
  },
  // Merging is a reviewed decision per pair; the command brings the review forward.
  mergeDuplicates: { isEnabled: inCase, perform: (api) => api.workspace?.showTab('duplicates') },
  search: {
    isEnabled: inCase,
    perform: (api) => {
      api.workspace?.showTab('search');
      api.workspace?.focusSearch();
    },
  },
  showChart: { isEnabled: inCase, perform: (api) => api.workspace?.showTab('chart') },
  showTable: { isEnabled: inCase, perform: (api) => api.workspace?.showTab('entities') },
  toggleTheme: { isEnabled: () => true, perform: (api) => api.toggleTheme() },
  lock: { isEnabled: () => true, perform: (api) => api.lock() },
  commandPalette: { isEnabled: () => true, perform: (api) => api.openPalette() },
};

function register(spec: (typeof COMMAND_SPECS)[number]): Command {
  return { ...spec, ...BEHAVIOUR[spec.id] };
}

/** Every command, in menu order, by id. */
export const COMMANDS: { readonly [Id in CommandId]: Command } = Object.fromEntries(
  COMMAND_SPECS.map((spec) => [spec.id, register(spec)]),
) as { readonly [Id in CommandId]: Command };

export interface KeyStroke {
  readonly key: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
}

/** Does this key event match a shortcut such as "Mod+Shift+Z"? */
export function matchesShortcut(shortcut: Shortcut, event: KeyStroke, isMac: boolean): boolean {
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
    const shortcuts = [command.shortcut, ...(command.alternateShortcuts ?? [])];
    if (
      shortcuts.some((shortcut) => shortcut && matchesShortcut(shortcut, event, isMac)) &&
      command.isEnabled(context)
    ) {
      return command.id;
    }
  }
  return undefined;
}

/** A shortcut as people read it on this platform, e.g. "Ctrl+Shift+Z" or "⌘⇧Z". */
export function displayShortcut(shortcut: Shortcut, isMac: boolean): string {
  if (!isMac) return shortcut.replace('Mod', 'Ctrl');
  return shortcut.replace('Mod+', '⌘').replace('Shift+', '⇧');
}

export interface PaletteEntry {
  readonly id: CommandId;
  readonly label: string;
  readonly shortcut: string | undefined;
  readonly enabled: boolean;
}

/**
 * The palette's list for what was typed: every command whose label holds each typed word, enabled
 * ones first (in menu order), the palette itself left out. Focus is in the palette's own text field,
 * so commands are judged as if it were not.
 */
export function paletteEntries(
  query: string,
  context: CommandContext,
  isMac: boolean,
): PaletteEntry[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const judged = { ...context, typing: false };
  const entries = Object.values(COMMANDS)
    .filter((command) => command.id !== 'commandPalette')
    .filter((command) => words.every((word) => command.label.toLowerCase().includes(word)))
    .map((command) => ({
      id: command.id,
      label: command.label,
      shortcut: command.shortcut ? displayShortcut(command.shortcut, isMac) : undefined,
      enabled: command.isEnabled(judged),
    }));
  return [...entries.filter((entry) => entry.enabled), ...entries.filter((e) => !e.enabled)];
}

/** Where a command came from. */
export type CommandSource = 'key' | 'menu' | 'palette' | 'button';

/** The context apart from focus, which only a key event knows. */
export type CommandState = Omit<CommandContext, 'typing'>;

/**
 * The one way commands run. `state` and `api` are read at each call, so the runner can be made
 * once and still see the current selection, undo stack and open case.
 */
export class CommandRunner {
  constructor(
    private readonly state: () => CommandState,
    private readonly api: () => CommandApi,
    private readonly isMac: boolean,
  ) {}

  /** The state commands are judged by now (the palette shows it). */
  currentState(): CommandState {
    return this.state();
  }

  /**
   * Runs the command if it is enabled now; says whether it ran. Only a key press can come from a
   * text field: a menu item, palette entry or button was clicked, so focus has left any field.
   */
  run(id: CommandId, source: CommandSource, typing = false): boolean {
    const command = COMMANDS[id];
    if (!command.isEnabled({ ...this.state(), typing: source === 'key' && typing })) return false;
    command.perform(this.api());
    return true;
  }

  /**
   * Runs the command a key press names. Returns true when one ran (the caller then prevents the
   * browser's default). Undo and redo inside a text field belong to the field.
   */
  onKey(event: KeyStroke, typing: boolean): boolean {
    const id = commandForKey(event, { ...this.state(), typing }, this.isMac);
    if (!id || ((id === 'undo' || id === 'redo') && typing)) return false;
    return this.run(id, 'key', typing);
  }
}
