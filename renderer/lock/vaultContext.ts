/**
 * The page's one vault, for the screens and Settings entries of this folder. The lock gate
 * provides it; nothing else in the renderer needs it (features read the unlocked database through
 * the app's storage context, rebuilt at every unlock).
 */
import { createContext, useContext, useEffect, useState } from 'react';
import type { KeystorePort, Vault, VaultState } from '../db/vault.ts';

export interface LockSession {
  readonly vault: Vault;
  /** The OS keystore where the carrier has one (Electron); absent on the web host. */
  readonly keystore: KeystorePort | undefined;
  /**
   * Whether the keystore wraps the data key: read from the locked state's unlock methods, so
   * null when this session has not seen one (a fresh set-up starts without).
   */
  readonly keystoreWrapping: boolean | null;
  readonly setKeystoreWrapping: (enabled: boolean) => Promise<void>;
}

export const LockSessionContext = createContext<LockSession | null>(null);

export function useLockSession(): LockSession {
  const session = useContext(LockSessionContext);
  if (!session) throw new Error('useLockSession outside <LockGate>');
  return session;
}

/** The vault's state, kept current; null until the first read answers. */
export function useVaultState(vault: Vault): VaultState | null {
  const [state, setState] = useState<VaultState | null>(null);
  useEffect(() => {
    let live = true;
    const stop = vault.subscribe((next) => {
      if (live) setState(next);
    });
    vault.state().then(
      (first) => {
        // A change the subscription already delivered is newer than this first read.
        if (live) setState((current) => current ?? first);
      },
      () => undefined,
    );
    return () => {
      live = false;
      stop();
    };
  }, [vault]);
  return state;
}
