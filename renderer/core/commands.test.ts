import { describe, expect, it } from 'vitest';
import { commandForKey, displayShortcut, matchesShortcut } from './commands.ts';
import type { CommandContext, KeyStroke } from './commands.ts';

const key = (k: string, mods: Partial<KeyStroke> = {}): KeyStroke => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});
const context: CommandContext = { caseOpen: true, canUndo: true, canRedo: false, typing: false };

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
});
