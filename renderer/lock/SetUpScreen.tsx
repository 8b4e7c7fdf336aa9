import { useState } from 'react';
import type { FormEvent } from 'react';
import type { Vault } from '../db/vault.ts';
import { PassphraseFields, usePassphraseChoice } from './PassphraseFields.tsx';
import { errorMessage } from '../../shared/base/errors.ts';

/**
 * First start (vault state `new`), or the first start after an update over an unencrypted store
 * (`plaintext`): choose the passphrase that wraps the data key. For `plaintext` the existing cases
 * are then encrypted in place, with progress; that migration survives being interrupted (the next
 * start resumes it). The recovery key comes back from `setUp` and the caller shows it.
 */
export function SetUpScreen({
  vault,
  existingData,
  context,
  onBusy,
  onRecoveryKey,
}: {
  readonly vault: Vault;
  /** True when there are unencrypted cases to encrypt (vault state `plaintext`). */
  readonly existingData: boolean;
  /** Words an attacker tries first (agency name and id). */
  readonly context: readonly string[];
  readonly onBusy: (busy: boolean) => void;
  readonly onRecoveryKey: (recoveryKey: string) => void;
}) {
  const choice = usePassphraseChoice(context);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!choice.ready || busy) return;
    setBusy(true);
    onBusy(true);
    setError(null);
    try {
      const { recoveryKey } = await vault.setUp(choice.passphrase, (done, total) =>
        setProgress({ done, total }),
      );
      choice.clear();
      onRecoveryKey(recoveryKey);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
      onBusy(false);
    }
  };

  return (
    <form
      className="lock-form"
      onSubmit={(event) => void submit(event)}
      data-testid="vault-setup"
      aria-busy={busy}
    >
      <h1>Protect your cases</h1>
      <p>
        Tessera keeps every case on this computer encrypted. Choose a passphrase: you type it to
        open Tessera, after it locks, and on every start.
      </p>
      {existingData && (
        <p className="lock-notice" data-testid="vault-setup-existing">
          The cases already on this computer are stored unencrypted. They will now be encrypted in
          place; this can take a while for large cases. If Tessera is closed halfway, it carries on
          at the next start.
        </p>
      )}
      <PassphraseFields choice={choice} label="Passphrase" testId="setup-passphrase" />
      {progress && progress.total > 0 && (
        <div className="lock-progress" data-testid="vault-setup-progress">
          <progress max={progress.total} value={progress.done} />
          <span>
            Encrypting: {progress.done} of {progress.total} records
          </span>
        </div>
      )}
      {busy && !progress && <p className="muted">Deriving the key from the passphrase…</p>}
      {error && (
        <p className="lock-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button
          type="submit"
          className="primary"
          disabled={!choice.ready || busy}
          data-testid="setup-submit"
        >
          {existingData ? 'Encrypt and continue' : 'Set passphrase'}
        </button>
      </div>
    </form>
  );
}
