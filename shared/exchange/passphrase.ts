/**
 * The one strength rule for passphrases that protect an agency identity (issue 8, finding 10).
 *
 * The passphrase is all that stands between a copied `identity.secret.json` and the agency's keys:
 * whoever has the file can guess offline, at the scrypt cost only. So a new passphrase must be
 *   1. at least PASSPHRASE_MIN_LENGTH (12) characters, and
 *   2. rated at least PASSPHRASE_MIN_SCORE (3 of 4, "safely unguessable") by zxcvbn, a maintained
 *      estimator that knows the common passwords, keyboard patterns, repeats, sequences and dates
 *      attackers try first, and the agency's own name and id (a passphrase built on them is weak).
 * The CLI (`tessera identity create`), the exchange service (`exchange.identity.create`) and the
 * identity form all call `checkPassphrase`, so the rule cannot differ between them; the form shows
 * its feedback while the officer types. Existing identities are never refused on unlock: the floor
 * applies when a passphrase is chosen, not when it is used.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

export const PASSPHRASE_MIN_LENGTH = 12;
/** zxcvbn score: 3 = "safely unguessable: moderate protection from offline slow-hash scenario". */
export const PASSPHRASE_MIN_SCORE = 3;

export interface PassphraseStrength {
  /** True when the passphrase meets the floor. */
  readonly ok: boolean;
  /** zxcvbn score, 0 (guessable in seconds) … 4 (very unguessable). */
  readonly score: 0 | 1 | 2 | 3 | 4;
  /** Length in characters (code points, after NFC, as the KDF sees it). */
  readonly length: number;
  /** Why it is weak, in a sentence; null when nothing specific was found. */
  readonly warning: string | null;
  /** What to do about it, shown under the field. */
  readonly suggestions: readonly string[];
}

// zxcvbn-ts ships its feedback as keys (language packs translate them); these are the English texts
// of the keys the matchers used here can produce.
const WARNINGS: Record<string, string> = {
  straightRow: 'Straight rows of keys on your keyboard are easy to guess.',
  keyPattern: 'Short keyboard patterns are easy to guess.',
  simpleRepeat: 'Repeated characters like "aaa" are easy to guess.',
  extendedRepeat: 'Repeated character patterns like "abcabcabc" are easy to guess.',
  sequences: 'Common character sequences like "abc" are easy to guess.',
  recentYears: 'Recent years are easy to guess.',
  dates: 'Dates are easy to guess.',
  topTen: 'This is a heavily used password.',
  topHundred: 'This is a frequently used password.',
  common: 'This is a commonly used password.',
  similarToCommon: 'This is similar to a commonly used password.',
  wordByItself: 'Single words are easy to guess.',
  namesByThemselves: 'Single names or surnames are easy to guess.',
  commonNames: 'Common names and surnames are easy to guess.',
  userInputs: 'It should not contain the agency name or id.',
  pwned: 'This password appeared in a data breach.',
};

const SUGGESTIONS: Record<string, string> = {
  l33t: "Avoid predictable letter substitutions like '@' for 'a'.",
  reverseWords: 'Avoid reversed spellings of common words.',
  allUppercase: 'Capitalize some, but not all letters.',
  capitalization: 'Capitalize more than the first letter.',
  dates: 'Avoid dates and years that are associated with you.',
  recentYears: 'Avoid recent years.',
  associatedYears: 'Avoid years that are associated with you.',
  sequences: 'Avoid common character sequences.',
  repeated: 'Avoid repeated words and characters.',
  longerKeyboardPattern: 'Use longer keyboard patterns and change typing direction multiple times.',
  anotherWord: 'Add more words that are less common.',
  useWords: 'Use multiple words, but avoid common phrases.',
  noNeed: 'You can create strong passphrases without symbols, numbers, or uppercase letters.',
  pwned: 'If you use this password elsewhere, you should change it.',
};

let estimator: ZxcvbnFactory | null = null;

/** Built on first use: ranking the dictionaries takes a few tens of milliseconds. */
function zxcvbn(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  return estimator;
}

/**
 * Rates a new passphrase. `context` are words an attacker would try first for this identity (the
 * agency name and id); a passphrase built on them scores lower.
 */
export function checkPassphrase(
  passphrase: string,
  context: readonly string[] = [],
): PassphraseStrength {
  const length = [...passphrase.normalize('NFC')].length;
  const result = zxcvbn().check(
    passphrase,
    context.flatMap((word) => (word.trim() ? [word.trim().toLowerCase()] : [])),
  );
  const suggestions = result.feedback.suggestions.map((key) => SUGGESTIONS[key] ?? key);
  if (length < PASSPHRASE_MIN_LENGTH) {
    suggestions.unshift(`Use at least ${PASSPHRASE_MIN_LENGTH} characters (now ${length}).`);
  }
  const warning = result.feedback.warning
    ? (WARNINGS[result.feedback.warning] ?? result.feedback.warning)
    : null;
  return {
    ok: length >= PASSPHRASE_MIN_LENGTH && result.score >= PASSPHRASE_MIN_SCORE,
    score: result.score,
    length,
    warning,
    suggestions: [...new Set(suggestions)],
  };
}

/** The refusal message for a weak passphrase: what is wrong and what to do, in one paragraph. */
export function weakPassphraseMessage(strength: PassphraseStrength): string {
  const parts = [
    `the passphrase is too weak (${strength.length} characters, strength ${strength.score} of 4; ` +
      `at least ${PASSPHRASE_MIN_LENGTH} characters and strength ${PASSPHRASE_MIN_SCORE} are needed)`,
  ];
  if (strength.warning) parts.push(strength.warning);
  parts.push(...strength.suggestions);
  if (strength.suggestions.length === 0) parts.push('Add more words that are less common.');
  return parts.join(' ');
}
