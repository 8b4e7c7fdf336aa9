/**
 * The shell's side of the command table (renderer/core/commands.ts): it builds the one
 * CommandRunner of the page, feeds it the undo state, the open case and the workspace's actions,
 * and routes the three ways in to it — the key handler here, the application menu's messages
 * (Electron's preload `onCommand`) and the palette, which the shell renders.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Settings } from '../../shared/contract/index.ts';
import { errorMessage } from '../../shared/base/errors.ts';
import { CommandRunner } from '../core/commands.ts';
import type { CommandApi, CommandState, WorkspaceActions } from '../core/commands.ts';
import type { RegisterWorkspace } from '../core/workspaceCommands.ts';
import { pickFiles } from '../core/files.ts';
import type { StorageDeps } from '../core/context.ts';
import type { CaseRepository, UndoState } from '../db/repository.types.ts';
import { importCaseFiles } from '../case/caseFiles.ts';

export interface CommandShell {
  readonly repository: CaseRepository | undefined;
  readonly storage: StorageDeps | undefined;
  readonly settings: Settings | null;
  readonly openCaseId: string | null;
  readonly undoState: UndoState;
  readonly notify: (message: string, kind?: 'info' | 'error') => void;
  readonly openCase: (caseId: string | null) => void;
  readonly updateSettings: (patch: Partial<Settings>) => Promise<void>;
  /** Locks the case store (issue 10); the shell unmounts the workbench right after. */
  readonly lock: () => void;
}

export interface Commands {
  readonly runner: CommandRunner;
  readonly paletteOpen: boolean;
  readonly closePalette: () => void;
  readonly registerWorkspace: RegisterWorkspace;
}

function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
  );
}

export function useCommands(shell: CommandShell, isMac: boolean): Commands {
  // Read at each command, so the runner is made once and never sees stale state.
  const shellRef = useRef(shell);
  shellRef.current = shell;
  const workspaceRef = useRef<WorkspaceActions | undefined>(undefined);
  const [paletteOpen, setPaletteOpen] = useState(false);

  const registerWorkspace = useCallback<RegisterWorkspace>((actions) => {
    workspaceRef.current = actions;
  }, []);

  const runner = useMemo(() => {
    const state = (): CommandState => {
      const { openCaseId, undoState } = shellRef.current;
      return {
        caseOpen: openCaseId !== null,
        canUndo: undoState.undoLabel !== undefined,
        canRedo: undoState.redoLabel !== undefined,
        hasSelection: workspaceRef.current?.selectedEntityId !== undefined,
      };
    };
    const api = (): CommandApi => {
      const { repository, storage, settings, notify, openCase, updateSettings, lock } =
        shellRef.current;
      const step = (run: () => Promise<string | undefined>, verb: string) => {
        run().then(
          (label) => {
            if (label) notify(`${verb}: ${label}`);
          },
          // UndoConflictError's message says which record changed and that nothing was.
          (error: unknown) => notify(errorMessage(error), 'error'),
        );
      };
      return {
        undo: () => repository && step(() => repository.undo(), 'Undone'),
        redo: () => repository && step(() => repository.redo(), 'Redone'),
        toggleTheme: () =>
          void updateSettings({
            theme: document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark',
          }),
        closeCase: () => openCase(null),
        lock,
        openPalette: () => setPaletteOpen(true),
        importCase: () => {
          if (!repository || !storage || !settings) return;
          void pickFiles('.json,.jsonl,.ndjson,application/json').then((files) =>
            importCaseFiles(files, {
              repository,
              clock: storage.clock,
              agencyId: settings.agencyId,
              userName: settings.userName,
              notify,
            }),
          );
        },
        workspace: workspaceRef.current,
      };
    };
    return new CommandRunner(state, api, isMac);
  }, [isMac]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (runner.onKey(event, isTyping(event.target))) event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [runner]);

  // Electron's application menu; the web edition has no bridge and reaches commands by palette.
  useEffect(() => window.tessera?.onCommand((id) => void runner.run(id, 'menu')), [runner]);

  return { runner, paletteOpen, closePalette: () => setPaletteOpen(false), registerWorkspace };
}
