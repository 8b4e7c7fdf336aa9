// Phone numbers to E.164 ('+' then at most 15 digits) without a full numbering-plan database.
//
// International forms are recognised by a leading '+', the '00' access code, or '011' when the
// default calling code is 1. National forms need a default calling code; their trunk prefix
// ('0' in most of Europe, '8' in Russia, '06' in Hungary, '1' in North America) is removed for
// the countries in the table below. Italy, Spain, Greece, Poland and others have no trunk
// prefix: the leading digits are part of the number and are kept. A trunk '0' written after a
// country code ('+44 (0)20 …' or '+44 020 …') is dropped for the countries that use one.
// Letters (vanity numbers) make the value invalid; an extension ('x 12', 'ext. 12') is ignored.

/** alpha-2 → [calling code, trunk prefix ('' when none)]. */
const COUNTRIES: Record<string, [string, string]> = {
  bg: ['359', '0'],
  gb: ['44', '0'],
  de: ['49', '0'],
  fr: ['33', '0'],
  it: ['39', ''],
  es: ['34', ''],
  pt: ['351', ''],
  gr: ['30', ''],
  cy: ['357', ''],
  mt: ['356', ''],
  tr: ['90', '0'],
  pl: ['48', ''],
  cz: ['420', ''],
  sk: ['421', '0'],
  hu: ['36', '06'],
  ro: ['40', '0'],
  md: ['373', '0'],
  rs: ['381', '0'],
  hr: ['385', '0'],
  si: ['386', '0'],
  ba: ['387', '0'],
  me: ['382', '0'],
  mk: ['389', '0'],
  al: ['355', '0'],
  xk: ['383', '0'],
  ru: ['7', '8'],
  kz: ['7', '8'],
  by: ['375', '8'],
  ua: ['380', '0'],
  lt: ['370', '8'],
  lv: ['371', ''],
  ee: ['372', ''],
  fi: ['358', '0'],
  se: ['46', '0'],
  no: ['47', ''],
  dk: ['45', ''],
  is: ['354', ''],
  ie: ['353', '0'],
  nl: ['31', '0'],
  be: ['32', '0'],
  lu: ['352', ''],
  at: ['43', '0'],
  ch: ['41', '0'],
  li: ['423', ''],
  us: ['1', '1'],
  ca: ['1', '1'],
  br: ['55', '0'],
  ar: ['54', '0'],
  co: ['57', ''],
  cn: ['86', '0'],
  jp: ['81', '0'],
  kr: ['82', '0'],
  in: ['91', '0'],
  pk: ['92', '0'],
  af: ['93', '0'],
  ir: ['98', '0'],
  iq: ['964', '0'],
  sy: ['963', '0'],
  lb: ['961', '0'],
  jo: ['962', '0'],
  il: ['972', '0'],
  ae: ['971', '0'],
  sa: ['966', '0'],
  eg: ['20', '0'],
  ma: ['212', '0'],
  dz: ['213', '0'],
  tn: ['216', ''],
  ng: ['234', '0'],
  za: ['27', '0'],
  au: ['61', '0'],
  nz: ['64', '0'],
  ge: ['995', '0'],
  am: ['374', '0'],
  az: ['994', '0'],
  th: ['66', '0'],
  vn: ['84', '0'],
  ph: ['63', '0'],
  id: ['62', '0'],
  my: ['60', '0'],
};

/** calling code → trunk prefix; a code shared by several countries (1, 7) has one trunk. */
const TRUNK = new Map<string, string>();
for (const [code, trunk] of Object.values(COUNTRIES)) TRUNK.set(code, trunk);

/** The calling code of an ISO-3166 alpha-2 country ('bg' → '359'), when in the table. */
export function callingCodeForCountry(country: string): string | undefined {
  return COUNTRIES[country.toLowerCase()]?.[0];
}

function knownCode(digits: string): string | undefined {
  for (let len = 1; len <= 3; len++) {
    const code = digits.slice(0, len);
    if (TRUNK.has(code)) return code;
  }
  return undefined;
}

/** The national significant number of an E.164 number whose calling code is in the table. */
export function nationalNumber(e164: string): string | undefined {
  const digits = e164.replace(/^\+/, '');
  const code = knownCode(digits);
  return code ? digits.slice(code.length) : undefined;
}

const EXTENSION = /\s*(?:ext\.?|extension|x|#)\s*\d{1,6}\s*$/i;
const ALLOWED = /^[\d\s\-./()+]+$/;

/**
 * E.164 form of a phone number ('+359881234567'), or null when it cannot be one.
 * `defaultCallingCode` ('359', '+359', 359 or a country 'bg') applies to national numbers.
 */
export function normalizePhone(raw: string, defaultCallingCode?: string | number): string | null {
  let s = raw.normalize('NFKC').trim().replace(EXTENSION, '');
  if (s === '' || !ALLOWED.test(s)) return null;
  let intl: string;
  const international = s.startsWith('+');
  s = s.replace(/\(0\)/g, '');
  const digits = s.replace(/\D/g, '');
  let def = defaultCallingCode === undefined ? undefined : String(defaultCallingCode).trim();
  if (def !== undefined && /^[a-z]{2}$/i.test(def)) def = callingCodeForCountry(def);
  if (def !== undefined) def = def.replace(/^\+/, '');
  if (international) intl = digits;
  else if (digits.startsWith('00')) intl = digits.slice(2);
  else if (def === '1' && digits.startsWith('011')) intl = digits.slice(3);
  else {
    if (!def || !/^\d{1,3}$/.test(def)) return null;
    const trunk = TRUNK.get(def) ?? '0';
    const national = trunk && digits.startsWith(trunk) ? digits.slice(trunk.length) : digits;
    intl = def + national;
  }
  const code = knownCode(intl);
  if (code && TRUNK.get(code) === '0' && intl[code.length] === '0') {
    intl = code + intl.slice(code.length + 1);
  }
  if (intl.length < 7 || intl.length > 15 || intl.startsWith('0')) return null;
  return `+${intl}`;
}
