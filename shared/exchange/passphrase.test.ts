import { describe, expect, it } from 'vitest';
import {
  checkPassphrase,
  PASSPHRASE_MIN_LENGTH,
  PASSPHRASE_MIN_SCORE,
  weakPassphraseMessage,
} from './passphrase.ts';

describe('the passphrase floor (issue 8, finding 10)', () => {
  it('refuses a one-character passphrase and says why', () => {
    const strength = checkPassphrase('x');
    expect(strength.ok).toBe(false);
    expect(strength.length).toBe(1);
    expect(strength.suggestions[0]).toMatch(/at least 12 characters/);
    expect(weakPassphraseMessage(strength)).toMatch(/too weak \(1 characters/);
  });

  it.each(['password1234', 'qwertyuiop12', 'iloveyou1234', '123456789012', 'aaaaaaaaaaaa'])(
    'refuses the 12-character common password %s',
    (passphrase) => {
      expect(passphrase).toHaveLength(PASSPHRASE_MIN_LENGTH);
      const strength = checkPassphrase(passphrase);
      expect(strength.ok).toBe(false);
      expect(strength.score).toBeLessThan(PASSPHRASE_MIN_SCORE);
      expect(strength.warning ?? strength.suggestions.join(' ')).toBeTruthy();
    },
  );

  it('refuses a strong-looking passphrase shorter than 12 characters', () => {
    const strength = checkPassphrase('Zq8#vLp2!w');
    expect(strength.score).toBeGreaterThanOrEqual(PASSPHRASE_MIN_SCORE);
    expect(strength.ok).toBe(false);
  });

  it('accepts a good passphrase', () => {
    const strength = checkPassphrase('correct horse battery staple', ['Agency A', 'agency-a']);
    expect(strength).toMatchObject({ ok: true, warning: null });
    expect(strength.score).toBeGreaterThanOrEqual(PASSPHRASE_MIN_SCORE);
  });

  it("rates the agency's own name as guessable", () => {
    const plain = checkPassphrase('zuiderzeepolder');
    const own = checkPassphrase('zuiderzeepolder', ['Zuiderzeepolder']);
    expect(own.score).toBeLessThan(plain.score);
    expect(own.ok).toBe(false);
  });
});
