import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { Vault, VaultState } from '../db/vault.ts';
import {
  attemptsNotice,
  formatWait,
  secondsToWait,
  unlockFailureMessage,
} from './unlockMessages.ts';
import type { UnlockAttempt } from './unlockMessages.ts';

type LockedState = Extract<VaultState, { kind: 'locked' }>;

/** Re-renders every second while a wait is running, so the countdown moves. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

/**
 * The locked store: passphrase, or the recovery key, or (where the keystore wraps the key, in the
 * desktop app) this computer's keyring. Nothing of a case is on screen here: the app shell has
 * unmounted everything case-related before this shows.
 */
export function UnlockScreen({
  vault,
  state,
}: {
  readonly vault: Vault;
  readonly state: LockedState;
}) {
  const [mode, setMode] = useState<'passphrase' | 'recovery-key'>('passphrase');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const waiting = state.retryAt !== null;
  const now = useNow(waiting);
  const wait = secondsToWait(state.retryAt, now);
  const keystore = state.methods.includes('keystore');

  useEffect(() => input.current?.focus(), [mode]);

  const attempt = async (kind: UnlockAttempt, run: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await run();
      setSecret('');
    } catch (failure) {
      setError(unlockFailureMessage(failure, kind));
      setSecret('');
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!secret || busy || wait > 0) return;
    if (mode === 'passphrase') {
      void attempt('passphrase', () => vault.unlockWithPassphrase(secret));
    } else {
      void attempt('recovery-key', () => vault.unlockWithRecoveryKey(secret));
    }
  };

  const notice = attemptsNotice(state.failedAttempts);
  return (
    <form className="lock-form" onSubmit={submit} data-testid="vault-unlock" aria-busy={busy}>
      <h1>Tessera is locked</h1>
      <p className="muted">
        The cases on this computer are encrypted.{' '}
        {mode === 'passphrase'
          ? 'Type your passphrase to open them.'
          : 'Type the recovery key you wrote down at set-up.'}
      </p>
      <label className="form-field">
        <span>{mode === 'passphrase' ? 'Passphrase' : 'Recovery key'}</span>
        <input
          ref={input}
          type={mode === 'passphrase' ? 'password' : 'text'}
          className={mode === 'recovery-key' ? 'mono' : undefined}
          autoComplete={mode === 'passphrase' ? 'current-password' : 'off'}
          spellCheck={false}
          value={secret}
          onChange={(event) => setSecret(event.target.value)}
          disabled={busy}
          data-testid="unlock-secret"
        />
      </label>
      {error && (
        <p className="lock-error" role="alert" data-testid="unlock-error">
          {error}
        </p>
      )}
      {wait > 0 && (
        <p className="lock-notice" role="status" data-testid="unlock-wait">
          Too many wrong tries. You can try again in {formatWait(wait)}.
        </p>
      )}
      {notice && wait === 0 && (
        <p className="muted" data-testid="unlock-attempts">
          {notice}
        </p>
      )}
      <div className="form-actions lock-actions">
        <button
          type="button"
          className="link"
          onClick={() => {
            setMode(mode === 'passphrase' ? 'recovery-key' : 'passphrase');
            setSecret('');
            setError(null);
          }}
          data-testid="unlock-switch"
        >
          {mode === 'passphrase' ? 'Use the recovery key instead' : 'Use the passphrase instead'}
        </button>
        {keystore && (
          <button
            type="button"
            disabled={busy}
            onClick={() => void attempt('keystore', () => vault.unlockWithKeystore())}
            data-testid="unlock-keystore"
          >
            Unlock with this computer&apos;s keyring
          </button>
        )}
        <button
          type="submit"
          className="primary"
          disabled={busy || !secret || wait > 0}
          data-testid="unlock-submit"
        >
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
      </div>
    </form>
  );
}
