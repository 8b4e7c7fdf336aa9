import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Settings } from '../../shared/contract/index.ts';
import { CaseList } from '../case/CaseList.tsx';
import { CaseWorkspace } from '../case/CaseWorkspace.tsx';
import { SettingsPanel } from '../settings/SettingsPanel.tsx';
import { IdentityBanner } from '../settings/IdentityBanner.tsx';
import { boot } from './boot.ts';
import type { BootResult } from './boot.ts';
import { commandForKey } from './commands.ts';
import type { CommandId } from './commands.ts';
import { AppServicesContext } from './context.ts';
import type { AppServices } from './context.ts';
import { Notifications, useNotifications } from './Notifications.tsx';
import { TopBar } from './TopBar.tsx';
import { useUndoState } from './useUndoState.ts';
import { useAppliedTheme } from './useTheme.ts';
import { installAppTestHook } from './testHooks.ts';
import './app.css';
import { errorMessage } from '../../shared/base/errors.ts';

const OPEN_CASE_KEY = 'tessera.openCaseId';
const isMac = /Mac|iPhone|iPad/.test(navigator.platform);

function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))
  );
}

export function App() {
  const settingsRef = useRef<Settings | null>(null);
  const [booted, setBooted] = useState<BootResult | null>(null);
  const [bootError, setBootError] = useState<string | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [openCaseId, setOpenCaseId] = useState<string | null>(() =>
    localStorage.getItem(OPEN_CASE_KEY),
  );
  const [showSettings, setShowSettings] = useState(false);
  const [workspaceCommand, setWorkspaceCommand] = useState<{ id: CommandId; seq: number } | null>(
    null,
  );
  const { messages, notify, dismiss } = useNotifications();
  useAppliedTheme(settings?.theme);

  useEffect(() => {
    boot(settingsRef)
      .then((result) => {
        installAppTestHook(result.repository);
        setBooted(result);
        setSettings(result.settings);
      })
      .catch((error: unknown) => setBootError(errorMessage(error)));
  }, []);

  const openCase = useCallback((caseId: string | null) => {
    setOpenCaseId(caseId);
    if (caseId) localStorage.setItem(OPEN_CASE_KEY, caseId);
    else localStorage.removeItem(OPEN_CASE_KEY);
  }, []);

  const updateSettings = useCallback(
    async (patch: Partial<Settings>) => {
      if (!booted) return;
      const next = await booted.services['settings.update'](patch);
      settingsRef.current = next;
      setSettings(next);
    },
    [booted],
  );

  const undoState = useUndoState(booted?.repository);

  const runCommand = useCallback(
    (id: CommandId) => {
      if (!booted) return;
      const { repository } = booted;
      const report = (label: string | undefined, verb: string) => {
        if (label) notify(`${verb}: ${label}`);
      };
      switch (id) {
        case 'undo':
          repository.undo().then(
            (label) => report(label, 'Undone'),
            // UndoConflictError's message says which record changed and that nothing was.
            (error: unknown) => notify(errorMessage(error), 'error'),
          );
          break;
        case 'redo':
          repository.redo().then(
            (label) => report(label, 'Redone'),
            // UndoConflictError's message says which record changed and that nothing was.
            (error: unknown) => notify(errorMessage(error), 'error'),
          );
          break;
        case 'toggleTheme':
          void updateSettings({
            theme: document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark',
          });
          break;
        case 'closeCase':
          openCase(null);
          break;
        default:
          setWorkspaceCommand((previous) => ({ id, seq: (previous?.seq ?? 0) + 1 }));
      }
    },
    [booted, notify, openCase, updateSettings],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const id = commandForKey(
        event,
        {
          caseOpen: openCaseId !== null,
          canUndo: undoState.undoLabel !== undefined,
          canRedo: undoState.redoLabel !== undefined,
          typing: isTyping(event.target),
        },
        isMac,
      );
      if (!id) return;
      // Undo inside a text field belongs to the field.
      if ((id === 'undo' || id === 'redo') && isTyping(event.target)) return;
      event.preventDefault();
      runCommand(id);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [openCaseId, runCommand, undoState]);

  const appServices = useMemo<AppServices | null>(
    () =>
      booted && settings
        ? {
            repository: booted.repository,
            storage: booted.storage,
            services: booted.services,
            settings,
            notify,
          }
        : null,
    [booted, settings, notify],
  );

  if (bootError) {
    return (
      <div className="app-boot-error" role="alert">
        <h1>Tessera could not start</h1>
        <p>{bootError}</p>
        <p className="muted">
          Reload the page; if you use the web host, open the address it printed.
        </p>
      </div>
    );
  }
  if (!appServices) {
    return <div className="app-loading">Opening Tessera…</div>;
  }
  return (
    <AppServicesContext.Provider value={appServices}>
      <div className="app-shell">
        <TopBar
          caseId={openCaseId}
          undoState={undoState}
          isMac={isMac}
          onHome={() => openCase(null)}
          onCommand={runCommand}
          onSettings={() => setShowSettings(true)}
        />
        <IdentityBanner onChange={updateSettings} />
        <main className="app-main">
          {openCaseId ? (
            <CaseWorkspace
              key={openCaseId}
              caseId={openCaseId}
              command={workspaceCommand}
              onClose={() => openCase(null)}
            />
          ) : (
            <CaseList onOpen={openCase} />
          )}
        </main>
        {showSettings && (
          <SettingsPanel onClose={() => setShowSettings(false)} onChange={updateSettings} />
        )}
        <Notifications messages={messages} onDismiss={dismiss} />
      </div>
    </AppServicesContext.Provider>
  );
}
