import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { KeystorePort, Vault } from '../db/vault.ts';
import { NewPassphraseScreen } from './NewPassphraseScreen.tsx';
import { RecoveryKeyView } from './RecoveryKeyView.tsx';
import { SetUpScreen } from './SetUpScreen.tsx';
import { UnlockScreen } from './UnlockScreen.tsx';
import { LockSessionContext, useVaultState } from './vaultContext.ts';
import type { LockSession } from './vaultContext.ts';
import './lock.css';

/**
 * What stands between the page and the case store (issue 10): the set-up screen on first start,
 * the recovery key once after it, the unlock screen whenever the vault is locked, and the workbench
 * (`children()`) only while it is unlocked. Locking unmounts the workbench, so every decrypted
 * record held in React state goes with it; the next unlock mounts a fresh one on a fresh repository.
 *
 * `migrating` means two things: encrypting an old store in place (or resuming that after a kill)
 * before anything is open — a progress screen — or rotating the data key while the user works,
 * which must not close the workbench. The difference is whether the workbench was open.
 */
export function LockGate({
  vault,
  keystore,
  context,
  children,
}: {
  readonly vault: Vault;
  readonly keystore?: KeystorePort;
  /** Words an attacker tries first for a passphrase (agency name and id). */
  readonly context: readonly string[];
  readonly children: () => ReactNode;
}) {
  const state = useVaultState(vault);
  const [settingUp, setSettingUp] = useState(false);
  const [recoveryKey, setRecoveryKey] = useState<string | null>(null);
  const [workbenchOpen, setWorkbenchOpen] = useState(false);
  // "Not now" on the new-passphrase question, for this unlock only.
  const [passphraseLater, setPassphraseLater] = useState(false);
  const kind = state?.kind ?? null;
  const recovered = state?.kind === 'unlocked' && state.method === 'recovery-key';
  useEffect(() => {
    if (kind === 'unlocked') setWorkbenchOpen(true);
    else if (kind !== 'migrating') setWorkbenchOpen(false);
    if (kind === 'locked') setPassphraseLater(false);
  }, [kind]);
  // The unlocked state does not list the unlock methods; the last locked one does.
  const [keystoreWrapping, setWrapping] = useState<boolean | null>(null);
  const lockedMethods = state?.kind === 'locked' ? state.methods.join(',') : null;
  useEffect(() => {
    if (lockedMethods !== null) setWrapping(lockedMethods.split(',').includes('keystore'));
  }, [lockedMethods]);
  const setKeystoreWrapping = useCallback(
    async (enabled: boolean) => {
      await vault.setKeystoreWrapping(enabled);
      setWrapping(enabled);
    },
    [vault],
  );
  const session = useMemo<LockSession>(
    () => ({ vault, keystore, keystoreWrapping, setKeystoreWrapping }),
    [vault, keystore, keystoreWrapping, setKeystoreWrapping],
  );

  const frame = (content: ReactNode) => (
    <div className="lock-screen" data-testid="lock-screen">
      <div className="lock-card">{content}</div>
    </div>
  );

  if (recoveryKey !== null) {
    return frame(
      <>
        <h1>Your recovery key</h1>
        <RecoveryKeyView recoveryKey={recoveryKey} onDone={() => setRecoveryKey(null)} />
      </>,
    );
  }
  if (settingUp || kind === 'new' || kind === 'plaintext') {
    return frame(
      <SetUpScreen
        vault={vault}
        existingData={kind === 'plaintext'}
        context={context}
        onBusy={setSettingUp}
        onRecoveryKey={(key) => {
          setWrapping(false);
          setRecoveryKey(key);
        }}
      />,
    );
  }
  if (state === null) {
    return <div className="app-loading">Opening Tessera…</div>;
  }
  if (state.kind === 'locked') {
    return frame(<UnlockScreen vault={vault} state={state} />);
  }
  if (recovered && !passphraseLater) {
    return frame(
      <NewPassphraseScreen
        vault={vault}
        context={context}
        onRecoveryKey={setRecoveryKey}
        onLater={() => setPassphraseLater(true)}
      />,
    );
  }
  if (state.kind === 'migrating' && !workbenchOpen) {
    return frame(
      <div className="lock-form" data-testid="vault-migrating">
        <h1>Encrypting your cases</h1>
        <p className="muted">
          Tessera is encrypting the cases stored on this computer. If it is closed, it carries on at
          the next start.
        </p>
        <div className="lock-progress">
          <progress max={Math.max(state.total, 1)} value={state.done} />
          <span>
            {state.done} of {state.total} records
          </span>
        </div>
      </div>,
    );
  }
  return <LockSessionContext.Provider value={session}>{children()}</LockSessionContext.Provider>;
}
