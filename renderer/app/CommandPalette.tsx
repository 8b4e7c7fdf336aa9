/**
 * The command palette (Ctrl+Shift+P, or ⌘⇧P): every command of the table by name, with its
 * shortcut, for the web edition that has no menu and for anyone who does not know the keys. It
 * runs the chosen command through the same CommandRunner as the keys and the menu.
 */
import { useMemo, useState } from 'react';
import { paletteEntries } from '../core/commands.ts';
import type { CommandId, CommandState } from '../core/commands.ts';
import { Dialog } from '../core/Dialog.tsx';

export function CommandPalette({
  state,
  isMac,
  onRun,
  onClose,
}: {
  readonly state: CommandState;
  readonly isMac: boolean;
  readonly onRun: (id: CommandId) => void;
  readonly onClose: () => void;
}) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const entries = useMemo(
    () => paletteEntries(query, { ...state, typing: false }, isMac),
    [query, state, isMac],
  );
  const run = (id: CommandId) => {
    onClose();
    onRun(id);
  };
  return (
    <Dialog title="Commands" onClose={onClose}>
      <input
        // Not type="search": there Escape clears the text instead of closing the dialog.
        type="text"
        data-autofocus
        placeholder="Type a command…"
        aria-label="Command"
        value={query}
        onChange={(event) => {
          setQuery(event.target.value);
          setActive(0);
        }}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') setActive((i) => Math.min(i + 1, entries.length - 1));
          else if (event.key === 'ArrowUp') setActive((i) => Math.max(i - 1, 0));
          else if (event.key === 'Enter') {
            const entry = entries[active];
            if (entry?.enabled) run(entry.id);
          } else return;
          event.preventDefault();
        }}
        data-testid="palette-input"
      />
      <ul className="command-list" role="listbox" aria-label="Commands" data-testid="palette">
        {entries.map((entry, index) => (
          <li key={entry.id} role="option" aria-selected={index === active}>
            <button
              type="button"
              disabled={!entry.enabled}
              className={index === active ? 'command-active' : undefined}
              onClick={() => run(entry.id)}
              data-testid={`palette-${entry.id}`}
            >
              <span>{entry.label}</span>
              {entry.shortcut && <kbd>{entry.shortcut}</kbd>}
            </button>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
