// Phone numbers to E.164 ('+' then at most 15 digits), parsed by libphonenumber-js with Google's
// full numbering-plan metadata (the 'max' build: it knows which lengths are valid per country,
// so "0664 123" in Austria is known to be incomplete). It replaces a hand-written table of
// calling codes and trunk prefixes that could not tell a short number from a whole one.
//
// International forms are a leading '+' or the '00' access code; national forms need a default
// country or calling code. Letters (vanity numbers) make the value invalid; an extension
// ('x 12', 'ext. 12') is ignored.
import {
  getCountryCallingCode,
  isSupportedCountry,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import type { CountryCode, PhoneNumber } from 'libphonenumber-js/max';

const EXTENSION = /\s*(?:ext\.?|extension|x|#)\s*\d{1,6}\s*$/i;
const ALLOWED = /^[\d\s\-./()+]+$/;

function countryCode(country: string): CountryCode | undefined {
  const upper = country.trim().toUpperCase();
  return isSupportedCountry(upper) ? upper : undefined;
}

/** The calling code of an ISO-3166 alpha-2 country ('bg' → '359'), when known. */
export function callingCodeForCountry(country: string): string | undefined {
  const code = countryCode(country);
  return code ? getCountryCallingCode(code) : undefined;
}

/** The national significant number of an E.164 number ('+359881234567' → '881234567'). */
export function nationalNumber(e164: string): string | undefined {
  return parsePhoneNumberFromString(e164)?.nationalNumber;
}

/**
 * The parsed number, or undefined. `defaultCallingCode` ('359', '+359', 359 or a country 'bg')
 * applies to national numbers.
 */
function parsePhone(raw: string, defaultCallingCode?: string | number): PhoneNumber | undefined {
  let s = raw.normalize('NFKC').trim().replace(EXTENSION, '');
  if (s === '' || !ALLOWED.test(s)) return undefined;
  const def = defaultCallingCode === undefined ? '' : String(defaultCallingCode).trim();
  const country = /^[a-z]{2}$/i.test(def) ? countryCode(def) : undefined;
  const calling = /^\+?\d{1,3}$/.test(def) ? def.replace(/^\+/, '') : undefined;
  // The access codes that libphonenumber only reads with a default country: '00' (most of the
  // world) and '011' (North America).
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  else if (calling === '1' && s.startsWith('011')) s = `+${s.slice(3)}`;
  const parsed = country
    ? parsePhoneNumberFromString(s, country)
    : parsePhoneNumberFromString(s, calling ? { defaultCallingCode: calling } : {});
  return parsed?.isPossible() ? parsed : undefined;
}

/**
 * E.164 form of a phone number ('+359881234567'), or null when it cannot be one.
 * `defaultCallingCode` ('359', '+359', 359 or a country 'bg') applies to national numbers.
 */
export function normalizePhone(raw: string, defaultCallingCode?: string | number): string | null {
  return parsePhone(raw, defaultCallingCode)?.number ?? null;
}

/**
 * A warning for a number that is stored but cannot be trusted to match others (issue 12): a
 * national number without a country code, or one too short or long for its country's plan.
 * `defaultCountry` ('at') is where a national number is read; undefined when the number is whole.
 */
export function phoneWarning(raw: string, defaultCountry?: string): string | undefined {
  const value = raw.trim();
  if (value === '' || !ALLOWED.test(value.replace(EXTENSION, ''))) return undefined;
  const international = value.startsWith('+') || value.startsWith('00');
  if (!international && !(defaultCountry && countryCode(defaultCountry))) {
    return `${value} is incomplete: add the country code (+ and the calling code) so it can be matched`;
  }
  const parsed = parsePhoneNumberFromString(
    value.startsWith('00') ? `+${value.slice(2)}` : value,
    international ? undefined : countryCode(defaultCountry ?? ''),
  );
  if (!parsed || !parsed.isValid()) {
    const where = parsed?.country ?? (international ? undefined : defaultCountry?.toUpperCase());
    return `${value} looks incomplete: it is not a whole phone number${where ? ` in ${where}` : ''}`;
  }
  return undefined;
}
