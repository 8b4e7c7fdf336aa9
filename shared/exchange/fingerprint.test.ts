import { describe, expect, it } from 'vitest';
import {
  FINGERPRINT_WORDS,
  fingerprintMatches,
  formatFingerprintHex,
  formatFingerprintWords,
  keyIdOf,
} from './fingerprint.ts';

const bytes = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 5) & 0xff);

describe('fingerprint', () => {
  it('has 256 distinct, lower-case, readable words', () => {
    expect(FINGERPRINT_WORDS).toHaveLength(256);
    expect(new Set(FINGERPRINT_WORDS).size).toBe(256);
    for (const word of FINGERPRINT_WORDS) expect(word).toMatch(/^[a-z]{3,8}$/);
  });

  it('renders 16 bytes as 8 hex groups and 16 words', () => {
    expect(formatFingerprintHex(bytes)).toBe('052a 4f74 99be e308 2d52 779c c1e6 0b30');
    const words = formatFingerprintWords(bytes).split(' ');
    expect(words).toHaveLength(16);
    expect(words[0]).toBe(FINGERPRINT_WORDS[5]);
  });

  it('matches what a person reads back, in either form', () => {
    expect(fingerprintMatches(bytes, '052A4F74 99BE E308 2D52 779C C1E6 0B30')).toBe(true);
    expect(fingerprintMatches(bytes, formatFingerprintWords(bytes).toUpperCase())).toBe(true);
    expect(fingerprintMatches(bytes, '052a 4f74 99be e308 2d52 779c c1e6 0b31')).toBe(false);
    expect(fingerprintMatches(bytes, 'nonsense')).toBe(false);
  });

  it('derives the key id from the agency and both keys', () => {
    const card = { agencyId: 'a', signingKey: 'k', ageRecipient: 'age1x' };
    expect(keyIdOf(card)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyIdOf({ ...card, agencyId: 'b' })).not.toBe(keyIdOf(card));
  });
});
