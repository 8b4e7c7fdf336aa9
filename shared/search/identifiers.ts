// Normalisers for identifiers compared by exact value during entity resolution.
// IBANs are checked by ibantools (ISO 13616: the country's registered length and BBAN format, and
// the mod-97 check digits), which replaces a hand-kept table of lengths.
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';

/** Compact upper-case IBAN ('BG80BNBG96611020345678') if it is valid, else null. */
export function normalizeIban(raw: string): string | null {
  const compact = electronicFormatIBAN(raw.normalize('NFKC').replace(/^\s*IBAN:?/i, ''));
  return compact && isValidIBAN(compact) ? compact : null;
}

export function isValidIban(raw: string): boolean {
  return normalizeIban(raw) !== null;
}

/** Passport, national ID, registration or tax numbers: separators stripped, upper-case. */
export function normalizeIdentifier(raw: string): string | null {
  const s = raw
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
  return s === '' ? null : s;
}

/** Trimmed, lower-cased address without 'mailto:'; null when it does not look like one. */
export function normalizeEmail(raw: string): string | null {
  const s = raw
    .normalize('NFKC')
    .trim()
    .replace(/^mailto:/i, '')
    .toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s) ? s : null;
}
