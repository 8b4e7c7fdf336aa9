import type { PassphraseStrength as Strength } from '../../shared/exchange/passphrase.ts';
import { PASSPHRASE_MIN_SCORE } from '../../shared/exchange/passphrase.ts';

const LABELS = ['very weak', 'weak', 'fair', 'strong', 'very strong'] as const;

/**
 * Live feedback under a new passphrase: the shared strength rule (shared/exchange/passphrase.ts)
 * as the service will apply it, so the officer learns why before submitting, not after.
 */
export function PassphraseStrength({ strength }: { readonly strength: Strength }) {
  return (
    <div
      className="exchange-passphrase-strength"
      aria-live="polite"
      data-testid="passphrase-strength"
    >
      <meter min={0} max={4} low={PASSPHRASE_MIN_SCORE - 0.5} optimum={4} value={strength.score} />{' '}
      <span className={strength.ok ? 'exchange-ok' : 'exchange-warning'}>
        {strength.ok ? `Strength: ${LABELS[strength.score]}` : 'Too weak'}
      </span>
      {!strength.ok && (
        <ul className="muted" data-testid="passphrase-feedback">
          {strength.warning && <li>{strength.warning}</li>}
          {strength.suggestions.map((suggestion) => (
            <li key={suggestion}>{suggestion}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
