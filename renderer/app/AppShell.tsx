/**
 * The page's root (issue 10): boots the services and the vault, applies the theme, and puts the
 * lock gate in front of the workbench. Nothing of a case is rendered until the store is unlocked.
 *
 * Locking — on demand (Ctrl/Cmd+L, the Lock button, the desktop menu), after the idle time of
 * Settings, and when the system suspends or locks its screen (Electron, over the preload bridge) —
 * drops the data key first (`vault.lock()`: later reads and writes throw), then forgets the
 * repository and its undo stack; the gate then unmounts the workbench, which clears every
 * decrypted record from React state; every worker (search index, chart overview, layout,
 * analysis, duplicates) is terminated at once through the one worker runner.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Settings } from '../../shared/contract/index.ts';
import { errorMessage } from '../../shared/base/errors.ts';
import { idleMinuteMs, watchIdle } from '../lock/idleTimer.ts';
import { terminateAll } from '../platform/workerRunner.ts';
import { LockGate } from '../lock/LockGate.tsx';
import { useVaultState } from '../lock/vaultContext.ts';
import { App } from './App.tsx';
import { BootError } from './BootError.tsx';
import { bootShell, forgetCaseStore } from './boot.ts';
import type { ShellBoot } from './boot.ts';
import { useAppliedTheme } from './useTheme.ts';

export function AppShell() {
  const settingsRef = useRef<Settings | null>(null);
  const [shell, setShell] = useState<ShellBoot | null>(null);
  const [settings, setSettings] = useState<Settings | null>(null);
  const [bootError, setBootError] = useState<string | null>(null);
  useAppliedTheme(settings?.theme);

  useEffect(() => {
    bootShell(settingsRef)
      .then((result) => {
        setShell(result);
        setSettings(result.settings);
      })
      .catch((error: unknown) => setBootError(errorMessage(error)));
  }, []);

  const updateSettings = useCallback(
    async (patch: Partial<Settings>) => {
      if (!shell) return;
      const next = await shell.services['settings.update'](patch);
      settingsRef.current = next;
      setSettings(next);
    },
    [shell],
  );

  if (bootError) return <BootError message={bootError} />;
  if (!shell || !settings) {
    return <div className="app-loading">Opening Tessera…</div>;
  }
  return (
    <LockedWorkbench
      shell={shell}
      settings={settings}
      settingsRef={settingsRef}
      updateSettings={updateSettings}
    />
  );
}

function LockedWorkbench({
  shell,
  settings,
  settingsRef,
  updateSettings,
}: {
  readonly shell: ShellBoot;
  readonly settings: Settings;
  readonly settingsRef: { current: Settings | null };
  readonly updateSettings: (patch: Partial<Settings>) => Promise<void>;
}) {
  const { vault } = shell;
  const state = useVaultState(vault);
  const unlocked = state?.kind === 'unlocked' || state?.kind === 'migrating';

  const lock = useCallback(() => {
    // The key goes first: whatever still runs after this line can no longer read or write.
    vault.lock();
    // Workers hold decrypted names (the search index above all): end every one now, not when
    // their components unmount; a run in flight rejects with `terminated`.
    terminateAll();
    forgetCaseStore();
  }, [vault]);

  // After the idle time without input, while there is something to lock.
  useEffect(() => {
    if (!unlocked) return undefined;
    return watchIdle({
      timeoutMs: settings.idleLockMinutes * idleMinuteMs(),
      onIdle: lock,
      target: window,
    });
  }, [unlocked, settings.idleLockMinutes, lock]);

  // The desktop app's menu item and the system's suspend or screen lock.
  useEffect(() => {
    const bridge = window.tessera;
    if (!bridge) return undefined;
    return bridge.onEvent((event) => {
      if (event === 'lock') lock();
    });
  }, [lock]);

  return (
    <LockGate
      vault={vault}
      keystore={shell.keystore}
      context={[settings.agencyName, settings.agencyId]}
    >
      {() => (
        <App
          shell={shell}
          settings={settings}
          settingsRef={settingsRef}
          updateSettings={updateSettings}
          onLock={lock}
        />
      )}
    </LockGate>
  );
}
