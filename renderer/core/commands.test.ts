import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { buildMenuTemplate } from '../../electron/main/menu.ts';
import { COMMAND_SPECS, isCommandId } from '../../shared/contract/commands.ts';
import type { CommandId } from '../../shared/contract/commands.ts';
import {
  COMMANDS,
  CommandRunner,
  commandForKey,
  displayShortcut,
  matchesShortcut,
  paletteEntries,
} from './commands.ts';
import type {
  CommandApi,
  CommandContext,
  CommandState,
  KeyStroke,
  WorkspaceActions,
} from './commands.ts';

const key = (k: string, mods: Partial<KeyStroke> = {}): KeyStroke => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});
const context: CommandContext = {
  caseOpen: true,
  canUndo: true,
  canRedo: false,
  typing: false,
  hasSelection: false,
};

describe('keyboard commands', () => {
  it('maps Ctrl+Z to undo off macOS and Cmd+Z on macOS', () => {
    expect(commandForKey(key('z', { ctrlKey: true }), context, false)).toBe('undo');
    expect(commandForKey(key('z', { metaKey: true }), context, true)).toBe('undo');
    expect(commandForKey(key('z', { metaKey: true }), context, false)).toBeUndefined();
  });
  it('does not fire disabled commands', () => {
    expect(
      commandForKey(key('Z', { ctrlKey: true, shiftKey: true }), context, false),
    ).toBeUndefined();
    expect(
      commandForKey(
        key('Z', { ctrlKey: true, shiftKey: true }),
        { ...context, canRedo: true },
        false,
      ),
    ).toBe('redo');
  });
  it('runs redo from its alternate shortcut too', () => {
    expect(commandForKey(key('y', { ctrlKey: true }), { ...context, canRedo: true }, false)).toBe(
      'redo',
    );
  });
  it('keeps single-key shortcuts out of text fields', () => {
    expect(commandForKey(key('n'), context, false)).toBe('newEntity');
    expect(commandForKey(key('n'), { ...context, typing: true }, false)).toBeUndefined();
  });
  it('requires the exact modifiers', () => {
    expect(matchesShortcut('N', key('n', { ctrlKey: true }), false)).toBe(false);
    expect(matchesShortcut('Mod+Shift+L', key('L', { ctrlKey: true, shiftKey: true }), false)).toBe(
      true,
    );
  });
  it('shows shortcuts per platform', () => {
    expect(displayShortcut('Mod+Shift+Z', false)).toBe('Ctrl+Shift+Z');
    expect(displayShortcut('Mod+Shift+Z', true)).toBe('⌘⇧Z');
  });
  it('gives no two commands the same key', () => {
    const keys = COMMAND_SPECS.flatMap((spec) => [
      ...('shortcut' in spec ? [spec.shortcut] : []),
      ...('alternateShortcuts' in spec ? spec.alternateShortcuts : []),
    ]);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('the command palette', () => {
  it('finds commands by words of their label, enabled ones first, not itself', () => {
    const entries = paletteEntries('entity', context, false);
    expect(entries.map((entry) => entry.id)).toEqual([
      'newEntity',
      'showTable',
      'linkEntities',
      'deleteEntity',
    ]);
    expect(entries.map((entry) => entry.enabled)).toEqual([true, true, false, false]);
    expect(paletteEntries('', context, false).some((e) => e.id === 'commandPalette')).toBe(false);
    expect(paletteEntries('undo', context, true)[0]).toEqual({
      id: 'undo',
      label: 'Undo',
      shortcut: '⌘Z',
      enabled: true,
    });
  });
});

/** A CommandApi whose every action is a spy, with a workspace whose entity "e1" is selected. */
function spyApi() {
  const workspace: WorkspaceActions = {
    selectedEntityId: 'e1',
    newEntity: vi.fn(),
    showTab: vi.fn(),
    focusSearch: vi.fn(),
    linkSelected: vi.fn(),
    deleteSelected: vi.fn(),
    exportCase: vi.fn(),
    importData: vi.fn(),
  };
  const api: CommandApi = {
    undo: vi.fn(),
    redo: vi.fn(),
    toggleTheme: vi.fn(),
    closeCase: vi.fn(),
    lock: vi.fn(),
    openPalette: vi.fn(),
    importCase: vi.fn(),
    workspace,
  };
  return { api, workspace };
}

const state: CommandState = { caseOpen: true, canUndo: true, canRedo: true, hasSelection: true };

/** The Electron menu of this platform, with each command item's click sending into `send`. */
function menuItems(send: (id: CommandId) => void): MenuItemConstructorOptions[] {
  return buildMenuTemplate('linux', 'Tessera', send).flatMap((menu) =>
    Array.isArray(menu.submenu) ? menu.submenu : [],
  );
}

function clickMenu(label: string, send: (id: CommandId) => void): void {
  const item = menuItems(send).find((entry) => entry.label === label);
  if (!item?.click) throw new Error(`no menu item ${label}`);
  // Electron passes the item, window and event; our items use none of them.
  (item.click as () => void)();
}

describe('one table behind the palette, the shortcuts and the menu', () => {
  it('reaches the same perform from a key, a palette entry and a menu item', () => {
    const cases: readonly {
      readonly id: CommandId;
      readonly keyStroke: KeyStroke;
      readonly performed: (api: CommandApi, ws: WorkspaceActions) => unknown;
    }[] = [
      { id: 'undo', keyStroke: key('z', { ctrlKey: true }), performed: (a) => a.undo },
      { id: 'newEntity', keyStroke: key('n'), performed: (_a, w) => w.newEntity },
      { id: 'linkEntities', keyStroke: key('l'), performed: (_a, w) => w.linkSelected },
      { id: 'importCase', keyStroke: key('o', { ctrlKey: true }), performed: (a) => a.importCase },
    ];
    for (const { id, keyStroke, performed } of cases) {
      const { api, workspace } = spyApi();
      const runner = new CommandRunner(
        () => state,
        () => api,
        false,
      );
      const perform = performed(api, workspace);

      expect(runner.onKey(keyStroke, false)).toBe(true);
      const entry = paletteEntries(COMMANDS[id].label, { ...state, typing: false }, false)[0]!;
      expect(entry.id).toBe(id);
      expect(runner.run(entry.id, 'palette')).toBe(true);
      clickMenu(COMMANDS[id].label, (sent) => runner.run(sent, 'menu'));

      expect(perform).toHaveBeenCalledTimes(3);
    }
  });

  it('reaches delete, merge and export, which have no key, from the palette and the menu', () => {
    const { api, workspace } = spyApi();
    const runner = new CommandRunner(
      () => state,
      () => api,
      false,
    );
    for (const id of ['deleteEntity', 'mergeDuplicates', 'exportCase'] as const) {
      runner.run(id, 'palette');
      clickMenu(COMMANDS[id].label, (sent) => runner.run(sent, 'menu'));
    }
    expect(workspace.deleteSelected).toHaveBeenCalledTimes(2);
    expect(workspace.showTab).toHaveBeenCalledWith('duplicates');
    expect(workspace.showTab).toHaveBeenCalledTimes(2);
    expect(workspace.exportCase).toHaveBeenCalledTimes(2);
  });

  it('runs nothing that is disabled, whichever way it is asked for', () => {
    const { api, workspace } = spyApi();
    const runner = new CommandRunner(
      () => ({ ...state, hasSelection: false, canUndo: false }),
      () => api,
      false,
    );
    expect(runner.onKey(key('l'), false)).toBe(false);
    expect(runner.run('linkEntities', 'palette')).toBe(false);
    clickMenu(COMMANDS.deleteEntity.label, (sent) => runner.run(sent, 'menu'));
    expect(runner.onKey(key('z', { ctrlKey: true }), false)).toBe(false);
    expect(workspace.linkSelected).not.toHaveBeenCalled();
    expect(workspace.deleteSelected).not.toHaveBeenCalled();
    expect(api.undo).not.toHaveBeenCalled();
  });

  it('leaves undo and single keys to a text field, but not the menu', () => {
    const { api, workspace } = spyApi();
    const runner = new CommandRunner(
      () => state,
      () => api,
      false,
    );
    expect(runner.onKey(key('z', { ctrlKey: true }), true)).toBe(false);
    expect(runner.onKey(key('n'), true)).toBe(false);
    clickMenu(COMMANDS.newEntity.label, (sent) => runner.run(sent, 'menu'));
    expect(api.undo).not.toHaveBeenCalled();
    expect(workspace.newEntity).toHaveBeenCalledTimes(1);
  });

  it('lists every menu command of the shared list in the menu, and nothing else sends', () => {
    const sent: CommandId[] = [];
    for (const item of menuItems((id) => sent.push(id))) {
      if (item.click) (item.click as () => void)();
    }
    expect(sent).toEqual(COMMAND_SPECS.filter((spec) => spec.menu).map((spec) => spec.id));
    expect(sent.every(isCommandId)).toBe(true);
    expect(isCommandId('openExternal')).toBe(false);
  });
});
