// Normalisers for identifiers compared by exact value during entity resolution.
// IBAN validation follows ISO 13616: move the first four characters to the end, replace letters
// by 10–35, and the number must be 1 modulo 97 (computed in chunks, no big integers needed).

/** Registered IBAN lengths by country; other countries only get the generic 15–34 check. */
const IBAN_LENGTH: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
};

function mod97(value: string): number {
  let rem = 0;
  for (const ch of value) {
    const code = ch.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : ch;
    for (const d of digits) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rem;
}

/** Compact upper-case IBAN ('BG80BNBG96611020345678') if it is valid, else null. */
export function normalizeIban(raw: string): string | null {
  const s = raw
    .normalize('NFKC')
    .toUpperCase()
    .replace(/^\s*IBAN:?/, '')
    .replace(/[\s\-.]/g, '');
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return null;
  const expected = IBAN_LENGTH[s.slice(0, 2)];
  if (expected !== undefined && s.length !== expected) return null;
  if (mod97(s.slice(4) + s.slice(0, 4)) !== 1) return null;
  return s;
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
