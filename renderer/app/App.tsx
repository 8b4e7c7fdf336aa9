import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Settings } from '../../shared/contract/index.ts';
import { CaseList } from '../case/CaseList.tsx';
import { CaseWorkspace } from '../case/CaseWorkspace.tsx';
import { SettingsPanel } from '../settings/SettingsPanel.tsx';
import { IdentityBanner } from '../settings/IdentityBanner.tsx';
import { openCaseStore } from './boot.ts';
import type { BootResult, ShellBoot } from './boot.ts';
import { AppServicesProvider } from '../core/context.ts';
import type { AppServices } from '../core/context.ts';
import { Notifications, useNotifications } from './Notifications.tsx';
import { TopBar } from './TopBar.tsx';
import { BootError } from './BootError.tsx';
import { useUndoState } from './useUndoState.ts';
import { useCommands } from './useCommands.ts';
import { CommandPalette } from './CommandPalette.tsx';
import { WorkspaceCommandsContext } from '../core/workspaceCommands.ts';
import { installAppTestHook, removeAppTestHook } from './testHooks.ts';
import './app.css';
import { errorMessage } from '../../shared/base/errors.ts';

const OPEN_CASE_KEY = 'tessera.openCaseId';
const isMac = /Mac|iPhone|iPad/.test(navigator.platform);

export interface AppProps {
  readonly shell: ShellBoot;
  readonly settings: Settings;
  readonly settingsRef: { current: Settings | null };
  readonly updateSettings: (patch: Partial<Settings>) => Promise<void>;
  /** Locks the store; this component is unmounted right after (see AppShell.tsx). */
  readonly onLock: () => void;
}

/**
 * The workbench: mounted only while the case store is unlocked (AppShell's LockGate), on a
 * repository built for this unlock, so a lock discards it with all the React state it fed.
 */
export function App({ shell, settings, settingsRef, updateSettings, onLock }: AppProps) {
  const [booted, setBooted] = useState<BootResult | null>(null);
  const [bootError, setBootError] = useState<string | null>(null);
  const [openCaseId, setOpenCaseId] = useState<string | null>(() =>
    localStorage.getItem(OPEN_CASE_KEY),
  );
  const [showSettings, setShowSettings] = useState(false);
  const { messages, notify, dismiss } = useNotifications();

  useEffect(() => {
    let live = true;
    openCaseStore(shell, settingsRef)
      .then((result) => {
        if (!live) return;
        installAppTestHook(result.repository, result.storage);
        setBooted(result);
      })
      .catch((error: unknown) => live && setBootError(errorMessage(error)));
    return () => {
      live = false;
      removeAppTestHook();
    };
  }, [shell, settingsRef]);

  const openCase = useCallback((caseId: string | null) => {
    setOpenCaseId(caseId);
    if (caseId) localStorage.setItem(OPEN_CASE_KEY, caseId);
    else localStorage.removeItem(OPEN_CASE_KEY);
  }, []);

  const undoState = useUndoState(booted?.repository);

  const commands = useCommands(
    {
      repository: booted?.repository,
      storage: booted?.storage,
      settings,
      openCaseId,
      undoState,
      notify,
      openCase,
      updateSettings,
      lock: onLock,
    },
    isMac,
  );

  const appServices = useMemo<AppServices | null>(
    () =>
      booted
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

  if (bootError) return <BootError message={bootError} />;
  if (!appServices) {
    return <div className="app-loading">Opening Tessera…</div>;
  }
  return (
    <AppServicesProvider value={appServices}>
      <WorkspaceCommandsContext.Provider value={commands.registerWorkspace}>
        <div className="app-shell">
          <TopBar
            caseId={openCaseId}
            undoState={undoState}
            isMac={isMac}
            onHome={() => openCase(null)}
            onCommand={(id) => void commands.runner.run(id, 'button')}
            onSettings={() => setShowSettings(true)}
            onOpenCase={openCase}
          />
          <IdentityBanner onChange={updateSettings} />
          <main className="app-main">
            {openCaseId ? (
              <CaseWorkspace key={openCaseId} caseId={openCaseId} onClose={() => openCase(null)} />
            ) : (
              <CaseList onOpen={openCase} />
            )}
          </main>
          {showSettings && (
            <SettingsPanel onClose={() => setShowSettings(false)} onChange={updateSettings} />
          )}
          {commands.paletteOpen && (
            <CommandPalette
              state={commands.runner.currentState()}
              isMac={isMac}
              onRun={(id) => void commands.runner.run(id, 'palette')}
              onClose={commands.closePalette}
            />
          )}
          <Notifications messages={messages} onDismiss={dismiss} />
        </div>
      </WorkspaceCommandsContext.Provider>
    </AppServicesProvider>
  );
}
