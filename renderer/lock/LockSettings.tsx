import { useEffect, useRef, useState } from 'react';
import { RecoveryKeyView } from './RecoveryKeyView.tsx';
import { PassphraseFields, usePassphraseChoice } from './PassphraseFields.tsx';
import { unlockFailureMessage } from './unlockMessages.ts';
import { useLockSession } from './vaultContext.ts';
import { errorMessage } from '../../shared/base/errors.ts';

type Task = 'none' | 'passphrase' | 'recovery' | 'rotate';

/** Idle lock bounds, as in the settings schema. */
export const IDLE_MINUTES_MIN = 1;
export const IDLE_MINUTES_MAX = 480;

/**
 * Settings → Security (issue 10): the idle lock time (saved with the other settings), changing
 * the passphrase (re-wraps the data key, no data is re-encrypted), a new recovery key (the old one
 * stops working), the OS keyring (desktop app only) and rotating the data key (re-encrypts every
 * record with progress; it can be stopped and resumed later). These live inside the Settings form,
 * so they use buttons, not nested forms.
 */
export function LockSettings({
  idleMinutes,
  onIdleMinutesChange,
  context,
  notify,
}: {
  readonly idleMinutes: number;
  readonly onIdleMinutesChange: (minutes: number) => void;
  /** Words an attacker tries first (agency name and id). */
  readonly context: readonly string[];
  readonly notify: (message: string, kind?: 'info' | 'error') => void;
}) {
  const { vault, keystore, keystoreWrapping, setKeystoreWrapping } = useLockSession();
  const [task, setTask] = useState<Task>('none');
  const [current, setCurrent] = useState('');
  const choice = usePassphraseChoice(context);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [recoveryKey, setRecoveryKey] = useState<string | null>(null);
  const [keystoreAvailable, setKeystoreAvailable] = useState(false);
  const [rotation, setRotation] = useState<{ done: number; total: number } | null>(null);
  const [rotationStopped, setRotationStopped] = useState(false);
  const [rotating, setRotating] = useState(false);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    let live = true;
    keystore?.available().then(
      (available) => live && setKeystoreAvailable(available),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [keystore]);
  // Closing Settings stops a rotation; it resumes from where it stopped when started again.
  useEffect(() => () => abort.current?.abort(), []);

  const open = (next: Task) => {
    setTask(task === next ? 'none' : next);
    setError(null);
    setCurrent('');
    choice.clear();
  };

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(
        (failure as { code?: unknown } | null)?.code === 'wrong-passphrase'
          ? unlockFailureMessage(failure, 'passphrase')
          : errorMessage(failure),
      );
    } finally {
      setBusy(false);
    }
  };

  const changePassphrase = () =>
    run(async () => {
      await vault.changePassphrase(current, choice.passphrase);
      notify('Passphrase changed.');
      open('none');
    });

  const makeRecoveryKey = () =>
    run(async () => {
      const made = await vault.newRecoveryKey(current);
      setCurrent('');
      setRecoveryKey(made.recoveryKey);
    });

  const toggleKeystore = (enabled: boolean) =>
    run(async () => {
      await setKeystoreWrapping(enabled);
      notify(
        enabled
          ? "This computer's keyring can now unlock Tessera for your OS account."
          : "The keyring no longer holds Tessera's key.",
      );
    });

  const rotate = () =>
    run(async () => {
      const controller = new AbortController();
      abort.current = controller;
      setRotationStopped(false);
      setRotating(true);
      setRotation({ done: 0, total: 0 });
      try {
        await vault.rotateDataKey((done, total) => setRotation({ done, total }), controller.signal);
        notify('Every record is now encrypted under a new data key.');
        setRotation(null);
      } catch (failure) {
        if (
          (failure as { code?: unknown } | null)?.code === 'aborted' ||
          controller.signal.aborted
        ) {
          setRotationStopped(true);
          return;
        }
        throw failure;
      } finally {
        abort.current = null;
        setRotating(false);
      }
    });

  return (
    <fieldset className="settings-security" data-testid="settings-security">
      <legend>Security</legend>
      <label className="form-field">
        <span>Lock after this many minutes without input</span>
        <input
          type="number"
          min={IDLE_MINUTES_MIN}
          max={IDLE_MINUTES_MAX}
          step={1}
          value={idleMinutes}
          onChange={(event) => {
            const minutes = Math.round(Number(event.target.value));
            if (Number.isFinite(minutes)) {
              onIdleMinutesChange(Math.min(IDLE_MINUTES_MAX, Math.max(IDLE_MINUTES_MIN, minutes)));
            }
          }}
          data-testid="idle-lock-minutes"
        />
      </label>
      <div className="settings-security-row">
        <button type="button" onClick={() => open('passphrase')} data-testid="change-passphrase">
          Change passphrase…
        </button>
        <button type="button" onClick={() => open('recovery')} data-testid="new-recovery-key">
          New recovery key…
        </button>
        <button type="button" onClick={() => open('rotate')} data-testid="rotate-data-key">
          Rotate the data key…
        </button>
      </div>
      {task === 'passphrase' && (
        <div className="lock-form">
          <CurrentPassphraseField
            label="Current passphrase"
            value={current}
            onChange={setCurrent}
          />
          <PassphraseFields choice={choice} testId="change-passphrase-new" />
          <p className="muted">
            Your data stays as it is; only the key that opens it is wrapped anew. The recovery key
            keeps working.
          </p>
          <div className="settings-security-row">
            <button
              type="button"
              className="primary"
              disabled={busy || !current || !choice.ready}
              onClick={() => void changePassphrase()}
            >
              Change passphrase
            </button>
          </div>
        </div>
      )}
      {task === 'recovery' &&
        (recoveryKey ? (
          <RecoveryKeyView
            recoveryKey={recoveryKey}
            doneLabel="Done"
            onDone={() => {
              setRecoveryKey(null);
              open('none');
            }}
          />
        ) : (
          <div className="lock-form">
            <p className="muted">
              A new recovery key replaces the old one, which stops working. Confirm with your
              passphrase.
            </p>
            <CurrentPassphraseField label="Passphrase" value={current} onChange={setCurrent} />
            <div className="settings-security-row">
              <button
                type="button"
                className="primary"
                disabled={busy || !current}
                onClick={() => void makeRecoveryKey()}
              >
                Make a new recovery key
              </button>
            </div>
          </div>
        ))}
      {task === 'rotate' && (
        <div className="lock-form" data-testid="rotate-panel">
          <p className="muted">
            Re-encrypts every record and attachment under a new data key, for example after this
            computer was out of your hands while unlocked. You can keep working; it can be stopped
            and resumed.
          </p>
          {rotation && (
            <div className="lock-progress">
              <progress max={Math.max(rotation.total, 1)} value={rotation.done} />
              <span>
                {rotation.done} of {rotation.total} records
                {rotationStopped ? ' · stopped' : ''}
              </span>
            </div>
          )}
          <div className="settings-security-row">
            {rotating ? (
              <button type="button" onClick={() => abort.current?.abort()}>
                Stop
              </button>
            ) : (
              <button
                type="button"
                className="primary"
                disabled={busy}
                onClick={() => void rotate()}
              >
                {rotationStopped ? 'Resume rotation' : 'Rotate now'}
              </button>
            )}
          </div>
        </div>
      )}
      {keystore && keystoreAvailable && (
        <label className="lock-check">
          <input
            type="checkbox"
            checked={keystoreWrapping === true}
            disabled={busy}
            onChange={(event) => void toggleKeystore(event.target.checked)}
            data-testid="keystore-wrapping"
          />
          <span>
            Let this computer&apos;s keyring unlock Tessera (your OS account can then open it
            without the passphrase; someone at your unlocked computer can too)
          </span>
        </label>
      )}
      {error && (
        <p className="lock-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}

/** The passphrase the user has now, asked again before a change to the key wrapping. */
function CurrentPassphraseField({
  label,
  value,
  onChange,
}: {
  label: string;
  value: string;
  readonly onChange: (value: string) => void;
}) {
  return (
    <label className="form-field">
      <span>{label}</span>
      <input
        type="password"
        autoComplete="current-password"
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
    </label>
  );
}
