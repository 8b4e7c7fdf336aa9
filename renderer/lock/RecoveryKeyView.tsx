import { useState } from 'react';

/**
 * The recovery key, shown once (at set-up, or when a new one is made): it opens the store when the
 * passphrase is forgotten, and it is never shown again, so the screen does not go on until the
 * user says it is written down.
 */
export function RecoveryKeyView({
  recoveryKey,
  onDone,
  doneLabel = 'Continue',
}: {
  readonly recoveryKey: string;
  readonly onDone: () => void;
  readonly doneLabel?: string;
}) {
  const [written, setWritten] = useState(false);
  return (
    <div className="lock-recovery" data-testid="recovery-key-view">
      <p>
        This recovery key opens your cases if the passphrase is forgotten. Write it on paper and
        keep it somewhere safe, away from this computer. It is shown <strong>only now</strong>.
      </p>
      <p className="lock-recovery-key mono" data-testid="recovery-key">
        {recoveryKey}
      </p>
      <p className="muted">
        Lose both the passphrase and this key, and the cases on this computer cannot be opened by
        anyone, including Tessera&apos;s makers.
      </p>
      <label className="lock-check">
        <input
          type="checkbox"
          checked={written}
          onChange={(event) => setWritten(event.target.checked)}
          data-testid="recovery-key-written"
        />
        <span>I have written it down</span>
      </label>
      <div className="form-actions">
        <button
          type="button"
          className="primary"
          disabled={!written}
          onClick={onDone}
          data-testid="recovery-key-done"
        >
          {doneLabel}
        </button>
      </div>
    </div>
  );
}
