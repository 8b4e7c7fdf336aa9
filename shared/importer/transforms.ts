/**
 * The transforms a specification applies to a cell's text before it becomes a property value
 * (types.ts `Transform`). Each takes one value and gives zero or more values (`split` gives
 * several), or a problem with a code and a message that names the value: "'abc' is not a number".
 * A problem is never thrown; the mapper turns it into a RowProblem or leaves the value out.
 *
 * Dates: the pattern's tokens (yyyy MM dd HH mm ss; M, d, H accept one or two digits too) are read
 * as wall time in the transform's or the source's IANA time zone and written as ISO 8601 with that
 * zone's offset at that moment (daylight saving included), e.g. "05/03/2024 10:15" with
 * Europe/Vienna → "2024-03-05T10:15+01:00". The offset comes from Intl (the platform's tz data):
 * no hand-kept table. A pattern without a time gives a date ("2024-03-05").
 */
import { normalizeIban } from '../search/identifiers.ts';
import { normalizePhone } from '../search/phone.ts';
import type { Transform } from './types.ts';

/**
 * A bounded memo: call records repeat the same few thousand numbers a million times, and parsing
 * one with libphonenumber's full metadata costs about 50 µs. Cleared when full, not LRU: simple,
 * and a file with more distinct values than the bound only loses the speed-up.
 */
function memo<V>(limit: number, compute: (key: string) => V): (key: string) => V {
  const cache = new Map<string, V>();
  return (key) => {
    const hit = cache.get(key);
    if (hit !== undefined || cache.has(key)) return hit as V;
    if (cache.size >= limit) cache.clear();
    const value = compute(key);
    cache.set(key, value);
    return value;
  };
}

const phoneMemo = memo(100_000, (key) => {
  const split = key.indexOf('\u0000');
  const country = key.slice(0, split);
  return normalizePhone(key.slice(split + 1), country || undefined);
});

/** E.164 of a phone number (memoised), or null. */
export function phoneKey(value: string, defaultCountry?: string): string | null {
  return phoneMemo(`${defaultCountry ?? ''}\u0000${value}`);
}

export type ValueProblemCode =
  | 'value.not-a-number'
  | 'value.not-a-date'
  | 'value.not-a-duration'
  | 'value.not-a-phone'
  | 'value.not-an-iban';

export interface ValueProblem {
  readonly code: ValueProblemCode;
  readonly message: string;
}

export interface TransformContext {
  readonly defaultCountry?: string;
  readonly timeZone?: string;
}

export type TransformResult = { readonly values: string[] } | { readonly problem: ValueProblem };

/** Shown in messages: the value as read, shortened so a 100 kB cell does not flood the report. */
export function quoteValue(value: string): string {
  return `'${value.length > 80 ? `${value.slice(0, 77)}…` : value}'`;
}

function problem(code: ValueProblemCode, value: string, what: string): TransformResult {
  return { problem: { code, message: `${quoteValue(value)} is not ${what}` } };
}

function titleCase(value: string): string {
  return value
    .toLowerCase()
    .replace(
      /(^|[\s\-'’(])(\p{Ll})/gu,
      (_, before: string, letter: string) => before + letter.toUpperCase(),
    );
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** "1.234,50" (decimal ',') or "1,234.50" (decimal '.') → "1234.50"; thousands marks dropped. */
export function readNumber(value: string, decimal: ',' | '.'): string | undefined {
  const thousands = decimal === ',' ? '.' : ',';
  const compact = value.replace(/[\s\u00a0\u202f'’]/g, '').replaceAll(thousands, '');
  const normal = decimal === ',' ? compact.replace(',', '.') : compact;
  if (!NUMBER.test(normal)) return undefined;
  const unsigned = normal.replace(/^\+/, '');
  return unsigned.startsWith('.') || unsigned.startsWith('-.')
    ? unsigned.replace('.', '0.')
    : unsigned.replace(/\.$/, '');
}

/** Seconds from "ss", "mm:ss" or "hh:mm:ss" (fractions of a second kept). */
export function readDuration(value: string): string | undefined {
  const parts = value.trim().split(':');
  if (parts.length > 3 || parts.some((part) => !/^\d+(?:[.,]\d+)?$/.test(part))) return undefined;
  const numbers = parts.map((part) => Number(part.replace(',', '.')));
  // Only the seconds may have a fraction; minutes and seconds after the first part stay under 60.
  if (numbers.slice(0, -1).some((n) => !Number.isInteger(n))) return undefined;
  if (numbers.slice(1).some((n) => n >= 60)) return undefined;
  const seconds = numbers.reduce((total, n) => total * 60 + n, 0);
  return Number.isFinite(seconds) ? String(seconds) : undefined;
}

interface CompiledPattern {
  readonly regex: RegExp;
  readonly fields: readonly ('y' | 'M' | 'd' | 'H' | 'm' | 's')[];
}

const patternCache = new Map<string, CompiledPattern>();

const TOKENS: readonly [string, CompiledPattern['fields'][number], string][] = [
  ['yyyy', 'y', '(\\d{4})'],
  ['MM', 'M', '(\\d{1,2})'],
  ['M', 'M', '(\\d{1,2})'],
  ['dd', 'd', '(\\d{1,2})'],
  ['d', 'd', '(\\d{1,2})'],
  ['HH', 'H', '(\\d{1,2})'],
  ['H', 'H', '(\\d{1,2})'],
  ['mm', 'm', '(\\d{2})'],
  ['ss', 's', '(\\d{2})'],
];

/** The pattern as a regular expression; undefined when it lacks a year, month or day. */
export function compileDatePattern(pattern: string): CompiledPattern | undefined {
  const cached = patternCache.get(pattern);
  if (cached) return cached;
  let source = '';
  const fields: CompiledPattern['fields'][number][] = [];
  for (let i = 0; i < pattern.length;) {
    const token = TOKENS.find(([text]) => pattern.startsWith(text, i));
    if (token) {
      if (fields.includes(token[1])) return undefined;
      source += token[2];
      fields.push(token[1]);
      i += token[0].length;
    } else {
      const char = pattern[i]!;
      source += /\s/.test(char) ? '\\s+' : char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i += 1;
    }
  }
  if (!fields.includes('y') || !fields.includes('M') || !fields.includes('d')) return undefined;
  if (fields.includes('m') && !fields.includes('H')) return undefined;
  if (fields.includes('s') && !fields.includes('m')) return undefined;
  const compiled = { regex: new RegExp(`^${source}$`), fields };
  patternCache.set(pattern, compiled);
  return compiled;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** Whether the platform knows this IANA time zone. */
export function isTimeZone(zone: string): boolean {
  try {
    zoneFormat(zone);
    return true;
  } catch {
    return false;
  }
}

function zoneFormat(zone: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    zoneFormats.set(zone, format);
  }
  return format;
}

const OFFSET_BUCKET_MS = 15 * 60_000;
const offsets = new Map<string, number>();

/**
 * The zone's offset from UTC at an instant, in minutes (Vienna in winter: 60). Offsets change only
 * on quarter hours (every zone's transitions fall on them), so one Intl call per zone and quarter
 * hour serves every instant in it: a call-record file asks for the same few hours again and again.
 */
function offsetAt(zone: string, instant: number): number {
  const key = `${zone}\u0000${Math.floor(instant / OFFSET_BUCKET_MS)}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    if (offsets.size >= 100_000) offsets.clear();
    offset = computeOffset(zone, instant);
    offsets.set(key, offset);
  }
  return offset;
}

function computeOffset(zone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const part of zoneFormat(zone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  return Math.round((wall - (instant - (instant % 1000))) / 60_000);
}

const two = (n: number) => String(n).padStart(2, '0');

export function readDate(value: string, pattern: string, zone: string): string | undefined {
  const compiled = compileDatePattern(pattern);
  const match = compiled?.regex.exec(value.trim());
  if (!compiled || !match) return undefined;
  const got: Partial<Record<CompiledPattern['fields'][number], number>> = {};
  compiled.fields.forEach((field, index) => (got[field] = Number(match[index + 1])));
  const { y = 0, M = 0, d = 0, H, m, s } = got;
  if (M < 1 || M > 12 || d < 1 || d > new Date(Date.UTC(y, M, 0)).getUTCDate()) return undefined;
  if (y < 1000) return undefined;
  const date = `${y}-${two(M)}-${two(d)}`;
  if (H === undefined) return date;
  if (H > 23 || (m ?? 0) > 59 || (s ?? 0) > 59) return undefined;
  // The wall time's instant: the offset at the guess, then again at the corrected instant, which
  // settles the days daylight saving begins or ends (a time in the skipped hour moves forward).
  const wall = Date.UTC(y, M - 1, d, H, m ?? 0, s ?? 0);
  let offset = offsetAt(zone, wall);
  const second = offsetAt(zone, wall - offset * 60_000);
  if (second !== offset) offset = second;
  const sign = offset < 0 ? '-' : '+';
  const zoneText =
    offset === 0
      ? 'Z'
      : `${sign}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`;
  const time = `${two(H)}${m === undefined ? '' : `:${two(m)}`}${s === undefined ? '' : `:${two(s)}`}`;
  return `${date}T${m === undefined ? `${time}:00` : time}${zoneText}`;
}

/** Applies one transform to one value. */
export function applyTransform(
  transform: Transform,
  value: string,
  context: TransformContext,
): TransformResult {
  switch (transform.op) {
    case 'trim':
      return { values: [value.trim()] };
    case 'upper':
      return { values: [value.toUpperCase()] };
    case 'lower':
      return { values: [value.toLowerCase()] };
    case 'title':
      return { values: [titleCase(value)] };
    case 'replace':
      return {
        values: [transform.find === '' ? value : value.replaceAll(transform.find, transform.with)],
      };
    case 'split':
      return {
        values: value
          .split(transform.separator === '' ? /\s+/ : transform.separator)
          .map((part) => part.trim())
          .filter((part) => part.length > 0),
      };
    case 'date': {
      const read = readDate(
        value,
        transform.pattern,
        transform.timeZone ?? context.timeZone ?? 'UTC',
      );
      return read === undefined
        ? problem('value.not-a-date', value, `a date as ${transform.pattern}`)
        : { values: [read] };
    }
    case 'number': {
      const read = readNumber(value, transform.decimal);
      return read === undefined
        ? problem('value.not-a-number', value, 'a number')
        : { values: [read] };
    }
    case 'duration': {
      const read = readDuration(value);
      return read === undefined
        ? problem('value.not-a-duration', value, 'a duration (seconds, mm:ss or hh:mm:ss)')
        : { values: [read] };
    }
    case 'phone': {
      const country = transform.defaultCountry ?? context.defaultCountry;
      const read = phoneKey(value, country);
      return read === null
        ? problem(
            'value.not-a-phone',
            value,
            `a phone number${country ? ` (default country ${country.toUpperCase()})` : ''}`,
          )
        : { values: [read] };
    }
    case 'iban': {
      const read = normalizeIban(value);
      return read === null
        ? problem('value.not-an-iban', value, 'a valid IBAN')
        : { values: [read] };
    }
  }
}

/** Applies a chain of transforms to a list of values; the first problem stops it. */
export function applyTransforms(
  transforms: readonly Transform[],
  values: readonly string[],
  context: TransformContext,
): TransformResult {
  let current = [...values];
  for (const transform of transforms) {
    const next: string[] = [];
    for (const value of current) {
      const result = applyTransform(transform, value, context);
      if ('problem' in result) return result;
      next.push(...result.values);
    }
    current = next;
  }
  return { values: current };
}
