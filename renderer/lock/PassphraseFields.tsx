import { useMemo, useState } from 'react';
import { checkPassphrase } from '../../shared/exchange/passphrase.ts';
import type { PassphraseStrength } from '../../shared/exchange/passphrase.ts';

export interface PassphraseChoice {
  readonly passphrase: string;
  readonly repeat: string;
  setPassphrase(value: string): void;
  setRepeat(value: string): void;
  /** Null while the field is empty. */
  readonly strength: PassphraseStrength | null;
  /** Strong enough and typed the same twice. */
  readonly ready: boolean;
  clear(): void;
}

/**
 * A new passphrase typed twice and rated by the one strength rule (shared/exchange/passphrase.ts,
 * the floor of the agency identity); `context` are words an attacker tries first (agency name, id).
 */
export function usePassphraseChoice(context: readonly string[]): PassphraseChoice {
  const [passphrase, setPassphrase] = useState('');
  const [repeat, setRepeat] = useState('');
  const key = context.join('\u0000');
  const strength = useMemo(
    () => (passphrase ? checkPassphrase(passphrase, key.split('\u0000')) : null),
    [passphrase, key],
  );
  return {
    passphrase,
    repeat,
    setPassphrase,
    setRepeat,
    strength,
    ready: strength !== null && strength.ok && passphrase === repeat,
    clear() {
      setPassphrase('');
      setRepeat('');
    },
  };
}

const SCORE_WORDS = ['very weak', 'weak', 'fair', 'strong', 'very strong'] as const;

/** The two fields, a strength meter and the hints of the rule while the floor is not met. */
export function PassphraseFields({
  choice,
  label = 'New passphrase',
  testId = 'new-passphrase',
}: {
  readonly choice: PassphraseChoice;
  readonly label?: string;
  readonly testId?: string;
}) {
  const { strength, passphrase, repeat } = choice;
  const mismatch = repeat.length > 0 && passphrase !== repeat;
  return (
    <>
      <label className="form-field">
        <span>{label}</span>
        <input
          type="password"
          autoComplete="new-password"
          value={passphrase}
          onChange={(event) => choice.setPassphrase(event.target.value)}
          data-testid={testId}
          aria-describedby={`${testId}-hints`}
        />
      </label>
      <div className="lock-strength" id={`${testId}-hints`} aria-live="polite">
        {strength && (
          <>
            <meter
              min={0}
              max={4}
              low={2}
              high={3}
              optimum={4}
              value={strength.score}
              aria-label="Passphrase strength"
            />
            <span className={strength.ok ? 'lock-ok' : 'lock-weak'}>
              {strength.ok ? 'Strong enough' : `Too weak (${SCORE_WORDS[strength.score]})`}
            </span>
            {!strength.ok && (
              <ul>
                {strength.warning && <li>{strength.warning}</li>}
                {strength.suggestions.map((hint) => (
                  <li key={hint}>{hint}</li>
                ))}
              </ul>
            )}
          </>
        )}
      </div>
      <label className="form-field">
        <span>Type it again</span>
        <input
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={(event) => choice.setRepeat(event.target.value)}
          data-testid={`${testId}-repeat`}
          aria-invalid={mismatch}
        />
      </label>
      {mismatch && <p className="lock-weak">The two passphrases differ.</p>}
    </>
  );
}
