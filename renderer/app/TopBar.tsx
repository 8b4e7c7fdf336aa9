import { useCase } from '../db/queries.ts';
import { COMMANDS, displayShortcut } from '../core/commands.ts';
import type { CommandId } from '../core/commands.ts';
import type { UndoState } from '../db/repository.types.ts';
import { TopBarInbox } from '../exchange/index.ts';

interface TopBarProps {
  readonly caseId: string | null;
  readonly undoState: UndoState;
  readonly isMac: boolean;
  readonly onHome: () => void;
  readonly onCommand: (id: CommandId) => void;
  readonly onSettings: () => void;
  /** Opens a case (the inbox's "Open the case" after an import from outside a case). */
  readonly onOpenCase: (caseId: string) => void;
}

export function TopBar({
  caseId,
  undoState,
  isMac,
  onHome,
  onCommand,
  onSettings,
  onOpenCase,
}: TopBarProps) {
  const openCase = useCase(caseId ?? '');
  const hint = (shortcut: string | undefined) => (shortcut ? displayShortcut(shortcut, isMac) : '');
  return (
    <header className="app-topbar">
      <button
        type="button"
        className="app-brand"
        onClick={onHome}
        title="Case list"
        data-testid="home"
      >
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
          <path
            d="M3 3h8v8H3zM13 3h8v8h-8zM3 13h8v8H3zM13 13h8v8h-8z"
            fill="currentColor"
            opacity="0.85"
          />
        </svg>
        Tessera
      </button>
      {caseId && openCase && (
        <span className="app-breadcrumb" data-testid="breadcrumb">
          <span className="mono">{openCase.reference}</span> · {openCase.title}
        </span>
      )}
      <span className="app-topbar-spacer" />
      <TopBarInbox onOpenCase={onOpenCase} />
      <button
        type="button"
        onClick={() => onCommand('undo')}
        disabled={!undoState.undoLabel}
        title={`Undo ${undoState.undoLabel ?? ''} (${hint(COMMANDS.undo.shortcut)})`}
        data-testid="undo"
      >
        ↶ Undo
      </button>
      <button
        type="button"
        onClick={() => onCommand('redo')}
        disabled={!undoState.redoLabel}
        title={`Redo ${undoState.redoLabel ?? ''} (${hint(COMMANDS.redo.shortcut)})`}
        data-testid="redo"
      >
        ↷ Redo
      </button>
      <button
        type="button"
        onClick={() => onCommand('toggleTheme')}
        title={`Light or dark theme (${hint(COMMANDS.toggleTheme.shortcut)})`}
        aria-label="Toggle theme"
        data-testid="toggle-theme"
      >
        ◐
      </button>
      <button
        type="button"
        onClick={() => onCommand('lock')}
        title={`Lock: hide everything until the passphrase is typed (${hint(COMMANDS.lock.shortcut)})`}
        data-testid="lock-now"
      >
        Lock
      </button>
      <button type="button" onClick={onSettings} data-testid="open-settings">
        Settings
      </button>
    </header>
  );
}
