import { useState } from 'react';
import type { FormEvent } from 'react';
import type { Vault } from '../db/vault.ts';
import { PassphraseFields, usePassphraseChoice } from './PassphraseFields.tsx';
import { errorMessage } from '../../shared/base/errors.ts';

/**
 * Right after an unlock by the recovery key (issue 10): whoever used it has likely forgotten the
 * passphrase, and the key on paper has just been typed in. So before the cases open, the screen
 * asks for a new passphrase (no old one needed: the store is open) and offers a new recovery key,
 * which makes the one just used stop working. "Not now" opens the cases as they are; the question
 * comes back at the next recovery-key unlock.
 */
export function NewPassphraseScreen({
  vault,
  context,
  onRecoveryKey,
  onLater,
}: {
  readonly vault: Vault;
  /** Words an attacker tries first (agency name and id). */
  readonly context: readonly string[];
  readonly onRecoveryKey: (recoveryKey: string) => void;
  readonly onLater: () => void;
}) {
  const choice = usePassphraseChoice(context);
  const [newRecoveryKey, setNewRecoveryKey] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!choice.ready || busy) return;
    setBusy(true);
    setError(null);
    try {
      const made = await vault.replaceAfterRecovery(choice.passphrase, { newRecoveryKey });
      choice.clear();
      if (made.recoveryKey) onRecoveryKey(made.recoveryKey);
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="lock-form"
      onSubmit={(event) => void submit(event)}
      data-testid="vault-new-passphrase"
      aria-busy={busy}
    >
      <h1>Choose a new passphrase</h1>
      <p>
        You opened Tessera with the recovery key. If the passphrase is forgotten, choose a new one
        now; you do not need the old one.
      </p>
      <PassphraseFields choice={choice} label="New passphrase" testId="recovered-passphrase" />
      <label className="lock-check">
        <input
          type="checkbox"
          checked={newRecoveryKey}
          onChange={(event) => setNewRecoveryKey(event.target.checked)}
          data-testid="recovered-new-recovery-key"
        />
        <span>
          Also make a new recovery key. The one you just typed then stops working, in case someone
          else saw it.
        </span>
      </label>
      {busy && <p className="muted">Deriving the key from the passphrase…</p>}
      {error && (
        <p className="lock-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions lock-actions">
        <button type="button" className="link" onClick={onLater} data-testid="recovered-later">
          Not now
        </button>
        <button
          type="submit"
          className="primary"
          disabled={!choice.ready || busy}
          data-testid="recovered-submit"
        >
          Set passphrase
        </button>
      </div>
    </form>
  );
}
